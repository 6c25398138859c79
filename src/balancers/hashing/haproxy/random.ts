import { uint32, type Uniform } from '../../../engine/random.js';
import type { Fleet } from '../../../model/fleet.js';
import type { Server } from '../../../model/server.js';
import type { Balancer } from '../../types.js';
import { HaproxyChash } from './chash.js';
import { BE_WEIGHT_SCALE } from './weights.js';

/** Requests a server is serving, as HAProxy's `srv->served` counts them. */
export type ServedOf = (s: Server) => number;

/** stickysim's stand-in for `srv->served`: requests sent to the server and not finished (in service or in its queue). */
export const inflightServed: ServedOf = (s) => s.inflight;

/**
 * src/backend.c get_server_rnd (`balance random(<draws>)`, default 2 draws):
 * each draw takes a random 32-bit key (statistical_prng there, `u` here) and
 * looks it up on the consistent-hash tree (chash_get_server_hash, so a
 * server's chance is its share of the 16 × weight points' arcs, and `avoid`
 * and `hash-balance-factor` apply as for hashing). A later draw replaces the
 * best so far only when the best is strictly more loaded per unit of weight:
 * it is kept when
 *
 *     prev ≠ curr  and  curr.served × prev.eweight > prev.served × curr.eweight
 *
 * so on a tie the later draw wins, and two draws may land on the same server.
 * With `isFull` (maxconn), a full winner gives undefined: HAProxy then queues
 * the request in the backend.
 */
export function getServerRnd(
  tree: HaproxyChash,
  draws: number,
  u: Uniform,
  served: ServedOf = inflightServed,
  avoid?: Server,
  factor = 0,
  isFull?: (s: Server) => boolean,
): Server | undefined {
  let curr: Server | undefined;
  let d = draws;
  do {
    const prev = curr;
    curr = tree.lookup(uint32(u), avoid, factor, served);
    if (curr === undefined) break;
    if (
      prev !== undefined &&
      prev !== curr &&
      Math.imul(served(curr), prev.weight * BE_WEIGHT_SCALE) >>> 0 > Math.imul(served(prev), curr.weight * BE_WEIGHT_SCALE) >>> 0
    ) {
      curr = prev;
    }
  } while (--d > 0);
  if (curr !== undefined && isFull?.(curr)) return undefined;
  return curr;
}

/**
 * HAProxy 2.6 `balance random(<draws>)` as a {@link Balancer}: {@link
 * getServerRnd} over a consistent-hash tree of the fleet's available servers,
 * rebuilt when the fleet changes.
 */
export class HaproxyRandom implements Balancer {
  readonly name: string;
  private readonly tree = new HaproxyChash();
  private version = -1;

  constructor(
    private readonly u: Uniform,
    readonly draws = 2,
    private readonly served: ServedOf = inflightServed,
  ) {
    if (!Number.isInteger(draws) || draws < 1) throw new Error(`random draws must be a whole number ≥ 1, got ${draws}`);
    this.name = `haproxy-random(${draws})`;
  }

  pick(fleet: Fleet, _now?: number, avoid?: Server): Server | undefined {
    if (fleet.version !== this.version) {
      this.tree.build(fleet.available);
      this.version = fleet.version;
    }
    return getServerRnd(this.tree, this.draws, this.u, this.served, avoid);
  }
}
