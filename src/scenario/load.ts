import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, extname } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import type { SimConfig } from '../model/config.js';
import type { ClientSpec } from '../model/clients.js';
import type { ArrivalSpec } from '../model/workload.js';
import { ALL_STRATEGY_NAMES, findStrategy, type StrategyInstance, type BuildContext } from '../strategies/registry.js';
import { InputError } from './errors.js';
import { didYouMean } from './suggest.js';
import { formatBytes } from './estimate.js';
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

/**
 * Largest scenario file read: 1 MiB. Scenarios are a few kB (the largest
 * shipped one is under 3 kB); a bigger file is a mistake (a log, a binary)
 * or an attempt to exhaust memory, and is refused before it is parsed.
 * `--max-scenario-bytes` raises the limit.
 */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

export interface LoadOptions {
  /**
   * How each override was given on the command line, for messages (index by
   * index with `sets`): `--set fleet.servers=0`, `--duration 1e15`,
   * `--vary fleet.servers=0`. Default: `--set <the set>`.
   */
  names?: readonly string[];
  /** Largest file read, in bytes (default {@link MAX_SCENARIO_BYTES}). */
  maxBytes?: number;
}

/** Reads, overrides, validates and resolves a scenario file. Throws {@link InputError}. */
export function loadScenario(file: string, sets: readonly string[] = [], opts: LoadOptions = {}): Scenario {
  return parseScenario(readScenarioText(file, opts.maxBytes ?? MAX_SCENARIO_BYTES), file, sets, opts);
}

/**
 * The text of a scenario file, refused (InputError) above `max` bytes before
 * it is parsed. Read in pieces, so that a pipe or a device (`/dev/zero`),
 * whose size is not known in advance, is refused too.
 */
export function readScenarioText(file: string, max: number): string {
  const cannot = (e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    return new InputError(`${file}: cannot read the scenario (${code === 'ENOENT' ? 'no such file' : code ?? String(e)})`);
  };
  const tooBig = (size: number | undefined) =>
    new InputError(
      `${file}: ${size === undefined ? `is larger than ${formatBytes(max)}` : `is ${formatBytes(size)}`}, more than the ${formatBytes(max)} a scenario file may be (scenarios are a few kB); pass --max-scenario-bytes ${size === undefined ? 'N' : size} to read it anyway`,
    );
  let fd: number;
  try {
    // `-`: the scenario comes on standard input (`… | stickysim validate -`).
    fd = file === '-' ? 0 : openSync(file, 'r');
  } catch (e) {
    throw cannot(e);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > max) throw tooBig(size);
    const chunks: Buffer[] = [];
    const buf = Buffer.allocUnsafe(64 * 1024);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw tooBig(size > 0 ? total : undefined);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    throw e instanceof InputError ? e : cannot(e);
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

export function parseScenario(text: string, file: string, sets: readonly string[] = [], opts: LoadOptions = {}): Scenario {
  const raw = parseDocument(text, file);
  for (const set of sets) applySet(raw, set);
  const origin = blamer(file, sets, opts.names);
  const doc = validate(raw, origin);
  const name = doc.name ?? (file === '-' ? 'stdin' : basename(file, extname(file)));
  return {
    name,
    file,
    sets: [...sets],
    description: doc.description.trim(),
    seed: doc.seed,
    doc,
    strategies: resolveStrategies(doc.strategies, origin),
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
      ...(doc.balancers !== undefined && doc.balancers.replicas > 1 ? { balancers: doc.balancers } : {}),
    },
  };
}

/**
 * Who a problem at a field path is to be blamed on: the command-line
 * override that set that field or one enclosing it (the last one given,
 * as it is the one that took effect), else the scenario file. `exact` when
 * the override set that very field: its value is then the value at fault.
 */
type Blamer = (paths: readonly (readonly PropertyKey[])[]) => { who: string; exact: boolean; byFlag: boolean };

