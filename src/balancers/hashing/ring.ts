import type { Server } from '../../model/server.js';
import { hashFunction, type HashFunction } from './functions.js';
import { SeenSet } from './seen.js';
import type { ProbingHashFamily } from './types.js';
import { weightOf } from './weights.js';

export interface RingOptions {
  /**
   * Ring size floor, as Envoy's `minimum_ring_size` (default 1024 there; 0 here,
   * i.e. off): when `vnodes × Σweights` is smaller, every server gets
   * proportionally more points so the ring has about `minRing`. Then a
   * server's point count depends on the fleet, so a fleet change also moves
   * some keys between the servers that stay, as in Envoy.
   */
  minRing?: number;
  /** Hashes the point names (default XXH64). */
  hash?: HashFunction;
  /** Mixed into every point name (`${name}-${i}#${salt}`): another draw of the placement. */
  salt?: number | undefined;
}

/**
 * Consistent hashing on a ring (ketama): each server owns points hashed from
 * `${name}-${i}`; a key belongs to the first point clockwise of its hash.
 * Adding a server to N moves about 1/(N+1) of the keys, all of them to the new
 * server. A server of weight w gets round(vnodes × w) points (at least one),
 * so its share of keys is about w / Σw.
 *
 * - nginx `hash … consistent`: 160 points per unit of weight (the default here).
 * - HAProxy `hash-type consistent`: 16 points per unit of weight (`vnodes: 16`);
 *   HAProxy takes the closer of the two neighbouring points, not the next one.
 * - Envoy `RING_HASH`: a ring of `minimum_ring_size` (1024) points shared in
 *   proportion to weight (`vnodes: 1, minRing: 1024`).
 */
export class RingHash implements ProbingHashFamily {
  readonly name = 'ring';
  private readonly minRing: number;
  private readonly hash: HashFunction;
  private readonly suffix: string;
  private servers: Server[] = [];
  /** Sorted point positions, and the index in `servers` owning each. */
  private points = new Uint32Array(0);
  private owners = new Uint32Array(0);
  /** Servers already offered by the current probe. */
  private readonly seen = new SeenSet();

  constructor(
    readonly vnodes = 160,
    options: RingOptions = {},
  ) {
    if (!Number.isInteger(vnodes) || vnodes < 1) throw new Error(`ring vnodes must be a positive integer, got ${vnodes}`);
    this.minRing = options.minRing ?? 0;
    if (!Number.isInteger(this.minRing) || this.minRing < 0) {
      throw new Error(`ring minRing must be a non-negative integer, got ${this.minRing}`);
    }
    this.hash = options.hash ?? hashFunction();
    this.suffix = options.salt === undefined ? '' : `#${options.salt}`;
  }

  build(servers: readonly Server[]): void {
    const weights = servers.map(weightOf);
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const perUnit = Math.max(this.vnodes, totalWeight > 0 ? this.minRing / totalWeight : 0);
    const pos: number[] = [];
    const owner: number[] = [];
    const point: number[] = [];
    servers.forEach((s, i) => {
      const count = Math.max(1, Math.round(weights[i]! * perUnit));
      for (let v = 0; v < count; v++) {
        pos.push(this.hash.str(`${s.name}-${v}${this.suffix}`));
        owner.push(i);
        point.push(v);
      }
    });
    // Ties (rare) break by server order then point number, so the ring is deterministic.
    const order = pos.map((_, j) => j).sort((a, b) => pos[a]! - pos[b]! || owner[a]! - owner[b]! || point[a]! - point[b]!);
    this.servers = servers.slice();
    this.points = Uint32Array.from(order, (j) => pos[j]!);
    this.owners = Uint32Array.from(order, (j) => owner[j]!);
    this.seen.reset(servers.length);
  }

  /** Index of the first point at or after `hash`, wrapping to 0. */
  private first(hash: number): number {
    const pts = this.points;
    const n = pts.length;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pts[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo === n ? 0 : lo;
  }

  pick(hash: number): Server | undefined {
    if (this.points.length === 0) return undefined;
    return this.servers[this.owners[this.first(hash)]!];
  }

  probe(hash: number, accept: (server: Server) => boolean): Server | undefined {
    const n = this.points.length;
    if (n === 0) return undefined;
    const seen = this.seen;
    const all = this.servers.length;
    seen.clear();
    // Clockwise from the key's point until every server has been offered.
    for (let k = 0, j = this.first(hash); k < n && seen.size < all; k++, j = j + 1 === n ? 0 : j + 1) {
      const i = this.owners[j]!;
      if (!seen.add(i)) continue;
      const s = this.servers[i]!;
      if (accept(s)) return s;
    }
    return undefined;
  }

  /** Points on the ring. */
  get size(): number {
    return this.points.length;
  }

  /** Points of each server, in build order. */
  pointsPerServer(): number[] {
    const counts = this.servers.map(() => 0);
    for (const i of this.owners) counts[i]!++;
    return counts;
  }
}
