import type { WindowTotal } from './results.js';

/**
 * MSER-5 (White, 1997; Franklin & White, 2008): the truncation point of an
 * output series that minimises the marginal standard error of the mean of
 * what remains. The series is first averaged in batches of 5; for each
 * candidate d in the first half of the m batch means,
 *   MSER(d) = Σ_{j>d} (Z_j − Z̄_d)² / (m − d)²,
 * and the smallest minimiser d* says to drop the first 5·d* observations.
 * Returns undefined when the series is too short to judge (< 8 batches);
 * `atLimit` is true when the minimum is at the edge of the search (the series
 * has not settled within its first half: the run is too short).
 */
export function mser5(series: readonly number[]): { truncate: number; atLimit: boolean } | undefined {
  const b = 5;
  const m = Math.floor(series.length / b);
  if (m < 8) return undefined;
  const z: number[] = [];
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < b; i++) s += series[j * b + i]!;
    z.push(s / b);
  }
  const limit = Math.floor(m / 2);
  // Rounding noise of the statistic, so that ties keep the earliest truncation.
  const noise = 1e-24 * z.reduce((a, x) => a + x * x, 0);
  let best = 0;
  let bestValue = Infinity;
  for (let d = 0; d <= limit; d++) {
    const n = m - d;
    let sum = 0;
    for (let j = d; j < m; j++) sum += z[j]!;
    const mean = sum / n;
    let ss = 0;
    for (let j = d; j < m; j++) ss += (z[j]! - mean) ** 2;
    const v = ss / (n * n);
    if (d === 0 || v < bestValue * (1 - 1e-12) - noise) {
      bestValue = v;
      best = d;
    }
  }
  return { truncate: best * b, atLimit: best === limit && best > 0 };
}

/**
 * The congestion series MSER reads: requests in the fleet (in service or
 * waiting), time-averaged over each full-length window. It starts biased
 * (the model starts empty and idle), it follows the session population's
 * ramp-up (busy workers ∝ request rate) and queueing alike, and unlike
 * utilisation it does not saturate, nor sit at 0 like a queue at light load.
 */
export function congestionSeries(totals: readonly WindowTotal[], window: number): number[] {
  return totals.filter((w) => Math.abs(w.end_s - w.start_s - window) < 1e-9 * window).map((w) => (w.busy + w.queue) / window);
}
