import type { Session } from './session.js';
import { LossCause } from './session.js';

const NONE = -1;

/**
 * A server's in-memory session store: state incarnations in least-recently-
 * used order. Idle expiry is checked lazily, when a request asks for the
 * state or when the store is purged before it is measured; a capacity evicts
 * the LRU entry.
 *
 * An entry outlives its session's interest in it: after a loss the session
 * starts a new incarnation elsewhere and the old one lingers here as an orphan
 * until it idles out, holding memory, as it would on a real server.
 *
 * Layout: entries are nodes of a doubly linked list (head = least recently
 * used) kept in parallel typed arrays, with freed nodes reused. A session
 * names its current state by the store it lives in (`home`) and its node
 * there (`stateNode`); a node whose owner names another is an orphan. Every
 * operation is O(1) (purging O(expired)) and nothing is allocated per state,
 * so a store of a million states costs about 24 bytes each and no garbage
 * collection.
 */
export class SessionStore {
  private prev: Int32Array;
  private next: Int32Array;
  private lastAccess: Float64Array;
  private owners: (Session | undefined)[];
  private head = NONE;
  private tail = NONE;
  private freeHead = NONE;
  private used = 0;
  private count = 0;

  /**
   * `id` is the `home` that sessions whose state is kept here carry (the
   * server's id; 0 for a store shared by the whole fleet).
   */
  constructor(
    readonly id: number,
    readonly ttl: number,
    readonly capacity: number,
    initialNodes = 64,
  ) {
    this.prev = new Int32Array(initialNodes);
    this.next = new Int32Array(initialNodes);
    this.lastAccess = new Float64Array(initialNodes);
    this.owners = new Array<Session | undefined>(initialNodes).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** True when `s`'s current state lives here and has not idled past the TTL. */
  holds(s: Session, now: number): boolean {
    const n = this.nodeOf(s);
    return n !== NONE && now - this.lastAccess[n]! <= this.ttl;
  }

  /** Marks `s`'s state (which must be held here) used now: moves it to the MRU end. */
  touch(s: Session, now: number): void {
    const n = this.nodeOf(s);
    if (n === NONE) throw new Error(`SessionStore.touch: the state of session ${s.id} is not held here`);
    if (n !== this.tail) {
      this.unlink(n);
      this.append(n);
    }
    this.lastAccess[n] = now;
    s.lastAccess = now;
  }

  /**
   * Stores `s`'s current state incarnation, evicting least-recently-used
   * entries while full. Evicting a live state marks its session.
   */
  create(s: Session, now: number): void {
    // Expired states go first (amortised O(1): the list is in LRU order), so abandoned
    // sessions die young instead of piling up until the next purge.
    this.purgeExpired(now);
    if (this.count >= this.capacity) this.evict(now);
    const n = this.allocate();
    this.lastAccess[n] = now;
    this.owners[n] = s;
    this.append(n);
    this.count++;
    s.home = this.id;
    s.stateNode = n;
    s.lastAccess = now;
  }

  /** Drops least-recently-used states until one more fits; a live one's session is marked evicted. */
  private evict(now: number): void {
    while (this.count >= this.capacity) {
      const victim = this.head;
      if (this.isLive(victim, now)) this.owners[victim]!.dropCause = LossCause.evicted;
      this.release(victim);
    }
  }

  /** Removes `s`'s current state (logout). */
  remove(s: Session): void {
    const n = this.nodeOf(s);
    if (n !== NONE) this.release(n);
  }

  /** Drops entries idle past the TTL. O(expired): the list is in LRU order. */
  purgeExpired(now: number): void {
    const ttl = this.ttl;
    for (let n = this.head; n !== NONE && now - this.lastAccess[n]! > ttl; n = this.head) this.release(n);
  }

  /** Forgets everything (crash or removal); live states are marked lost. */
  clear(now: number): void {
    for (let n = this.head; n !== NONE; n = this.head) {
      if (this.isLive(n, now)) {
        const owner = this.owners[n]!;
        owner.dropCause = LossCause.serverLost;
      }
      this.release(n);
    }
  }

  /** The node holding `s`'s current state here, or NONE. */
  private nodeOf(s: Session): number {
    const n = s.stateNode;
    return s.home === this.id && n >= 0 && n < this.used && this.owners[n] === s ? n : NONE;
  }

  /** The node is its session's current incarnation, still wanted, and not idle past the TTL. */
  private isLive(n: number, now: number): boolean {
    const s = this.owners[n]!;
    return this.nodeOf(s) === n && !s.ended && now - this.lastAccess[n]! <= this.ttl;
  }

  private append(n: number): void {
    this.prev[n] = this.tail;
    this.next[n] = NONE;
    if (this.tail === NONE) this.head = n;
    else this.next[this.tail] = n;
    this.tail = n;
  }

  private unlink(n: number): void {
    const p = this.prev[n]!;
    const q = this.next[n]!;
    if (p === NONE) this.head = q;
    else this.next[p] = q;
    if (q === NONE) this.tail = p;
    else this.prev[q] = p;
  }

  /** Unlinks node n and puts it on the free list. */
  private release(n: number): void {
    this.unlink(n);
    this.owners[n] = undefined;
    this.next[n] = this.freeHead;
    this.freeHead = n;
    this.count--;
  }

  private allocate(): number {
    const n = this.freeHead;
    if (n !== NONE) {
      this.freeHead = this.next[n]!;
      return n;
    }
    if (this.used === this.prev.length) this.grow();
    return this.used++;
  }

  private grow(): void {
    const cap = this.prev.length * 2;
    const widen = <A extends Int32Array | Float64Array>(a: A, C: new (n: number) => A): A => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.prev = widen(this.prev, Int32Array);
    this.next = widen(this.next, Int32Array);
    this.lastAccess = widen(this.lastAccess, Float64Array);
    this.owners.length = cap;
    this.owners.fill(undefined, this.used);
  }
}
