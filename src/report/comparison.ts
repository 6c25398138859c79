import { estimate, type Estimate } from '../metrics/stats.js';
import { showValue, type MetricInfo } from './metrics.js';

/** Mean and 95% CI of every numeric summary metric of one strategy over its replications. */
export interface StrategyEstimate {
  strategy: string;
  replications: number;
  metrics: Record<string, Estimate>;
}

const NOT_METRICS = new Set(['replication', 'seed']);

/**
 * Per strategy (in the given order), an estimate of every numeric column the
 * rows carry — known to this version or not — in order of first appearance.
 */
export function compareStrategies(strategies: readonly string[], rows: readonly Record<string, unknown>[]): StrategyEstimate[] {
  const keys: string[] = [];
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) if (typeof v === 'number' && !NOT_METRICS.has(k) && !keys.includes(k)) keys.push(k);
  }
  return strategies.map((strategy) => {
    const own = rows.filter((r) => r.strategy === strategy);
    const metrics: Record<string, Estimate> = {};
    for (const k of keys) metrics[k] = estimate(own.map((r) => r[k]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x)));
    return { strategy, replications: own.length, metrics };
  });
}

/**
 * The strategies with the best mean of `metric` as shown (values equal once
 * rounded for display tie). Empty when the metric has no better direction,
 * fewer than two strategies have a value, or all show the same value.
 */
export function bestStrategies(estimates: readonly StrategyEstimate[], metric: MetricInfo): Set<string> {
  if (metric.better === 'neither') return new Set();
  const shown = estimates
    .map((e) => ({ strategy: e.strategy, mean: e.metrics[metric.key]?.mean ?? NaN }))
    .filter((x) => Number.isFinite(x.mean))
    .map((x) => ({ ...x, key: Number(showValue({ digits: metric.digits }, x.mean * (metric.scale ?? 1)).replace(/,/g, '')) }));
  if (shown.length < 2) return new Set();
  const pick = metric.better === 'lower' ? Math.min : Math.max;
  const best = pick(...shown.map((x) => x.key));
  const winners = shown.filter((x) => x.key === best);
  return winners.length === shown.length ? new Set() : new Set(winners.map((x) => x.strategy));
}
