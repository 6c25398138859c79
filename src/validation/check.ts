import { estimate } from '../metrics/stats.js';

/**
 * Confidence of every interval the validation draws. A correct simulator
 * misses a given check with probability 1 − LEVEL = 0.01%, so a suite of m
 * checks fails by chance with probability at most m × 0.01% (Bonferroni):
 * about 0.5% for the full suite, so that a change that merely reshuffles the
 * random draws almost never fails it, while the intervals stay narrow enough
 * to catch a bias of a few percent.
 */
export const LEVEL = 0.9999;
/** The level as people write it: "99.99%". */
export const LEVEL_TEXT = `${+(LEVEL * 100).toFixed(4)}%`;

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
  /** What the rule is listed under in docs/VALIDATION.md (default: the quantity); checks sharing a rule share the line. */
  ruleName?: string;
}

/** A check that passes when the LEVEL Student-t interval of `samples` covers `exact`. */
export function covers(group: string, quantity: string, exact: number, samples: readonly number[]): Check {
  const e = estimate(samples, LEVEL);
  const pass = Math.abs(e.mean - exact) <= e.halfWidth;
  return { group, quantity, exact, mean: e.mean, halfWidth: e.halfWidth, n: e.n, pass };
}
