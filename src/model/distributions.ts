import type { Uniform } from '../engine/index.js';

/** Continuous distributions for times (seconds). */
export type TimeDist =
  | { dist: 'constant'; value: number }
  | { dist: 'exponential'; mean: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'lognormal'; mean: number; cv: number };

/** Discrete distributions for counts (non-negative integers). */
export type CountDist =
  | { dist: 'constant'; value: number }
  | { dist: 'geometric'; mean: number }
  | { dist: 'poisson'; mean: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'lognormal'; mean: number; cv: number };

export type Sampler = (u: Uniform) => number;

/** The mean of a time distribution. */
export function meanOf(d: TimeDist | CountDist): number {
  switch (d.dist) {
    case 'constant':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    default:
      return d.mean;
  }
}

/** One uniform in (0, 1]: safe to take the logarithm of. */
function open01(u: Uniform): number {
  return 1 - u();
}

/** A standard normal variate by Box–Muller (two uniforms, no cached state). */
export function standardNormal(u: Uniform): number {
  return Math.sqrt(-2 * Math.log(open01(u))) * Math.cos(2 * Math.PI * u());
}

export function timeSampler(d: TimeDist): Sampler {
  switch (d.dist) {
    case 'constant': {
      const v = d.value;
      return () => v;
    }
    case 'exponential': {
      const m = d.mean;
      return (u) => -m * Math.log(open01(u));
    }
    case 'uniform': {
      const { min, max } = d;
      return (u) => min + (max - min) * u();
    }
    case 'lognormal': {
      // Parameterised by mean m and coefficient of variation c:
      // σ² = ln(1 + c²), μ = ln m − σ²/2.
      if (d.cv === 0) {
        const v = d.mean;
        return () => v;
      }
      const s2 = Math.log(1 + d.cv * d.cv);
      const mu = Math.log(d.mean) - s2 / 2;
      const s = Math.sqrt(s2);
      return (u) => Math.exp(mu + s * standardNormal(u));
    }
  }
}

export function countSampler(d: CountDist): Sampler {
  switch (d.dist) {
    case 'constant': {
      const v = d.value;
      return () => v;
    }
    case 'uniform': {
      const { min, max } = d;
      return (u) => min + Math.floor((max - min + 1) * u());
    }
    case 'geometric': {
      // Failures before the first success on {0, 1, 2, …}, with mean m:
      // p = 1/(1+m); X = ⌊ln U / ln(1−p)⌋.
      if (d.mean === 0) return () => 0;
      const lq = Math.log(d.mean / (1 + d.mean));
      return (u) => Math.floor(Math.log(open01(u)) / lq);
    }
    case 'poisson': {
      const m = d.mean;
      if (m === 0) return () => 0;
      return m < 30 ? (u) => poissonInversion(m, u) : (u) => poissonPtrs(m, u);
    }
    case 'lognormal': {
      // Heavy-tailed counts: a lognormal of mean m + ½ rounded down, so the mean stays ≈ m.
      const f = timeSampler({ dist: 'lognormal', mean: d.mean + 0.5, cv: (d.cv * d.mean) / (d.mean + 0.5) });
      return (u) => Math.floor(f(u));
    }
  }
}

/** Poisson by sequential inversion of the CDF (small means). */
function poissonInversion(m: number, u: Uniform): number {
  let p = Math.exp(-m);
  let cdf = p;
  const x = u();
  let k = 0;
  while (x >= cdf && k < 10_000) {
    k++;
    p *= m / k;
    cdf += p;
  }
  return k;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function logFactorial(k: number): number {
  if (k < 2) return 0;
  // Stirling series; exact enough (< 1e-10) from k = 2 on with these terms.
  const k1 = k + 1;
  return (k1 - 0.5) * Math.log(k1) - k1 + LOG_SQRT_2PI + 1 / (12 * k1) - 1 / (360 * k1 ** 3) + 1 / (1260 * k1 ** 5);
}

/** Poisson by transformed rejection with squeeze (Hörmann 1993, PTRS), for means ≥ 10. */
function poissonPtrs(m: number, u: Uniform): number {
  const slam = Math.sqrt(m);
  const loglam = Math.log(m);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = u() - 0.5;
    const V = u();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + m + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -m + k * loglam - logFactorial(k)) return k;
  }
}