function blamer(file: string, sets: readonly string[], names: readonly string[] | undefined): Blamer {
  const parsed = sets.map((set) => {
    try {
      return parsePath(set.slice(0, set.indexOf('=')), set);
    } catch {
      return undefined;
    }
  });
  return (paths) => {
    for (let i = sets.length - 1; i >= 0; i--) {
      const at = parsed[i];
      if (at === undefined) continue;
      for (const p of paths) {
        if (at.length <= p.length && at.every((k, j) => String(k) === String(p[j]))) {
          return { who: names?.[i] ?? `--set ${sets[i]!}`, exact: at.length === p.length && p === paths[0], byFlag: true };
        }
      }
    }
    return { who: file, exact: false, byFlag: false };
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

function resolveClients({ nat, subnets, mobile, connection, ...rest }: ScenarioDoc['workload']['clients']): ClientSpec {
  const c = connection ? (connection.reuse === 'session' ? { ...connection, idleTimeout: Infinity, maxRequests: Infinity } : connection) : undefined;
  return { ...rest, ...(nat ? { nat } : {}), ...(subnets ? { subnets } : {}), ...(mobile ? { mobile } : {}), ...(c ? { connection: c } : {}) };
}

function resolveArrivals(a: ScenarioDoc['workload']['arrivals']): ArrivalSpec {
  const steps = 'rate' in a ? [{ at: 0, rate: a.rate }] : a.schedule;
  const out: ArrivalSpec = { steps };
  if (a.daily !== undefined) out.daily = a.daily;
  if (a.bursts !== undefined && a.bursts.length > 0) out.bursts = a.bursts;
  return out;
}

/**
 * Most alias expansions a YAML scenario may make (the yaml package's
 * default): a scenario has no need of aliases at all, and nine levels of
 * nine aliases would expand to 9⁹ nodes.
 */
export const MAX_ALIAS_COUNT = 100;

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
    try {
      raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      // The yaml package stops a "billion laughs" document (aliases of aliases) with a ReferenceError.
      if (e instanceof ReferenceError && /alias/i.test(e.message)) {
        throw new InputError(
          `${file}: too many aliases: its YAML references (*name) would expand to more than ${MAX_ALIAS_COUNT} copies of their anchors, as a document built to exhaust memory does; write the values out instead`,
        );
      }
      if (e instanceof RangeError) throw new InputError(`${file}: invalid YAML: nested too deeply`);
      throw e;
    }
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

function validate(raw: unknown, origin: Blamer): ScenarioDoc {
  const r = scenarioSchema.safeParse(raw, { reportInput: true, error: numberWords });
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const issue = furthest(i);
    const { who, exact } = origin(issuePaths(issue));
    return `${who}: ${formatIssue(issue, exact)}`;
  });
  const more = lines.length > 1 ? ` (and ${lines.length - 1} more)` : '';
  throw new InputError(`${lines[0]!}${more}`, lines);
}

/**
 * The field paths an issue is about: its own; for unknown fields, each of
 * them; for a check of several fields (`params.related`), those as well.
 */
function issuePaths(issue: z.core.$ZodIssue): PropertyKey[][] {
  if (issue.code === 'unrecognized_keys') return issue.keys.length === 1 ? [[...issue.path, issue.keys[0]!]] : [[...issue.path], ...issue.keys.map((k) => [...issue.path, k])];
  const related = issue.code === 'custom' ? ((issue.params as { related?: PropertyKey[][] } | undefined)?.related ?? []) : [];
  return [[...issue.path], ...related];
}

/** A number's bounds and kind, read from its schema's checks. */
function numberShape(schema: unknown): { int: boolean; min?: [number, boolean]; max?: [number, boolean] } | undefined {
  const def = (schema as { _zod?: { def?: { type?: string; checks?: { _zod: { def: Record<string, unknown> } }[] } } } | undefined)?._zod?.def;
  if (def?.type !== 'number') return undefined;
  const shape: { int: boolean; min?: [number, boolean]; max?: [number, boolean] } = { int: false };
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === 'number_format' && /int/.test(String(d.format))) shape.int = true;
    else if (d.check === 'greater_than') shape.min = [d.value as number, d.inclusive === true];
    else if (d.check === 'less_than') shape.max = [d.value as number, d.inclusive === true];
  }
  return shape;
}

/** 100000 → "100,000"; 0.5 → "0.5". */
function fmtNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) >= 10_000 ? n.toLocaleString('en-US') : String(n);
}

/**
 * Numbers in words, with the number's own bounds: "expected an integer ≥ 1",
 * "expected a finite number ≥ 0" (for NaN or infinity, which YAML writes
 * `.nan` and `.inf`), instead of zod's "expected number to be >=1".
 */
export const numberWords = (iss: z.core.$ZodRawIssue): string | undefined => {
  const shape = numberShape((iss as { schema?: unknown }).schema ?? iss.inst);
  if (shape === undefined) return undefined;
  const kind = shape.int ? 'an integer' : 'a number';
  const lower = shape.min && `${shape.min[1] ? '≥' : '>'} ${fmtNumber(shape.min[0])}`;
  const upper = shape.max && `${shape.max[1] ? '≤' : '<'} ${fmtNumber(shape.max[0])}`;
  if (iss.code === 'too_small' && lower !== undefined) return `expected ${kind} ${lower}`;
  if (iss.code === 'too_big' && upper !== undefined) return `expected ${kind} ${upper}`;
  if (iss.code === 'invalid_type') {
    const range = [lower, upper].filter((x) => x !== undefined).join(' and ');
    return `expected ${shape.int ? 'an integer' : 'a finite number'}${range ? ` ${range}` : ''}`;
  }
  return undefined;
};

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

