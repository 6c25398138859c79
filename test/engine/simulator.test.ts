import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/engine/simulator.js';

describe('Simulator', () => {
  it('runs events in (time, insertion) order and advances the clock', () => {
    const seen: string[] = [];
    const sim = new Simulator<string>((kind, p) => seen.push(`${sim.now}:${kind}:${p}`));
    sim.schedule(2, 1, 'b');
    sim.schedule(1, 0, 'a');
    sim.schedule(2, 2, 'c');
    sim.run();
    expect(seen).toEqual(['1:0:a', '2:1:b', '2:2:c']);
    expect(sim.processed).toBe(3);
  });

  it('lets handlers schedule more events, including at the current time', () => {
    const seen: number[] = [];
    const sim: Simulator<number> = new Simulator<number>((_k, n) => {
      seen.push(n);
      if (n < 3) sim.scheduleIn(0, 0, n + 1);
    });
    sim.schedule(1, 0, 0);
    sim.schedule(1, 0, 100);
    sim.run();
    expect(seen).toEqual([0, 100, 1, 2, 3]);
  });

  it('runBefore(t) handles events before t only, then sets the clock to t (events at t stay queued)', () => {
    const seen: number[] = [];
    const sim = new Simulator<number>((_k, t) => seen.push(t));
    for (const t of [1, 2, 2, 3]) sim.schedule(t, 0, t);
    sim.runBefore(2);
    expect([seen, sim.now, sim.pending]).toEqual([[1], 2, 3]);
    sim.run(2);
    expect([seen, sim.now]).toEqual([[1, 2, 2], 2]);
    expect(() => sim.runBefore(1)).toThrow(RangeError);
  });

  it('stops at `until`, sets the clock there, and can continue', () => {
    const seen: number[] = [];
    const sim = new Simulator<number>((_k, t) => seen.push(t));
    for (const t of [1, 5, 10, 15]) sim.schedule(t, 0, t);
    sim.run(10);
    expect(seen).toEqual([1, 5, 10]);
    expect(sim.now).toBe(10);
    expect(sim.pending).toBe(1);
    sim.run(20);
    expect(seen).toEqual([1, 5, 10, 15]);
    expect(sim.now).toBe(20);
  });

  it('skips cancelled events', () => {
    const seen: string[] = [];
    const sim = new Simulator<string>((_k, p) => seen.push(p));
    sim.schedule(1, 0, 'keep');
    const id = sim.schedule(2, 0, 'drop');
    sim.schedule(3, 0, 'keep too');
    sim.cancel(id);
    sim.run();
    expect(seen).toEqual(['keep', 'keep too']);
    expect(sim.processed).toBe(2);
  });

  it('step handles one event at a time', () => {
    const seen: number[] = [];
    const sim = new Simulator<number>((_k, p) => seen.push(p));
    sim.schedule(1, 0, 1);
    sim.schedule(2, 0, 2);
    expect(sim.step()).toBe(true);
    expect(seen).toEqual([1]);
    expect(sim.now).toBe(1);
    expect(sim.step()).toBe(true);
    expect(sim.step()).toBe(false);
  });

  it('refuses to schedule in the past', () => {
    const sim = new Simulator<null>(() => {});
    sim.schedule(5, 0, null);
    sim.run();
    expect(() => sim.schedule(4, 0, null)).toThrow(RangeError);
    expect(() => sim.schedule(Number.NaN, 0, null)).toThrow(RangeError);
  });

  describe('the slot (one event beside the heap)', () => {
    it('orders its event exactly as if it were in the heap, ties by scheduling order', () => {
      const seen: string[] = [];
      const sim: Simulator<string> = new Simulator<string>((kind, p) => {
        seen.push(`${sim.now}:${p}`);
        // The slot's event renews itself, as an arrival process does.
        if (kind === 1 && sim.now < 3) sim.scheduleSlot(sim.now + 1, 1, `slot${sim.now + 1}`);
      });
      sim.schedule(1, 0, 'heap1');
      sim.scheduleSlot(1, 1, 'slot1'); // same time, scheduled later: after heap1
      sim.schedule(2, 0, 'heap2'); // scheduled before slot2 (which is scheduled at t = 1): first
      sim.schedule(3, 0, 'heap3'); // likewise before slot3
      sim.run();
      expect(seen).toEqual(['1:heap1', '1:slot1', '2:heap2', '2:slot2', '3:heap3', '3:slot3']);
      expect([sim.processed, sim.pending]).toEqual([6, 0]);
    });

    it('gives the same order as the heap alone, whatever the schedule (property)', () => {
      // Events: [time, renewal delays]; each one, when handled, schedules its successor, through the
      // slot for the "source" events and through the heap otherwise; the same run with the heap only
      // must handle the same events in the same order at the same times.
      const plan = fc.record({
        heap: fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 30 }),
        gaps: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 30 }),
        cancelAt: fc.option(fc.integer({ min: 0, max: 29 })),
      });
      fc.assert(
        fc.property(plan, ({ heap, gaps, cancelAt }) => {
          const run = (useSlot: boolean): string[] => {
            const seen: string[] = [];
            let k = 0;
            let sourceId = -1;
            const sim: Simulator<number> = new Simulator<number>((kind, p) => {
              seen.push(`${sim.now}:${kind}:${p}`);
              if (kind === 1 && k < gaps.length) {
                const at = sim.now + gaps[k]!;
                sourceId = useSlot ? sim.scheduleSlot(at, 1, k) : sim.schedule(at, 1, k);
                if (cancelAt === k) sim.cancel(sourceId);
                k++;
              }
              if (kind === 0 && p % 3 === 0) sim.schedule(sim.now + (p % 5), 0, p + 1);
            });
            for (const t of heap) sim.schedule(t, 0, t);
            sourceId = useSlot ? sim.scheduleSlot(0, 1, -1) : sim.schedule(0, 1, -1);
            sim.runBefore(7);
            sim.run(12);
            seen.push(`paused at ${sim.now}`);
            sim.run();
            return seen;
          };
          expect(run(true)).toEqual(run(false));
        }),
        { numRuns: 300 },
      );
    });

    it('can be cancelled, and refuses a second event or one in the past', () => {
      const seen: number[] = [];
      const sim = new Simulator<number>((_k, p) => seen.push(p));
      const id = sim.scheduleSlot(2, 0, 2);
      expect(sim.peek()).toBe(2);
      expect(sim.pending).toBe(1);
      expect(() => sim.scheduleSlot(3, 0, 3)).toThrow(/already holds/);
      sim.cancel(id);
      expect([sim.pending, sim.peek()]).toEqual([0, Infinity]);
      sim.scheduleSlot(3, 0, 3);
      sim.schedule(1, 0, 1);
      expect(sim.peek()).toBe(1);
      expect(sim.step()).toBe(true);
      expect(sim.step()).toBe(true);
      expect(sim.step()).toBe(false);
      expect(seen).toEqual([1, 3]);
      expect(() => sim.scheduleSlot(2, 0, 2)).toThrow(RangeError);
    });
  });
});
