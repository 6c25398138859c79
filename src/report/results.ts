/**
 * A results directory read back: the CSV files and run.json of a run, as
 * typed rows. Both `run` (from the text it has just written) and `report`
 * (from disk) build the report from this, so the two give identical files.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { SUMMARY_COLUMNS, type Summary, type WindowRow } from '../metrics/results.js';
import type { TimelineEvent } from '../model/timeline.js';
import { InputError } from '../scenario/errors.js';

export const RESULT_FILES = ['summary.csv', 'servers.csv', 'timeseries.csv', 'run.json'] as const;
export type ResultTexts = Record<(typeof RESULT_FILES)[number], string>;

/** One summary.csv row: every numeric column, known or not (missing known ones are NaN). */
export type SummaryRow = Summary & Record<string, number> & { strategy: string; replication: number };
export type WindowSample = WindowRow & { strategy: string; replication: number };
export interface ServerSample {
  strategy: string;
  replication: number;
  server: string;
  request_rate: number;
  sessions_held_mean: number;
  sessions_held_max: number;
}

/** What run.json says about the run, with the resolved scenario as written. */
export interface RunInfo {
  stickysim: string;
  scenario: string;
  file: string;
  description: string;
  seed: number;
  replications: number;
  strategies: { label: string; name: string; options: Record<string, unknown> }[];
  /** The fully resolved scenario (Infinity written as "unbounded"). */
  resolved: Record<string, unknown>;
}

export interface Results {
  run: RunInfo;
  /** Strategy labels in run order. */
  strategies: string[];
  /** Replications of each strategy, in order. */
  summary: SummaryRow[];
  /** Per server of one replication per strategy (1, or the lowest present). */
  servers: ServerSample[];
  /** Per window and server of one replication per strategy (1, or the lowest present). */
  timeseries: WindowSample[];
  timeline: TimelineEvent[];
  warmup: number;
  duration: number;
}

const KEY_COLUMNS = new Set(['scenario', 'strategy', 'seed', 'server']);

