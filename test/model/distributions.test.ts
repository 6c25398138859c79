import { describe, expect, it } from 'vitest';
import { stream } from '../../src/engine/random.js';
import { countSampler, meanOf, timeSampler, type CountDist, type TimeDist } from '../../src/model/distributions.js';

function moments(sample: () => number, n = 200_000): { mean: number; cv: number; min: number } {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const x = sample();
    sum += x;
    sumSq += x * x;
    if (x < min) min = x;
  }
  const mean = sum / n;
  const variance = sumSq / n - mean * mean;
  return { mean, cv: Math.sqrt(Math.max(variance, 0)) / mean, min };
}

describe('time distributions', () => {
  const cases: [TimeDist, number, number][] = [
    // distribution, expected mean, expected coefficient of variation
    [{ dist: 'constant', value: 2.5 }, 2.5, 0],
    [{ dist: 'exponential', mean: 0.2 }, 0.2, 1],
    [{ dist: 'uniform', min: 1, max: 3 }, 2, 1 / (2 * Math.sqrt(3))],
    [{ dist: 'lognormal', mean: 0.04, cv: 1.5 }, 0.04, 1.5],
    [{ dist: 'lognormal', mean: 3, cv: 0 }, 3, 0],
  ];
  for (const [d, mean, cv] of cases) {
    it(`${JSON.stringify(d)} has mean ${mean} and cv ${cv.toFixed(3)}`, () => {
      const u = stream(11, 'dist-test');
      const f = timeSampler(d);
      const m = moments(() => f(u));
      expect(meanOf(d)).toBeCloseTo(mean, 12);
      expect(Math.abs(m.mean - mean) / mean).toBeLessThan(0.02);
      expect(Math.abs(m.cv - cv)).toBeLessThan(cv > 1 ? 0.1 : 0.01);
      expect(m.min).toBeGreaterThanOrEqual(0);
    });
  }
});

describe('count distributions', () => {
  const cases: [CountDist, number, number][] = [
    // distribution, mean, variance
    [{ dist: 'constant', value: 4 }, 4, 0],
    [{ dist: 'geometric', mean: 9 }, 9, 9 * 10], // on {0,1,…}: variance m(1+m)
    [{ dist: 'geometric', mean: 0 }, 0, 0],
    [{ dist: 'poisson', mean: 3.5 }, 3.5, 3.5], // inversion
    [{ dist: 'poisson', mean: 120 }, 120, 120], // PTRS
    [{ dist: 'uniform', min: 2, max: 5 }, 3.5, (4 * 4 - 1) / 12],
    // floor(X) with X lognormal of mean m + ½, sd m·cv: mean ≈ m, variance ≈ (m·cv)² + 1/12
    [{ dist: 'lognormal', mean: 20, cv: 1 }, 20, 400 + 1 / 12],
  ];
  for (const [d, mean, variance] of cases) {
    it(`${JSON.stringify(d)} has mean ${mean} and variance ${variance}`, () => {
      const u = stream(12, 'count-test');
      const f = countSampler(d);
      const n = 200_000;
      let sum = 0;
      let sumSq = 0;
      let invalid = 0;
      for (let i = 0; i < n; i++) {
        const x = f(u);
        if (!Number.isInteger(x) || x < 0) invalid++;
        sum += x;
        sumSq += x * x;
      }
      const m = sum / n;
      const v = sumSq / n - m * m;
      expect(invalid).toBe(0);
      expect(Math.abs(m - mean)).toBeLessThan(0.01 * Math.max(mean, 1));
      expect(Math.abs(v - variance)).toBeLessThan(0.03 * Math.max(variance, 1));
    });
  }

  it('poisson pmf matches at small mean (P(X=0) = e^-m)', () => {
    const u = stream(13, 'count-test');
    const f = countSampler({ dist: 'poisson', mean: 2 });
    const n = 200_000;
    let zeros = 0;
    for (let i = 0; i < n; i++) if (f(u) === 0) zeros++;
    expect(Math.abs(zeros / n - Math.exp(-2))).toBeLessThan(0.004);
  });
});
