import { Server } from './server.js';

export interface ServerTemplate {
  workers: number;
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
    for (let i = 0; i < initial; i++) this.add(0);
  }

  add(now: number): Server {
    const id = this.servers.length;
    const t = this.template;
    const server = new Server(id, `s${id + 1}`, t.workers, t.queueLimit, t.sessionTtl, t.sessionCapacity, now);
    this.servers.push(server);
    this.refresh();
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
