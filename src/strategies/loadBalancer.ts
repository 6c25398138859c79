import { affinityBytes, Miss, type Affinity } from '../affinity/types.js';
import type { Balancer } from '../balancers/types.js';
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';

/**
 * What a stored binding does when its server is unavailable:
 * - `redispatch`: pick a new server and rewrite the binding (AWS ALB, Traefik,
 *   nginx; HAProxy by default once a check has marked the server DOWN);
 * - `persist`: try the dead server first, `retries` times `retryDelay` apart,
 *   then redispatch (a generic model of a balancer that insists, then gives
 *   up; HAProxy's own sequence is `insist` with its {@link ConnectRetry});
 * - `insist`: send the request to the bound server anyway and let the
 *   connection retries decide (HAProxy `option persist`; without a
 *   ConnectRetry the refused request fails);
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
  onDown: 'redispatch' | 'persist' | 'insist' | 'strict';
  retries: number;
  retryDelay: number;
  onRecover: 'stay' | 'return';
  onDrain?: 'serve' | 'move';
}

export const DEFAULT_POLICY: DownPolicy = { onDown: 'redispatch', retries: 3, retryDelay: 1, onRecover: 'stay' };

/**
 * What the load balancer does when the server it chose refuses the
 * connection: a crash it has not noticed yet (the server is still believed
 * up), or a server known down that a binding insisted on. Without one, the
 * request fails at once. A system's own sequence of retries, turn-arounds
 * and redispatches lives behind this (HAProxy's: systems/haproxyRetries.ts).
 */
export interface ConnectRetry {
  /**
   * Walks the attempts for a request that `target` refuses: `direct` when a
   * binding chose it (a cookie, a table entry), not the algorithm;
   * `repick(avoid)` is the algorithm's choice past a server that refused.
   * Answers the server that finally takes the request — `target` itself
   * (or another refusing one) when every attempt fails, undefined when none
   * is left to try — and the turns waited on the way, each `retryDelay` of
   * the policy long.
   */
  refused(target: Server, direct: boolean, fleet: Fleet, repick: (avoid: Server) => Server | undefined): { server: Server | undefined; turns: number };
}
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
  /**
   * Retry turns the last routed request waits before it reaches its server
   * (each the policy's `retryDelay`): the persist policy's retries, or a
   * {@link ConnectRetry}'s turn-arounds.
   */
  lastTurns = 0;

  constructor(
    readonly affinity: Affinity | undefined,
    readonly balancer: Balancer,
    readonly policy: DownPolicy = DEFAULT_POLICY,
    readonly retry?: ConnectRetry,
  ) {}

  /** Seconds the last routed request loses to retries before reaching its server. */
  get lastDelay(): number {
    return this.lastTurns === 0 ? 0 : this.lastTurns * this.policy.retryDelay;
  }

  /** The server for the current request of `s`, or undefined when it must fail (no server, strict). */
  route(s: Session, fleet: Fleet, now: number): Server | undefined {
    this.lastTurns = 0;
    const a = this.affinity;
    if (a === undefined) {
      this.lastVia = 'balancer';
      s.rebind = false;
      const server = this.balancer.pick(fleet, now);
      return server !== undefined && !server.up && this.retry ? this.retried(s, server, false, fleet, now) : server;
    }
    let id = a.lookup(s, fleet, now);
    if (id >= 0 && this.policy.onDrain === 'move' && fleet.servers[id]!.draining && a.established !== true) id = Miss.pinnedDown;
    let server: Server | undefined;
    let direct = false;
    if (id >= 0) {
      this.lastVia = a.via;
      s.rebind = false;
      server = fleet.servers[id];
      direct = a.repick === undefined; // a stored binding names its server; a derived one is the algorithm's
    } else {
      server = this.miss(s, fleet, id, now);
      direct = this.lastVia === 'insist';
    }
    if (server !== undefined && !server.up && this.retry) server = this.retried(s, server, direct, fleet, now);
    if (server !== undefined) a.onRoute?.(s, server, now);
    return server;
  }

  /** `target` refuses the connection: the ConnectRetry walks the attempts; a request that ends elsewhere rebinds. */
  private retried(s: Session, target: Server, direct: boolean, fleet: Fleet, now: number): Server | undefined {
    const a = this.affinity;
    const repick = (avoid: Server): Server | undefined => {
      if (a?.repick === undefined) return this.balancer.pick(fleet, now, avoid);
      const id = a.repick(s, fleet, avoid);
      return id >= 0 ? fleet.servers[id] : undefined;
    };
    const r = this.retry!.refused(target, direct, fleet, repick);
    this.lastTurns = r.turns;
    if (r.server !== undefined && r.server !== target) {
      this.lastVia = 'redispatch';
      s.rebind = true;
    }
    return r.server;
  }

  /** No usable binding: no key or binding yet (the balancer picks), or its server is unavailable (the policy decides). */
  private miss(s: Session, fleet: Fleet, id: number, now: number): Server | undefined {
    if (id === Miss.noKey) {
      this.lastVia = 'fallback';
      s.rebind = true;
      return this.balancer.pick(fleet, now);
    }
    const p = this.policy;
    if (p.onDown === 'insist') {
      // HAProxy `option persist`: the bound server, DOWN or not, unless it left the configuration.
      const bound = this.affinity?.boundTo ?? -1;
      const server = bound >= 0 ? fleet.servers[bound] : undefined;
      if (server !== undefined && !server.removed) {
        this.lastVia = 'insist';
        s.rebind = false;
        return server;
      }
    }
    this.lastVia = p.onDown === 'insist' ? 'redispatch' : p.onDown;
    s.rebind = p.onRecover === 'stay';
    if (p.onDown === 'strict') return undefined;
    if (p.onDown === 'persist') this.lastTurns = p.retries;
    return this.balancer.pick(fleet, now);
  }

  onResponse(s: Session, server: Server, now: number): void {
    this.affinity?.onResponse?.(s, server, now);
  }

  /** The balancer reloads or restarts: each part loses what it held in memory (see Affinity.reload, Balancer.reload). */
  reload(now: number): void {
    this.affinity?.reload?.(now);
    this.balancer.reload?.();
  }

  /** Load-balancer memory held for affinity: entries and bytes. */
  memory(now: number): { entries: number; bytes: number } {
    const a = this.affinity;
    return { entries: a?.entries?.(now) ?? 0, bytes: a ? affinityBytes(a, now) : 0 };
  }

  /** Whether the balancer wants to hear of sessions ending (it keeps something per session: connections). */
  get tracksSessions(): boolean {
    return this.affinity?.sessionEnded !== undefined;
  }

  sessionEnded(s: Session): void {
    this.affinity?.sessionEnded?.(s);
  }
}
