import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export interface Estimate {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for one value. */
  sd: number;
  /** Half-width of the 95% confidence interval (Student t, n − 1 df); NaN for one value. */
  halfWidth: number;
  n: number;
}

/** Mean, standard deviation and 95% Student-t confidence half-width of independent replications. */
export function estimate(xs: readonly number[]): Estimate {
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN, halfWidth: NaN, n };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  if (n === 1) return { mean, sd: 0, halfWidth: NaN, n };
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const sd = Math.sqrt(ss / (n - 1));
  return { mean, sd, halfWidth: tQuantile(0.975, n - 1) * (sd / Math.sqrt(n)), n };
}
