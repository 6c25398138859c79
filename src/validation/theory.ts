/**
 * Closed forms the simulator is validated against. Each function is the
 * textbook formula, written plainly; the tests check them against values
 * computed by hand and by independent formulas.
 */

/** Queue measures of a stationary queue: mean wait before service, P(wait > 0), mean number waiting, utilisation. */
export interface QueueTheory {
  rho: number;
  wq: number;
  pWait: number;
  lq: number;
}

/**
 * Erlang C: the probability that an arrival waits in an M/M/c queue with
 * offered load a = λ/μ (< c), via the numerically stable Erlang B recursion
 * B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)), then C = c·B / (c − a(1 − B)).
 */
export function erlangC(c: number, a: number): number {
  if (!(a < c)) throw new RangeError(`Erlang C needs a < c (a stable queue), got a = ${a}, c = ${c}`);
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return (c * b) / (c - a * (1 - b));
}

/** M/M/c: Poisson arrivals at rate λ, c servers of exponential service at rate μ each. */
export function mmc(lambda: number, mu: number, c: number): QueueTheory {
  const a = lambda / mu;
  const pWait = erlangC(c, a);
  const wq = pWait / (c * mu - lambda);
  return { rho: a / c, wq, pWait, lq: lambda * wq };
}

/**
 * P(T > t) for the sojourn time T (wait + service) of an M/M/c FCFS queue:
 * an arrival waits with probability C (Erlang C), and then for an
 * exponential time of rate θ = cμ − λ (the queue drains at cμ while all c
 * workers are busy, and by memorylessness the excess over c is geometric);
 * its service S ~ Exp(μ) is independent of the wait. So T is the mixture
 *   with probability 1 − C:  S,                 P(S > t) = e^{−μt}
 *   with probability C:      W + S, W ~ Exp(θ), P(W + S > t) = (θe^{−μt} − μe^{−θt}) / (θ − μ)
 * (the hypoexponential tail; (1 + μt)e^{−μt} when θ = μ). Written as
 *   P(T > t) = e^{−μt} · (1 + Cμ · (1 − e^{−δt})/δ),  δ = θ − μ,
 * with (1 − e^{−δt})/δ computed by expm1 and equal to t at δ = 0, it is exact
 * at and near θ = μ too. For c = 1 it reduces to e^{−(μ−λ)t}.
 */
export function mmcSojournSurvival(lambda: number, mu: number, c: number, t: number): number {
  if (t <= 0) return 1;
  const C = erlangC(c, lambda / mu);
  const delta = c * mu - lambda - mu;
  const g = delta === 0 ? t : -Math.expm1(-delta * t) / delta;
  return Math.exp(-mu * t) * (1 + C * mu * g);
}

/**
 * The p-quantile of the M/M/c FCFS sojourn time (see {@link mmcSojournSurvival}):
 * the t with P(T ≤ t) = p, by bisection on the decreasing tail (to the last
 * bit of a double).
 */
