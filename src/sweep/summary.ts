/**
 * Per cell × strategy × metric estimates (mean and 95% Student-t interval
 * over the replications), computed from the cell files' text so that a
 * resumed, a merged and an uninterrupted sweep give the same bytes.
 */
import { SUMMARY_COLUMNS } from '../metrics/results.js';
import { estimate, type Estimate } from '../metrics/stats.js';
import { formatNumber } from '../report/format.js';
import { csvText, type CellData } from './cells.js';
import type { SweepMeta } from './spec.js';

export interface CellEstimate {
  cell: number;
  /** The varied values, in axis order. */
  values: string[];
  strategy: string;
  metrics: Record<string, Estimate>;
}

/** A number as written in a results CSV ('' is undefined, 'inf' infinite). */
export function parseNumber(text: string): number {
  if (text === '') return NaN;
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}

/** One estimate per cell × strategy, in sweep.csv order. */
export function cellEstimates(meta: SweepMeta, cells: readonly CellData[]): CellEstimate[] {
  const axes = meta.vary.length;
  const first = 2 + axes + 3;
  const out: CellEstimate[] = [];
  for (const cell of cells) {
    for (const [s, strategy] of meta.strategies.entries()) {
      const rows = cell.rows.slice(s * meta.replications, (s + 1) * meta.replications);
      const metrics: Record<string, Estimate> = {};
      for (const [m, key] of SUMMARY_COLUMNS.entries()) metrics[key] = estimate(rows.map((r) => parseNumber(r[first + m]!)));
      out.push({ cell: cell.number, values: cell.rows[0]!.slice(2, 2 + axes), strategy: strategy.label, metrics });
    }
  }
  return out;
}

export function summaryColumns(meta: Pick<SweepMeta, 'vary'>): string[] {
  return ['scenario', 'cell', ...meta.vary.map((a) => a.path), 'strategy', 'metric', 'n', 'mean', 'ci95_low', 'ci95_high'];
}

/** sweep-summary.csv: one row per cell × strategy × summary column; the interval is empty for one replication. */
export function summaryCsv(meta: SweepMeta, estimates: readonly CellEstimate[]): string {
  const rows: string[][] = [];
  for (const e of estimates) {
    for (const key of SUMMARY_COLUMNS) {
      const est = e.metrics[key]!;
      rows.push([
        meta.scenario,
        String(e.cell),
        ...e.values,
        e.strategy,
        key,
        String(est.n),
        formatNumber(est.mean),
        formatNumber(est.mean - est.halfWidth),
        formatNumber(est.mean + est.halfWidth),
      ]);
    }
  }
  return csvText(summaryColumns(meta), rows);
}
