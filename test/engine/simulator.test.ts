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
});