export function mmcSojournQuantile(lambda: number, mu: number, c: number, p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile needs 0 < p < 1, got ${p}`);
  const tail = 1 - p;
  let lo = 0;
  let hi = 1 / mu;
  while (mmcSojournSurvival(lambda, mu, c, hi) > tail) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (mmcSojournSurvival(lambda, mu, c, mid) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * M/G/1 by Pollaczek–Khinchine: Wq = λ·E[S²] / (2(1 − ρ)), with ρ = λ·E[S].
 * An arrival waits exactly when the server is busy, which by PASTA has
 * probability ρ.
 */
export function mg1(lambda: number, meanS: number, secondMomentS: number): QueueTheory {
  const rho = lambda * meanS;
  if (!(rho < 1)) throw new RangeError(`M/G/1 needs ρ < 1, got ${rho}`);
  const wq = (lambda * secondMomentS) / (2 * (1 - rho));
  return { rho, wq, pWait: rho, lq: lambda * wq };
}

/** log n! (exact for small n, Stirling series beyond). */
export function logFactorial(n: number): number {
  if (n < 20) {
    let s = 0;
    for (let k = 2; k <= n; k++) s += Math.log(k);
    return s;
  }
  const x = n + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5);
}

/** The probabilities of Poisson(λ) truncated to {0, …, k}, and the log of its normaliser Σ λ^j/j!. */
function truncatedPoisson(lambda: number, k: number): { p: number[]; logT: number } {
  const logTerms = Array.from({ length: k + 1 }, (_, j) => j * Math.log(lambda) - logFactorial(j));
  const top = Math.max(...logTerms);
  const w = logTerms.map((t) => Math.exp(t - top));
  const sum = w.reduce((a, x) => a + x, 0);
  return { p: w.map((x) => x / sum), logT: top + Math.log(sum) };
}

/**
 * P(max load ≤ k) when n balls fall independently and uniformly into n bins,
 * exactly: multinomial counts are independent Poisson(1) counts conditioned
 * on their sum being n, so
 *   P(max ≤ k) = P(X ≤ k)ⁿ · P(Y₁ + … + Yₙ = n) / P(Poisson(n) = n),
 * with X ~ Poisson(1) and Y ~ Poisson(1) truncated to {0…k}. For n ≤ 2000 the
 * distribution of ΣY is convolved exactly; beyond, P(ΣY = n) comes from the
 * saddle point (Y tilted to mean 1) and a two-term Edgeworth expansion, whose
 * error is O(n⁻²) (below 10⁻⁸ at n = 10⁴).
 */
export function maxLoadCdf(n: number, k: number, method: 'auto' | 'exact' | 'saddle' = 'auto'): number {
  if (k >= n) return 1;
  if (k < 1) return 0;
  const logPoissonNN = n * Math.log(n) - n - logFactorial(n);
  if (method === 'exact' || (method === 'auto' && n <= 2000)) {
    const { p, logT } = truncatedPoisson(1, k);
    // Σ over j ≤ k of 1/j! is T; P(X ≤ k) = e⁻¹·T.
    const logPxk = -1 + logT;
    let g = new Float64Array(n + 1);
    g[0] = 1;
    for (let b = 0; b < n; b++) {
      const next = new Float64Array(n + 1);
      for (let j = 0; j <= n; j++) {
        const v = g[j]!;
        if (v === 0) continue;
        for (let i = 0; i <= k && j + i <= n; i++) next[j + i]! += v * p[i]!;
      }
      g = next;
    }
    if (g[n] === 0) return 0;
    return Math.min(1, Math.exp(n * logPxk + Math.log(g[n]!) - logPoissonNN));
  }
  if (k === 1) return Math.exp(logFactorial(n) - n * Math.log(n));
  // Saddle point: λ with E[Y_λ] = 1 (E rises from 0 to k as λ grows).
  let lo = 1e-9;
  let hi = 1;
  const meanAt = (l: number) => truncatedPoisson(l, k).p.reduce((a, q, j) => a + q * j, 0);
  while (meanAt(hi) < 1) hi *= 2;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (meanAt(mid) < 1) lo = mid;
    else hi = mid;
  }
  const lambda = (lo + hi) / 2;
  const { p, logT } = truncatedPoisson(lambda, k);
  let m2 = 0, m3 = 0, m4 = 0;
  p.forEach((q, j) => {
    const d = j - 1;
    m2 += q * d * d;
    m3 += q * d ** 3;
    m4 += q * d ** 4;
  });
  const k4 = m4 - 3 * m2 * m2;
  const local = (1 / Math.sqrt(2 * Math.PI * n * m2)) * (1 + (k4 / (8 * m2 * m2) - (5 * m3 * m3) / (24 * m2 ** 3)) / n);
  // [xⁿ] Tₖ(x)ⁿ = Tₖ(λ)ⁿ λ⁻ⁿ P(ΣY_λ = n); P(max ≤ k) = n!/nⁿ · that.
  return Math.min(1, Math.exp(logFactorial(n) - n * Math.log(n) + n * logT - n * Math.log(lambda) + Math.log(local)));
}

/** E[max load] of n balls thrown uniformly at random into n bins: Σ_k P(max > k). */
export function expectedMaxLoad(n: number): number {
  let e = 0;
  let union = n; // n/(k+1)!: the union bound n·P(Bin(n, 1/n) > k) ≤ n·C(n, k+1)/n^(k+1) ≤ n/(k+1)!
  for (let k = 0; k < n; k++) {
    union /= k + 1;
    e += Math.min(1 - maxLoadCdf(n, k), union);
    if (union < 1e-15) break;
  }
  return e;
}

/**
 * The fluid limit of n balls into n bins with two choices (Mitzenmacher):
 * the fraction s_i of bins holding ≥ i balls after t·n balls obeys
 * ds_i/dt = s_{i−1}² − s_i² with s_0 = 1 (a ball raises a bin from i−1 to i
 * when both its choices hold ≥ i−1 balls and not both ≥ i). Kurtz's theorem
 * makes the simulated fractions converge to it with O(1/√n) noise. Returns
 * s_0 … s_levels at t = 1, by RK4.
 */
export function twoChoiceFluidLimit(levels = 8, steps = 20_000): number[] {
  const f = (s: number[]) => s.map((x, i) => (i === 0 ? 0 : s[i - 1]! ** 2 - x ** 2));
  let s: number[] = Array.from({ length: levels + 1 }, (_, i) => (i === 0 ? 1 : 0));
  const h = 1 / steps;
  for (let n = 0; n < steps; n++) {
    const k1 = f(s);
    const k2 = f(s.map((x, i) => x + (h / 2) * k1[i]!));
    const k3 = f(s.map((x, i) => x + (h / 2) * k2[i]!));
    const k4 = f(s.map((x, i) => x + h * k3[i]!));
    s = s.map((x, i) => x + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
  }
  return s;
}

/**
 * Expected squared coefficient of variation of the keys per server on a hash
 * ring with N servers of V points each, K keys. The N·V points are uniform on
 * the circle, so a server's share of it is Beta(V, NV − V), and over servers
 * E[CoV² of shares] = (N − 1)/(NV + 1); counting K keys adds multinomial
 * noise: E[CoV² of counts] = (N − 1)/(NV + 1)·(1 − 1/K) + (N − 1)/K.
 */
export function ringSpreadCov2(n: number, v: number, keys: number): number {
  return ((n - 1) / (n * v + 1)) * (1 - 1 / keys) + (n - 1) / keys;
}
