/**
 * How kube-proxy spreads new connections over a Service's endpoints, in its
 * two classic modes (kubernetes/kubernetes, pkg/proxy; see
 * strategies/systems/kubeProxy.ts for versions and the rest of the preset):
 *
 * - which endpoints: `kubeEndpoints`, pkg/proxy/topology.go
 *   CategorizeEndpoints for cluster traffic policy: the ready endpoints, or,
 *   when none is ready, those still serving while terminating;
 * - iptables mode: `IptablesRandom`, the KUBE-SVC chain of
 *   `-m statistic --mode random --probability 1/(n−i)` rules
 *   (pkg/proxy/iptables/proxier.go writeServiceToEndpointRules), with the
 *   probability as iptables and the kernel apply it;
 * - IPVS mode: `IpvsRoundRobin`, the kernel's `rr` scheduler
 *   (net/netfilter/ipvs/ip_vs_rr.c) over the real servers kube-proxy keeps
 *   in the virtual server (pkg/proxy/ipvs/proxier.go syncEndpoint).
 *
 * Endpoints have no weights: a scenario's `weight` is ignored.
 */
import type { Uniform } from '../engine/index.js';
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Balancer } from './types.js';

/**
 * The endpoints kube-proxy programs: ready ones (healthy, not terminating,
 * not removed: the fleet's available servers); when there are none, the ones
 * serving while terminating (draining and still healthy).
 */
export function kubeEndpoints(fleet: Fleet): readonly Server[] {
  if (fleet.available.length > 0) return fleet.available;
  return fleet.servers.filter((s) => s.draining && s.healthy && !s.removed);
}

/**
 * `fmt.Sprintf("%0.10f", x)` read back as a number: x rounded to 10
 * decimals, ties to even, on the exact binary value of x (Go's strconv).
 */
export function goFixed10(x: number): number {
  // x = m · 2^e exactly; scaled = x · 10^10 = m · 10^10 · 2^e.
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  const m = exp === 0 ? frac : frac | 0x10000000000000n;
  const e = (exp === 0 ? 1 : exp) - 1075;
  let num = m * 10n ** 10n;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  return Number(`${q / 10n ** 10n}.${(q % 10n ** 10n).toString().padStart(10, '0')}`);
}

/**
 * The probability one `statistic --mode random --probability p` rule
 * matches, as applied: kube-proxy writes p = 1/k with `%0.10f`
 * (proxier.go computeProbability); iptables stores lround(2³¹·p)
 * (extensions/libxt_statistic.c); the kernel matches when
 * `(get_random_u32() & 0x7FFFFFFF) < that` (net/netfilter/xt_statistic.c).
 */
export function statisticProbability(k: number): number {
  return Math.round(0x80000000 * goFixed10(1 / k)) / 0x80000000;
}

const chainCache = new Map<number, Float64Array>();

/**
 * Cumulative probability that a connection lands on endpoint 0…i of n: rule
 * i (i < n − 1) matches with statisticProbability(n − i) if reached, the
 * last rule always.
 */
export function statisticChain(n: number): Float64Array {
  let cum = chainCache.get(n);
  if (cum !== undefined) return cum;
  cum = new Float64Array(n);
  let reach = 1;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const p = i < n - 1 ? statisticProbability(n - i) : 1;
    acc += reach * p;
    reach *= 1 - p;
    cum[i] = acc;
  }
  cum[n - 1] = 1;
  if (chainCache.size < 4096) chainCache.set(n, cum);
  return cum;
}

/**
 * iptables mode: each new connection walks the KUBE-SVC chain and takes the
 * first rule that matches — uniform up to the rounding of each rule's
 * probability (≤ 2⁻³¹ per rule). One draw per connection locates it on the
 * chain's cumulative distribution.
 */
export class IptablesRandom implements Balancer {
  readonly name = 'iptables-random';

  constructor(private readonly u: Uniform) {}

  pick(fleet: Fleet): Server | undefined {
    const list = kubeEndpoints(fleet);
    const n = list.length;
    if (n <= 1) return list[0];
    const cum = statisticChain(n);
    const x = this.u();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x < cum[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return list[lo];
  }
}

/**
 * IPVS mode, scheduler `rr` (ip_vs_rr.c): the virtual server's list of real
 * servers, the scheduler's pointer at the last one chosen; each connection
 * takes the next one after it, skipping the list head. A new real server is
 * linked at the head of the list (ip_vs_ctl.c __ip_vs_update_dest,
 * list_add_rcu); kube-proxy adds a sync's new endpoints in Go map order,
 * drawn at random here. A deleted real server that the pointer was on hands
 * it back to its predecessor (ip_vs_rr_del_dest). kube-proxy first sets a
 * leaving endpoint's weight to 0 (skipped by rr) until its connections close;
 * here it leaves the list at once, which differs only in the place it takes
 * if it comes back before then.
 */
export class IpvsRoundRobin implements Balancer {
  readonly name = 'ipvs-rr';
  private dests: Server[] = [];
  /** Index of the last real server chosen; −1: the list head. */
  private last = -1;
  private version = -1;

  constructor(private readonly u: Uniform) {}

  pick(fleet: Fleet): Server | undefined {
    if (fleet.version !== this.version) this.sync(fleet);
    const n = this.dests.length;
    if (n === 0) return undefined;
    this.last = (this.last + 1) % n;
    return this.dests[this.last];
  }

  /** The real servers, head first (for tests and traces). */
  get order(): readonly Server[] {
    return this.dests;
  }

  private sync(fleet: Fleet): void {
    this.version = fleet.version;
    const endpoints = kubeEndpoints(fleet);
    const want = new Set<number>();
    for (const s of endpoints) want.add(s.id);
    for (let i = this.dests.length - 1; i >= 0; i--) {
      if (want.has(this.dests[i]!.id)) continue;
      this.dests.splice(i, 1);
      if (i <= this.last) this.last--;
    }
    const have = new Set<number>();
    for (const s of this.dests) have.add(s.id);
    const added = endpoints.filter((s) => !have.has(s.id));
    for (let i = added.length - 1; i > 0; i--) {
      const j = Math.floor(this.u() * (i + 1));
      [added[i], added[j]] = [added[j]!, added[i]!];
    }
    for (const s of added) {
      this.dests.unshift(s);
      if (this.last >= 0) this.last++;
    }
  }
}
