import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import type { SimConfig } from '../model/config.js';
import type { ClientSpec } from '../model/clients.js';
import type { ArrivalSpec } from '../model/workload.js';
import { ALL_STRATEGY_NAMES, findStrategy, type StrategyInstance, type BuildContext } from '../strategies/registry.js';
import { InputError } from './errors.js';
import { scenarioSchema, type ScenarioDoc } from './schema.js';

/** A strategy as a scenario uses it: a registry entry, its options, and its name in results. */
export interface ResolvedStrategy {
  label: string;
  name: string;
  options: Record<string, unknown>;
  build: (ctx: BuildContext) => StrategyInstance;
}

export interface Scenario {
  name: string;
  file: string;
  /** The `--set` overrides it was loaded with (so a worker thread can load the same scenario). */
  sets: readonly string[];
  description: string;
  seed: number;
  config: SimConfig;
  strategies: ResolvedStrategy[];
  /** The validated document with every default filled in (for run.json). */
  doc: ScenarioDoc;
}

/** Reads, overrides, validates and resolves a scenario file. Throws {@link InputError}. */
export function loadScenario(file: string, sets: readonly string[] = []): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: cannot read the scenario (${code === 'ENOENT' ? 'no such file' : code ?? String(e)})`);
  }
  return parseScenario(text, file, sets);
}

export function parseScenario(text: string, file: string, sets: readonly string[] = []): Scenario {
  const raw = parseDocument(text, file);
  for (const set of sets) applySet(raw, set);
  const doc = validate(raw, file);
  const name = doc.name ?? basename(file, extname(file));
  return {
    name,
    file,
    sets: [...sets],
    description: doc.description.trim(),
    seed: doc.seed,
    doc,
    strategies: resolveStrategies(doc.strategies, file),
    config: {
      duration: doc.duration,
      warmup: doc.warmup,
      window: doc.window,
      workload: {
        arrivals: resolveArrivals(doc.workload.arrivals),
        requests: doc.workload.requests,
        think: doc.workload.think,
        service: doc.workload.service,
        logoutProbability: doc.workload.logoutProbability,
        clients: resolveClients(doc.workload.clients),
      },
      fleet: resolveFleet(doc.fleet),
      timeline: doc.timeline,
    },
  };
}

function resolveFleet({ servers, healthCheck, autoscale, ...template }: ScenarioDoc['fleet']): SimConfig['fleet'] {
  const initial =
    typeof servers === 'number'
      ? Array.from({ length: servers }, () => ({}))
      : servers.flatMap((g) => Array.from({ length: g.count }, () => ({ ...(g.workers ? { workers: g.workers } : {}), ...(g.weight ? { weight: g.weight } : {}) })));
  // null (e.g. `--set fleet.healthCheck=null`) switches an optional part off.
  return { ...template, initial, ...(healthCheck ? { healthCheck } : {}), ...(autoscale ? { autoscale } : {}) };
}

function resolveClients({ nat, subnets, mobile, ...rest }: ScenarioDoc['workload']['clients']): ClientSpec {
  return { ...rest, ...(nat ? { nat } : {}), ...(subnets ? { subnets } : {}), ...(mobile ? { mobile } : {}) };
}

function resolveArrivals(a: ScenarioDoc['workload']['arrivals']): ArrivalSpec {
  const steps = 'rate' in a ? [{ at: 0, rate: a.rate }] : a.schedule;
  const out: ArrivalSpec = { steps };
  if (a.daily !== undefined) out.daily = a.daily;
  if (a.bursts !== undefined && a.bursts.length > 0) out.bursts = a.bursts;
  return out;
}

function parseDocument(text: string, file: string): Record<string, unknown> {
  let raw: unknown;
  if (extname(file).toLowerCase() === '.json') {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new InputError(`${file}: invalid JSON: ${(e as Error).message}`);
    }
  } else {
    const doc = YAML.parseDocument(text, { uniqueKeys: true });
    const err = doc.errors[0];
    if (err !== undefined) {
      const pos = err.linePos?.[0];
      const where = pos ? `:${pos.line}:${pos.col}` : '';
      throw new InputError(`${file}${where}: invalid YAML: ${err.message.split('\n')[0]}`);
    }
    raw = doc.toJS();
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(`${file}: expected a scenario mapping (name, workload, fleet, …), got ${describe(raw)}`);
  }
  return raw as Record<string, unknown>;
}

/** `--set a.b[2].c=value`: the value is read as YAML, so numbers, booleans, lists and strings all work. */
export function applySet(doc: Record<string, unknown>, set: string): void {
  const eq = set.indexOf('=');
  if (eq <= 0) throw new InputError(`--set: expected path=value, got "${set}"`);
  const path = parsePath(set.slice(0, eq), set);
  if (typeof path[0] !== 'string') throw new InputError(`--set: expected a field path like fleet.servers or timeline[0].at, got "${set}"`);
  let value: unknown;
  try {
    value = YAML.parse(set.slice(eq + 1));
  } catch {
    value = set.slice(eq + 1);
  }
  let node: Record<string | number, unknown> = doc;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    let child = node[key];
    if (child === undefined || child === null) {
      child = typeof path[i + 1] === 'number' ? [] : {};
      node[key] = child;
    }
    if (typeof child !== 'object') {
      throw new InputError(`--set ${set}: ${path.slice(0, i + 1).join('.')} is ${describe(child)}, not a mapping or list`);
    }
    node = child as Record<string | number, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

export function parsePath(text: string, set: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const piece of text.split('.')) {
    const m = /^([A-Za-z_][\w-]*)?((?:\[\d+\])*)$/.exec(piece);
    if (m === null || (m[1] === undefined && m[2] === '')) throw new InputError(`--set: expected a field path like fleet.servers or timeline[0].at, got "${set}"`);
    if (m[1] !== undefined) parts.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) parts.push(Number(idx[1]));
  }
  return parts;
}

function validate(raw: unknown, file: string): ScenarioDoc {
  const r = scenarioSchema.safeParse(raw, { reportInput: true });
  if (r.success) return r.data;
  const issue = furthest(r.error.issues[0]!);
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : '';
  throw new InputError(`${file}: ${formatIssue(issue)}${more}`);
}

/**
 * For a value no branch of a union accepts, the issue of the branch that got
 * furthest into it (`strategies[0].balance: …` rather than "expected a
 * strategy name or …"), when one got past the union's own level.
 */
function furthest(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || !Array.isArray(issue.errors)) return issue;
  let best: z.core.$ZodIssue | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first === undefined) continue;
    const inner = furthest({ ...first, path: [...issue.path, ...first.path] } as z.core.$ZodIssue);
    if (best === undefined || inner.path.length > best.path.length) best = inner;
  }
  return best !== undefined && best.path.length > issue.path.length ? best : issue;
}

/** One line: the field path, what was expected, what was given. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    return `${keys.join(', ')}: unknown field${keys.length > 1 ? 's' : ''} (check the spelling; \`stickysim schema\` lists every field)`;
  }
  let given = 'input' in issue ? issue.input : undefined;
  // A bad discriminator (dist, event, name) reports its parent mapping: show the value itself.
  if (issue.code === 'invalid_union' && 'discriminator' in issue && given !== null && typeof given === 'object') {
    given = (given as Record<string, unknown>)[String(issue.discriminator)];
  }
  let message = issue.message;
  if (issue.code === 'invalid_type' && given === undefined) message = `missing required field (expected ${issue.expected})`;
  else if (!/^expected/i.test(message)) message = message.replace(/^(Invalid input|Too small|Too big|Invalid option|Invalid string): /, '').replace(/^Invalid discriminator value\. Expected /, 'expected ');
  const got = given === undefined ? '' : `, got ${describe(given)}`;
  return `${path || '(top level)'}: ${lowerFirst(message)}${got}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

function resolveStrategies(entries: ScenarioDoc['strategies'], file: string): ResolvedStrategy[] {
  const out: ResolvedStrategy[] = [];
  for (const [i, entry] of entries.entries()) {
    // Entries given as mappings were validated (and defaulted) by the scenario schema already.
    const resolved =
      typeof entry === 'string' ? resolveStrategy(entry) : validatedStrategy(entry as { name: string; label?: string });
    const problem = findStrategy(resolved.name)!.check?.(resolved.options);
    if (problem !== undefined) throw new InputError(`${file}: strategies[${i}]: ${problem}`);
    const label = typeof entry === 'string' ? undefined : (entry as { label?: string }).label;
    if (label !== undefined) resolved.label = label;
    if (out.some((s) => s.label === resolved.label)) {
      throw new InputError(`${file}: strategies[${i}]: "${resolved.label}" appears twice; give variants a distinct \`label\``);
    }
    out.push(resolved);
  }
  return out;
}

