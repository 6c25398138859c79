/**
 * Capacity planning: per strategy, the smallest value of one parameter that
 * meets every SLO with 95% confidence, by binary search.
 *
 * The search assumes the parameter is monotone in its values' order: if a
 * value meets the SLOs, every later value does too (more servers, more
 * workers, a bigger cache). It then evaluates at most ⌈log2(n + 1)⌉ of the n
 * values per strategy, each with every replication. A value meets an SLO
 * `metric<=x` when the upper end of the metric's 95% Student-t interval is
 * ≤ x (`>=`: the lower end ≥ x), so at least 2 replications are needed.
 * Replication r uses the same seed at every value and for every strategy
 * (common random numbers), which keeps the measured curve close to monotone.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { replicationSeed } from '../engine/random.js';
import { SUMMARY_COLUMNS, type Summary } from '../metrics/results.js';
import { estimate, type Estimate } from '../metrics/stats.js';
import { TaskRunner, type RunTask } from '../parallel/tasks.js';
import { toJson } from '../report/runFiles.js';
import { InputError } from '../scenario/errors.js';
import { estimate as costOf, runCost, type Estimate as Cost, type RunCost } from '../scenario/estimate.js';
import { loadScenario, parseScenario, selectStrategies, type ResolvedStrategy, type Scenario } from '../scenario/load.js';
import { VERSION } from '../version.js';
import { parseAxes, type Axis } from './grid.js';
import { checkReplications } from './spec.js';

export type SloOp = '<=' | '>=' | '<' | '>';

export interface Slo {
  /** As given, normalised: "latency_p99_ms<=250". */
  text: string;
  metric: keyof Summary;
  op: SloOp;
  threshold: number;
}

