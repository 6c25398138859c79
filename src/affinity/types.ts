import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';

/** What an affinity lookup can answer besides a server id. */
export const Miss = {
  /** The request carries no key (no cookie, header absent, cookies refused). */
  noKey: -1,
  /** The key names a server that is not up. */
  pinnedDown: -2,
} as const;

/**
 * Step 1 of routing: read the request and name the server it is bound to.
 * A stored binding remembers the server (in a cookie, a table); a derived
 * binding computes it from the key and the current fleet.
 */
export interface Affinity {
  /** Short word used in traces for why the server was chosen: `cookie`, `hash`. */
  readonly via: string;
  /** A server id (≥ 0) or one of {@link Miss}. */
  lookup(s: Session, fleet: Fleet): number;
  /** The response hook: the request of `s` was answered by `server`. */
  onResponse?(s: Session, server: Server): void;
}

/**
 * Reads the affinity key a request carries, as a non-negative integer, or −1
 * when it carries none.
 */
export interface KeyExtractor {
  readonly name: string;
  key(s: Session): number;
}
