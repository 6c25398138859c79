/**
 * A binary min-heap of events, ordered by (time, sequence).
 *
 * The sequence number is the insertion order, so events scheduled for the same
 * time come out first-in first-out and every run is deterministic.
 *
 * Layout: the heap itself holds only what ordering needs at every level, an
 * event's time and its slot, in two parallel typed arrays; the rest of the
 * event (sequence number, kind, payload) stays put in its slot, found through
 * the heap. A sift then moves two numbers per level instead of four, which is
 * what counts when thousands of sessions are thinking at once and the heap is
 * a dozen levels deep; the sequence number is read only to break a tie in
 * time. Slots are reused through a free list, chained through the sequence
 * numbers of the free slots (which have none): nothing is allocated per
 * event, and an event costs 29 bytes (payloads are 8-byte references).
 */
export class EventQueue<P> {
  // The heap: time and slot of each entry.
  private times: Float64Array;
  private slots: Int32Array;
  // The slots: sequence number, kind and payload of each pending event. A free slot's
  // sequence number is the next free slot (−1 for none).
  private seqs: Float64Array;
  private kinds: Uint8Array;
  private payloads: (P | undefined)[];
  private freeHead = -1;
  private slotsUsed = 0;
  private count = 0;
  private nextSeq = 0;

  /** Filled by {@link pop}: the event just removed. */
  poppedTime = 0;
  poppedSeq = 0;
  poppedKind = 0;
  poppedPayload: P | undefined = undefined;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(2, initialCapacity | 0);
    this.times = new Float64Array(cap);
    this.slots = new Int32Array(cap);
    this.seqs = new Float64Array(cap);
    this.kinds = new Uint8Array(cap);
    this.payloads = new Array<P | undefined>(cap);
  }

  get size(): number {
    return this.count;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.count > 0 ? this.times[0]! : Infinity;
  }

  /** Sequence number of the earliest event; Infinity when empty. */
  peekSeq(): number {
    return this.count > 0 ? this.seqs[this.slots[0]!]! : Infinity;
  }

  /**
   * Takes the next sequence number without inserting anything: for an event
   * kept outside the heap that must still be ordered as if it were in it.
   */
  takeSeq(): number {
    return this.nextSeq++;
  }

  /** Inserts an event of kind 0–255 and returns its sequence number (its identity). */
  push(time: number, kind: number, payload: P): number {
    if ((kind & 255) !== kind) throw new RangeError(`event kind ${kind}: expected an integer from 0 to 255`);
    if (this.count === this.times.length) this.grow();
    const seq = this.nextSeq++;
    const slot = this.allocate();
    this.seqs[slot] = seq;
    this.kinds[slot] = kind;
    this.payloads[slot] = payload;
    const { times, slots, seqs } = this;
    // Sift up: move parents down until the place for the new event is found.
    let i = this.count++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p]! < time || (times[p] === time && seqs[slots[p]!]! < seq)) break;
      times[i] = times[p]!;
      slots[i] = slots[p]!;
      i = p;
    }
    times[i] = time;
    slots[i] = slot;
    return seq;
  }

  /** Calls `visit` for every event in the heap, in no particular order (for end-of-run accounting, not a hot path). */
  forEach(visit: (seq: number, kind: number, payload: P) => void): void {
    for (let i = 0; i < this.count; i++) {
      const slot = this.slots[i]!;
      visit(this.seqs[slot]!, this.kinds[slot]!, this.payloads[slot] as P);
    }
  }

  /** Removes the earliest event into the `popped*` fields; false when empty. */
  pop(): boolean {
    if (this.count === 0) return false;
    const slot = this.slots[0]!;
    this.poppedTime = this.times[0]!;
    this.poppedSeq = this.seqs[slot]!;
    this.poppedKind = this.kinds[slot]!;
    this.poppedPayload = this.payloads[slot];
    this.payloads[slot] = undefined;
    this.seqs[slot] = this.freeHead;
    this.freeHead = slot;
    const last = --this.count;
    if (last > 0) this.siftDown(this.times[last]!, this.slots[last]!, last);
    return true;
  }

  /** Places the entry (time t, slot s) from the root down into a heap of `size` entries. */
  private siftDown(t: number, s: number, size: number): void {
    const { times, slots, seqs } = this;
    const seq = seqs[s]!;
    let i = 0;
    const half = size >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      const r = c + 1;
      if (r < size && (times[r]! < times[c]! || (times[r] === times[c] && seqs[slots[r]!]! < seqs[slots[c]!]!))) c = r;
      if (t < times[c]! || (t === times[c] && seq < seqs[slots[c]!]!)) break;
      times[i] = times[c]!;
      slots[i] = slots[c]!;
      i = c;
    }
    times[i] = t;
    slots[i] = s;
  }

  private allocate(): number {
    const s = this.freeHead;
    if (s >= 0) {
      this.freeHead = this.seqs[s]!;
      return s;
    }
    return this.slotsUsed++;
  }

  /** Doubles every array; called when the heap is full (then every slot is in use too). */
  private grow(): void {
    const cap = this.times.length * 2;
    const widen = <A extends Float64Array | Int32Array | Uint8Array>(a: A, C: new (n: number) => A): A => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.times = widen(this.times, Float64Array);
    this.slots = widen(this.slots, Int32Array);
    this.seqs = widen(this.seqs, Float64Array);
    this.kinds = widen(this.kinds, Uint8Array);
    this.payloads.length = cap;
  }
}
