import { murmur3String } from '../../model/hash.js';
import type { Server } from '../../model/server.js';
import type { HashFamily } from './types.js';

/**
 * Consistent hashing on a ring (ketama): each server owns `vnodes` points
 * hashed from its name; a key belongs to the first point clockwise of its
 * hash (nginx `hash … consistent`: 160 points per server; HAProxy `hash-type
 * consistent`; Envoy `RING_HASH`). Adding a server to N moves about 1/(N+1)
 * of the keys, all of them to the new server.
 */
export class RingHash implements HashFamily {
  readonly name = 'ring';
  private points = new Uint32Array(0);
  private owners: Server[] = [];

  constructor(readonly vnodes = 160) {}

  build(servers: readonly Server[]): void {
    const pts: { h: number; s: Server; v: number }[] = [];
    for (const s of servers) {
      for (let v = 0; v < this.vnodes; v++) pts.push({ h: murmur3String(`${s.name}-${v}`), s, v });
    }
    // Ties (rare) break by server id then point number, so the ring is deterministic.
    pts.sort((a, b) => a.h - b.h || a.s.id - b.s.id || a.v - b.v);
    this.points = Uint32Array.from(pts, (p) => p.h);
    this.owners = pts.map((p) => p.s);
  }

  pick(hash: number): Server | undefined {
    const pts = this.points;
    const n = pts.length;
    if (n === 0) return undefined;
    // First point ≥ hash, wrapping to the first point.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pts[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === n ? 0 : lo];
  }
}
