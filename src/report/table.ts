import type { Summary } from '../metrics/results.js';
import { estimate, pairedDifference, significant } from '../metrics/stats.js';
import type { ExperimentResult } from '../simulation/experiment.js';
import { batchRuns, samples } from './statistics.js';
import type { BatchMetric } from '../metrics/batchMeans.js';

interface Column {
  title: string;
  metric: keyof Summary;
  /** Shown value from the metric's value. */
  scale?: number;
  digits: number;
  /** Shown only when some run's value is not 0 (a figure most scenarios never have). */
  ifAny?: boolean;
}

/** The key metrics of the comparison, in reading order: loss, then imbalance, then what the user feels. */
export const TABLE_COLUMNS: readonly Column[] = [
  { title: 'sessions', metric: 'sessions', digits: 0 },
  { title: 'loss %', metric: 'session_loss_rate', scale: 100, digits: 2 },
  { title: 'rerouted', metric: 'loss_rerouted', digits: 0 },
  { title: 'srv-lost', metric: 'loss_server_lost', digits: 0 },
  { title: 'evicted', metric: 'loss_evicted', digits: 0 },
  { title: 'expired', metric: 'expired', digits: 0 },
  { title: 'max/mean', metric: 'imbalance_max_mean', digits: 3 },
  { title: 'win max/mean', metric: 'windowed_max_mean', digits: 3 },
  { title: 'Jain', metric: 'jain_index', digits: 4 },
  { title: 'util %', metric: 'utilization_mean', scale: 100, digits: 1 },
  { title: 'p50 ms', metric: 'latency_p50_ms', digits: 1 },
  { title: 'p99 ms', metric: 'latency_p99_ms', digits: 1 },
  { title: 'retry ms', metric: 'retry_delay_mean_ms', digits: 1, ifAny: true },
  { title: 'dropped', metric: 'dropped', digits: 0 },
  { title: 'failed', metric: 'failed', digits: 0 },
];

function fmt(v: number, digits: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });
}

/** With an explicit sign, and without a "-0". */
function signed(v: number, digits: number): string {
  const s = fmt(v, digits);
  return /^-?0(\.0*)?$/.test(s) ? fmt(0, digits) : v > 0 ? `+${s}` : s;
}

/** The key metrics of the paired comparison printed under the table. */
export const PAIRED_KEY_METRICS: readonly (keyof Summary)[] = ['session_loss_rate', 'imbalance_max_mean', 'windowed_max_mean', 'latency_p99_ms'];

/** Aligns rows of cells: the first column left, the rest right. */
function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
}

/**
 * The comparison as an aligned text table, one row per strategy. With several
 * replications each cell is `mean ± half-width` of the 95% confidence interval.
 * The retry delay (persist policy) has a column only when some request was delayed.
 */
