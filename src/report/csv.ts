import { stringify } from 'csv-stringify/sync';
import { SUMMARY_COLUMNS } from '../metrics/results.js';
import type { ExperimentResult } from '../simulation/experiment.js';
import { formatCell } from './format.js';
import { batchRows, comparisonRows, pairedRows } from './statistics.js';

export const SERVER_COLUMNS = [
  'server',
  'workers',
  'requests',
  'up_time_s',
  'busy_time_s',
  'request_rate',
  'utilization',
  'queue_mean',
  'sessions_held_mean',
  'sessions_held_max',
] as const;

export const TIMESERIES_COLUMNS = [
  'window',
  'start_s',
  'end_s',
  'measured',
  'server',
  'requests',
  'utilization',
  'queue_mean',
  'sessions_held',
  'up',
] as const;

const KEYS = ['scenario', 'strategy', 'replication', 'seed'] as const;

export const COMPARISON_COLUMNS = ['strategy', 'metric', 'mean', 'sd', 'ci95_low', 'ci95_high', 'replications'] as const;
export const PAIRED_COLUMNS = ['strategy', 'baseline', 'metric', 'mean_diff', 'ci95_low', 'ci95_high', 'replications', 'significant'] as const;

export const BATCH_COLUMNS = [
  'strategy', 'replication', 'metric', 'mean', 'sd', 'ci95_low', 'ci95_high', 'batches', 'windows_per_batch', 'lag1_autocorrelation',
] as const;

function table(columns: readonly string[], rows: Record<string, unknown>[]): string {
  return stringify(
    rows.map((r) => columns.map((c) => formatCell(r[c]))),
    { header: true, columns: columns as string[], record_delimiter: '\n' },
  );
}

/** The three CSV files of a run, as text: summary, servers, timeseries. */
export function experimentCsv(scenario: string, result: ExperimentResult): Record<'summary.csv' | 'servers.csv' | 'timeseries.csv', string> {
  const summary: Record<string, unknown>[] = [];
  const servers: Record<string, unknown>[] = [];
  const windows: Record<string, unknown>[] = [];
  for (const run of result.runs) {
    const key = { scenario, strategy: run.strategy, replication: run.replication, seed: run.seed };
    summary.push({ ...key, ...run.metrics.summary });
    for (const s of run.metrics.servers) servers.push({ ...key, ...s });
    for (const w of run.metrics.windows) windows.push({ ...key, ...w });
  }
  return {
    'summary.csv': table([...KEYS, ...SUMMARY_COLUMNS], summary),
    'servers.csv': table([...KEYS, ...SERVER_COLUMNS], servers),
    'timeseries.csv': table([...KEYS, ...TIMESERIES_COLUMNS], windows),
  };
}

/**
 * The statistics across replications, as text: comparison.csv (mean, sd and
 * 95% CI of every metric of every strategy) and paired.csv (differences from
 * the baseline, replication by replication). Intervals are empty with one
 * replication.
 */
export function statisticsCsv(result: ExperimentResult, baseline: string): Record<'comparison.csv' | 'paired.csv', string> {
  return {
    'comparison.csv': table(COMPARISON_COLUMNS, comparisonRows(result) as unknown as Record<string, unknown>[]),
    'paired.csv': table(PAIRED_COLUMNS, pairedRows(result, baseline) as unknown as Record<string, unknown>[]),
  };
}

/** batch-means.csv: for every run, every steady-state metric by `k` batch means of its measured window. */
export function batchMeansCsv(result: ExperimentResult, k: number): string {
  return table(BATCH_COLUMNS, batchRows(result, k) as unknown as Record<string, unknown>[]);
}
