import { EventQueue } from './eventQueue.js';

/** Called for every event in (time, sequence) order. */
export type EventHandler<P> = (kind: number, payload: P) => void;

/**
 * The discrete-event core: a clock and an event queue. It knows nothing of
 * what the events mean; a model registers one handler and tells events apart
 * by a small integer `kind` (0–255).
 *
 * Cancellation is lazy: a cancelled event stays in the heap and is skipped
 * when it reaches the top, which keeps `cancel` O(1) and the heap simple.
 *
 * The slot: one event may be held beside the heap instead of in it, for the
 * model's most frequent self-renewing source (an arrival process schedules
 * its next arrival each time one happens). It takes its sequence number from
 * the same counter as the heap, so events come out in exactly the order they
 * would if it were in the heap; what it saves is that event's push and pop,
 * which for an open queueing model is half the heap's work.
 */
export class Simulator<P> {
  /** The current simulated time. Never decreases. */
  now = 0;
  /** Events handled so far (cancelled events not included). */
  processed = 0;
  private readonly queue: EventQueue<P>;
  private readonly cancelled = new Set<number>();
  private handler: EventHandler<P> | undefined;
  // The slot's pending event, if any (slotTime is Infinity when there is none).
  private slotPending = false;
  private slotTime = Infinity;
  private slotSeq = 0;
  private slotKind = 0;
  private slotPayload: P | undefined = undefined;

  constructor(handler?: EventHandler<P>, initialCapacity?: number) {
    this.handler = handler;
    this.queue = new EventQueue<P>(initialCapacity);
  }

  setHandler(handler: EventHandler<P>): void {
    this.handler = handler;
  }

  /** Events waiting, including cancelled ones not yet skipped. */
  get pending(): number {
    return this.queue.size + (this.slotPending ? 1 : 0);
  }

  /** Schedules an event at absolute time `at` (≥ now) and returns its id. */
  schedule(at: number, kind: number, payload: P): number {
    if (!(at >= this.now)) {
      throw new RangeError(`cannot schedule at ${at}: before the current time ${this.now}`);
    }
    return this.queue.push(at, kind, payload);
  }

  /**
   * Schedules an event at `at` (≥ now) in the slot (see the class comment)
   * and returns its id; the slot must be empty: its event handled or cancelled.
   */
  scheduleSlot(at: number, kind: number, payload: P): number {
    if (!(at >= this.now)) {
      throw new RangeError(`cannot schedule at ${at}: before the current time ${this.now}`);
    }
    if (this.slotPending) throw new Error('Simulator.scheduleSlot: the slot already holds an event');
    this.slotPending = true;
    this.slotTime = at;
    this.slotSeq = this.queue.takeSeq();
    this.slotKind = kind;
    this.slotPayload = payload;
    return this.slotSeq;
  }

  /** Schedules an event `delay` (≥ 0) after now and returns its id. */
  scheduleIn(delay: number, kind: number, payload: P): number {
    return this.schedule(this.now + delay, kind, payload);
  }

  /** Cancels a scheduled event by id; it will not be handled. */
  cancel(id: number): void {
    if (this.slotPending && id === this.slotSeq) this.emptySlot();
    else this.cancelled.add(id);
  }

  /**
   * Calls `visit` for every event still to be handled (the slot's included,
   * cancelled ones not), in no particular order: what the model has left in
   * flight, read from the queue itself rather than from any count kept.
   */
  forEachPending(visit: (kind: number, payload: P) => void): void {
    if (this.slotPending) visit(this.slotKind, this.slotPayload as P);
    const cancelled = this.cancelled;
    this.queue.forEach((seq, kind, payload) => {
      if (!cancelled.has(seq)) visit(kind, payload);
    });
  }

  /** Time of the next event (possibly a cancelled one), Infinity when none. */
  peek(): number {
    return Math.min(this.queue.peekTime(), this.slotTime);
  }

  /** Handles the next event; false when there is none. */
  step(): boolean {
    return this.next(Infinity, true);
  }

  /**
   * Handles every event with time ≤ `until`, then sets the clock to `until`
   * (events after it stay queued, so a run can be continued).
   */
  run(until = Infinity): void {
    this.runWhile(until, true);
  }

  /**
   * Handles every event with time < `t`, then sets the clock to `t`: the
   * model can act at `t` before any event scheduled for `t` (e.g. close a
   * measurement window [t − w, t) that events at t must not fall into).
   */
  runBefore(t: number): void {
    this.runWhile(t, false);
  }

  private runWhile(until: number, inclusive: boolean): void {
    if (this.handler === undefined) throw new Error('Simulator.run: no event handler set');
    if (until < this.now) throw new RangeError(`cannot run until ${until}: before the current time ${this.now}`);
    while (this.next(until, inclusive));
    if (until !== Infinity) this.now = until;
  }

  /**
   * Handles the earliest event, from the heap or the slot, if it is before
   * `until` (or at it, when inclusive); false when there is none.
   */
  private next(until: number, inclusive: boolean): boolean {
    const q = this.queue;
    for (;;) {
      const ht = q.peekTime();
      const st = this.slotTime;
      // The slot's event first if it is earlier, or at the same time and scheduled earlier.
      if (st < ht || (st === ht && this.slotPending && this.slotSeq < q.peekSeq())) {
        if (!(st < until || (inclusive && st === until))) return false;
        const kind = this.slotKind;
        const payload = this.slotPayload as P;
        this.emptySlot();
        this.now = st;
        this.processed++;
        this.handler!(kind, payload);
        return true;
      }
      if (q.size === 0 || !(ht < until || (inclusive && ht === until))) return false;
      q.pop();
      if (this.cancelled.size > 0 && this.cancelled.delete(q.poppedSeq)) continue;
      this.now = ht;
      this.processed++;
      this.handler!(q.poppedKind, q.poppedPayload as P);
      return true;
    }
  }

  private emptySlot(): void {
    this.slotPending = false;
    this.slotTime = Infinity;
    this.slotPayload = undefined;
  }
}
