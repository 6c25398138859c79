import { batchMeans, type BatchMeans, type BatchMetric } from '../metrics/batchMeans.js';
import { SUMMARY_COLUMNS, type Summary } from '../metrics/results.js';
import { estimate, pairedDifference, significant, type Estimate } from '../metrics/stats.js';
import type { ExperimentResult } from '../simulation/experiment.js';

/** One strategy × metric over the replications: comparison.csv. */
export interface ComparisonRow {
  strategy: string;
  metric: keyof Summary;
  mean: number;
  sd: number;
  ci95_low: number;
  ci95_high: number;
  replications: number;
}

/** One strategy × metric, paired against the baseline replication by replication: paired.csv. */
export interface PairedRow {
  strategy: string;
  baseline: string;
  metric: keyof Summary;
  mean_diff: number;
  ci95_low: number;
  ci95_high: number;
  replications: number;
  /** The CI excludes 0; undefined (written empty) with a single replication. */
  significant: boolean | undefined;
}

/** A metric's values for one strategy, in replication order. */
export function samples(result: ExperimentResult, strategy: string, metric: keyof Summary): number[] {
  return result.runs
    .filter((r) => r.strategy === strategy)
    .sort((a, b) => a.replication - b.replication)
    .map((r) => r.metrics.summary[metric]);
}

const interval = (e: Estimate) => ({ ci95_low: e.mean - e.halfWidth, ci95_high: e.mean + e.halfWidth });

/** Mean, sd and 95% CI of every summary metric of every strategy. */
export function comparisonRows(result: ExperimentResult): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const strategy of result.strategies) {
    for (const metric of SUMMARY_COLUMNS) {
      const e = estimate(samples(result, strategy, metric));
      rows.push({ strategy, metric, mean: e.mean, sd: e.sd, ...interval(e), replications: e.n });
    }
  }
  return rows;
}

/**
 * Every strategy but the baseline, every summary metric: the mean of the
 * per-replication differences (strategy − baseline) and its 95% CI. Within a
 * replication both saw the same workload (common random numbers), so the
 * difference is the strategies' own.
 */
export function pairedRows(result: ExperimentResult, baseline: string): PairedRow[] {
  const rows: PairedRow[] = [];
  for (const strategy of result.strategies) {
    if (strategy === baseline) continue;
    for (const metric of SUMMARY_COLUMNS) {
      const e = pairedDifference(samples(result, strategy, metric), samples(result, baseline, metric));
      rows.push({ strategy, baseline, metric, mean_diff: e.mean, ...interval(e), replications: e.n, significant: significant(e) });
    }
  }
  return rows;
}

/** One strategy × replication × metric by the method of batch means: batch-means.csv. */
export interface BatchRow {
  strategy: string;
  replication: number;
  metric: BatchMetric;
  mean: number;
  sd: number;
  ci95_low: number;
  ci95_high: number;
  batches: number;
  windows_per_batch: number;
  lag1_autocorrelation: number;
}

/** Batch means of every run (strategy × replication), `k` batches each. */
export function batchRuns(result: ExperimentResult, k: number): { strategy: string; replication: number; bm: BatchMeans }[] {
  return result.runs.map((r) => ({ strategy: r.strategy, replication: r.replication, bm: batchMeans(r.metrics.windowTotals, k) }));
}

export function batchRows(result: ExperimentResult, k: number): BatchRow[] {
  return batchRuns(result, k).flatMap(({ strategy, replication, bm }) =>
    bm.estimates.map((e) => ({
      strategy,
      replication,
      metric: e.metric,
      mean: e.mean,
      sd: e.sd,
      ...interval(e),
      batches: bm.batches,
      windows_per_batch: bm.windowsPerBatch,
      lag1_autocorrelation: e.lag1,
    })),
  );
}
