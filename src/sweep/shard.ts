/**
 * Sharding a sweep over a batch engine's array of tasks. Shard i of n
 * (0-based, 0 ≤ i < n) runs cells i+1, i+1+n, i+1+2n, … (interleaved, so
 * each shard gets a share of every region of the grid and shards take about
 * the same time). The shard comes from `--shard i/n`, else from the
 * environment of the batch engine:
 *
 * - Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` (0 … completions−1); the
 *   count from `--shards` or `STICKYSIM_SHARDS` (set it to `completions`).
 * - Slurm job array: `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` (÷
 *   `SLURM_ARRAY_TASK_STEP` if set); the count from `--shards`,
 *   `STICKYSIM_SHARDS` or `SLURM_ARRAY_TASK_COUNT`.
 */
import { InputError } from '../scenario/errors.js';
import type { Cell } from './grid.js';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
  /** Where it came from, for messages: "--shard", "Kubernetes JOB_COMPLETION_INDEX", "Slurm SLURM_ARRAY_TASK_ID". */
  source: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** `i/n` → shard i of n. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (m === null) throw new InputError(`--shard: expected i/n with 0 ≤ i < n (e.g. 0/4), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new InputError(`--shard ${text}: the number of shards must be ≥ 1`);
  if (index >= count) throw new InputError(`--shard ${text}: shards are numbered from 0 to ${count - 1}`);
  return { index, count, source: '--shard' };
}

function wholeNumber(v: string | undefined, what: string, min: number): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  if (!/^\s*-?\d+\s*$/.test(v) || Number(v) < min) throw new InputError(`${what}: expected a whole number ≥ ${min}, got "${v}"`);
  return Number(v);
}

/**
 * The shard this process runs, or undefined for the whole sweep: `--shard`
 * if given, else the batch engine's environment (see the module comment).
 */
export function resolveShard(opts: { shard?: string | undefined; shards?: number | undefined }, env: Env): Shard | undefined {
  const shards = opts.shards;
  if (shards !== undefined && (!Number.isInteger(shards) || shards < 1)) throw new InputError(`--shards: expected a whole number ≥ 1, got ${shards}`);
  if (opts.shard !== undefined) {
    const s = parseShard(opts.shard);
    if (shards !== undefined && shards !== s.count) throw new InputError(`--shards ${shards} contradicts --shard ${opts.shard}`);
    return s;
  }
  const k8s = wholeNumber(env['JOB_COMPLETION_INDEX'], 'JOB_COMPLETION_INDEX', 0);
  if (k8s !== undefined) {
    const count = shards ?? wholeNumber(env['STICKYSIM_SHARDS'], 'STICKYSIM_SHARDS', 1);
    if (count === undefined) {
      throw new InputError('JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but the number of shards is not: set STICKYSIM_SHARDS to the Job\'s completions, or pass --shards');
    }
    return checked({ index: k8s, count, source: 'Kubernetes JOB_COMPLETION_INDEX' });
  }
  const id = wholeNumber(env['SLURM_ARRAY_TASK_ID'], 'SLURM_ARRAY_TASK_ID', 0);
  if (id !== undefined) {
    const min = wholeNumber(env['SLURM_ARRAY_TASK_MIN'], 'SLURM_ARRAY_TASK_MIN', 0) ?? 0;
    const step = wholeNumber(env['SLURM_ARRAY_TASK_STEP'], 'SLURM_ARRAY_TASK_STEP', 1) ?? 1;
    const count = shards ?? wholeNumber(env['STICKYSIM_SHARDS'], 'STICKYSIM_SHARDS', 1) ?? wholeNumber(env['SLURM_ARRAY_TASK_COUNT'], 'SLURM_ARRAY_TASK_COUNT', 1);
    if (count === undefined) throw new InputError('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: pass --shards or set STICKYSIM_SHARDS');
    if ((id - min) % step !== 0) throw new InputError(`SLURM_ARRAY_TASK_ID ${id} is not SLURM_ARRAY_TASK_MIN ${min} plus a multiple of SLURM_ARRAY_TASK_STEP ${step}: use a range such as --array=0-${count - 1}`);
    return checked({ index: (id - min) / step, count, source: 'Slurm SLURM_ARRAY_TASK_ID' });
  }
  if (shards !== undefined) throw new InputError('--shards needs --shard, or JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm) in the environment');
  return undefined;
}

function checked(s: Shard): Shard {
  if (s.index < 0 || s.index >= s.count) {
    throw new InputError(`${s.source} gives shard ${s.index}, outside 0…${s.count - 1} for ${s.count} shards: the array must be numbered 0 to ${s.count - 1} (--array=0-${s.count - 1}, completions: ${s.count})`);
  }
  return s;
}

/** The cells of shard i of n: the (i+1)-th, (i+1+n)-th, … */
export function shardCells<T extends Pick<Cell, 'number'>>(cells: readonly T[], shard: Pick<Shard, 'index' | 'count'> | undefined): T[] {
  if (shard === undefined) return [...cells];
  return cells.filter((c) => (c.number - 1) % shard.count === shard.index);
}
