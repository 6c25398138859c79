import { estimate } from '../metrics/stats.js';

/**
 * Confidence of every interval the validation draws. A correct simulator
 * misses a given check with probability 1 − LEVEL = 0.1%, so a suite of m
 * checks fails by chance with probability at most m × 0.1% (Bonferroni).
 */
export const LEVEL = 0.999;

/** One line of the validation table. */
export interface Check {
  /** The system or experiment, e.g. "M/M/1 ρ=0.5 (20 × 8h)". */
  group: string;
  /** What is compared, e.g. "Wq (s)". */
  quantity: string;
  exact: number;
  /** The simulated estimate and the half-width of its LEVEL confidence interval. */
  mean: number;
  halfWidth: number;
  /** Independent observations behind the estimate (replications, batches, trials). */
  n: number;
  pass: boolean;
  /** How pass is decided when it is not "the interval covers the exact value". */
  rule?: string;
}

/** A check that passes when the LEVEL Student-t interval of `samples` covers `exact`. */
export function covers(group: string, quantity: string, exact: number, samples: readonly number[]): Check {
  const e = estimate(samples, LEVEL);
  const pass = Math.abs(e.mean - exact) <= e.halfWidth;
  return { group, quantity, exact, mean: e.mean, halfWidth: e.halfWidth, n: e.n, pass };
}
