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
  it('quantiles within 1/129 (0.78%) relative error of the exact ones', () => {
    const u = stream(3, 'latency-test');
    const h = new LatencyHistogram();
    const xs: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const x = Math.exp(-3 + 2 * u()) * (u() < 0.01 ? 50 : 1); // 0.05 s … 0.37 s, with a long tail
      xs.push(x);
      h.add(x);
    }
    xs.sort((a, b) => a - b);
    for (const q of [0, 0.001, 0.5, 0.9, 0.95, 0.99, 0.999, 1]) {
      const exact = xs[Math.floor(q * (xs.length - 1))]!;
      expect(Math.abs(h.quantile(q) - exact) / exact).toBeLessThan(1 / 129 + 1e-12);
    }
    expect(h.count).toBe(100_000);
    expect(h.mean).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 12);
  });

  it('reports a value of a bucket by the harmonic mean of its bounds, clamped to what was seen', () => {
    const h = new LatencyHistogram();
    h.add(1); // the bucket [1, 1 + 1/64)
    h.add(1.5); // the bucket [1.5, 1.5 + 1/64)
    h.add(3); // the bucket [3, 3 + 2/64)
    const harmonic = (lo: number, hi: number) => (2 * lo * hi) / (lo + hi);
    expect(h.quantile(0)).toBe(1); // the minimum, exactly
    expect(h.quantile(0.5)).toBe(harmonic(1.5, 1.5 + 1 / 64));
    expect(h.quantile(1)).toBe(3); // the maximum, exactly
    const one = new LatencyHistogram();
    for (let i = 0; i < 10; i++) one.add(0.1);
    expect([one.quantile(0.01), one.quantile(0.99)]).toEqual([0.1, 0.1]); // clamped: a constant comes back exact
  });

  it('keeps zero, tiny and huge values without losing count', () => {
    const h = new LatencyHistogram();
    for (const x of [0, 1e-12, 1e-3, 1e12]) h.add(x);
    expect(h.count).toBe(4);
    expect(h.quantile(0)).toBe(0);
    expect(h.quantile(1)).toBe(1e12);
    expect(Math.abs(h.quantile(2 / 3) - 1e-3) / 1e-3).toBeLessThan(1 / 129);
  });

  it('is empty-safe', () => {
    const h = new LatencyHistogram();
    expect([h.quantile(0.5), h.mean]).toEqual([0, 0]);
  });
});

