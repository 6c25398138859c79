/**
 * Envoy's bounded-load consistent hashing, `hash_balance_factor` on
 * RING_HASH and MAGLEV (Envoy 1.36,
 * source/extensions/load_balancing_policies/common/thread_aware_lb_impl.cc:
 * BoundedLoadHashingLoadBalancer::hostOverloadFactor and ::chooseHost),
 * reproduced exactly. It is Envoy's own, not HAProxy's (`hash-balance-factor`,
 * see chashServerIsEligible in ../haproxy/chash.ts) nor the generic
 * ../bounded.ts:
 * - a host's slots are `max(ceil(total_slots × w), 1)` with
 *   `total_slots = ((overall_active + 1) × factor + 99) / 100` in uint32
 *   integer arithmetic and w its NORMALIZED weight; it is overloaded only
 *   when its active requests EXCEED its slots (`active / slots > 1`), so it
 *   may reach them (HAProxy and the generic wrapper stop below the bound);
 * - when the hashed host is overloaded, the others are probed in a
 *   pseudo-random order — a Fisher–Yates shuffle of the host indices driven
 *   by std::mt19937 seeded with the hash (the same order for the same hash)
 *   — not clockwise on the ring;
 * - if every host is overloaded, the least overloaded one (the first found
 *   among equals, the hashed host first) takes the request.
 * Envoy's `rq_active` is `server.inflight` here (in service + queued), and
 * the cluster's `upstream_rq_active` the sum over all the cluster's servers.
 */
import { Mt19937 } from './mt19937.js';
import type { EnvoyHashingLb } from './weights.js';

/**
 * hostOverloadFactor: a host's active requests ÷ its slots (> 1: overloaded).
 * `hashBalanceFactor` is the percent (≥ 100); `weight` the normalized weight.
 */
export function envoyHostOverloadFactor(hostActive: number, overallActive: number, weight: number, hashBalanceFactor: number): number {
  // uint32_t total_slots = ((overall_active + 1) * hash_balance_factor_ + 99) / 100;
  const product = Math.imul((overallActive + 1) >>> 0, hashBalanceFactor >>> 0) >>> 0;
  const totalSlots = Math.floor(((product + 99) >>> 0) / 100);
  const slots = Math.max(Math.ceil(totalSlots * weight) >>> 0, 1);
  return hostActive / slots;
}

/** Where the bounded balancer reads loads: rq_active of a host (by index), and the cluster's upstream_rq_active. */
export interface EnvoyActiveRequests {
  active(host: number): number;
  overall(): number;
}

/**
 * BoundedLoadHashingLoadBalancer over an Envoy ring or Maglev table. Host
 * indices are positions in the normalized host weight vector the inner
 * balancer was built from.
 */
export class EnvoyBoundedLoadHashing implements EnvoyHashingLb {
  private readonly random = new Mt19937();
  private readonly hostIndex: Uint32Array;
  /** Overload factor of a host: Envoy's hostOverloadFactor unless replaced (a virtual in Envoy; its tests override it). */
  private readonly overloadFactor: (host: number, weight: number) => number;
  private overall = 0;

  constructor(
    private readonly inner: EnvoyHashingLb,
    private readonly normalizedWeights: readonly number[],
    readonly hashBalanceFactor: number,
    private readonly loads: EnvoyActiveRequests,
    overloadFactor?: (host: number, weight: number) => number,
  ) {
    if (!Number.isInteger(hashBalanceFactor) || hashBalanceFactor <= 0) throw new Error(`hash_balance_factor must be a positive integer, got ${hashBalanceFactor}`);
    this.hostIndex = new Uint32Array(normalizedWeights.length);
    this.overloadFactor =
      overloadFactor ?? ((host, weight) => envoyHostOverloadFactor(loads.active(host), this.overall, weight, this.hashBalanceFactor));
  }

  chooseHost(hi: number, lo: number, attempt = 0): number {
    const n = this.normalizedWeights.length;
    if (n === 0) return -1;
    const host = this.inner.chooseHost(hi, lo, attempt);
    if (host < 0) return -1;
    // The cluster gauge, read once: nothing changes it while one request is routed.
    this.overall = this.loads.overall();
    let overload = this.overloadFactor(host, this.normalizedWeights[host]!);
    if (overload <= 1.0) return host;

    // The random sequence is seeded by the hash, so the same input gets the same order of hosts.
    const index = this.hostIndex;
    for (let i = 0; i < n; i++) index[i] = i;
    const random = this.random;
    random.seed(lo); // std::mt19937 random(seed): the low 32 bits of the 64-bit hash
    let least = host;
    let leastOverload = overload;
    for (let i = 0; i < n; i++) {
      // The random shuffle algorithm.
      const j = random.uniformInt(n - i);
      const swap = index[i]!;
      index[i] = index[i + j]!;
      index[i + j] = swap;
      const k = index[i]!;
      if (k === host) continue;
      overload = this.overloadFactor(k, this.normalizedWeights[k]!);
      if (overload <= 1.0) return k;
      if (leastOverload > overload) {
        least = k;
        leastOverload = overload;
      }
    }
    return least;
  }

  /** The host indices in the order the probe visits them for hash `lo` (low half): the shuffle alone. */
  probeOrder(lo: number): number[] {
    const n = this.normalizedWeights.length;
    const index = Array.from({ length: n }, (_, i) => i);
    const random = new Mt19937(lo);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const j = random.uniformInt(n - i);
      [index[i], index[i + j]] = [index[i + j]!, index[i]!];
      out.push(index[i]!);
    }
    return out;
  }
}