/**
 * One line: the field path, what was expected, what was given. `bare` (when
 * the value at fault was given on the command line, which names the field
 * and the value already): what was expected only.
 */
/**
 * The field names a mapping at `path` of `schema` may have (for did-you-mean;
 * empty where the path leads to no single mapping): through defaults,
 * optionals, transforms, lists, and the union members that are mappings.
 */
export function fieldsAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  type Def = { type?: string; innerType?: unknown; in?: unknown; out?: unknown; element?: unknown; options?: unknown[]; shape?: Record<string, unknown> };
  const def = (x: unknown): Def | undefined => (x as { _zod?: { def?: Def } } | undefined)?._zod?.def;
  const unwrap = (x: unknown): unknown[] => {
    const d = def(x);
    if (d === undefined) return [];
    if (d.type === 'optional' || d.type === 'nullable' || d.type === 'default' || d.type === 'prefault' || d.type === 'readonly') return unwrap(d.innerType);
    if (d.type === 'pipe') return unwrap(d.in);
    if (d.type === 'union') return (d.options ?? []).flatMap(unwrap);
    return [x];
  };
  let nodes = unwrap(schema);
  for (const key of path) {
    nodes = nodes.flatMap((n) => {
      const d = def(n)!;
      if (d.type === 'object' && typeof key === 'string' && d.shape?.[key] !== undefined) return unwrap(d.shape[key]);
      if (d.type === 'array' && typeof key === 'number') return unwrap(d.element);
      return [];
    });
  }
  return [...new Set(nodes.flatMap((n) => (def(n)?.type === 'object' ? Object.keys(def(n)!.shape ?? {}) : [])))];
}

export function formatIssue(issue: z.core.$ZodIssue, bare = false): string {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    const known = fieldsAt(scenarioSchema, issue.path);
    const hint = issue.keys.length === 1 && known.length > 0 ? didYouMean(String(issue.keys[0]), known) : '';
    const words = `unknown field${keys.length > 1 ? 's' : ''}${hint} (check the spelling; \`stickysim schema\` lists every field)`;
    return bare ? words : `${keys.join(', ')}: ${words}`;
  }
  // A check of several fields (params.related) says what it found in its message: its input is the whole document.
  const related = issue.code === 'custom' && (issue.params as { related?: unknown } | undefined)?.related !== undefined;
  let given = 'input' in issue && !related ? issue.input : undefined;
  // A bad discriminator (dist, event, name) reports its parent mapping: show the value itself.
  if (issue.code === 'invalid_union' && 'discriminator' in issue && given !== null && typeof given === 'object') {
    given = (given as Record<string, unknown>)[String(issue.discriminator)];
  }
  let message = issue.message;
  if (issue.code === 'invalid_type' && given === undefined) message = `missing required field (expected ${issue.expected})`;
  else if (!/^expected/i.test(message)) message = message.replace(/^(Invalid input|Too small|Too big|Invalid option|Invalid string): /, '').replace(/^Invalid discriminator value\. Expected /, 'expected ');
  if (bare) return lowerFirst(message);
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

function resolveStrategies(entries: ScenarioDoc['strategies'], origin: Blamer): ResolvedStrategy[] {
  const at = (i: number, problem: string) => {
    const { who, exact } = origin([['strategies', i]]);
    return new InputError(`${who}: ${exact ? '' : `strategies[${i}]: `}${problem}`);
  };
  const out: ResolvedStrategy[] = [];
  for (const [i, entry] of entries.entries()) {
    // Entries given as mappings were validated (and defaulted) by the scenario schema already.
    const resolved =
      typeof entry === 'string' ? resolveStrategy(entry) : validatedStrategy(entry as { name: string; label?: string });
    const problem = findStrategy(resolved.name)!.check?.(resolved.options);
    if (problem !== undefined) throw at(i, problem);
    const label = typeof entry === 'string' ? undefined : (entry as { label?: string }).label;
    if (label !== undefined) resolved.label = label;
    if (out.some((s) => s.label === resolved.label)) {
      throw at(i, `"${resolved.label}" appears twice; give variants a distinct \`label\``);
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
  if (def === undefined) throw new InputError(`unknown strategy "${name}"${didYouMean(name, ALL_STRATEGY_NAMES)}: expected one of ${ALL_STRATEGY_NAMES.join(', ')}`);
  const r = def.options.safeParse(options, { error: numberWords });
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
      throw new InputError(`--strategies: unknown strategy "${n}"${didYouMean(n, known)}: expected one of ${known.join(', ')}`);
    }
  }
  return out;
}
