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

  /** Inserts an event and returns its sequence number (its identity). */
  push(time: number, kind: number, payload: P): number {
    if (this.count === this.times.length) this.grow();
    const seq = this.nextSeq++;
    // Sift up: move parents down until the slot for the new event is found.
    let i = this.count++;
    const times = this.times;
    const seqs = this.seqs;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < time || (pt === time && seqs[parent]! < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    this.kinds[i] = kind;
    this.payloads[i] = payload;
    return seq;
  }

  /** Removes the earliest event into the `popped*` fields; false when empty. */
  pop(): boolean {
    if (this.count === 0) return false;
    const times = this.times;
    const seqs = this.seqs;
    this.poppedTime = times[0]!;
    this.poppedSeq = seqs[0]!;
    this.poppedKind = this.kinds[0]!;
    this.poppedPayload = this.payloads[0];
    const last = --this.count;
    if (last > 0) {
      const t = times[last]!;
      const s = seqs[last]!;
      const k = this.kinds[last]!;
      const p = this.payloads[last];
      // Sift down the former last event from the root.
      let i = 0;
      const half = last >> 1;
      while (i < half) {
        let child = 2 * i + 1;
        const right = child + 1;
        if (
          right < last &&
          (times[right]! < times[child]! || (times[right] === times[child] && seqs[right]! < seqs[child]!))
        ) {
          child = right;
        }
        const ct = times[child]!;
        if (t < ct || (t === ct && s < seqs[child]!)) break;
        this.move(child, i);
        i = child;
      }
      times[i] = t;
      seqs[i] = s;
      this.kinds[i] = k;
      this.payloads[i] = p;
    }
    this.payloads[last] = undefined;
    return true;
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.kinds[to] = this.kinds[from]!;
    this.payloads[to] = this.payloads[from];
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
