import type { Server } from '../../model/server.js';
import type { HashFamily } from './types.js';
import { weightSlots } from './weights.js';

/**
 * Map-based hashing: hash mod the number of slots, where each up server holds
 * as many slots as its weight (HAProxy `hash-type map-based`, the default for
 * `balance source`/`hdr`/`url_param`; nginx `hash` without `consistent`; nginx
 * `ip_hash`). With equal weights this is plain hash mod N. Adding a server to
 * N moves about N/(N+1) of the keys.
 *
 * Weighted, it builds the table as HAProxy's lb_map.c does: one slot per unit
 * of weight, filled in an interleaved order (each round every server gains its
 * weight in score; the highest score takes the slot and pays the table size;
 * ties go to the first declared), so with weights 2:1 the table reads
 * s1 s1 s2 and a key's server is `table[hash % 3]`. Fractional weights are
 * reduced to whole slots first (see `weightSlots`).
 */
export class ModuloHash implements HashFamily {
  readonly name = 'modulo';
  private servers: Server[] = [];
  /** Index into `servers` of each slot. */
  private table = new Uint32Array(0);

  build(servers: readonly Server[]): void {
    this.servers = servers.slice();
    const slots = weightSlots(servers);
    const total = slots.reduce((a, b) => a + b, 0);
    const score = slots.map(() => 0);
    const table = new Uint32Array(total);
    for (let o = 0; o < total; o++) {
      let best = -1;
      let max = 0;
      for (let i = 0; i < slots.length; i++) {
        score[i]! += slots[i]!;
        const v = Math.trunc((score[i]! + total) / total) // C integer division;
        if (best < 0 || v > max) {
          max = v;
          best = i;
        }
      }
      table[o] = best;
      score[best]! -= total;
    }
    this.table = table;
  }

  pick(hash: number): Server | undefined {
    const n = this.table.length;
    return n === 0 ? undefined : this.servers[this.table[hash % n]!];
  }

  /** Slots in the table (Σ weights in whole units). */
  get size(): number {
    return this.table.length;
  }
}
