import type { Session } from './session.js';
import { LossCause } from './session.js';

/** One state incarnation held in memory, and when it was last used. */
interface Entry {
  readonly session: Session;
  readonly stateId: number;
  lastAccess: number;
}

/**
 * A server's in-memory session store: state incarnations keyed by id, in
 * least-recently-used order (a Map keeps insertion order; a touch re-inserts).
 * Idle expiry is checked lazily, when a request asks for the state or when the
 * store is purged before it is measured; a capacity evicts the LRU entry.
 *
 * An entry outlives its session's interest in it: after a loss the session
 * starts a new incarnation elsewhere and the old one lingers here as an orphan
 * until it idles out, holding memory, as it would on a real server.
 */
export class SessionStore {
  private readonly entries = new Map<number, Entry>();

  constructor(
    readonly ttl: number,
    readonly capacity: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** True when `s`'s current state lives here and has not idled past the TTL. */
  holds(s: Session, now: number): boolean {
    const e = this.entries.get(s.stateId);
    return e !== undefined && now - e.lastAccess <= this.ttl;
  }

  /** Marks `s`'s state (which must be held here) used now: moves it to the MRU end. */
  touch(s: Session, now: number): void {
    const m = this.entries;
    const e = m.get(s.stateId)!;
    m.delete(s.stateId);
    m.set(s.stateId, e);
    e.lastAccess = now;
    s.lastAccess = now;
  }

  /**
   * Stores `s`'s current state incarnation, evicting least-recently-used
   * entries while full. Evicting a live state marks its session.
   */
  create(s: Session, now: number): void {
    const m = this.entries;
    // Expired states go first (amortised O(1): the map is in LRU order), so abandoned
    // sessions die young instead of piling up until the next purge.
    this.purgeExpired(now);
    while (m.size >= this.capacity) {
      const victim = m.values().next().value as Entry;
      m.delete(victim.stateId);
      if (this.isLive(victim, now)) {
        victim.session.dropCause = LossCause.evicted;
        victim.session.droppedAt = now;
      }
    }
    m.set(s.stateId, { session: s, stateId: s.stateId, lastAccess: now });
    s.lastAccess = now;
  }

  /** Removes `s`'s current state (logout). */
  remove(s: Session): void {
    this.entries.delete(s.stateId);
  }

  /** Drops entries idle past the TTL. O(expired): the map is in LRU order. */
  purgeExpired(now: number): void {
    for (const e of this.entries.values()) {
      if (now - e.lastAccess <= this.ttl) break;
      this.entries.delete(e.stateId);
    }
  }

  /** Forgets everything (crash or removal); live states are marked lost. */
  clear(now: number): void {
    for (const e of this.entries.values()) {
      if (this.isLive(e, now)) {
        e.session.dropCause = LossCause.serverLost;
        e.session.droppedAt = now;
      }
    }
    this.entries.clear();
  }

  /** The session's current incarnation, still wanted, and not idle past the TTL. */
  private isLive(e: Entry, now: number): boolean {
    const s = e.session;
    return s.stateId === e.stateId && !s.ended && now - e.lastAccess <= this.ttl;
  }
}
