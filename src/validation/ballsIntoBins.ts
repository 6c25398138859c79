import { PowerOfTwo } from '../balancers/p2c.js';
import { RandomBalancer } from '../balancers/random.js';
import type { Balancer } from '../balancers/types.js';
import { stream } from '../engine/index.js';
import { estimate } from '../metrics/stats.js';
import { Fleet } from '../model/fleet.js';
import { placeholderSession, type Session } from '../model/session.js';
import { covers, LEVEL, type Check } from './check.js';
import { expectedMaxLoad, twoChoiceFluidLimit } from './theory.js';

/** The placeholder request a ball stands for (never served). */
const BALL: Session = placeholderSession();

/**
 * n balls into n bins through the simulator's own balancers: each ball is a
 * request queued at the server the balancer picks (`random` picks uniformly;
 * `p2c` the less loaded of two distinct random servers, by requests in
 * flight). Returns the load of every bin.
 */
function throwBalls(n: number, make: (u: () => number) => Balancer, seed: number): number[] {
  const fleet = new Fleet({ workers: 1, queueLimit: Infinity, sessionTtl: 1, sessionCapacity: Infinity }, n);
  const balancer = make(stream(seed, 'balls'));
  for (let i = 0; i < n; i++) balancer.pick(fleet)!.enqueue(BALL);
  return fleet.servers.map((s) => s.inflight);
}

/** Trials per n: enough for stable means of an integer maximum, within a few seconds. */
const TRIALS: Record<number, number> = { 1000: 200, 10_000: 100, 100_000: 30 };

/**
 * Maximum load of random and two-choice placement of n balls into n bins.
 * - random: the mean maximum must fall within the interval of the exact
 *   finite-n expectation (computed exactly from the multinomial law); the
 *   asymptote ln n / ln ln n is shown for scale only (its o(1) is large here).
 * - two choices: the asymptote ln ln n / ln 2 + O(1) has no finite-n value to
 *   cover, so pass means: the interval of the mean maximum lies within
 *   [−1, +2] of ln ln n / ln 2 (the O(1) term stays small and does not grow
 *   with n) and below random's mean maximum. The load distribution itself is
 *   checked against the fluid limit (the fractions of bins with ≥ 1, 2, 3
 *   balls) at the largest n.
 */
export function ballsChecks(opts: { quick: boolean; seed: number }): Check[] {
  const sizes = opts.quick ? [1000] : [1000, 10_000, 100_000];
  const out: Check[] = [];
  for (const n of sizes) {
    const trials = opts.quick ? 100 : TRIALS[n]!;
    const group = `balls into bins: n=${n.toLocaleString('en-US')} (${trials} trials)`;
    const random: number[] = [];
    const two: number[] = [];
    const fractions: number[][] = [[], [], []];
    for (let t = 0; t < trials; t++) {
      const seed = opts.seed * 1_000_003 + n + t;
      random.push(Math.max(...throwBalls(n, (u) => new RandomBalancer(u), seed)));
      const loads = throwBalls(n, (u) => new PowerOfTwo(u), seed);
      two.push(Math.max(...loads));
      for (let i = 1; i <= 3; i++) fractions[i - 1]!.push(loads.filter((x) => x >= i).length / n);
    }
    const lnln = Math.log(Math.log(n));
    const r = covers(group, `max load, random (ln n/ln ln n = ${(Math.log(n) / lnln).toFixed(2)})`, expectedMaxLoad(n), random);
    r.rule = 'exact = E[max load] of n balls in n bins, computed exactly from the multinomial law; the asymptote ln n/ln ln n is shown for scale only (its o(1) term is large at these n)';
    out.push(r);
    const e = estimate(two, LEVEL);
    const asymptote = lnln / Math.LN2;
    out.push({
      group,
      quantity: 'max load, two choices (p2c)',
      exact: asymptote,
      mean: e.mean,
      halfWidth: e.halfWidth,
      n: e.n,
      pass: e.mean - e.halfWidth >= asymptote - 1 && e.mean + e.halfWidth <= asymptote + 2 && e.mean < r.mean,
      rule: 'exact = the asymptote ln ln n/ln 2, which has no finite-n value; pass means the O(1) term is small and does not grow: the CI lies within [−1, +2] of ln ln n/ln 2, and the mean is below random placement\'s',
    });
    if (n === sizes[sizes.length - 1]) {
      const fluid = twoChoiceFluidLimit();
      for (let i = 1; i <= 3; i++) out.push(covers(group, `two choices: fraction of bins with ≥ ${i}`, fluid[i]!, fractions[i - 1]!));
    }
  }
  return out;
}
