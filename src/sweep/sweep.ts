/**
 * Running a sweep into its directory: claim it (sweep.json), skip the cells
 * already finished there, run the rest through `runTasks` a few cells at a
 * time, writing each cell's file as soon as its batch is done, then — unless
 * this is a shard — draw the result files from all the cells.
 */
import { join, resolve } from 'node:path';
import { runTasks } from '../parallel/tasks.js';
import { toJson } from '../report/runFiles.js';
import { cellFile, cellText, readCell, type CellData } from './cells.js';
import { atomicWrite, claimSweepDir, inPlace } from './dir.js';
import type { Cell } from './grid.js';
import { writeSweepOutputs } from './outputs.js';
import { shardCells, type Shard } from './shard.js';
import { cellTasks, validateCells, type SweepMeta, type SweepSpec } from './spec.js';

export interface SweepRunOptions {
  out: string;
  force: boolean;
  shard?: Shard | undefined;
  /** Passed to runTasks; results never depend on it. */
  workers: number;
  /** After each run: runs done and to do in this invocation, and the cell now running. */
  onRun?: (done: number, total: number, cell: string) => void;
}

export interface SweepOutcome {
  dir: string;
  /** The cells this invocation is responsible for (the shard's, or all). */
  cells: number;
  /** Cells run now. */
  computed: number;
  /** Cells found finished in the directory. */
  skipped: number;
  /** Cell files found damaged (wrong rows or columns) and run again. */
  redone: string[];
  /** The result files written (none for a shard: `merge` writes them). */
  files: string[];
}

/** sweep.json's text: the sweep's metadata, plus, for a shard, which one and its cells. */
export function metaText(meta: SweepMeta, shard: Shard | undefined, cells: readonly Cell[]): string {
  if (shard === undefined) return toJson(meta);
  const { resolved, ...head } = meta;
  return toJson({ ...head, shard: { index: shard.index, count: shard.count, cells: cells.map((c) => c.number) }, resolved });
}

/** Cells per call to runTasks: one on one thread; on a pool, enough runs to keep every worker busy. */
export function batchSize(workers: number, runsPerCell: number): number {
  return workers <= 1 ? 1 : Math.max(1, Math.ceil((4 * workers) / runsPerCell));
}

export async function runSweep(spec: SweepSpec, opts: SweepRunOptions): Promise<SweepOutcome> {
  const mine = shardCells(spec.cells, opts.shard);
  validateCells(spec, mine);
  const dir = resolve(opts.out);
  claimSweepDir(dir, metaText(spec.meta, opts.shard, mine), opts.force);

  const pending: Cell[] = [];
  const redone: string[] = [];
  for (const cell of mine) {
    const found = readCell(dir, spec.meta, cell);
    if (typeof found === 'string') redone.push(`${cellFile(spec.meta, cell.number)} (${found})`);
    if (found === undefined || typeof found === 'string') pending.push(cell);
  }

  const runsPerCell = spec.strategies.length * spec.meta.replications;
  const total = pending.length * runsPerCell;
  const size = batchSize(opts.workers, runsPerCell);
  for (let b = 0; b < pending.length; b += size) {
    const batch = pending.slice(b, b + size);
    const tasks = batch.flatMap((cell) => cellTasks(spec, cell));
    const results = await runTasks(tasks, {
      workers: opts.workers,
      onDone: (done) => opts.onRun?.(b * runsPerCell + done, total, `cell ${batch[Math.min(Math.floor(done / runsPerCell), batch.length - 1)]!.number}`),
    });
    for (const [i, cell] of batch.entries()) {
      atomicWrite(join(dir, cellFile(spec.meta, cell.number)), cellText(spec.meta, cell, results.slice(i * runsPerCell, (i + 1) * runsPerCell)));
    }
  }

  let files: string[] = [];
  if (opts.shard === undefined) {
    const cells = spec.cells.map((cell) => {
      const data = readCell(dir, spec.meta, cell);
      if (data === undefined || typeof data === 'string') throw new Error(`cell ${cell.number} missing after the sweep: ${String(data)}`);
      return data;
    }) satisfies CellData[];
    files = await writeSweepOutputs(inPlace(dir), spec.meta, cells);
  }
  return { dir, cells: mine.length, computed: pending.length, skipped: mine.length - pending.length, redone, files };
}
