import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';
import { affinityBytes, Miss, type Affinity } from './types.js';

/**
 * How a client reuses its connection to the load balancer:
 * - `request`: a new connection per request (HTTP/1.0, `Connection: close`);
 * - `keepalive`: HTTP/1.1 keep-alive, closed after `idleTimeout` without a
 *   request or after `maxRequests` (nginx `keepalive_timeout` 75 s,
 *   `keepalive_requests` 1000);
 * - `session`: one connection for the whole session (HTTP/2 and gRPC
 *   multiplexing, a WebSocket).
 */
export interface ConnectionSpec {
  reuse: 'request' | 'keepalive' | 'session';
  idleTimeout: number;
  maxRequests: number;
}

export const PER_REQUEST: ConnectionSpec = { reuse: 'request', idleTimeout: 0, maxRequests: 1 };

interface Connection {
  server: number;
  opened: number;
  last: number;
  requests: number;
}

/**
 * A layer-4 balancer: it chooses a server per *connection*, and every
 * request on an open connection goes where the connection goes — kube-proxy
 * (conntrack keeps an established flow on its endpoint, in iptables and IPVS
 * mode), AWS NLB, HAProxy `mode tcp`, IPVS. A new connection asks `inner`
 * (an L4 affinity such as kube-proxy's ClientIP `recent` lists), else the
 * balancer. A connection closes when the client lets it (see
 * {@link ConnectionSpec}), when it is older than `maxAge` (Envoy
 * `max_connection_duration`, gRPC `MAX_CONNECTION_AGE`: the cure for
 * long-lived connections that never rebalance), or when its server dies or
 * leaves (a reset: the client reconnects). A draining server keeps its open
 * connections until they close: that is L4 draining.
 *
 * The connection table is the balancer's (conntrack): its entries are the
 * LB memory reported, one per open connection.
 */
export class ConnectionAffinity implements Affinity {
  readonly via = 'connection';
  /** A conntrack entry: about 320 bytes in the kernel's nf_conntrack slab. */
  static readonly CONNECTION_BYTES = 320;
  private readonly open = new Map<number, Connection>();
  private fresh = false;

  constructor(
    private readonly spec: ConnectionSpec,
    private readonly maxAge: number,
    private readonly inner?: Affinity,
  ) {}

  get boundTo(): number | undefined {
    return this.inner?.boundTo;
  }

  get established(): boolean {
    return !this.fresh;
  }

  lookup(s: Session, fleet: Fleet, now: number): number {
    this.fresh = false;
    const c = this.open.get(s.id);
    if (c !== undefined) {
      const server = fleet.servers[c.server]!;
      const closed =
        now - c.last > this.spec.idleTimeout || c.requests >= this.spec.maxRequests || now - c.opened >= this.maxAge || !server.up || server.removed;
      if (!closed) {
        c.requests++;
        c.last = now;
        return c.server;
      }
      this.open.delete(s.id);
    }
    // A new connection: the inner affinity's, else the balancer's (the miss).
    this.fresh = true;
    return this.inner ? this.inner.lookup(s, fleet, now) : Miss.noKey;
  }

  onRoute(s: Session, server: Server, now: number): void {
    this.inner?.onRoute?.(s, server, now);
    if (!this.fresh || this.spec.reuse === 'request') return;
    this.open.set(s.id, { server: server.id, opened: now, last: now, requests: 1 });
  }

  onResponse(s: Session, server: Server, now: number): void {
    this.inner?.onResponse?.(s, server, now);
  }

  /** The session is over: its connection closes. */
  sessionEnded(s: Session): void {
    this.open.delete(s.id);
  }

  /** A reload: the balancer's connections are cut (clients reconnect), the inner affinity's memory as it says. */
  reload(now: number): void {
    this.open.clear();
    this.inner?.reload?.(now);
  }

  entries(now: number): number {
    return this.open.size + (this.inner?.entries?.(now) ?? 0);
  }

  memoryBytes(now: number): number {
    return this.open.size * ConnectionAffinity.CONNECTION_BYTES + (this.inner ? affinityBytes(this.inner, now) : 0);
  }
}
