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
});