/** Reads `dir`; a missing or malformed directory or file is an {@link InputError}. */
export function readResultsDir(dir: string): Results {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${dir}: no such results directory`);
  const texts = {} as ResultTexts;
  for (const f of RESULT_FILES) {
    const path = join(dir, f);
    if (!existsSync(path)) {
      throw new InputError(`${path}: missing — a results directory holds ${RESULT_FILES.join(', ')} (written by stickysim run)`);
    }
    texts[f] = readFileSync(path, 'utf8');
  }
  return parseResults(texts, dir);
}

/** Builds {@link Results} from the files' text; `where` prefixes error messages. */
export function parseResults(texts: ResultTexts, where: string): Results {
  const run = parseRunJson(texts['run.json'], join(where, 'run.json'));
  const summary = records(texts['summary.csv'], join(where, 'summary.csv'), ['strategy', 'replication', 'sessions', 'session_loss_rate', 'imbalance_max_mean']).map(
    (r) => {
      const row: Record<string, number | string> = {};
      for (const k of SUMMARY_COLUMNS) row[k] = NaN;
      for (const k of Object.keys(r.values)) {
        if (KEY_COLUMNS.has(k)) continue;
        // Known columns must be numbers; a column this version does not know is kept if numeric.
        if (k === 'replication' || (SUMMARY_COLUMNS as readonly string[]).includes(k)) row[k] = r.number(k);
        else if (r.values[k] !== '' && Number.isFinite(Number(r.values[k]))) row[k] = Number(r.values[k]);
      }
      row.strategy = v(r.values.strategy);
      return row as SummaryRow;
    },
  );
  if (summary.length === 0) throw new InputError(`${join(where, 'summary.csv')}: no rows`);
  const strategies = strategyOrder(run, summary);
  const reps = new Map<string, number>();
  for (const s of summary) reps.set(s.strategy, Math.min(reps.get(s.strategy) ?? Infinity, s.replication));
  const chosen = (strategy: string, replication: number) => reps.get(strategy) === replication;

  const servers: ServerSample[] = [];
  for (const r of records(texts['servers.csv'], join(where, 'servers.csv'), ['strategy', 'replication', 'server', 'sessions_held_mean'])) {
    const strategy = v(r.values.strategy);
    const replication = r.number('replication');
    if (!chosen(strategy, replication)) continue;
    servers.push({
      strategy, replication, server: v(r.values.server),
      request_rate: r.number('request_rate'), sessions_held_mean: r.number('sessions_held_mean'), sessions_held_max: r.number('sessions_held_max'),
    });
  }

  const timeseries: WindowSample[] = [];
  for (const r of records(texts['timeseries.csv'], join(where, 'timeseries.csv'), ['strategy', 'replication', 'window', 'start_s', 'end_s', 'server', 'requests'])) {
    const strategy = v(r.values.strategy);
    const replication = r.number('replication');
    if (!chosen(strategy, replication)) continue;
    timeseries.push({
      strategy, replication, window: r.number('window'), start_s: r.number('start_s'), end_s: r.number('end_s'),
      measured: r.values.measured === 'true', server: v(r.values.server), requests: r.number('requests'),
      utilization: r.number('utilization'), queue_mean: r.number('queue_mean'), sessions_held: r.number('sessions_held'), up: r.number('up'),
    });
  }

  const resolved = run.resolved;
  return {
    run,
    strategies,
    summary,
    servers,
    timeseries,
    timeline: (resolved.timeline as TimelineEvent[] | undefined) ?? [],
    warmup: Number(resolved.warmup ?? 0),
    duration: Number(resolved.duration),
  };
}

function v(x: string | undefined): string {
  return x ?? '';
}

/** Strategies in run.json's order, then any others in order of appearance. */
function strategyOrder(run: RunInfo, summary: SummaryRow[]): string[] {
  const seen = [...new Set(summary.map((s) => s.strategy))];
  const listed = run.strategies.map((s) => s.label).filter((l) => seen.includes(l));
  return [...listed, ...seen.filter((s) => !listed.includes(s))];
}

interface CsvRow {
  values: Record<string, string | undefined>;
  number(column: string): number;
}

/** Rows of a CSV file with a header; `required` columns must be present. */
function records(text: string, file: string, required: string[]): CsvRow[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  } catch (e) {
    throw new InputError(`${file}: not a readable CSV file (${(e as Error).message.split('\n')[0]})`);
  }
  const header = rows[0] ? Object.keys(rows[0]) : text.split('\n')[0]!.split(',');
  for (const c of required) {
    if (!header.includes(c)) throw new InputError(`${file}: column "${c}" missing (columns: ${header.join(', ')})`);
  }
  return rows.map((values, i) => ({
    values,
    number(column: string): number {
      const raw = values[column];
      if (raw === undefined || raw === '') return NaN;
      if (raw === 'inf') return Infinity;
      if (raw === '-inf') return -Infinity;
      const n = Number(raw);
      if (Number.isNaN(n)) throw new InputError(`${file}: line ${i + 2}: column "${column}": expected a number, got "${raw}"`);
      return n;
    },
  }));
}

function parseRunJson(text: string, file: string): RunInfo {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  const o = (doc ?? {}) as Record<string, unknown>;
  const need = (field: string, ok: (x: unknown) => boolean, expected: string) => {
    if (!ok(o[field])) throw new InputError(`${file}: ${field}: expected ${expected}, got ${JSON.stringify(o[field]) ?? 'nothing'}`);
  };
  need('scenario', (x) => typeof x === 'string', 'the scenario name');
  need('resolved', (x) => typeof x === 'object' && x !== null && typeof (x as Record<string, unknown>).duration === 'number', 'the resolved scenario');
  need('strategies', Array.isArray, 'a list of strategies');
  return {
    stickysim: String(o.stickysim ?? ''),
    scenario: o.scenario as string,
    file: String(o.file ?? ''),
    description: String(o.description ?? ''),
    seed: Number(o.seed),
    replications: Number(o.replications ?? 1),
    strategies: (o.strategies as RunInfo['strategies']).map((s) => ({ label: String(s.label), name: String(s.name), options: s.options ?? {} })),
    resolved: o.resolved as Record<string, unknown>,
  };
}
