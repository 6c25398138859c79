import { Miss, type Affinity } from '../affinity/types.js';
import type { Balancer } from '../balancers/types.js';
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';

/**
 * What a stored binding does when its server is unavailable:
 * - `redispatch`: pick a new server and rewrite the binding (AWS ALB, Traefik,
 *   nginx; HAProxy `option redispatch`);
 * - `persist`: try the dead server first, `retries` times `retryDelay` apart,
 *   then redispatch (HAProxy `option persist` + `retries` + `option redispatch`);
 * - `strict`: fail the request and keep the binding (Envoy stateful session
 *   `strict: true`).
 * And when the server comes back: clients `stay` where they were redispatched
 * (the binding was rewritten: ALB application cookies, HAProxy insert) or
 * `return` to it (the binding was kept).
 *
 * A draining server is not down, and systems differ on what it still takes:
 * `onDrain: serve` sends it the requests bound to it, no new ones (HAProxy
 * `drain`, weight 0); `move` sends it nothing new, bound requests included,
 * which are redispatched as for a down server while its requests in flight
 * finish (AWS ALB deregistration, a Kubernetes endpoint that is terminating).
 */
export interface DownPolicy {
  onDown: 'redispatch' | 'persist' | 'strict';
  retries: number;
  retryDelay: number;
  onRecover: 'stay' | 'return';
  onDrain?: 'serve' | 'move';
}

export const DEFAULT_POLICY: DownPolicy = { onDown: 'redispatch', retries: 3, retryDelay: 1, onRecover: 'stay' };

/**
 * The flow of one request through the load balancer, as HAProxy does it:
 * 1. affinity lookup (stickiness short-circuits the algorithm);
 * 2. the balancer, for requests with no usable binding (or per the policy
 *    when the bound server is unavailable);
 * 3. hooks: a table learns at routing time, a cookie is set on the response.
 */
export class LoadBalancer {
  /**
   * Why the last `route` chose its server: the affinity's word (`cookie`,
   * `hash`, `table`, `route`), `balancer` (no stickiness), `fallback` (no key
   * or binding), `redispatch`, `persist` or `strict` (the bound server was
   * unavailable).
   */
  lastVia = '';
  /** Seconds the last routed request lost to retries before reaching its server. */
  lastDelay = 0;

  constructor(
    readonly affinity: Affinity | undefined,
    readonly balancer: Balancer,
    readonly policy: DownPolicy = DEFAULT_POLICY,
  ) {}

  /** The server for the current request of `s`, or undefined when it must fail (no server, strict). */
  route(s: Session, fleet: Fleet, now: number): Server | undefined {
    this.lastDelay = 0;
    const a = this.affinity;
    if (a === undefined) {
      this.lastVia = 'balancer';
      s.rebind = false;
      return this.balancer.pick(fleet, now);
    }
    let id = a.lookup(s, fleet, now);
    if (id >= 0 && this.policy.onDrain === 'move' && fleet.servers[id]!.draining) id = Miss.pinnedDown;
    let server: Server | undefined;
    if (id >= 0) {
      this.lastVia = a.via;
      s.rebind = false;
      server = fleet.servers[id];
    } else {
      server = this.miss(s, fleet, id, now);
    }
    if (server !== undefined) a.onRoute?.(s, server, now);
    return server;
  }

  /** No usable binding: no key or binding yet (the balancer picks), or its server is unavailable (the policy decides). */
  private miss(s: Session, fleet: Fleet, id: number, now: number): Server | undefined {
    if (id === Miss.noKey) {
      this.lastVia = 'fallback';
      s.rebind = true;
      return this.balancer.pick(fleet, now);
    }
    const p = this.policy;
    this.lastVia = p.onDown;
    s.rebind = p.onRecover === 'stay';
    if (p.onDown === 'strict') return undefined;
    if (p.onDown === 'persist') this.lastDelay = p.retries * p.retryDelay;
    return this.balancer.pick(fleet, now);
  }

  onResponse(s: Session, server: Server, now: number): void {
    this.affinity?.onResponse?.(s, server, now);
  }

  /** Load-balancer memory held for affinity: entries and bytes. */
  memory(now: number): { entries: number; bytes: number } {
    const a = this.affinity;
    const entries = a?.entries?.(now) ?? 0;
    return { entries, bytes: entries * (a?.entryBytes ?? 0) };
  }
}
