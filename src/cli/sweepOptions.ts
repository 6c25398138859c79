/** Options shared by `sweep` and `plan` (the commands of issue #6 built on runTasks). */
import { availableParallelism } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import type { Argv } from 'yargs';
import { InputError } from '../scenario/errors.js';
import { COST, formatBytes } from '../scenario/estimate.js';

export function workersOption<T>(y: Argv<T>) {
  return y.option('workers', { type: 'number', describe: 'Worker threads for the runs (default: the number of cores); results never depend on it' });
}

/** More worker threads than this many per core are refused without --yes. */
export const WORKERS_PER_CORE = 4;

/**
 * --workers, or the number of cores. More than {@link WORKERS_PER_CORE} × the
 * cores is refused without --yes: threads beyond the cores run nothing
 * faster, and each costs memory (about 30 MB) and start-up time.
 */
export function workersFrom(argv: Record<string, unknown>, cores = availableParallelism()): number {
  const w = argv.workers;
  if (w === undefined) return cores;
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 1) throw new InputError(`--workers: expected a whole number ≥ 1, got ${String(w)}`);
  const most = WORKERS_PER_CORE * cores;
  if (w > most && argv.yes !== true) {
    throw new InputError(
      `--workers ${w}: more than ${WORKERS_PER_CORE} × the ${cores} core${cores === 1 ? '' : 's'} of this machine (${most}); threads beyond the cores run nothing faster and cost about ${Math.round(COST.workerBytes / 1e6)} MB of memory each (${formatBytes(w * COST.workerBytes)} in all); use --workers ${cores} (the default) or at most ${most}, or pass --yes`,
    );
  }
  return w;
}

/** --yes: run even when the estimate is beyond the limits. */
export function yesOption<T>(y: Argv<T>) {
  return y.option('yes', { type: 'boolean', default: false, describe: 'Run even when the estimate is beyond 2 hours or 4 GiB of memory, or --workers beyond 4 × the cores' });
}

/** A repeatable string option (given once: a string; several times: a list) as a list. */
export function repeated(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** A directory as printed: relative to the working directory when inside it, else absolute. */
export function shownPath(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? dir : rel;
}
