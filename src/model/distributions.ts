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

// The ziggurat of the standard exponential (Marsaglia and Tsang, "The
// Ziggurat Method for Generating Random Variables", J. Stat. Softw. 5(8),
// 2000): the area under e^-x cut into 256 layers of equal area V. Layer 0 is
// the base (a rectangle [0, R] plus the tail beyond R); layer i ≥ 1 spans
// [0, x_i] and lies wholly under the curve left of x_(i-1). A draw picks a
// layer and a point across it: left of the layer's inner edge (about 98.9% of
// draws) it is the answer, with no logarithm; in a wedge it is accepted under
// the curve; in the tail, R plus a fresh exponential (memorylessness).
const ZIG_R = 7.697117470131487;
const ZIG_V = 3.949659822581572e-3;
/** A 32-bit draw: its low 8 bits pick the layer, the other 24 the point across it. */
const ZIG_SPAN = 2 ** 24;
/** Per layer i: its inner edge in units of the point, the width of a unit, and e^-x_i (for the base layer, 1: the top of the curve). */
const zigInner = new Uint32Array(256);
const zigUnit = new Float64Array(256);
const zigDensity = new Float64Array(256);
{
  let x = ZIG_R;
  const base = ZIG_V / Math.exp(-ZIG_R); // the base layer's width, tail included
  zigInner[0] = Math.floor((ZIG_R / base) * ZIG_SPAN);
  zigUnit[0] = base / ZIG_SPAN;
  zigDensity[0] = 1;
  zigUnit[255] = ZIG_R / ZIG_SPAN;
  zigDensity[255] = Math.exp(-ZIG_R);
  for (let i = 254; i >= 1; i--) {
    const inner = -Math.log(ZIG_V / x + Math.exp(-x)); // x_i, from equal areas: x_(i+1)(f(x_i) − f(x_(i+1))) = V
    zigInner[i + 1] = Math.floor((inner / x) * ZIG_SPAN);
    x = inner;
    zigDensity[i] = Math.exp(-x);
    zigUnit[i] = x / ZIG_SPAN;
  }
  zigInner[1] = 0; // the top layer is all wedge
}

/**
 * A standard exponential variate (mean 1) by the ziggurat: one uniform and a
 * table lookup almost always, a logarithm only in the tail (one draw in
 * about 30,000). Its resolution is 2^-24 of a layer's width (at most
 * 4.6e-7 of the mean).
 */
export function standardExponential(u: Uniform): number {
  for (;;) {
    const bits = (u() * 4294967296) >>> 0;
    const i = bits & 255;
    const j = bits >>> 8;
    if (j < zigInner[i]!) return j * zigUnit[i]!;
    if (i === 0) return ZIG_R - Math.log(open01(u));
    const x = j * zigUnit[i]!;
    if (zigDensity[i]! + u() * (zigDensity[i - 1]! - zigDensity[i]!) < Math.exp(-x)) return x;
  }
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
      return (u) => m * standardExponential(u);
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
