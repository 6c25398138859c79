/**
 * kube-proxy's ClientIP session affinity in iptables mode: one xt_recent
 * list per endpoint (pkg/proxy/iptables/proxier.go). The Service chain
 * first tries, endpoint by endpoint,
 *
 *     -A KUBE-SVC-… -m recent --name KUBE-SEP-X --rcheck --seconds T --reap -j KUBE-SEP-X
 *
 * and only then the random rules; every new connection that enters an
 * endpoint's chain records its source address there
 * (`-A KUBE-SEP-X … -m recent --name KUBE-SEP-X --set`). The kernel module
 * (net/netfilter/xt_recent.c) gives the rest:
 *
 * - `--rcheck --seconds T` matches while the address was last `--set`
 *   at most T seconds ago (a connection, not a packet: NAT rules see the
 *   first packet of each connection only);
 * - a list holds at most `ip_list_tot` addresses (module parameter, default
 *   100); `--set` of a new address into a full list evicts the least recently
 *   set one (recent_entry_init). `--reap` only drops already-stale entries
 *   early, which changes nothing a later `--rcheck` can see;
 * - a list lives as long as a rule names it: when the endpoint leaves the
 *   Service (not ready, terminating, deleted) kube-proxy removes its chain and
 *   rules, and the list with its addresses is freed. If the endpoint comes
 *   back, its list starts empty.
 *
 * An address can hold a live entry in one list only (while it does, its
 * connections match that list before any random rule), so a lookup consults
 * the list the address was last set in. Endpoint changes are noticed when the
 * affinity next looks (each request): an endpoint that left and came back
 * between two requests is not seen leaving.
 */
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';
import { kubeEndpoints } from '../balancers/kubeProxy.js';
import { Miss, type Affinity } from './types.js';

export interface XtRecentOptions {
  /** `--seconds`: sessionAffinityConfig.clientIP.timeoutSeconds (default 10800). */
  timeout: number;
  /** Addresses each endpoint's list remembers: xt_recent `ip_list_tot` (kernel default 100). */
  listSize: number;
}

/**
 * Memory of one entry: struct recent_entry on x86-64 (two list heads,
 * the address, family/ttl/index/nstamps) and its array of 32 time stamps
 * (ip_pkt_list_tot 20, rounded up to a power of two).
 */
export const XT_RECENT_ENTRY_BYTES = 56 + 32 * 8;

export class XtRecentAffinity implements Affinity {
  readonly via = 'table';
  readonly entryBytes = XT_RECENT_ENTRY_BYTES;
  /** Endpoint id → its list: address → time last set, least recently set first. */
  private readonly lists = new Map<number, Map<number, number>>();
  /** Address → the endpoint whose list it was last set in. */
  private readonly last = new Map<number, number>();
  private version = -1;

  constructor(private readonly opts: XtRecentOptions) {}

  lookup(s: Session, fleet: Fleet, now: number): number {
    this.sync(fleet);
    const ip = s.ip;
    const ep = this.last.get(ip);
    if (ep === undefined) return Miss.noKey;
    const list = this.lists.get(ep);
    const t = list?.get(ip);
    if (list === undefined || t === undefined || now - t > this.opts.timeout) return Miss.noKey;
    this.set(ep, ip, now); // the endpoint chain's --set
    return ep;
  }

  /** A connection not matched by any list went to `server` by the random rules: its chain sets the address. */
  onRoute(s: Session, server: Server, now: number): void {
    if (s.rebind) this.set(server.id, s.ip, now);
  }

  /** Entries held in all lists, stale ones included (the kernel keeps them until evicted or reaped). */
  entries(): number {
    let n = 0;
    for (const list of this.lists.values()) n += list.size;
    return n;
  }

  /** The addresses an endpoint's list holds, least recently set first (for tests). */
  list(endpoint: number): ReadonlyMap<number, number> | undefined {
    return this.lists.get(endpoint);
  }

  private set(ep: number, ip: number, now: number): void {
    let list = this.lists.get(ep);
    if (list === undefined) {
      list = new Map();
      this.lists.set(ep, list);
    }
    if (list.has(ip)) list.delete(ip);
    else if (list.size >= this.opts.listSize) {
      const oldest = list.keys().next().value as number;
      list.delete(oldest);
      if (this.last.get(oldest) === ep) this.last.delete(oldest);
    }
    list.set(ip, now);
    this.last.set(ip, ep);
  }

  /** Frees the lists of endpoints that left the Service. */
  private sync(fleet: Fleet): void {
    if (fleet.version === this.version) return;
    this.version = fleet.version;
    if (this.lists.size === 0) return;
    const current = new Set<number>();
    for (const s of kubeEndpoints(fleet)) current.add(s.id);
    for (const [ep, list] of this.lists) {
      if (current.has(ep)) continue;
      for (const ip of list.keys()) if (this.last.get(ip) === ep) this.last.delete(ip);
      this.lists.delete(ep);
    }
  }
}
