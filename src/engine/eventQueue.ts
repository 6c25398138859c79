/**
 * A binary min-heap of events over parallel arrays, ordered by (time, sequence).
 *
 * The sequence number is the insertion order, so events scheduled for the same
 * time come out first-in first-out and every run is deterministic. Times and
 * sequence numbers live in typed arrays and kinds in an Int32Array; the payload
 * is an object reference kept in a plain array beside them. Nothing is
 * allocated per event.
 */
export class EventQueue<P> {
  private times: Float64Array;
  private seqs: Float64Array;
  private kinds: Int32Array;
  private payloads: (P | undefined)[];
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
    this.seqs = new Float64Array(cap);
    this.kinds = new Int32Array(cap);
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
    return this.count > 0 ? this.seqs[0]! : Infinity;
  }

  /**
   * Takes the next sequence number without inserting anything: for an event
   * kept outside the heap that must still be ordered as if it were in it.
   */
  takeSeq(): number {
    return this.nextSeq++;
  }

  /** Inserts an event and returns its sequence number (its identity). */
  push(time: number, kind: number, payload: P): number {
    if (this.count === this.times.length) this.grow();
    const seq = this.nextSeq++;
    const { times, seqs, kinds, payloads } = this;
    // Sift up: move parents down until the slot for the new event is found.
    let i = this.count++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p]! < time || (times[p] === time && seqs[p]! < seq)) break;
      times[i] = times[p]!;
      seqs[i] = seqs[p]!;
      kinds[i] = kinds[p]!;
      payloads[i] = payloads[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    kinds[i] = kind;
    payloads[i] = payload;
    return seq;
  }

  /** Removes the earliest event into the `popped*` fields; false when empty. */
  pop(): boolean {
    if (this.count === 0) return false;
    const { times, seqs, kinds, payloads } = this;
    this.poppedTime = times[0]!;
    this.poppedSeq = seqs[0]!;
    this.poppedKind = kinds[0]!;
    this.poppedPayload = payloads[0];
    const last = --this.count;
    if (last > 0) this.siftDown(times[last]!, seqs[last]!, kinds[last]!, payloads[last], last);
    payloads[last] = undefined;
    return true;
  }

  /** Places the event (t, s, k, p) from the root down into a heap of `size` events. */
  private siftDown(t: number, s: number, k: number, p: P | undefined, size: number): void {
    const { times, seqs, kinds, payloads } = this;
    let i = 0;
    const half = size >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      const r = c + 1;
      if (r < size && (times[r]! < times[c]! || (times[r] === times[c] && seqs[r]! < seqs[c]!))) c = r;
      if (t < times[c]! || (t === times[c] && s < seqs[c]!)) break;
      times[i] = times[c]!;
      seqs[i] = seqs[c]!;
      kinds[i] = kinds[c]!;
      payloads[i] = payloads[c];
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    kinds[i] = k;
    payloads[i] = p;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const times = new Float64Array(cap);
    times.set(this.times);
    const seqs = new Float64Array(cap);
    seqs.set(this.seqs);
    const kinds = new Int32Array(cap);
    kinds.set(this.kinds);
    this.times = times;
    this.seqs = seqs;
    this.kinds = kinds;
    this.payloads.length = cap;
  }
}
