import type { Server } from '../../model/server.js';
import type { HashFamily, ProbingHashFamily } from './types.js';
import { weightOf } from './weights.js';

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam,
 * SODA 2018, arXiv:1608.01350) as a wrapper over a ring or Maglev table.
 * With factor c ≥ 1, a server may take a request only while its in-flight
 * count (requests in service plus queued) is below its bound
 *
 *     ⌈c × (T + 1) × w / W⌉
 *
 * where T is the in-flight total over the servers, w its weight and W the sum
 * of weights — ⌈c × (T + 1) / N⌉ with equal weights, the paper's bound with
 * the arriving request counted. A key whose server is at its bound goes to
 * the next distinct server in the inner family's order (the ring clockwise,
 * the table forward). The bounds sum to at least c × (T + 1) > T, so some
 * server is always under its bound; should the walk find none anyway, the
 * key keeps its usual server.
 *
 * - HAProxy `hash-balance-factor` (percent, e.g. 125) with `hash-type
 *   consistent`: the same test (`served < slots`), weighted, ring clockwise.
 * - Envoy `hash_balance_factor` on `RING_HASH`/`MAGLEV`: weighted likewise,
 *   but it lets a host reach its bound (`active ≤ slots`), probes the other
 *   hosts in a pseudo-random order seeded by the hash rather than the next on
 *   the ring, and falls back to the least overloaded host.
 */
export class BoundedLoadHash implements HashFamily {
  readonly name: string;
  private servers: Server[] = [];
  private totalWeight = 0;
  /** c × (T + 1) / W for the pick in progress. */
  private perWeight = 0;
  private readonly eligible = (s: Server): boolean => s.inflight < this.boundFor(s);

  constructor(
    private readonly inner: ProbingHashFamily,
    readonly factor: number,
  ) {
    if (!(factor >= 1) || !Number.isFinite(factor)) {
      throw new Error(`bounded-load factor must be a finite number ≥ 1, got ${factor}`);
    }
    this.name = `${inner.name}-bounded`;
  }

  build(servers: readonly Server[]): void {
    this.inner.build(servers);
    this.servers = servers.slice();
    this.totalWeight = servers.reduce((sum, s) => sum + weightOf(s), 0);
  }

  pick(hash: number): Server | undefined {
    this.perWeight = (this.factor * (this.inflight() + 1)) / this.totalWeight;
    return this.inner.probe(hash, this.eligible) ?? this.inner.pick(hash);
  }

  /** The in-flight count at which `server` stops taking requests, given the current loads. */
  bound(server: Server): number {
    this.perWeight = (this.factor * (this.inflight() + 1)) / this.totalWeight;
    return this.boundFor(server);
  }

  private boundFor(s: Server): number {
    // The small tolerance keeps float error from lifting an exact bound (1.1 × 10 / 11) by one.
    return Math.ceil(this.perWeight * s.weight - 1e-9);
  }

  private inflight(): number {
    let total = 0;
    for (const s of this.servers) total += s.inflight;
    return total;
  }
}
