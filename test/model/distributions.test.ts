import { describe, expect, it } from 'vitest';
import { stream } from '../../src/engine/random.js';
import { countSampler, meanOf, standardExponential, timeSampler, type CountDist, type TimeDist } from '../../src/model/distributions.js';

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

describe('standardExponential (ziggurat)', () => {
  const R = 7.697117470131487; // the base layer's edge (Marsaglia and Tsang's r for 256 layers)
  /** A 32-bit word as the uniform that carries it. */
  const word = (w: number) => w / 2 ** 32;
  /** A uniform source that returns the given values in turn. */
  const scripted = (values: number[]) => {
    const q = [...values];
    return () => {
      if (q.length === 0) throw new Error('scripted source exhausted');
      return q.shift()!;
    };
  };

  it('returns the point across the layer, with no logarithm, left of the layer\'s inner edge', () => {
    // Layer 255 spans [0, R] in units of R / 2^24; point 1000 is well inside it.
    expect(standardExponential(scripted([word((1000 << 8) | 255)]))).toBe((1000 * R) / 2 ** 24);
    expect(standardExponential(scripted([word(0)]))).toBe(0);
  });

  it('goes to the tail (R plus a fresh exponential) past the base layer\'s rectangle', () => {
    const last = ((2 ** 24 - 1) * 256) >>> 0; // layer 0, the outermost point: in the tail
    expect(standardExponential(scripted([word(last), 0]))).toBe(R);
    expect(standardExponential(scripted([word(last), 1 - Math.exp(-2)]))).toBeCloseTo(R + 2, 12);
  });

  it('accepts a wedge point under the curve and redraws one above it', () => {
    // Layer 1 (the top) is all wedge: x = j·x1/2^24, kept when f(x1) + v·(1 − f(x1)) < e^-x.
    const w = (2 ** 23 * 256 + 1) >>> 0; // layer 1, half-way across
    const x = standardExponential(scripted([word(w), 0]));
    expect(x).toBeGreaterThan(0);
    expect(x).toBeLessThan(1);
    // Just below the top of the wedge (v close to 1): above the curve, so a second word is drawn.
    expect(standardExponential(scripted([word(w), 1 - 1e-12, word((1000 << 8) | 255)]))).toBe((1000 * R) / 2 ** 24);
  });

  it('is exponential: Kolmogorov–Smirnov, moments and the far tail over a million draws', () => {
    const u = stream(3, 'ziggurat-test');
    const n = 1_000_000;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = standardExponential(u);
    let m1 = 0;
    let m2 = 0;
    let m3 = 0;
    let beyond8 = 0;
    let tail = 0;
    for (const x of xs) {
      m1 += x;
      m2 += x * x;
      m3 += x * x * x;
      if (x > 8) beyond8++;
      if (x > R) tail++;
    }
    expect(m1 / n).toBeCloseTo(1, 2); // E[X] = 1, sd of the mean 0.001
    expect(m2 / n).toBeCloseTo(2, 1); // E[X²] = 2
    expect(Math.abs(m3 / n - 6)).toBeLessThan(0.15); // E[X³] = 6
    // P(X > 8) = e^-8: about 335 of a million (sd 18); the tail path was taken.
    expect(Math.abs(beyond8 - n * Math.exp(-8))).toBeLessThan(4 * Math.sqrt(n * Math.exp(-8)));
    expect(tail).toBeGreaterThan(0);
    xs.sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = 1 - Math.exp(-xs[i]!);
      d = Math.max(d, f - i / n, (i + 1) / n - f);
    }
    expect(d).toBeLessThan(1.63 / Math.sqrt(n)); // KS at the 1% level
  });
});

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