/** `metric<=x`, `metric>=x` (also `<`, `>`, `≤`, `≥`); x may end in % (0.1% = 0.001). */
export function parseSlo(text: string): Slo {
  const m = /^\s*([A-Za-z0-9_]+)\s*(<=|>=|≤|≥|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(%?)\s*$/.exec(text);
  if (m === null) throw new InputError(`--slo: expected metric<=value or metric>=value (e.g. 'latency_p99_ms<=250'), got "${text}"`);
  const metric = m[1]!;
  if (!(SUMMARY_COLUMNS as readonly string[]).includes(metric)) {
    throw new InputError(`--slo ${text}: unknown metric "${metric}": expected one of ${SUMMARY_COLUMNS.join(', ')}`);
  }
  const op = ({ '≤': '<=', '≥': '>=' } as Record<string, SloOp>)[m[2]!] ?? (m[2] as SloOp);
  const threshold = Number(m[3]) / (m[4] === '%' ? 100 : 1);
  return { text: `${metric}${op}${String(threshold)}`, metric: metric as keyof Summary, op, threshold };
}

/** The end of the interval an SLO is judged on: the upper end for ≤, the lower for ≥. */
export function judgedBound(slo: Slo, est: Estimate): number {
  return slo.op === '<=' || slo.op === '<' ? est.mean + est.halfWidth : est.mean - est.halfWidth;
}

/** Whether an estimate meets an SLO with 95% confidence (never with an undefined interval). */
export function meets(slo: Slo, est: Estimate): boolean {
  const b = judgedBound(slo, est);
  if (!Number.isFinite(b)) return false;
  switch (slo.op) {
    case '<=':
      return b <= slo.threshold;
    case '<':
      return b < slo.threshold;
    case '>=':
      return b >= slo.threshold;
    case '>':
      return b > slo.threshold;
  }
}

export interface PlanRequest {
  file: string;
  sets: readonly string[];
  /** The one `--vary` (values in the order the search assumes monotone). */
  vary: readonly string[];
  slos: readonly string[];
  strategies?: readonly string[] | undefined;
  replications: number;
  /** How each of `sets` was written on the command line, and the scenario size limit (see LoadOptions). */
  names?: readonly string[] | undefined;
  maxBytes?: number | undefined;
}

export interface PlanSpec {
  file: string;
  sets: readonly string[];
  /** How each of `sets` was written on the command line. */
  names?: readonly string[] | undefined;
  scenario: string;
  description: string;
  seed: number;
  seeds: number[];
  axis: Axis;
  slos: Slo[];
  strategies: { label: string; name: string; options: Record<string, unknown> }[];
  fingerprint: string;
  resolved: unknown;
}

export const DEFAULT_PLAN_REPLICATIONS = 5;

export function preparePlan(req: PlanRequest): PlanSpec {
  if (req.vary.length !== 1) throw new InputError(`--vary: plan searches one parameter, e.g. --vary fleet.servers=1..64; got ${req.vary.length}`);
  if (req.slos.length === 0) throw new InputError("--slo: expected at least one, e.g. --slo 'latency_p99_ms<=250'");
  const slos = req.slos.map(parseSlo);
  const replications = checkReplications(req.replications, 2);
  const axis = parseAxes(req.vary)[0]!;
  const base = loadScenario(req.file, req.sets, { ...(req.names ? { names: req.names } : {}), ...(req.maxBytes ? { maxBytes: req.maxBytes } : {}) });
  const strategies = selectStrategies(base, req.strategies).map((s) => ({ label: s.label, name: s.name, options: s.options }));
  const seeds = Array.from({ length: replications }, (_, i) => replicationSeed(base.seed, i + 1));
  const fingerprint = createHash('sha256')
    .update(toJson({ version: VERSION, name: base.name, scenario: base.doc, strategies, seed: base.seed, replications, vary: axis, slos: slos.map((s) => s.text) }))
    .digest('hex')
    .slice(0, 16);
  return { file: req.file, sets: req.sets, names: req.names, scenario: base.name, description: base.description, seed: base.seed, seeds, axis, slos, strategies, fingerprint, resolved: base.doc };
}

/** One evaluated value for one strategy. */
export interface PlanPoint {
  strategy: string;
  /** Index into the axis values. */
  index: number;
  value: string;
  /** Search round (1-based) in which it was evaluated. */
  round: number;
  /** Every summary metric over the replications. */
  estimates: Record<string, Estimate>;
  meets: boolean;
  /** The SLOs it misses. */
  missed: Slo[];
}

export interface PlanAnswer {
  strategy: string;
  /** The smallest value meeting every SLO, or null if none in the range does. */
  value: string | null;
  /** The point at the answer, or, with no answer, at the last value evaluated (the largest). */
  at: PlanPoint;
  /** In evaluation order. */
  evaluated: PlanPoint[];
}

/** Most values any strategy's search evaluates over n values. */
export function maxEvaluations(n: number): number {
  return Math.ceil(Math.log2(n + 1));
}

/** Values checked before the search: all of a short list, the two ends of a long range (the rest as they are reached). */
const CHECK_ALL_UP_TO = 200;

/** The scenario at the `index`-th value of the searched parameter, checked: a bad value fails naming itself. */
function planValue(spec: PlanSpec, text: string, index: number): { sets: string[]; strategies: ResolvedStrategy[]; scenario: Scenario } {
  const set = `${spec.axis.path}=${spec.axis.values[index]!}`;
  const sets = [...spec.sets, set];
  const names = [...(spec.names ?? spec.sets.map((s) => `--set ${s}`)), `--vary ${set}`];
  try {
    const scenario = parseScenario(text, spec.file, sets, { names });
    return { sets, scenario, strategies: selectStrategies(scenario, spec.strategies.map((s) => s.label)) };
  } catch (e) {
    if (e instanceof InputError) throw e.message.startsWith('--vary ') ? e : new InputError(`--vary ${set}: ${e.message}`);
    throw e;
  }
}

/**
 * What a plan would cost at most: every strategy evaluated at the most
 * values a binary search evaluates, each at the costliest value (every
 * value of a short list, the two ends of a long range), every replication.
 */
export function planCost(spec: PlanSpec, workers: number): Cost {
  const text = readFileSync(spec.file, 'utf8');
  const n = spec.axis.values.length;
  const worst = spec.strategies.map(() => undefined as RunCost | undefined);
  for (const i of n <= CHECK_ALL_UP_TO ? spec.axis.values.keys() : [0, n - 1]) {
    const { scenario, strategies } = planValue(spec, text, i);
    strategies.forEach((s, k) => {
      const c = runCost(scenario.config, s);
      if (worst[k] === undefined || c.seconds + c.bytes / 1e9 > worst[k]!.seconds + worst[k]!.bytes / 1e9) worst[k] = c;
    });
  }
  const times = maxEvaluations(n) * spec.seeds.length;
  return costOf(worst.map((cost) => ({ cost: cost!, times })), { workers, held: spec.strategies.length * spec.seeds.length, output: false });
}

/**
 * Binary search per strategy, all strategies in lockstep: each round runs
 * every strategy's next value (× replications) at once, all rounds on one
 * pool of workers.
 */
export async function runPlan(spec: PlanSpec, opts: { workers: number; onRound?: (round: number, runs: number) => void }): Promise<PlanAnswer[]> {
  const n = spec.axis.values.length;
  const text = readFileSync(spec.file, 'utf8');
  const labels = spec.strategies.map((s) => s.label);
  const check = (index: number) => planValue(spec, text, index).sets;
  for (const i of n <= CHECK_ALL_UP_TO ? spec.axis.values.keys() : [0, n - 1]) check(i);
  const state = spec.strategies.map((s) => ({ label: s.label, lo: 0, hi: n, evaluated: [] as PlanPoint[] }));
  const runner = new TaskRunner(opts.workers);
  try {
    for (let round = 1; state.some((s) => s.lo < s.hi); round++) {
      const active = state.filter((s) => s.lo < s.hi).map((s) => ({ s, mid: Math.floor((s.lo + s.hi) / 2) }));
      const tasks: RunTask[] = [];
      for (const { s, mid } of active) {
        const sets = check(mid);
        for (const [i, seed] of spec.seeds.entries()) tasks.push({ file: spec.file, sets, strategy: s.label, replication: i + 1, seed });
      }
      opts.onRound?.(round, tasks.length);
      const results = await runner.run(tasks);
      const R = spec.seeds.length;
      for (const [k, { s, mid }] of active.entries()) {
        const runs = results.slice(k * R, (k + 1) * R).map((r) => r.metrics.summary as unknown as Record<string, number>);
        const estimates: Record<string, Estimate> = {};
        for (const key of SUMMARY_COLUMNS) estimates[key] = estimate(runs.map((r) => r[key]!));
        const missed = spec.slos.filter((slo) => !meets(slo, estimates[slo.metric]!));
        s.evaluated.push({ strategy: s.label, index: mid, value: spec.axis.values[mid]!, round, estimates, meets: missed.length === 0, missed });
        if (missed.length === 0) s.hi = mid;
        else s.lo = mid + 1;
      }
    }
  } finally {
    await runner.close();
  }
  return state.map((s) => {
    const found = s.lo < n;
    const at = found ? s.evaluated.find((p) => p.index === s.lo)! : s.evaluated.reduce((a, b) => (b.index > a.index ? b : a));
    return { strategy: s.label, value: found ? spec.axis.values[s.lo]! : null, at, evaluated: s.evaluated };
  });
}
