/**
 * The per-cell result files, `cells/cell-NNNN.csv`: the rows of sweep.csv
 * for one cell, with sweep.csv's header. Each is written whole (temporary
 * file, then rename), so a file that exists is a finished cell: that is what
 * makes a sweep resumable, and what shards hand to `merge`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SUMMARY_COLUMNS } from '../metrics/results.js';
import type { TaskResult } from '../parallel/tasks.js';
import { formatCell } from '../report/format.js';
import type { Cell } from './grid.js';
import type { SweepMeta } from './spec.js';

export const CELLS_DIR = 'cells';

/** sweep.csv's columns: the run's identity, the varied parameters, then every summary column. */
export function sweepColumns(meta: Pick<SweepMeta, 'vary'>): string[] {
  return ['scenario', 'cell', ...meta.vary.map((a) => a.path), 'strategy', 'replication', 'seed', ...SUMMARY_COLUMNS];
}

/** "cells/cell-0007.csv" (at least 4 digits; more for grids of 10,000 cells or more). */
export function cellFile(meta: Pick<SweepMeta, 'cells'>, n: number): string {
  return join(CELLS_DIR, `cell-${String(n).padStart(Math.max(4, String(meta.cells).length), '0')}.csv`);
}

export function csvText(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return stringify([header, ...rows] as string[][], { record_delimiter: '\n' });
}

/** The rows of one cell from its runs (in {@link cellTasks} order). */
export function cellRows(meta: SweepMeta, cell: Cell, results: readonly TaskResult[]): string[][] {
  const R = meta.replications;
  return results.map((res, k) => {
    const strategy = meta.strategies[Math.floor(k / R)]!.label;
    const r = (k % R) + 1;
    const summary = res.metrics.summary as unknown as Record<string, unknown>;
    return [meta.scenario, String(cell.number), ...cell.values, strategy, String(r), String(meta.seeds[r - 1]!), ...SUMMARY_COLUMNS.map((c) => formatCell(summary[c]))];
  });
}

export function cellText(meta: SweepMeta, cell: Cell, results: readonly TaskResult[]): string {
  return csvText(sweepColumns(meta), cellRows(meta, cell, results));
}

/** A cell file read back and checked. */
export interface CellData {
  number: number;
  /** The file's exact text. */
  text: string;
  rows: string[][];
}

/**
 * Reads `text` as cell `cell` of the sweep: the header, the number of rows,
 * and each row's identity (scenario, cell, values, strategy, replication,
 * seed) must be what this sweep writes. Returns a reason when it is not.
 */
export function checkCell(meta: SweepMeta, cell: Cell, text: string): CellData | string {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: false }) as string[][];
  } catch (e) {
    return `not CSV (${(e as Error).message.split('\n')[0]})`;
  }
  const header = sweepColumns(meta);
  if (records.length === 0 || records[0]!.join(',') !== header.join(',')) return 'its columns are not those of this sweep';
  const rows = records.slice(1);
  const expected = meta.strategies.length * meta.replications;
  if (rows.length !== expected) return `${rows.length} rows instead of ${expected}`;
  const idWidth = 2 + cell.values.length + 3;
  for (const [k, row] of rows.entries()) {
    const r = (k % meta.replications) + 1;
    const want = [meta.scenario, String(cell.number), ...cell.values, meta.strategies[Math.floor(k / meta.replications)]!.label, String(r), String(meta.seeds[r - 1]!)];
    if (row.slice(0, idWidth).join('\u0000') !== want.join('\u0000')) return `row ${k + 2} is not ${want.slice(0, 2 + cell.values.length).join(', ')}, ${want.slice(-3).join(', ')}`;
  }
  return { number: cell.number, text, rows };
}

/** The cell's file in `dir`, if present and valid; a reason string if present but not valid; undefined if absent. */
export function readCell(dir: string, meta: SweepMeta, cell: Cell): CellData | string | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, cellFile(meta, cell.number)), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return checkCell(meta, cell, text);
}

/** Names of the finished cell files in `dir` (temporary files excluded). */
export function listCellFiles(dir: string): string[] {
  try {
    return readdirSync(join(dir, CELLS_DIR)).filter((f) => /^cell-\d+\.csv$/.test(f)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
