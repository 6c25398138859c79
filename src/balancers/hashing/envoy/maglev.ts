/**
 * Envoy's MAGLEV (Envoy 1.36,
 * source/extensions/load_balancing_policies/maglev/maglev_lb.{h,cc}),
 * reproduced exactly: MaglevTable::constructMaglevTableInternal,
 * OriginalMaglevTable::constructImplementationInternals and chooseHost
 * (CompactMaglevTable fills and answers identically; it only stores less).
 *
 * How it differs from the generic ../maglev.ts, whose comment says "seeds 0
 * and 1, as Envoy" — the seeds agree, the rest does not:
 * - Envoy hashes the host's address ("10.0.0.1:80"), 64-bit, and takes
 *   `offset = xxHash64(key) % M`, `skip = xxHash64(key, 1) % (M − 1) + 1` on
 *   all 64 bits; the generic table takes the upper 32 bits of XXH64 of the
 *   server's name (plus a placement salt);
 * - Envoy fills the table in the order of the hosts' keys SORTED as strings
 *   (so "10.0.0.10:80" comes before "10.0.0.2:80"), not in host-set order;
 * - weights are the normalized weights, the turn test is Envoy's
 *   `iteration × weight < target_weight` with `target_weight += max_weight`
 *   per turn (the generic one compares `round × w` with `turns × max w`
 *   on raw weights: the same rule up to floating-point rounding);
 * - lookup is `table[hash % M]` over the 64-bit request hash, and a retry
 *   `attempt` XORs the hash with 2^64 − attempt first.
 */
import { mod64, xxHash64Text } from './hash.js';
import type { EnvoyHashingLb } from './weights.js';

/** MaglevTable::DefaultTableSize, the paper's recommended size. */
export const ENVOY_MAGLEV_DEFAULT_TABLE_SIZE = 65537;
/** The proto's limit on `table_size`. */
export const ENVOY_MAGLEV_MAX_TABLE_SIZE = 5000011;

/** Primes::isPrime as Envoy checks `table_size`. */
export function isPrimeTableSize(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** `maglev_lb.min_entries_per_host` and `max_entries_per_host`. */
export interface EnvoyMaglevStats {
  minEntriesPerHost: number;
  maxEntriesPerHost: number;
}

/**
 * A Maglev table over hosts given by their hash keys (addresses) and
 * normalized weights, in host-set order; `chooseHost` answers the index in
 * that order.
 */
export class EnvoyMaglevTable implements EnvoyHashingLb {
  /** Host index (in the given order) of each entry. */
  readonly table: Int32Array;
  readonly stats: EnvoyMaglevStats;
  /** Each host's permutation: offset and skip, by host index. */
  readonly offsets: number[];
  readonly skips: number[];

  constructor(
    keys: readonly string[],
    normalizedWeights: readonly number[],
    maxNormalizedWeight: number,
    readonly tableSize = ENVOY_MAGLEV_DEFAULT_TABLE_SIZE,
  ) {
    if (!isPrimeTableSize(tableSize)) throw new Error('The table size of maglev must be prime number');
    if (keys.length !== normalizedWeights.length) throw new Error('maglev: one weight per host key');
    const m = tableSize;
    this.offsets = keys.map((k) => {
      const h = xxHash64Text(k, 0);
      return mod64(h.hi, h.lo, m);
    });
    this.skips = keys.map((k) => {
      const h = xxHash64Text(k, 1);
      return mod64(h.hi, h.lo, m - 1) + 1;
    });
    // "We can't do anything sensible with no hosts."
    if (keys.length === 0) {
      this.table = new Int32Array(0);
      this.stats = { minEntriesPerHost: m, maxEntriesPerHost: 0 };
      return;
    }

    // Stable order: the (key, host, weight) tuples sorted, i.e. by key (ties, equal keys, by host order here).
    const sorted = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
    const n = sorted.length;
    const weight = sorted.map((i) => normalizedWeights[i]!);
    const offset = sorted.map((i) => this.offsets[i]!);
    const skip = sorted.map((i) => this.skips[i]!);
    const targetWeight = new Array<number>(n).fill(0);
    const next = new Array<number>(n).fill(0);
    const count = new Array<number>(n).fill(0);

    const table = new Int32Array(m).fill(-1);
    let tableIndex = 0;
    for (let iteration = 1; tableIndex < m; ++iteration) {
      for (let i = 0; i < n && tableIndex < m; i++) {
        // A host of the top weight takes a turn every iteration; one of a third of it, every third.
        if (iteration * weight[i]! < targetWeight[i]!) continue;
        targetWeight[i]! += maxNormalizedWeight;
        // permutation(): (offset + skip × next) % M — below 2^53 for M ≤ 5,000,011.
        let c = (offset[i]! + skip[i]! * next[i]!) % m;
        while (table[c] !== -1) {
          next[i]!++;
          c = (offset[i]! + skip[i]! * next[i]!) % m;
        }
        table[c] = sorted[i]!;
        next[i]!++;
        count[i]!++;
        tableIndex++;
      }
    }
    this.table = table;
    let min = m;
    let max = 0;
    for (const c of count) {
      min = Math.min(c, min);
      max = Math.max(c, max);
    }
    this.stats = { minEntriesPerHost: min, maxEntriesPerHost: max };
  }

  /** OriginalMaglevTable::chooseHost: `table_[hash % table_size_]`, the hash first XORed with ~0 − attempt + 1 on a retry. */
  chooseHost(hi: number, lo: number, attempt = 0): number {
    const m = this.table.length;
    if (m === 0) return -1;
    if (attempt > 0) {
      // ~0ULL - attempt + 1 = 2^64 − attempt: high half all ones, low half −attempt.
      hi = (hi ^ 0xffffffff) >>> 0;
      lo = (lo ^ -attempt) >>> 0;
    }
    return this.table[mod64(hi, lo, m)]!;
  }

  /** Table entries of each host index (0 … hosts − 1). */
  entriesPerHost(hosts: number): number[] {
    const counts = new Array<number>(hosts).fill(0);
    for (const h of this.table) counts[h]!++;
    return counts;
  }
}
