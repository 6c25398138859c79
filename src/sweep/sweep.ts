/**
 * Running a sweep into its directory: claim it (sweep.json), skip the cells
 * already finished there, run the rest on one {@link TaskRunner} (every run
 * queued at once, so no worker waits for a batch to finish), writing each
 * cell's file as soon as its last run is done, then — unless this is a shard
 * — draw the result files from all the cells.
 */
import { join, resolve } from 'node:path';
import { TaskRunner, type TaskResult } from '../parallel/tasks.js';
import { writeFailure } from '../report/output.js';
import { toJson } from '../report/runFiles.js';
import { InputError } from '../scenario/errors.js';
import { estimate, REFUSAL_ADVICE, refusal } from '../scenario/estimate.js';
import { CELLS_DIR, cellFile, cellText, listCellFiles, readCell, type CellData } from './cells.js';
import { atomicWrite, claimSweepDir, inPlace } from './dir.js';
import type { Cell } from './grid.js';
import { writeSweepOutputs } from './outputs.js';
import { shardCells, type Shard } from './shard.js';
import { cellTasks, validateCells, type SweepMeta, type SweepSpec } from './spec.js';

export interface SweepRunOptions {
  out: string;
  force: boolean;
  shard?: Shard | undefined;
  /** Worker threads; results never depend on it. */
  workers: number;
  /** Run even when the estimate is beyond the limits (`--yes`). */
  yes?: boolean;
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

export async function runSweep(spec: SweepSpec, opts: SweepRunOptions): Promise<SweepOutcome> {
  const mine = shardCells(spec.cells, opts.shard);
  const costs = validateCells(spec, mine);
  if (opts.yes !== true) {
    // The whole grid (of this shard), as if no cell were finished yet: the same answer before and after a resume.
    const runs = costs.flatMap((cell) => cell.map((cost) => ({ cost, times: spec.meta.replications })));
    const tooBig = refusal(estimate(runs, { workers: opts.workers, held: spec.strategies.length * spec.meta.replications, output: false }));
    if (tooBig !== undefined) throw new InputError(`sweep of ${spec.file}${spec.names?.length ? ` with ${spec.names.join(' ')}` : ''} (${mine.length} cell${mine.length === 1 ? '' : 's'}${opts.shard ? ` of shard ${opts.shard.index}/${opts.shard.count}` : ''}): ${tooBig}; ${REFUSAL_ADVICE}`);
  }
  const dir = resolve(opts.out);
  const { release } = claimSweepDir(opts.out, metaText(spec.meta, opts.shard, mine), opts.force);
  try {
    return await fillSweep(spec, opts, dir, mine);
  } catch (e) {
    // Every file is written whole or not at all: what is there is finished, and the same command resumes from it.
    const kept = listCellFiles(dir).length;
    throw writeFailure(e, `${opts.out}/`, `no file was left half-written; the ${kept} finished cell${kept === 1 ? ' is' : 's are'} kept in ${opts.out}/${CELLS_DIR}/, and the same command, run again once this is fixed, resumes from ${kept === 1 ? 'it' : 'them'}`);
  } finally {
    release();
  }
}

async function fillSweep(spec: SweepSpec, opts: SweepRunOptions, dir: string, mine: readonly Cell[]): Promise<SweepOutcome> {
  const pending: Cell[] = [];
  const redone: string[] = [];
  for (const cell of mine) {
    const found = readCell(dir, spec.meta, cell);
    if (typeof found === 'string') redone.push(`${cellFile(spec.meta, cell.number)} (${found})`);
    if (found === undefined || typeof found === 'string') pending.push(cell);
  }

  const runsPerCell = spec.strategies.length * spec.meta.replications;
  const tasks = pending.flatMap((cell) => cellTasks(spec, cell));
  // Each cell's runs, filled in as they finish; a cell is written when its last one is in.
  const results: TaskResult[][] = pending.map(() => new Array<TaskResult>(runsPerCell));
  const left = pending.map(() => runsPerCell);
  let done = 0;
  const runner = new TaskRunner(Math.max(1, Math.min(opts.workers, tasks.length)));
  try {
    await runner.run(tasks, (index, result) => {
      const c = Math.floor(index / runsPerCell);
      const cell = pending[c]!;
      results[c]![index % runsPerCell] = result;
      if (--left[c]! === 0) atomicWrite(join(dir, cellFile(spec.meta, cell.number)), cellText(spec.meta, cell, results[c]!));
      opts.onRun?.(++done, tasks.length, `cell ${cell.number}`);
    });
  } finally {
    await runner.close();
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