export function comparisonTable(result: ExperimentResult): string {
  const columns = TABLE_COLUMNS.filter((c) => !c.ifAny || result.runs.some((r) => r.metrics.summary[c.metric] !== 0));
  const header = ['strategy', ...columns.map((c) => c.title)];
  const rows: string[][] = [];
  for (const strategy of result.strategies) {
    const runs = result.runs.filter((r) => r.strategy === strategy);
    const cells = columns.map((c) => {
      const e = estimate(runs.map((r) => r.metrics.summary[c.metric] * (c.scale ?? 1)));
      const m = fmt(e.mean, c.digits);
      return Number.isNaN(e.halfWidth) ? m : `${m} ± ${fmt(e.halfWidth, c.digits)}`;
    });
    rows.push([strategy, ...cells]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

/**
 * The paired comparison against the baseline, for the key metrics: the mean
 * difference (strategy − baseline) and its 95% CI, each marked `n.s.` when
 * the CI contains 0. With one replication it says that it needs two.
 */
export function pairedTable(result: ExperimentResult, baseline: string): string {
  const others = result.strategies.filter((s) => s !== baseline);
  if (others.length === 0) return '';
  if (result.replications < 2) {
    return `Paired differences against ${baseline} need at least 2 replications (--replications 2 or more); none computed.\n`;
  }
  const columns = PAIRED_KEY_METRICS.map((m) => TABLE_COLUMNS.find((c) => c.metric === m)!);
  const rows: string[][] = [['strategy', ...columns.map((c) => `Δ ${c.title}`)]];
  let notSignificant = 0;
  for (const strategy of others) {
    rows.push([
      strategy,
      ...columns.map((c) => {
        const scale = c.scale ?? 1;
        const xs = samples(result, strategy, c.metric).map((v) => v * scale);
        const e = pairedDifference(xs, samples(result, baseline, c.metric).map((v) => v * scale));
        const sig = significant(e);
        if (sig === false) notSignificant++;
        const digits = c.digits === 0 ? 1 : c.digits;
        return `${signed(e.mean, digits)} [${signed(e.mean - e.halfWidth, digits)}, ${signed(e.mean + e.halfWidth, digits)}]${sig ? '' : ' n.s.'}`;
      }),
    ]);
  }
  const lines = [
    `Paired differences from ${baseline} (strategy − ${baseline}, same workload in each replication; mean [95% CI] over ${result.replications} replications):`,
    ...align(rows),
  ];
  if (notSignificant > 0) {
    lines.push(`n.s. = not significant: the 95% CI contains 0, so these ${result.replications} replications cannot tell that strategy from ${baseline} on that metric.`);
  }
  return lines.join('\n') + '\n';
}

const BATCH_TABLE: readonly { title: string; metric: BatchMetric; scale?: number; digits: number }[] = [
  { title: 'throughput/s', metric: 'throughput_rps', digits: 2 },
  { title: 'util %', metric: 'utilization', scale: 100, digits: 1 },
  { title: 'in system', metric: 'in_system_mean', digits: 2 },
  { title: 'latency ms', metric: 'latency_mean_ms', digits: 1 },
  { title: 'wait ms', metric: 'wait_mean_ms', digits: 2 },
  { title: 'losses/1k', metric: 'losses_per_1k_requests', digits: 2 },
];

/**
 * Steady-state estimates of each run by the method of batch means: mean ±
 * 95% half-width from `k` batches of its measured window, and a warning when
 * successive batch means are correlated (lag-1 autocorrelation above 2/√k,
 * about where independent batches would put it by chance 1 time in 40).
 */
export function batchMeansTable(result: ExperimentResult, k: number): string {
  const runs = batchRuns(result, k);
  const first = runs[0]!.bm;
  const multi = result.replications > 1;
  const rows: string[][] = [['strategy', ...(multi ? ['rep'] : []), ...BATCH_TABLE.map((c) => c.title)]];
  const limit = 2 / Math.sqrt(k);
  let worst: { r: number; where: string } | undefined;
  for (const { strategy, replication, bm } of runs) {
    rows.push([
      strategy,
      ...(multi ? [String(replication)] : []),
      ...BATCH_TABLE.map((c) => {
        const e = bm.estimates.find((x) => x.metric === c.metric)!;
        const sc = c.scale ?? 1;
        return `${fmt(e.mean * sc, c.digits)} ± ${fmt(e.halfWidth * sc, c.digits)}`;
      }),
    ]);
    for (const e of bm.estimates) {
      if (e.lag1 > limit && (worst === undefined || e.lag1 > worst.r)) worst = { r: e.lag1, where: `${e.metric}, ${strategy}${multi ? ` replication ${replication}` : ''}` };
    }
  }
  const dropped = first.windowsDropped > 0 ? `; the first ${first.windowsDropped} measured windows left out` : '';
  const lines = [`Batch means: ${k} batches of ${first.windowsPerBatch} windows of each run's measured window (mean ± 95% CI half-width${dropped}):`, ...align(rows)];
  if (worst !== undefined) {
    lines.push(
      `warning: successive batch means are correlated (lag-1 autocorrelation ${worst.r.toFixed(2)} > ${limit.toFixed(2)}, ${worst.where}):`,
      `  the batches may be too short for independent means and these intervals too narrow; use fewer batches or a longer run.`,
    );
  }
  return lines.join('\n') + '\n';
}
