import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';

/** What an affinity lookup can answer besides a server id. */
export const Miss = {
  /** The request carries no key or no valid binding (no cookie, header absent, expired entry). */
  noKey: -1,
  /** The binding names a server the balancer cannot use (down, removed). */
  pinnedDown: -2,
} as const;

/**
 * Step 1 of routing: read the request and name the server it is bound to.
 * A stored binding remembers the server (in a cookie, a route value, a
 * table); a derived binding computes it from the key and the current fleet.
 * A stored binding is (re)written when the request's `rebind` flag is set:
 * at routing time (`onRoute`, tables) or from the response (`onResponse`,
 * cookies and routes).
 */
export interface Affinity {
  /** Short word used in traces for why the server was chosen: `cookie`, `hash`, `table`, `route`. */
  readonly via: string;
  /** A server id (≥ 0) or one of {@link Miss}. */
  lookup(s: Session, fleet: Fleet, now: number): number;
  /**
   * After a lookup answered {@link Miss.pinnedDown}: the id of the server
   * the binding names (a stored binding's: the cookie's or the table
   * entry's server), for a policy that sends the request there anyway
   * (HAProxy `option persist`); −1 when the binding names none.
   */
  readonly boundTo?: number;
  /**
   * For a derived binding: the server the key leads to when `avoid` just
   * refused the request (a redispatch that looks again), as a server id or
   * {@link Miss.pinnedDown}. Absent: a redispatch goes to the balancer.
   */
  repick?(s: Session, fleet: Fleet, avoid: Server): number;
  /** The request of `s` is about to be sent to `server`. */
  onRoute?(s: Session, server: Server, now: number): void;
  /** The response hook: the request of `s` was answered by `server`. */
  onResponse?(s: Session, server: Server, now: number): void;
  /**
   * The load balancer reloads or restarts: what this affinity holds in the
   * balancer's memory is gone (a stick table without peers; nginx's
   * passive-health marks). Absent: it holds nothing there (a cookie lives in
   * the client, a hash in the key).
   */
  reload?(now: number): void;
  /** Entries the load balancer holds in memory for this affinity (stick tables). */
  entries?(now: number): number;
  /** Bytes of load-balancer memory one entry costs. */
  readonly entryBytes?: number;
  /** The last lookup answered an established connection's server, which a drain does not cut (layer 4). */
  readonly established?: boolean;
  /** Bytes of load-balancer memory held, when entries differ in size (else entries × entryBytes). */
  memoryBytes?(now: number): number;
  /** The session is over (its last request answered or failed): what the balancer held for it may go. */
  sessionEnded?(s: Session): void;
}

/** Load-balancer memory an affinity holds: its own count when entries differ in size, else entries × entryBytes. */
export function affinityBytes(a: Affinity, now: number): number {
  return a.memoryBytes?.(now) ?? (a.entries?.(now) ?? 0) * (a.entryBytes ?? 0);
}

/**
 * Reads the affinity key a request carries, as a non-negative integer, or −1
 * when it carries none.
 */
export interface KeyExtractor {
  readonly name: string;
  key(s: Session): number;
}
