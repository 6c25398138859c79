import { describe, expect, it } from 'vitest';
import {
  erlangC, expectedMaxLoad, maxLoadCdf, mg1, mmc, mmcSojournQuantile, mmcSojournSurvival, ringSpreadCov2, twoChoiceFluidLimit,
} from '../../src/validation/theory.js';

/** Erlang C by its defining sum, independent of the Erlang B recursion the code uses. */
function erlangCBySum(c: number, a: number): number {
  let fact = 1;
  let sum = 0;
  for (let k = 0; k < c; k++) {
    if (k > 0) fact *= k;
    sum += a ** k / fact;
  }
  const top = (a ** c / (fact * c)) * (c / (c - a));
  return top / (sum + top);
}

describe('Erlang C and M/M/c', () => {
  it('M/M/1 by hand: P(wait) = ρ, Wq = ρ/(μ − λ), Lq = ρ²/(1 − ρ)', () => {
    const q = mmc(5, 10, 1);
    expect(q.pWait).toBeCloseTo(0.5, 14);
    expect(q.wq).toBeCloseTo(0.1, 14);
    expect(q.lq).toBeCloseTo(0.5, 14);
    expect(mmc(9.5, 10, 1).wq).toBeCloseTo(1.9, 12);
  });

  it('M/M/2 at a = 1.6 by hand: Σ_{k<2} aᵏ/k! = 2.6, a²/2! · 2/(2 − a) = 6.4, C = 6.4/9', () => {
    expect(erlangC(2, 1.6)).toBeCloseTo(6.4 / 9, 14);
    expect(mmc(16, 10, 2).wq).toBeCloseTo(6.4 / 9 / 4, 14);
  });

  it('matches the defining sum for many c and loads, including c = 8 at ρ = 0.9', () => {
    for (const c of [1, 2, 3, 8, 20, 50]) {
      for (const rho of [0.1, 0.5, 0.9, 0.95, 0.99]) expect(erlangC(c, rho * c)).toBeCloseTo(erlangCBySum(c, rho * c), 12);
    }
    const q = mmc(72, 10, 8);
    expect(q.pWait).toBeCloseTo(0.701533, 6);
    expect(q.wq * 1000).toBeCloseTo(87.6916, 3);
    expect(q.lq).toBeCloseTo(6.3138, 4);
  });

  it('sojourn time of M/M/1 by hand: T ~ Exp(μ − λ), so p95 = ln 20/(μ − λ), p99 = ln 100/(μ − λ)', () => {
    // λ = 0.5, μ = 1: p95 = 2 ln 20 = 5.99146…, p99 = 2 ln 100 = 9.21034…
    expect(mmcSojournQuantile(0.5, 1, 1, 0.95)).toBeCloseTo(5.991464547, 8);
    expect(mmcSojournQuantile(0.5, 1, 1, 0.99)).toBeCloseTo(9.210340372, 8);
    for (const t of [0.1, 1, 7]) expect(mmcSojournSurvival(0.5, 1, 1, t)).toBeCloseTo(Math.exp(-0.5 * t), 14);
  });

  it('sojourn time of M/M/2 at λ = 1.6, μ = 1 by hand: C = 32/45, θ = 2 − 1.6 = 0.4', () => {
    // P(T > 5) = (1 − C)e⁻⁵ + C(0.4e⁻⁵ − e⁻²)/(0.4 − 1) = e⁻⁵(1 + (32/45)(e³ − 1)/0.6)
    //          = 0.006737947 × (1 + 0.711111 × 31.809228) = 0.006737947 × 23.619896 = 0.159150
    expect(mmcSojournSurvival(1.6, 1, 2, 5)).toBeCloseTo(0.15915, 5);
    expect(mmcSojournQuantile(1.6, 1, 2, 1 - 0.1591496047620807)).toBeCloseTo(5, 8);
    expect(mmcSojournSurvival(1.6, 1, 2, 0)).toBe(1);
  });

  it('sojourn time when the wait and the service have the same rate (θ = μ): P(T > t) = e^{−μt}(1 + Cμt)', () => {
    // M/M/2 at λ = 1, μ = 1: θ = 2 − 1 = 1 = μ, C = (1/2 · 2)/(1 + 1 + 1) = 1/3; at t = 3: e⁻³ · 2.
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 14);
    expect(mmcSojournSurvival(1, 1, 2, 3)).toBeCloseTo(2 * Math.exp(-3), 14);
    // Continuous through θ = μ: a hair either side gives nearly the same tail.
    expect(mmcSojournSurvival(1 + 1e-9, 1, 2, 3)).toBeCloseTo(2 * Math.exp(-3), 8);
    expect(mmcSojournSurvival(1 - 1e-9, 1, 2, 3)).toBeCloseTo(2 * Math.exp(-3), 8);
  });

  it('sojourn quantiles of M/M/8 at ρ = 0.9 invert the tail, lie above the service quantiles, and agree with the mean', () => {
    const [lambda, mu, c] = [72, 10, 8];
    for (const p of [0.5, 0.95, 0.99]) {
      const t = mmcSojournQuantile(lambda, mu, c, p);
      expect(mmcSojournSurvival(lambda, mu, c, t)).toBeCloseTo(1 - p, 12);
      expect(t).toBeGreaterThan(-Math.log(1 - p) / mu); // waiting only adds
    }
    // E[T] = ∫ P(T > t) dt = Wq + 1/μ (a trapezoid sum of the tail).
    let area = 0;
    const h = 1e-4;
    for (let t = 0; t < 5; t += h) area += (h * (mmcSojournSurvival(lambda, mu, c, t) + mmcSojournSurvival(lambda, mu, c, t + h))) / 2;
    expect(area).toBeCloseTo(mmc(lambda, mu, c).wq + 1 / mu, 6);
  });

  it('refuses an unstable queue', () => {
    expect(() => erlangC(2, 2)).toThrow(RangeError);
  });
});

