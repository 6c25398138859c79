/**
 * Envoy's RING_HASH (Envoy 1.36,
 * source/extensions/load_balancing_policies/ring_hash/ring_hash_lb.{h,cc}),
 * reproduced exactly.
 *
 * How it differs from the generic ../ring.ts (which only approximates Envoy
 * with `vnodes: 1, minRing: 1024`):
 * - 64-bit points and hashes (the generic ring compares 32-bit positions);
 * - the ring size comes from the smallest normalized weight,
 *   `scale = min(ceil(min_w × minimum_ring_size) / min_w, maximum_ring_size)`,
 *   and hashes are dealt out by running sums (`current_hashes` chasing
 *   `target_hashes += scale × w`), so a host gets ⌊⌋ or ⌈⌉ of scale × w and
 *   the count depends on the hosts before it;
 * - point keys are `<address>_<i>` ("10.0.0.1:80_0"; the generic ring hashes
 *   `${name}-${i}`), hashed with XXH64 (or MurmurHash2-64);
 * - lookup is ketama's binary search as Envoy ported it (first point ≥ the
 *   hash, wrapping to the first point), and a retry `attempt` steps that
 *   many points further on.
 */
import { murmurHash2Text, xxHash64Text } from './hash.js';
import type { EnvoyHashingLb } from './weights.js';

/** RingHashLoadBalancer::DefaultMinRingSize. */
export const ENVOY_DEFAULT_MIN_RING_SIZE = 1024;
/** RingHashLoadBalancer::DefaultMaxRingSize (1024 × 1024 × 8, also the proto's limit for both sizes). */
export const ENVOY_DEFAULT_MAX_RING_SIZE = 1024 * 1024 * 8;

export type EnvoyRingHashFunction = 'XX_HASH' | 'MURMUR_HASH_2';

export interface EnvoyRingOptions {
  /** `minimum_ring_size` (default 1024). */
  minimumRingSize?: number;
  /** `maximum_ring_size` (default 8M). */
  maximumRingSize?: number;
  /** `hash_function` for the ring points (default XX_HASH). Request hashes are XXH64 either way. */
  hashFunction?: EnvoyRingHashFunction;
}

/** The ring's gauges as Envoy sets them (`ring_hash_lb.size`, `min_hashes_per_host`, `max_hashes_per_host`). */
export interface EnvoyRingStats {
  size: number;
  minHashesPerHost: number;
  maxHashesPerHost: number;
}

/**
 * The message RingHashLoadBalancer's constructor throws when the bounds are
 * crossed, or undefined when they fit.
 */
export function ringSizeBoundsError(minimumRingSize: number, maximumRingSize: number): string | undefined {
  return minimumRingSize > maximumRingSize
    ? `ring hash: minimum_ring_size (${minimumRingSize}) > maximum_ring_size (${maximumRingSize})`
    : undefined;
}

/**
 * RingHashLoadBalancer::Ring over hosts given by their hash keys (the
 * address "ip:port", `hashKey()` with use_hostname_for_hashing off and no
 * `envoy.lb` hash_key metadata) and normalized weights, in host-set order.
 * `chooseHost` answers the host's index in that order.
 */
export class EnvoyRingHash implements EnvoyHashingLb {
  /** Sorted points: high and low halves of each 64-bit hash, and the host index owning it. */
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly hosts: Int32Array;
  readonly stats: EnvoyRingStats;

