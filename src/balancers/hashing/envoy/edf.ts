/**
 * Envoy's earliest-deadline-first scheduler for weighted round robin and
 * weighted least request (Envoy 1.36, source/common/upstream/edf_scheduler.h,
 * EdfScheduler::add and ::pickAndAdd): each entry's deadline is the
 * scheduler's current time + 1 / weight; a pick takes the earliest deadline
 * (ties: first added first), moves the current time to it and re-adds the
 * entry with its weight as of that moment.
 *
 * Not reproduced: `createWithPicks`, with which Envoy starts a new schedule
 * as if `seed % 429496729` picks had already been made (a random phase); a
 * schedule here starts from its first pick.
 */
export class EdfScheduler {
  private currentTime = 0;
  private orderOffset = 0;
  private size = 0;
  private readonly deadline: Float64Array;
  private readonly order: Float64Array;
  private readonly entry: Int32Array;

  /** `capacity`: the most entries held at once (one per host). */
  constructor(capacity: number) {
    this.deadline = new Float64Array(capacity);
    this.order = new Float64Array(capacity);
    this.entry = new Int32Array(capacity);
  }

  get empty(): boolean {
    return this.size === 0;
  }

  /** EdfScheduler::add: deadline = current time + 1 / weight. */
  add(weight: number, entry: number): void {
    if (!(weight > 0)) throw new Error(`EDF weight must be positive, got ${weight}`);
    let i = this.size++;
    const d = this.currentTime + 1.0 / weight;
    const o = this.orderOffset++;
    // Sift up.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(d, o, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.deadline[i] = d;
    this.order[i] = o;
    this.entry[i] = entry;
  }

  /** EdfScheduler::pickAndAdd: the earliest deadline's entry, re-added with `weightOf(entry)`; −1 when empty. */
  pickAndAdd(weightOf: (entry: number) => number): number {
    if (this.size === 0) return -1;
    const e = this.entry[0]!;
    this.currentTime = this.deadline[0]!;
    this.pop();
    this.add(weightOf(e), e);
    return e;
  }

  private before(d: number, o: number, j: number): boolean {
    const dj = this.deadline[j]!;
    return d < dj || (d === dj && o < this.order[j]!);
  }

  private move(from: number, to: number): void {
    this.deadline[to] = this.deadline[from]!;
    this.order[to] = this.order[from]!;
    this.entry[to] = this.entry[from]!;
  }

  private pop(): void {
    const last = --this.size;
    if (last === 0) return;
    const d = this.deadline[last]!;
    const o = this.order[last]!;
    const e = this.entry[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.before(this.deadline[r]!, this.order[r]!, l) ? r : l;
      // Stop once the moved entry is not later than the earlier child.
      const dc = this.deadline[c]!;
      if (!(dc < d || (dc === d && this.order[c]! < o))) break;
      this.move(c, i);
      i = c;
    }
    this.deadline[i] = d;
    this.order[i] = o;
    this.entry[i] = e;
  }
}
