/**
 * What a sweep is, before anything runs: the base scenario (file + `--set`),
 * the grid, the strategies, the replications and their seeds, and the
 * metadata written to sweep.json. Two sweeps with equal metadata produce
 * byte-identical files, which is what resuming and merging rely on.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { replicationSeed } from '../engine/random.js';
import type { RunTask } from '../parallel/tasks.js';
import { toJson } from '../report/runFiles.js';
import { InputError } from '../scenario/errors.js';
import { loadScenario, parseScenario, selectStrategies, type Scenario } from '../scenario/load.js';
import type { ScenarioDoc } from '../scenario/schema.js';
import { runCost, type RunCost } from '../scenario/estimate.js';
import { VERSION } from '../version.js';
import { describeCell, gridCells, parseAxes, type Axis, type Cell } from './grid.js';

export interface SweepRequest {
  file: string;
  /** `--set` overrides (with `--seed` and `--duration`), applied before the grid's. */
  sets: readonly string[];
  /** `--vary` specs. */
  vary: readonly string[];
  strategies?: readonly string[] | undefined;
  replications: number;
  /** How each of `sets` was written on the command line, and the scenario size limit (see LoadOptions). */
  names?: readonly string[] | undefined;
  maxBytes?: number | undefined;
}

/** The contents of sweep.json (a shard adds `shard`). */
export interface SweepMeta {
  stickysim: string;
  kind: 'sweep';
  fingerprint: string;
  scenario: string;
  file: string;
  description: string;
  seed: number;
  replications: number;
  /** Seed of replication r at index r−1: the same in every cell, for every strategy. */
  seeds: number[];
  strategies: { label: string; name: string; options: Record<string, unknown> }[];
  vary: Axis[];
  cells: number;
  /** The base scenario (file + `--set`) with every default filled in. */
  resolved: ScenarioDoc;
}

export interface SweepSpec {
  meta: SweepMeta;
  file: string;
  sets: readonly string[];
  /** How each of `sets` was written on the command line. */
  names?: readonly string[] | undefined;
  axes: Axis[];
  cells: Cell[];
  /** Strategy labels, in order. */
  strategies: string[];
}

/** Most replications accepted: their seeds are listed in sweep.json, and an interval is as tight as it gets long before. */
export const MAX_REPLICATIONS = 100_000;

export function checkReplications(r: number, min = 1): number {
  if (!Number.isInteger(r) || r < min) throw new InputError(`--replications: expected a whole number ≥ ${min}, got ${r}`);
  if (r > MAX_REPLICATIONS) throw new InputError(`--replications: expected at most ${MAX_REPLICATIONS.toLocaleString('en-US')}, got ${r}`);
  return r;
}

/** Reads the scenario and the grid; checks the arguments (not yet every cell: see {@link validateCells}). */
export function prepareSweep(req: SweepRequest): SweepSpec {
  const replications = checkReplications(req.replications);
  if (req.vary.length === 0) throw new InputError('--vary: expected at least one, e.g. --vary fleet.servers=4,6,8');
  const axes = parseAxes(req.vary);
  const base = loadScenario(req.file, req.sets, { ...(req.names ? { names: req.names } : {}), ...(req.maxBytes ? { maxBytes: req.maxBytes } : {}) });
  const strategies = selectStrategies(base, req.strategies);
  const cells = gridCells(axes);
  const seeds = Array.from({ length: replications }, (_, i) => replicationSeed(base.seed, i + 1));
  const strategyMeta = strategies.map((s) => ({ label: s.label, name: s.name, options: s.options }));
  const fingerprint = createHash('sha256')
    .update(toJson({ version: VERSION, name: base.name, scenario: base.doc, strategies: strategyMeta, seed: base.seed, replications, vary: axes }))
    .digest('hex')
    .slice(0, 16);
  const meta: SweepMeta = {
    stickysim: VERSION,
    kind: 'sweep',
    fingerprint,
    scenario: base.name,
    file: req.file,
    description: base.description,
    seed: base.seed,
    replications,
    seeds,
    strategies: strategyMeta,
    vary: axes,
    cells: cells.length,
    resolved: base.doc,
  };
  return { meta, file: req.file, sets: req.sets, names: req.names, axes, cells, strategies: strategies.map((s) => s.label) };
}

/**
 * Loads the scenario of each cell, so that a bad value fails before anything
 * runs: one line naming the cell. Each strategy must exist in every cell.
 * Returns what each cell's runs would cost (in `cells` order).
 */
export function validateCells(spec: SweepSpec, cells: readonly Cell[]): RunCost[][] {
  const text = readFileSync(spec.file, 'utf8');
  const byValue = new Map<string, RunCost[]>();
  for (const axis of spec.axes) {
    for (const v of axis.values) {
      const sc = cellScenario(spec, text, [`${axis.path}=${v}`], `--vary ${axis.path}=${v}`);
      if (spec.axes.length === 1) byValue.set(v, cellCosts(spec, sc));
    }
  }
  // One axis: every cell was loaded above; more: each cell is a combination, loaded now.
  if (spec.axes.length === 1) return cells.map((cell) => byValue.get(cell.values[0]!)!);
  return cells.map((cell) => cellCosts(spec, cellScenario(spec, text, cell.sets, `--vary cell ${cell.number} (${describeCell(spec.axes, cell)})`)));
}

/** What one run of each of the sweep's strategies costs in this cell's scenario. */
function cellCosts(spec: SweepSpec, sc: Scenario): RunCost[] {
  return selectStrategies(sc, spec.strategies).map((s) => runCost(sc.config, s));
}

/**
 * The scenario of `sets` (one value of an axis, or a cell of several), checked.
 * A value at fault is named as the flag that gave it (`--vary fleet.servers=0: …`;
 * in a cell of several axes, the cell: its values may be fine alone).
 */
function cellScenario(spec: SweepSpec, text: string, sets: readonly string[], what: string): Scenario {
  try {
    const names = [...(spec.names ?? spec.sets.map((s) => `--set ${s}`)), ...sets.map((s) => (sets.length === 1 ? `--vary ${s}` : what))];
    const sc = parseScenario(text, spec.file, [...spec.sets, ...sets], { names });
    selectStrategies(sc, spec.strategies);
    return sc;
  } catch (e) {
    // A value of the grid at fault names itself (--vary fleet.servers=0: …); anything else is said of this cell.
    if (e instanceof InputError) throw e.message.startsWith('--vary ') ? e : new InputError(`${what}: ${e.message}`);
    throw e;
  }
}

/** The runs of one cell: every strategy × every replication, strategy-major (as `run` orders them). */
export function cellTasks(spec: SweepSpec, cell: Cell): RunTask[] {
  const sets = [...spec.sets, ...cell.sets];
  return spec.strategies.flatMap((strategy) =>
    spec.meta.seeds.map((seed, i) => ({ file: spec.file, sets, strategy, replication: i + 1, seed })),
  );
}
