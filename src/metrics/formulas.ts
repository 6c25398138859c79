/**
 * Imbalance formulas over per-server loads x₁…xₙ. With no servers or no load
 * at all, the fleet counts as perfectly even: max/mean 1, CoV 0, Jain 1.
 */

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** max/mean (peak-to-mean ratio): 1 when even, n when one server takes all. */
export function maxOverMean(xs: readonly number[]): number {
  const m = mean(xs);
  if (m === 0) return 1;
  return Math.max(...xs) / m;
}

/** Coefficient of variation: population standard deviation / mean. */
export function coefficientOfVariation(xs: readonly number[]): number {
  const m = mean(xs);
  if (m === 0) return 0;
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / xs.length) / m;
}

/** Jain's fairness index (Σx)² / (n·Σx²): 1 when even, 1/n when one server takes all. */
export function jainIndex(xs: readonly number[]): number {
  let sum = 0;
  let sumSq = 0;
  for (const x of xs) {
    sum += x;
    sumSq += x * x;
  }
  if (sumSq === 0) return 1;
  return (sum * sum) / (xs.length * sumSq);
}
