import { describe, expect, it } from 'vitest';
import { chance, counterUniform, CounterStream, createStreams, replicationSeed, stream, STREAM_NAMES } from '../../src/engine/random.js';

const take = (u: () => number, n: number) => Array.from({ length: n }, () => u());

describe('random streams', () => {
  it('are deterministic for a seed and name', () => {
    expect(take(stream(42, 'arrivals'), 5)).toEqual(take(stream(42, 'arrivals'), 5));
  });

  it('differ between names and seeds', () => {
    const a = take(stream(42, 'arrivals'), 5);
    expect(take(stream(42, 'service'), 5)).not.toEqual(a);
    expect(take(stream(43, 'arrivals'), 5)).not.toEqual(a);
  });

  it('are independent: drawing from one never shifts another', () => {
    const quiet = createStreams(9);
    const busy = createStreams(9);
    for (let i = 0; i < 1000; i++) busy.routing();
    for (const name of STREAM_NAMES.filter((n) => n !== 'routing')) {
      expect(take(busy[name], 20)).toEqual(take(quiet[name], 20));
    }
  });

  it('are uniform on [0, 1) and uncorrelated between streams', () => {
    const s = createStreams(5);
    const n = 100_000;
    const a = take(s.arrivals, n);
    const b = take(s.sessions, n);
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1);
    expect(Math.abs(mean(a) - 0.5)).toBeLessThan(0.005);
    const ma = mean(a);
    const mb = mean(b);
    let cov = 0;
    for (let i = 0; i < n; i++) cov += (a[i]! - ma) * (b[i]! - mb);
    const corr = cov / n / (1 / 12);
    expect(Math.abs(corr)).toBeLessThan(0.015);
  });

  it('derives replication seeds: the first is the master, the rest distinct', () => {
    expect(replicationSeed(42, 1)).toBe(42);
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8].map((r) => replicationSeed(42, r));
    expect(new Set(seeds).size).toBe(8);
    expect(replicationSeed(42, 2)).toBe(replicationSeed(42, 2));
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });
});

describe('counterUniform', () => {
  it('is a pure function of (key, counter, lane), uniform and uncorrelated across lanes and counters', async () => {
    const { counterUniform } = await import('../../src/engine/random.js');
    expect(counterUniform(123, 4, 1)).toBe(counterUniform(123, 4, 1));
    const n = 200_000;
    let sum = 0;
    let below = 0;
    let both = 0;
    for (let i = 0; i < n; i++) {
      const key = (i * 2654435761) >>> 0;
      const a = counterUniform(key, i % 50, 0);
      const b = counterUniform(key, i % 50, 1);
      const c = counterUniform(key, (i % 50) + 1, 0);
      expect(a >= 0 && a < 1).toBe(true);
      sum += a;
      if (a < 0.1) below++;
      if (a < 0.5 && b < 0.5 && c < 0.5) both++;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(below / n - 0.1)).toBeLessThan(0.003);
    expect(Math.abs(both / n - 0.125)).toBeLessThan(0.004); // independent: 0.5³
  });
});

describe('chance and CounterStream', () => {
  it('chance draws only when the outcome is uncertain', () => {
    let draws = 0;
    const u = () => (draws++, 0.3);
    expect([chance(u, 0), chance(u, 1), chance(u, 1.5), chance(u, -1)]).toEqual([false, true, true, false]);
    expect(draws).toBe(0);
    expect([chance(u, 0.31), chance(u, 0.3)]).toEqual([true, false]);
    expect(draws).toBe(2);
  });

  it('CounterStream yields counterUniform(key, counter, lane + j) for j = 0, 1, …', () => {
    const cs = new CounterStream();
    const u = cs.at(42, 7, 100);
    expect([u(), u(), u()]).toEqual([counterUniform(42, 7, 100), counterUniform(42, 7, 101), counterUniform(42, 7, 102)]);
    expect(cs.at(42, 7, 100)()).toBe(counterUniform(42, 7, 100));
  });
});