  constructor(keys: readonly string[], normalizedWeights: readonly number[], minNormalizedWeight: number, options: EnvoyRingOptions = {}) {
    const minRing = options.minimumRingSize ?? ENVOY_DEFAULT_MIN_RING_SIZE;
    const maxRing = options.maximumRingSize ?? ENVOY_DEFAULT_MAX_RING_SIZE;
    const bounds = ringSizeBoundsError(minRing, maxRing);
    if (bounds !== undefined) throw new Error(bounds);
    const murmur = options.hashFunction === 'MURMUR_HASH_2';
    if (keys.length !== normalizedWeights.length) throw new Error('ring hash: one weight per host key');

    // Ring::Ring: "We can't do anything sensible with no hosts."
    if (keys.length === 0) {
      this.hi = new Uint32Array(0);
      this.lo = new Uint32Array(0);
      this.hosts = new Int32Array(0);
      this.stats = { size: 0, minHashesPerHost: 0, maxHashesPerHost: 0 };
      return;
    }

    // Scale so the least-weighted host gets a whole number of hashes, capped at the maximum.
    const scale = Math.min(Math.ceil(minNormalizedWeight * minRing) / minNormalizedWeight, maxRing);
    const ringSize = Math.ceil(scale);

    const pointHi: number[] = [];
    const pointLo: number[] = [];
    const pointHost: number[] = [];
    let currentHashes = 0.0;
    let targetHashes = 0.0;
    let minHashes = ringSize;
    let maxHashes = 0;
    keys.forEach((key, host) => {
      if (key.length === 0) throw new Error('ring hash: empty host hash key');
      targetHashes += scale * normalizedWeights[host]!;
      let i = 0;
      while (currentHashes < targetHashes) {
        const hashKey = `${key}_${i}`;
        const h = murmur ? murmurHash2Text(hashKey) : xxHash64Text(hashKey);
        pointHi.push(h.hi);
        pointLo.push(h.lo);
        pointHost.push(host);
        ++i;
        ++currentHashes;
      }
      minHashes = Math.min(i, minHashes);
      maxHashes = Math.max(i, maxHashes);
    });

    // std::sort by hash_ (not stable; equal 64-bit hashes, vanishingly rare, keep insertion order here).
    const order = pointHi.map((_, j) => j);
    order.sort((a, b) => pointHi[a]! - pointHi[b]! || pointLo[a]! - pointLo[b]! || a - b);
    this.hi = Uint32Array.from(order, (j) => pointHi[j]!);
    this.lo = Uint32Array.from(order, (j) => pointLo[j]!);
    this.hosts = Int32Array.from(order, (j) => pointHost[j]!);
    this.stats = { size: ringSize, minHashesPerHost: minHashes, maxHashesPerHost: maxHashes };
  }

  /** Points on the ring. */
  get size(): number {
    return this.hosts.length;
  }

  /**
   * Ring::chooseHost: ketama_get_server's binary search (signed indices,
   * as Envoy insists), then `attempt` points further on for a retry.
   */
  chooseHost(hHi: number, hLo: number, attempt = 0): number {
    const n = this.hosts.length;
    if (n === 0) return -1;
    const hi = this.hi;
    const lo = this.lo;
    let lowp = 0;
    let highp = n;
    let midp = 0;
    for (;;) {
      midp = Math.floor((lowp + highp) / 2);
      if (midp === n) {
        midp = 0;
        break;
      }
      const mHi = hi[midp]!;
      const mLo = lo[midp]!;
      // h <= midval && h > midval1 (midval1 = 0 at the first point)
      const atOrBelowMid = hHi < mHi || (hHi === mHi && hLo <= mLo);
      let abovePrev: boolean;
      if (midp === 0) abovePrev = hHi !== 0 || hLo !== 0;
      else {
        const pHi = hi[midp - 1]!;
        abovePrev = hHi > pHi || (hHi === pHi && hLo > lo[midp - 1]!);
      }
      if (atOrBelowMid && abovePrev) break;
      // midval < h
      if (mHi < hHi || (mHi === hHi && mLo < hLo)) lowp = midp + 1;
      else highp = midp - 1;
      if (lowp > highp) {
        midp = 0;
        break;
      }
    }
    if (attempt > 0) midp = (midp + attempt) % n;
    return this.hosts[midp]!;
  }

  /** Points of each host index (0 … hosts − 1). */
  pointsPerHost(hosts: number): number[] {
    const counts = new Array<number>(hosts).fill(0);
    for (const h of this.hosts) counts[h]!++;
    return counts;
  }
}
