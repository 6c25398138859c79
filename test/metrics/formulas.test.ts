import { describe, expect, it } from 'vitest';
import { coefficientOfVariation, jainIndex, maxOverMean, mean } from '../../src/metrics/formulas.js';
import { LatencyHistogram } from '../../src/metrics/latency.js';
import { estimate } from '../../src/metrics/stats.js';
import { stream } from '../../src/engine/random.js';

describe('imbalance formulas (hand-computed)', () => {
  it('loads 2, 4, 6: mean 4, max/mean 1.5, CoV √(8/3)/4, Jain 144/168', () => {
    const xs = [2, 4, 6];
    expect(mean(xs)).toBe(4);
    expect(maxOverMean(xs)).toBe(1.5);
    expect(coefficientOfVariation(xs)).toBeCloseTo(Math.sqrt(8 / 3) / 4, 15);
    expect(jainIndex(xs)).toBeCloseTo(144 / 168, 15);
  });

  it('one server takes all of n = 4: max/mean 4, CoV √3, Jain 1/4', () => {
    const xs = [10, 0, 0, 0];
    expect(maxOverMean(xs)).toBe(4);
    expect(coefficientOfVariation(xs)).toBeCloseTo(Math.sqrt(3), 15);
    expect(jainIndex(xs)).toBe(0.25);
  });

  it('even load: 1, 0, 1', () => {
    expect([maxOverMean([3, 3]), coefficientOfVariation([3, 3]), jainIndex([3, 3])]).toEqual([1, 0, 1]);
  });

  it('no load or no servers counts as even', () => {
    for (const xs of [[], [0, 0]]) expect([maxOverMean(xs), coefficientOfVariation(xs), jainIndex(xs)]).toEqual([1, 0, 1]);
  });
});

describe('confidence intervals', () => {
  it('mean ± t(0.975, n−1)·s/√n: 1,2,3,4,5 → 3 ± 2.776445·√2.5/√5', () => {
    const e = estimate([1, 2, 3, 4, 5]);
    expect(e.mean).toBe(3);
    expect(e.sd).toBeCloseTo(Math.sqrt(2.5), 14);
    expect(e.halfWidth).toBeCloseTo(2.7764451051977987 * Math.sqrt(2.5) / Math.sqrt(5), 10);
  });

  it('one replication has no interval', () => {
    expect(Number.isNaN(estimate([7]).halfWidth)).toBe(true);
  });
});

describe('latency histogram', () => {
  /** The exact sample quantile the histogram estimates: rank q·(n − 1), interpolated between neighbours (type 7). */
  const exactQuantile = (sorted: readonly number[], q: number) => {
    const h = q * (sorted.length - 1);
    const k = Math.floor(h);
    return k + 1 < sorted.length ? sorted[k]! + (h - k) * (sorted[k + 1]! - sorted[k]!) : sorted[k]!;
  };

  it('quantiles within 1/1024 (< 0.1%) relative error of the exact ones', () => {
    const u = stream(3, 'latency-test');
    const h = new LatencyHistogram();
    const xs: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const x = Math.exp(-3 + 2 * u()) * (u() < 0.01 ? 50 : 1); // 0.05 s … 0.37 s, with a long tail
      xs.push(x);
      h.add(x);
    }
    xs.sort((a, b) => a - b);
    let worst = 0;
    for (const q of [0, 0.001, 0.25, 0.5, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999, 1]) {
      const exact = exactQuantile(xs, q);
      worst = Math.max(worst, Math.abs(h.quantile(q) - exact) / exact);
    }
    expect(worst).toBeLessThan(1 / 1024);
    // Placing a value by its rank inside its bucket does far better than the bound on smooth data.
    expect(worst).toBeLessThan(1 / 4096);
    expect(h.count).toBe(100_000);
    expect(h.mean).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 12);
  });

  it('the bound holds for the worst case: every value at the top of its bucket', () => {
    // 1 + 0.999/1024 and 2 + 2·0.999/1024 sit at the top ends of the buckets [1, 1 + 1/1024) and [2, 2 + 2/1024).
    const h = new LatencyHistogram();
    const xs = [0.5, 1 + 0.999 / 1024, 1 + 0.999 / 1024, 1.5, 2 + (2 * 0.999) / 1024, 3];
    for (const x of xs) h.add(x);
    for (const q of [0.2, 0.3, 0.5, 0.7, 0.8]) {
      const exact = exactQuantile(xs, q);
      expect(Math.abs(h.quantile(q) - exact) / exact).toBeLessThan(1 / 1024);
    }
  });

  it('places values by rank inside a bucket, interpolates between ranks, and keeps the extremes exact', () => {
    const h = new LatencyHistogram();
    h.add(1); // the bucket [1, 1 + 1/1024)
    h.add(1.5); // the bucket [1.5, 1.5 + 1/1024)
    h.add(3); // the bucket [3, 3 + 2/1024)
    expect(h.quantile(0)).toBe(1); // the minimum, exactly
    expect(h.quantile(0.5)).toBe(1.5 + 0.5 / 1024); // the only value of its bucket: its middle
    expect(h.quantile(0.25)).toBe(1 + 0.5 * (1.5 + 0.5 / 1024 - 1)); // halfway between rank 0 and rank 1
    expect(h.quantile(1)).toBe(3); // the maximum, exactly
    // Two bucket-mates are told apart by rank: the first at ¼ of the bucket, the second at ¾.
    const two = new LatencyHistogram();
    for (const x of [0.5, 2.0001, 2.0002, 9]) two.add(x);
    expect(two.quantile(1 / 3)).toBe(2 + (0.25 * 2) / 1024);
    expect(two.quantile(2 / 3)).toBe(2 + (0.75 * 2) / 1024);
    const one = new LatencyHistogram();
    for (let i = 0; i < 10; i++) one.add(0.1);
    expect([one.quantile(0.01), one.quantile(0.99)]).toEqual([0.1, 0.1]); // clamped: a constant comes back exact
  });

  it('replications whose p99 share a bucket still give an interval of non-zero width', () => {
    // Five samples of the same distribution: with one point per bucket their p99s would often coincide.
    const p99s = [1, 2, 3, 4, 5].map((seed) => {
      const u = stream(seed, 'p99');
      const h = new LatencyHistogram();
      for (let i = 0; i < 20_000; i++) h.add(-Math.log(1 - u()) * 0.1);
      return h.quantile(0.99);
    });
    expect(new Set(p99s).size).toBe(5);
    expect(estimate(p99s).halfWidth).toBeGreaterThan(0);
  });

  it('keeps zero, tiny and huge values without losing count', () => {
    const h = new LatencyHistogram();
    for (const x of [0, 1e-12, 1e-3, 1e12]) h.add(x);
    expect(h.count).toBe(4);
    expect(h.quantile(0)).toBe(0);
    expect(h.quantile(1)).toBe(1e12);
    expect(Math.abs(h.quantile(2 / 3) - 1e-3) / 1e-3).toBeLessThan(1 / 1024);
  });

  it('is empty-safe', () => {
    const h = new LatencyHistogram();
    expect([h.quantile(0.5), h.mean]).toEqual([0, 0]);
  });
});

