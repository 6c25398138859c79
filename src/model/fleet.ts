import { Server } from './server.js';
import type { ServerKind } from './timeline.js';

export interface ServerTemplate {
  workers: number;
  /** Relative weight for weighted balancing and hashing (default 1). */
  weight?: number;
  queueLimit: number;
  sessionTtl: number;
  sessionCapacity: number;
}

/**
 * Every server ever started, by id, with two views of each: whether it is
 * really running (`up`) and whether the load balancer believes so (`healthy`,
 * which lags behind when health checks are modelled). `available` lists the
 * servers the balancer may give new work: healthy, not draining, not removed.
 * `version` changes whenever that list does, so structures derived from it
 * (hash rings, tables) know when to rebuild.
 */
export class Fleet {
  readonly servers: Server[] = [];
  available: Server[] = [];
  /** Every available server has the same weight (balancers then skip weighting). */
  evenWeights = true;
  version = 0;

  constructor(
    private readonly template: ServerTemplate,
    initial: number | readonly ServerKind[],
  ) {
    // One refresh for the whole initial fleet: refreshing per server would be quadratic (100,000 servers).
    const kinds = typeof initial === 'number' ? Array.from({ length: initial }, () => ({})) : initial;
    for (const kind of kinds) this.start(0, kind);
    this.refresh();
  }

  /** Starts a new server, by default like the template; `kind` overrides its size and weight. */
  add(now: number, kind: ServerKind = {}): Server {
    const server = this.start(now, kind);
    this.refresh();
    return server;
  }

  /** Creates the next server; it joins `available` at the next refresh. */
  private start(now: number, kind: ServerKind = {}): Server {
    const id = this.servers.length;
    const t = this.template;
    const server = new Server(id, `s${id + 1}`, kind.workers ?? t.workers, t.queueLimit, t.sessionTtl, t.sessionCapacity, now);
    server.weight = kind.weight ?? t.weight ?? 1;
    this.servers.push(server);
    return server;
  }

  /** Servers in the fleet (not removed), in id order. */
  get members(): Server[] {
    return this.servers.filter((s) => !s.removed);
  }

  /** Whether a request bound to `server` may be sent there (draining servers still take them). */
  accepts(server: Server): boolean {
    return server.healthy && !server.removed;
  }

  /** The server really stops or starts; with `noticed`, the balancer knows at once. */
  setAlive(server: Server, alive: boolean, now: number, noticed = true): void {
    server.account(now);
    server.up = alive;
    if (noticed) server.healthy = alive;
    this.refresh();
  }

  /** The balancer's view of the server changes (a health check noticed). */
  setHealthy(server: Server, healthy: boolean): void {
    if (server.healthy === healthy) return;
    server.healthy = healthy;
    this.refresh();
  }

  /** Both views at once: the balancer notices instantly. */
  setUp(server: Server, up: boolean, now: number): void {
    this.setAlive(server, up, now, true);
  }

  setDraining(server: Server, draining: boolean): void {
    server.draining = draining;
    this.refresh();
  }

  remove(server: Server, now: number): void {
    server.account(now);
    server.up = false;
    server.healthy = false;
    server.draining = false;
    server.removed = true;
    this.refresh();
  }

  private refresh(): void {
    this.available = this.servers.filter((s) => s.healthy && !s.draining && !s.removed);
    const w = this.available[0]?.weight;
    this.evenWeights = this.available.every((s) => s.weight === w);
    this.version++;
  }
}
