import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/engine/eventQueue.js';
import { stream } from '../../src/engine/random.js';

function drain<P>(q: EventQueue<P>): { t: number; k: number; p: P }[] {
  const out: { t: number; k: number; p: P }[] = [];
  while (q.pop()) out.push({ t: q.poppedTime, k: q.poppedKind, p: q.poppedPayload as P });
  return out;
}

describe('EventQueue', () => {
  it('pops in time order', () => {
    const q = new EventQueue<string>(2);
    q.push(3, 0, 'c');
    q.push(1, 0, 'a');
    q.push(2, 0, 'b');
    expect(drain(q).map((e) => e.p)).toEqual(['a', 'b', 'c']);
  });

  it('breaks ties first-in first-out', () => {
    const q = new EventQueue<number>(2);
    for (let i = 0; i < 100; i++) q.push(5, i % 3, i);
    q.push(4, 9, -1);
    const out = drain(q);
    expect(out[0]!.p).toBe(-1);
    expect(out.slice(1).map((e) => e.p)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(out.slice(1).map((e) => e.k)).toEqual(Array.from({ length: 100 }, (_, i) => i % 3));
  });

  it('matches a stable sort on random times with many ties, across growth', () => {
    const u = stream(1, 'queue-test');
    const q = new EventQueue<number>(4);
    const items: { t: number; i: number }[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(u() * 200);
      items.push({ t, i });
      q.push(t, 0, i);
    }
    const expected = [...items].sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.i);
    expect(drain(q).map((e) => e.p)).toEqual(expected);
  });

  it('interleaves pushes and pops correctly', () => {
    const u = stream(2, 'queue-test');
    const q = new EventQueue<number>(2);
    const ref: { t: number; s: number }[] = [];
    let seq = 0;
    for (let step = 0; step < 3000; step++) {
      if (u() < 0.6 || ref.length === 0) {
        const t = Math.floor(u() * 50);
        q.push(t, 0, seq);
        ref.push({ t, s: seq++ });
      } else {
        ref.sort((a, b) => a.t - b.t || a.s - b.s);
        const want = ref.shift()!;
        expect(q.pop()).toBe(true);
        expect([q.poppedTime, q.poppedPayload]).toEqual([want.t, want.s]);
      }
    }
    expect(q.size).toBe(ref.length);
  });

  it('reports emptiness', () => {
    const q = new EventQueue<null>();
    expect(q.pop()).toBe(false);
    expect(q.peekTime()).toBe(Infinity);
  });

  it('keeps an event\'s kind, sequence and payload with it through the heap, and refuses kinds beyond a byte', () => {
    const q = new EventQueue<string>(2);
    const ids = [q.push(2, 255, 'b'), q.push(1, 7, 'a'), q.push(2, 0, 'c')];
    expect(ids).toEqual([0, 1, 2]);
    const seen: [number, number, number, string][] = [];
    while (q.pop()) seen.push([q.poppedTime, q.poppedSeq, q.poppedKind, q.poppedPayload!]);
    expect(seen).toEqual([[1, 1, 7, 'a'], [2, 0, 255, 'b'], [2, 2, 0, 'c']]);
    // Freed slots are reused: more events than were ever pending at once still come out right.
    for (let round = 0; round < 3; round++) {
      q.push(5, 1, `x${round}`);
      q.push(4, 2, `y${round}`);
      expect([q.pop(), q.poppedPayload, q.pop(), q.poppedPayload]).toEqual([true, `y${round}`, true, `x${round}`]);
    }
    expect(() => q.push(1, 256, 'no')).toThrow(RangeError);
    expect(() => q.push(1, -1, 'no')).toThrow(RangeError);
    expect(q.size).toBe(0);
  });
});
