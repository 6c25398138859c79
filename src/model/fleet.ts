import { Server } from './server.js';

export interface ServerTemplate {
  workers: number;
  /** Relative weight for weighted balancing and hashing (default 1). */
  weight?: number;
  queueLimit: number;
  sessionTtl: number;
  sessionCapacity: number;
}

/**
 * Every server ever started, by id, and the ordered list of those up. The
 * `version` changes whenever the list of up servers does, so structures
 * derived from it (hash rings, tables) know when to rebuild.
 */
export class Fleet {
  readonly servers: Server[] = [];
  up: Server[] = [];
  version = 0;

  constructor(
    private readonly template: ServerTemplate,
    initial: number,
  ) {
    // One refresh for the whole initial fleet: refreshing per server would be quadratic (100,000 servers).
    for (let i = 0; i < initial; i++) this.start(0);
    this.refresh();
  }

  /** Starts a new server, by default like the template; `kind` overrides its size and weight. */
  add(now: number, kind: { workers?: number; weight?: number } = {}): Server {
    const server = this.start(now, kind);
    this.refresh();
    return server;
  }

  /** Creates the next server; it joins `up` at the next refresh. */
  private start(now: number, kind: { workers?: number; weight?: number } = {}): Server {
    const id = this.servers.length;
    const t = this.template;
    const server = new Server(id, `s${id + 1}`, kind.workers ?? t.workers, t.queueLimit, t.sessionTtl, t.sessionCapacity, now);
    server.weight = kind.weight ?? t.weight ?? 1;
    this.servers.push(server);
    return server;
  }

  setUp(server: Server, up: boolean, now: number): void {
    if (server.up === up) return;
    server.account(now);
    server.up = up;
    this.refresh();
  }

  remove(server: Server, now: number): void {
    this.setUp(server, false, now);
    server.removed = true;
  }

  private refresh(): void {
    this.up = this.servers.filter((s) => s.up);
    this.version++;
  }
}
