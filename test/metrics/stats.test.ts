import { describe, expect, it } from 'vitest';
import { estimate, lag1Autocorrelation, pairedDifference, significant, tCritical } from '../../src/metrics/stats.js';

describe('Student t intervals', () => {
  it('t quantiles match tables', () => {
    expect(tCritical(2)).toBeCloseTo(4.302652729749464, 12);
    expect(tCritical(4)).toBeCloseTo(2.7764451051977987, 12);
    expect(tCritical(9, 0.99)).toBeCloseTo(3.2498355415921263, 10);
  });

  it('a 99% interval is wider than a 95% one', () => {
    const xs = [3, 5, 4, 6, 2];
    expect(estimate(xs, 0.99).halfWidth).toBeGreaterThan(estimate(xs).halfWidth);
  });
});

describe('paired differences (hand example)', () => {
  // Baseline 10, 12, 14; strategy 11, 14, 15 in the same three replications.
  // Differences 1, 2, 1: mean 4/3, sd √(1/3), half-width t(0.975, 2) · √(1/3)/√3 = 4.30265…/3.
  const base = [10, 12, 14];
  const strat = [11, 14, 15];

  it('mean, sd and 95% CI of the differences', () => {
    const e = pairedDifference(strat, base);
    expect(e.mean).toBeCloseTo(4 / 3, 12);
    expect(e.sd).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(e.halfWidth).toBeCloseTo(4.302652729749464 / 3, 12);
    expect(e.mean - e.halfWidth).toBeCloseTo(-0.10088424, 6);
    expect(e.mean + e.halfWidth).toBeCloseTo(2.76755091, 6);
    expect(significant(e)).toBe(false); // the CI contains 0
  });

  it('a constant difference is significant with a zero-width interval', () => {
    const e = pairedDifference([12, 14, 16], base);
    expect([e.mean, e.sd, e.halfWidth, significant(e)]).toEqual([2, 0, 0, true]);
  });

  it('pairing removes the variation both share: far tighter than separate intervals', () => {
    const wide = estimate(strat).halfWidth + estimate(base).halfWidth;
    expect(pairedDifference(strat, base).halfWidth).toBeLessThan(wide / 3);
  });

  it('one replication: no interval, significance unknown', () => {
    const e = pairedDifference([5], [3]);
    expect(e.mean).toBe(2);
    expect(Number.isNaN(e.halfWidth)).toBe(true);
    expect(significant(e)).toBeUndefined();
  });

  it('refuses samples of different lengths', () => {
    expect(() => pairedDifference([1, 2], [1])).toThrow(RangeError);
  });
});

describe('lag-1 autocorrelation', () => {
  it('alternating values: strongly negative; a trend: positive; constant: 0', () => {
    // 1, −1, 1, −1: mean 0, Σ d_i d_{i−1} = −3, Σ d² = 4.
    expect(lag1Autocorrelation([1, -1, 1, -1])).toBeCloseTo(-0.75, 12);
    expect(lag1Autocorrelation([1, 2, 3, 4, 5, 6])).toBeGreaterThan(0.4);
    expect(lag1Autocorrelation([2, 2, 2])).toBe(0);
    expect(Number.isNaN(lag1Autocorrelation([1, 2]))).toBe(true);
  });
});