function validatedStrategy({ name, label: _label, ...options }: { name: string; label?: string }): ResolvedStrategy {
  const def = findStrategy(name)!;
  return { label: name, name, options, build: (ctx) => def.build(options, ctx) };
}

/** A registry strategy with its options validated and defaults filled in. */
export function resolveStrategy(name: string, options: Record<string, unknown> = {}): ResolvedStrategy {
  const def = findStrategy(name);
  if (def === undefined) throw new InputError(`unknown strategy "${name}": expected one of ${ALL_STRATEGY_NAMES.join(', ')}`);
  const r = def.options.safeParse(options);
  if (!r.success) throw new InputError(`strategy ${name}: ${formatIssue(r.error.issues[0]!)}`);
  const parsed = r.data as Record<string, unknown>;
  const problem = def.check?.(parsed);
  if (problem !== undefined) throw new InputError(`strategy ${name}: ${problem}`);
  return { label: name, name, options: parsed, build: (ctx) => def.build(parsed, ctx) };
}

/**
 * The strategies to run: the scenario's, or those named by `--strategies`
 * (labels of the scenario's, or any registry name with default options).
 */
export function selectStrategies(scenario: Scenario, names: readonly string[] | undefined): ResolvedStrategy[] {
  if (names === undefined || names.length === 0) return scenario.strategies;
  const out: ResolvedStrategy[] = [];
  for (const n of names) {
    const own = scenario.strategies.find((s) => s.label === n);
    if (own !== undefined) out.push(own);
    else if (findStrategy(n) !== undefined) out.push(resolveStrategy(n));
    else {
      const known = [...new Set([...scenario.strategies.map((s) => s.label), ...ALL_STRATEGY_NAMES])];
      throw new InputError(`--strategies: unknown strategy "${n}": expected one of ${known.join(', ')}`);
    }
  }
  return out;
}
