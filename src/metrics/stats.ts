import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export interface Estimate {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for one value. */
  sd: number;
  /** Half-width of the confidence interval (Student t, n − 1 df); NaN for fewer than two values. */
  halfWidth: number;
  n: number;
}

/** The Student t quantile that makes a two-sided interval of confidence `level` with `df` degrees of freedom. */
export function tCritical(df: number, level = 0.95): number {
  return tQuantile(1 - (1 - level) / 2, df);
}

/**
 * Mean, standard deviation and Student-t confidence half-width (95% unless
 * `level` says otherwise) of independent observations: replications, batch
 * means, or paired differences.
 */
export function estimate(xs: readonly number[], level = 0.95): Estimate {
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN, halfWidth: NaN, n };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  if (n === 1) return { mean, sd: 0, halfWidth: NaN, n };
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const sd = Math.sqrt(ss / (n - 1));
  return { mean, sd, halfWidth: tCritical(n - 1, level) * (sd / Math.sqrt(n)), n };
}

/**
 * The paired comparison of `xs` with `base` (same index = same replication,
 * hence the same workload by common random numbers): the estimate of the
 * mean difference xs[i] − base[i]. Pairing removes the variation both share,
 * so its interval is far tighter than comparing two separate intervals.
 */
export function pairedDifference(xs: readonly number[], base: readonly number[], level = 0.95): Estimate {
  if (xs.length !== base.length) throw new RangeError(`paired samples differ in length: ${xs.length} and ${base.length}`);
  return estimate(xs.map((x, i) => x - base[i]!), level);
}

/** Whether an interval rules out 0: undefined when there is no interval (fewer than two values). */
export function significant(e: Estimate): boolean | undefined {
  if (Number.isNaN(e.halfWidth)) return undefined;
  return e.mean - e.halfWidth > 0 || e.mean + e.halfWidth < 0;
}

/** Lag-1 sample autocorrelation: near 0 when successive values (batch means) are independent. */
export function lag1Autocorrelation(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 3) return NaN;
  let mean = 0;
  for (const x of xs) mean += x / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - mean;
    den += d * d;
    if (i > 0) num += d * (xs[i - 1]! - mean);
  }
  return den === 0 ? 0 : num / den;
}
