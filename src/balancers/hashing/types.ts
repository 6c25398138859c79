import type { Server } from '../../model/server.js';

/**
 * Maps a 32-bit key hash onto a set of servers. `build` is called whenever the
 * set changes; `pick` must then be fast and, for a given set, deterministic.
 */
export interface HashFamily {
  readonly name: string;
  build(servers: readonly Server[]): void;
  /** Undefined only when built over no servers. */
  pick(hash: number): Server | undefined;
}
