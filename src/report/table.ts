import type { Summary } from '../metrics/results.js';
import { estimate } from '../metrics/stats.js';
import type { ExperimentResult } from '../simulation/experiment.js';

interface Column {
  title: string;
  metric: keyof Summary;
  /** Shown value from the metric's value. */
  scale?: number;
  digits: number;
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
  { title: 'dropped', metric: 'dropped', digits: 0 },
  { title: 'failed', metric: 'failed', digits: 0 },
];

function fmt(v: number, digits: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });
}

/**
 * The comparison as an aligned text table, one row per strategy. With several
 * replications each cell is `mean ± half-width` of the 95% confidence interval.
 */
export function comparisonTable(result: ExperimentResult): string {
  const header = ['strategy', ...TABLE_COLUMNS.map((c) => c.title)];
  const rows: string[][] = [];
  for (const strategy of result.strategies) {
    const runs = result.runs.filter((r) => r.strategy === strategy);
    const cells = TABLE_COLUMNS.map((c) => {
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
