import { EventQueue } from './eventQueue.js';

/** Called for every event in (time, sequence) order. */
export type EventHandler<P> = (kind: number, payload: P) => void;

/**
 * The discrete-event core: a clock and an event queue. It knows nothing of
 * what the events mean; a model registers one handler and tells events apart
 * by a small integer `kind`.
 *
 * Cancellation is lazy: a cancelled event stays in the heap and is skipped
 * when it reaches the top, which keeps `cancel` O(1) and the heap simple.
 */
export class Simulator<P> {
  /** The current simulated time. Never decreases. */
  now = 0;
  /** Events handled so far (cancelled events not included). */
  processed = 0;
  private readonly queue: EventQueue<P>;
  private readonly cancelled = new Set<number>();
  private handler: EventHandler<P> | undefined;

  constructor(handler?: EventHandler<P>, initialCapacity?: number) {
    this.handler = handler;
    this.queue = new EventQueue<P>(initialCapacity);
  }

  setHandler(handler: EventHandler<P>): void {
    this.handler = handler;
  }

  /** Events waiting, including cancelled ones not yet skipped. */
  get pending(): number {
    return this.queue.size;
  }

  /** Schedules an event at absolute time `at` (≥ now) and returns its id. */
  schedule(at: number, kind: number, payload: P): number {
    if (!(at >= this.now)) {
      throw new RangeError(`cannot schedule at ${at}: before the current time ${this.now}`);
    }
    return this.queue.push(at, kind, payload);
  }

  /** Schedules an event `delay` (≥ 0) after now and returns its id. */
  scheduleIn(delay: number, kind: number, payload: P): number {
    return this.schedule(this.now + delay, kind, payload);
  }

  /** Cancels a scheduled event by id; it will not be handled. */
  cancel(id: number): void {
    this.cancelled.add(id);
  }

  /** Time of the next event (possibly a cancelled one), Infinity when none. */
  peek(): number {
    return this.queue.peekTime();
  }

  /** Handles the next event; false when the queue is empty. */
  step(): boolean {
    const q = this.queue;
    while (q.pop()) {
      if (this.cancelled.size > 0 && this.cancelled.delete(q.poppedSeq)) continue;
      this.now = q.poppedTime;
      this.processed++;
      this.handler!(q.poppedKind, q.poppedPayload as P);
      return true;
    }
    return false;
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
    const q = this.queue;
    const handler = this.handler;
    const cancelled = this.cancelled;
    while (q.size > 0 && (q.peekTime() < until || (inclusive && q.peekTime() === until))) {
      q.pop();
      if (cancelled.size > 0 && cancelled.delete(q.poppedSeq)) continue;
      this.now = q.poppedTime;
      this.processed++;
      handler(q.poppedKind, q.poppedPayload as P);
    }
    if (until !== Infinity) this.now = until;
  }
}
