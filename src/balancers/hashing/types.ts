import type { Server } from '../../model/server.js';

/**
 * Maps a 32-bit key hash onto a set of servers. `build` is called whenever the
 * set changes; `pick` must then be fast and, for a given set, deterministic.
 * Each family honours `server.weight` (a positive number): a server's share of
 * keys is proportional to it, and equal weights give the unweighted family.
 */
export interface HashFamily {
  readonly name: string;
  build(servers: readonly Server[]): void;
  /** Undefined only when built over no servers. */
  pick(hash: number): Server | undefined;
  /**
   * The server for `hash` when `avoid` just refused the request (a
   * redispatch), for families whose system looks again past it (HAProxy's
   * chash_get_server_hash with `avoid`). Absent: the family has no such
   * look, and a redispatch lands where `pick` does (HAProxy's
   * map_get_server_hash takes no server to avoid).
   */
  pickAvoiding?(hash: number, avoid: Server): Server | undefined;
}

/**
 * A family whose choice for a key extends to an order of fallbacks: the ring
 * clockwise from the key's point, the Maglev table forward from its entry.
 * Bounded-load hashing walks this order (HAProxy `hash-balance-factor` walks
 * the ring the same way).
 */
export interface ProbingHashFamily extends HashFamily {
  /**
   * Offers `accept` each distinct server in order, starting with `pick(hash)`,
   * and returns the first it accepts; undefined when it accepts none (or when
   * built over no servers).
   */
  probe(hash: number, accept: (server: Server) => boolean): Server | undefined;
}
