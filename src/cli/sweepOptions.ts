/** Options shared by `sweep` and `plan` (the commands of issue #6 built on runTasks). */
import { availableParallelism } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import type { Argv } from 'yargs';
import { InputError } from '../scenario/errors.js';

export function workersOption<T>(y: Argv<T>) {
  return y.option('workers', { type: 'number', describe: 'Worker threads for the runs (default: the number of cores); results never depend on it' });
}

/** --workers, or the number of cores. */
export function workersFrom(argv: Record<string, unknown>): number {
  const w = argv.workers;
  if (w === undefined) return availableParallelism();
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 1) throw new InputError(`--workers: expected a whole number ≥ 1, got ${String(w)}`);
  return w;
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
