/**
 * The grid of a sweep: `--vary path=v1,v2,…` axes and their cartesian
 * product. Values are kept as the text the user gave (they are applied like
 * `--set` values, read as YAML); integer ranges `LO..HI` and `LO..HI:STEP`
 * expand to their members.
 */
import YAML from 'yaml';
import { InputError } from '../scenario/errors.js';
import { parsePath } from '../scenario/load.js';

/** One varied parameter: a scenario field path and its values, in the order given. */
export interface Axis {
  path: string;
  values: string[];
}

/** One point of the grid. */
export interface Cell {
  /** 1-based, in grid order (the last `--vary` changes fastest). */
  number: number;
  /** The value of each axis, as text, in axis order. */
  values: string[];
  /** `path=value` overrides that make this cell, applied after `--set`. */
  sets: string[];
}

/** Largest grid accepted (a typo such as 1..1000000 should not start a week of work). */
export const MAX_CELLS = 100_000;

/** Paths that cannot be varied, and why. */
const FORBIDDEN: Record<string, string> = {
  seed: 'every cell uses the same seeds (common random numbers); vary the workload with --replications instead',
};

/** Parses one `--vary path=v1,v2,…` (items may be ranges `LO..HI` or `LO..HI:STEP`). */
export function parseVary(spec: string, option = '--vary'): Axis {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new InputError(`${option}: expected path=v1,v2,… or path=LO..HI, got "${spec}"`);
  const path = spec.slice(0, eq).trim();
  try {
    parsePath(path, spec);
  } catch {
    throw new InputError(`${option}: expected a field path like fleet.servers or timeline[0].at, got "${path}"`);
  }
  const top = path.split(/[.[]/)[0]!;
  const why = FORBIDDEN[top];
  if (why !== undefined) throw new InputError(`${option} ${path}: cannot be varied: ${why}`);
  const values: string[] = [];
  for (const item of splitTopLevel(spec.slice(eq + 1))) {
    const text = item.trim();
    if (text === '') throw new InputError(`${option} ${path}: empty value in "${spec.slice(eq + 1)}" (expected v1,v2,… or LO..HI[:STEP])`);
    for (const v of expandRange(text, `${option} ${path}`)) {
      if (values.includes(v)) throw new InputError(`${option} ${path}: the value ${v} appears twice`);
      values.push(v);
      if (values.length > MAX_CELLS) throw new InputError(`${option} ${path}: more than ${MAX_CELLS} values`);
    }
  }
  return { path, values };
}

/** Parses every `--vary`; a path varied twice is an error. */
export function parseAxes(specs: readonly string[], option = '--vary'): Axis[] {
  const axes = specs.map((s) => parseVary(s, option));
  for (const [i, a] of axes.entries()) {
    if (axes.findIndex((b) => b.path === a.path) !== i) throw new InputError(`${option} ${a.path}: given twice; put all its values in one ${option}`);
  }
  let cells = 1;
  for (const a of axes) cells *= a.values.length;
  if (cells > MAX_CELLS) throw new InputError(`${option}: the grid has ${cells} cells, more than ${MAX_CELLS}; vary fewer values`);
  return axes;
}

/** `LO..HI` or `LO..HI:STEP` (integers, LO ≤ HI, STEP ≥ 1) → its members; anything else → itself. */
export function expandRange(text: string, what: string): string[] {
  if (!text.includes('..')) return [text];
  const m = /^(-?\d+)\.\.(-?\d+)(?::(\d+))?$/.exec(text);
  if (m === null) throw new InputError(`${what}: ranges are of integers, LO..HI or LO..HI:STEP, got "${text}"`);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  const step = m[3] === undefined ? 1 : Number(m[3]);
  if (lo > hi) throw new InputError(`${what}: range ${text}: LO must not exceed HI`);
  if (step < 1) throw new InputError(`${what}: range ${text}: STEP must be ≥ 1`);
  if ((hi - lo) / step >= MAX_CELLS) throw new InputError(`${what}: range ${text} has more than ${MAX_CELLS} values`);
  const out: string[] = [];
  for (let v = lo; v <= hi; v += step) out.push(String(v));
  return out;
}

/** Splits on commas outside brackets, braces and quotes, so YAML lists and mappings can be values. */
export function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const ch of text) {
    if (quote !== null) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

/** The cartesian product of the axes, the last axis changing fastest. No axes: one cell. */
export function gridCells(axes: readonly Axis[]): Cell[] {
  const cells: Cell[] = [];
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  for (let k = 0; k < total; k++) {
    const values: string[] = [];
    let rest = k;
    for (let i = axes.length - 1; i >= 0; i--) {
      const n = axes[i]!.values.length;
      values.unshift(axes[i]!.values[rest % n]!);
      rest = Math.floor(rest / n);
    }
    cells.push({ number: k + 1, values, sets: axes.map((a, i) => `${a.path}=${values[i]!}`) });
  }
  return cells;
}

/** "fleet.servers=4, workload.arrivals.rate=2". */
export function describeCell(axes: readonly Axis[], cell: Cell): string {
  return axes.map((a, i) => `${a.path}=${cell.values[i]!}`).join(', ');
}

/** A value as a number if YAML reads it as one (for a numeric chart axis), else undefined. */
export function numericValue(text: string): number | undefined {
  try {
    const v: unknown = YAML.parse(text);
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