describe('Pollaczek–Khinchine', () => {
  it('M/D/1 at ρ = 0.8: Wq = ρ/(2μ(1 − ρ)) = 0.2 s, half of M/M/1', () => {
    const d = mg1(8, 0.1, 0.01);
    expect(d.wq).toBeCloseTo(0.2, 14);
    expect(d.pWait).toBeCloseTo(0.8, 14);
    expect(mmc(8, 10, 1).wq).toBeCloseTo(2 * d.wq, 14);
  });

  it('exponential service (E[S²] = 2/μ²) gives the M/M/1 values', () => {
    const g = mg1(7, 0.1, 0.02);
    const m = mmc(7, 10, 1);
    expect(g.wq).toBeCloseTo(m.wq, 14);
    expect(g.lq).toBeCloseTo(m.lq, 14);
  });

  it('lognormal cv = 2 at ρ = 0.7: E[S²] = m²(1 + cv²) = 0.05, Wq = 7 · 0.05 / 0.6 = 0.58333', () => {
    expect(mg1(7, 0.1, 0.1 ** 2 * (1 + 4)).wq).toBeCloseTo(0.35 / 0.6, 14);
  });
});

describe('balls into bins: exact maximum load', () => {
  /** P(max ≤ k) by enumerating all nⁿ placements (tiny n only). */
  function brute(n: number): number[] {
    const counts = new Array<number>(n + 1).fill(0);
    const bins = new Array<number>(n).fill(0);
    const rec = (ball: number) => {
      if (ball === n) {
        counts[Math.max(...bins)]!++;
        return;
      }
      for (let b = 0; b < n; b++) {
        bins[b]!++;
        rec(ball + 1);
        bins[b]!--;
      }
    };
    rec(0);
    const total = n ** n;
    let acc = 0;
    return counts.map((c) => (acc += c) / total);
  }

  it('agrees with enumeration for n = 3…6', () => {
    for (const n of [3, 4, 5, 6]) {
      const cdf = brute(n);
      for (let k = 0; k <= n; k++) expect(maxLoadCdf(n, k)).toBeCloseTo(cdf[k]!, 12);
      const mean = cdf.reduce((a, _, k) => a + (k < n ? 1 - cdf[k]! : 0), 0);
      expect(expectedMaxLoad(n)).toBeCloseTo(mean, 12);
    }
    // n = 3 by hand: 27 placements; max 1 in 3! = 6, max 3 in 3 → E = (6·1 + 18·2 + 3·3)/27 = 51/27.
    expect(expectedMaxLoad(3)).toBeCloseTo(51 / 27, 12);
  });

  it('the saddle-point formula agrees with exact convolution at n = 1000 and 2000', () => {
    for (const n of [1000, 2000]) {
      for (const k of [3, 4, 5, 6, 7, 8]) {
        const exact = maxLoadCdf(n, k, 'exact');
        expect(Math.abs(maxLoadCdf(n, k, 'saddle') - exact)).toBeLessThan(1e-7 * Math.max(exact, 1e-12) + 1e-12);
      }
    }
  });

  it('grows like ln n / ln ln n, with Gonnet\'s Γ⁻¹(n) − 3/2 close at n = 10⁶', () => {
    const e6 = expectedMaxLoad(1e6);
    expect(e6).toBeGreaterThan(8.5);
    expect(e6).toBeLessThan(9.1);
    expect(expectedMaxLoad(1e4)).toBeGreaterThan(expectedMaxLoad(1e3));
  });
});

describe('two-choice fluid limit', () => {
  it('s1 = tanh(1) (ds1/dt = 1 − s1²), and the tail falls doubly exponentially', () => {
    const s = twoChoiceFluidLimit();
    expect(s[0]).toBe(1);
    expect(s[1]).toBeCloseTo(Math.tanh(1), 10);
    expect(s[2]).toBeCloseTo(0.2295045, 6);
    expect(s[3]).toBeCloseTo(0.0088953, 6);
    expect(s[4]!).toBeLessThan(s[3]! ** 2);
    // Mass balance: Σ_{i≥1} s_i is the mean load, 1 ball per bin at t = 1.
    expect(s.slice(1).reduce((a, x) => a + x, 0)).toBeCloseTo(1, 10);
  });
});

describe('ring spread', () => {
  it('one server: no spread; one point each for two servers: CoV² of a uniform split = 1/3', () => {
    expect(ringSpreadCov2(1, 160, Infinity)).toBe(0);
    // Two servers, one point each: shares U and 1 − U; CoV² = (2U − 1)², E = 1/3 = (N − 1)/(NV + 1).
    expect(ringSpreadCov2(2, 1, Infinity)).toBeCloseTo(1 / 3, 14);
    expect(ringSpreadCov2(10, 160, 100_000)).toBeCloseTo(9 / 1601 * (1 - 1e-5) + 9e-5, 14);
  });
});
