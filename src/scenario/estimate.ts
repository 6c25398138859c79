import { meanOf } from '../model/distributions.js';
import type { SimConfig } from '../model/config.js';

/**
 * What runs would cost, roughly, before they start: memory and time, from
 * the servers, the sessions alive at once, the windows, the requests, the
 * strategies and the replications. A run above {@link LIMITS} is refused
 * (exit 2, the estimate in the message) unless `--yes`.
 *
 * The figures are measured, not guessed: `npm run build && node
 * bench/estimate.js` reruns the measurements (one process per measurement,
 * peak RSS and wall time, at several sizes, a figure read off the growth
 * between sizes) and then times whole `run` commands against the estimate.
 * Two sessions of it on the development machine (2-core virtualised Xeon,
 * shared; Node 20.20; 2026-12-02) gave the ranges below. The figures used
 * are rounded up: an estimate twice too high costs a `--yes`, one ten times
 * too low costs a machine.
 *
 * | per … | measured | used |
 * | --- | --- | --- |
 * | request simulated (11 strategies, 1.25e7 requests; a whole `run`, 1.5e7) | 0.98 µs; 1.9 µs | 2 µs |
 * | session alive at once (1e6 alive: 287–297 B cookie, 406 B ip-table; 3e5 alive: 467 B) | 287–467 B | 500 B |
 * | server (1,000 / 20,000 / 100,000 servers) | 7.9–9.9 / 5.1–5.2 / 4.2 KB; 27–36 / 11–16 / 8–11 µs | 5 KB, 10 µs |
 * | point of a consistent-hash ring, at each build (5,000 × 160 points) | 103–104 B, 1.2–1.5 µs | 125 B, 1.5 µs |
 * | server × window row, simulated (1e6 rows; 1e7 rows: 138 B, 0.73 µs) | 159–166 B, 0.67–0.88 µs | 160 B, 0.9 µs |
 * | row written and drawn by `run` (timeseries.csv, report.html, charts; 1e5–1e6 rows) | 2.3–2.5 KB, 29–37 µs | 2.5 KB, 35 µs |
 * | server drawn by `run` (a line per server per chart; 5,000 / 10,000 / 20,000 servers, one window) | 0.8–2.1 / 1.2–2.3 / 2.9 ms, 25 KB | 1.65 ms × S + 62 ns × S², 25 KB |
 * | worker thread; the `run` process itself | 30 MB; 130–185 MB | 30 MB; 160 MB |
 *
 * Whole `run --workers 1` commands, measured / estimated with these
 * figures: 100 servers × 1,000 windows 3.2–3.4 s / 3.8 s, 406 / 424 MiB;
 * × 10,000 windows 34–38 s / 36 s, 2.4 / 2.8 GiB; 10,000 servers × 1
 * window 12–23 s / 23 s, 375 / 466 MiB; 8 servers, 14 sessions/s for 2 h,
 * 3 strategies 4.2–7 s / 8.3 s, 185 / 168 MiB.
 */
export const COST = {
  requestSeconds: 2e-6,
  sessionBytes: 500,
  serverBytes: 5_000,
  serverSeconds: 10e-6,
  ringPointBytes: 125,
  ringPointSeconds: 1.5e-6,
  rowBytes: 160,
  rowSeconds: 0.9e-6,
  rowOutputBytes: 2_500,
  rowOutputSeconds: 35e-6,
  serverOutputBytes: 25_000,
  /** Seconds to draw S servers' lines: linear and quadratic terms (Chart.js slows with the number of datasets). */
  serverOutputSeconds: [1.65e-3, 6.2e-8] as const,
  workerBytes: 30e6,
  processBytes: 160e6,
} as const;

/**
 * Beyond these a command asks for `--yes`: two hours of wall time, or 4 GiB
 * of memory (a laptop's spare memory, and Node's default heap limit for one
 * thread: a run past it dies out of memory whatever the machine has).
 */
export const LIMITS = { seconds: 2 * 3600, bytes: 4 * 1024 ** 3 } as const;

/** The cost of one run (one strategy, one replication) of a scenario. */
export interface RunCost {
  /** Requests expected. */
  requests: number;
  /** Sessions alive at once at the peak (state held until logout or expiry). */
  sessions: number;
  /** Servers that may exist during the run (initial, added, scaled or autoscaled to). */
  servers: number;
  windows: number;
  /** Time and peak memory of the simulation itself (in the thread that runs it). */
  seconds: number;
  bytes: number;
  /** Rows of the time series (servers × windows): what `run` writes and draws. */
  rows: number;
}

/** What a strategy asks of `runCost`: its name and options (a consistent-hash ring costs per point). */
export interface StrategyShape {
  name: string;
  options: Record<string, unknown>;
}

/** Points per unit of weight of a consistent-hash ring, or 0 for a strategy that builds none. */
function ringPoints(s: StrategyShape): number {
  const text = `${s.name} ${JSON.stringify(s.options)}`;
  if (!/ring|consistent|chash/i.test(text)) return 0;
  const v = s.options['vnodes'];
  return typeof v === 'number' && v > 0 ? v : 160;
}

/** Expected sessions started, requests per session, peak arrival rate and session length (Little's law). */
function workloadShape(c: SimConfig): { sessions: number; perSession: number; peak: number; length: number } {
  const { steps, daily, bursts = [] } = c.workload.arrivals;
  let sessions = 0;
  steps.forEach((s, i) => {
    const end = Math.min(c.duration, steps[i + 1]?.at ?? c.duration);
    if (end > s.at) sessions += s.rate * (end - s.at);
  });
  // A daily cycle averages out; a burst adds (factor − 1) × the rate over its span (bounded by the peak step).
  const top = Math.max(...steps.map((s) => s.rate)) * (1 + (daily?.amplitude ?? 0));
  for (const b of bursts) sessions += Math.max(0, b.factor - 1) * top * Math.max(0, Math.min(b.duration, c.duration - b.at));
  const perSession = 1 + meanOf(c.workload.requests) + c.workload.logoutProbability;
  const length = (perSession - 1) * meanOf(c.workload.think) + perSession * meanOf(c.workload.service);
  const peak = top * bursts.reduce((p, b) => p * Math.max(1, b.factor), 1);
  return { sessions, perSession, peak, length };
}

/** Servers that may exist during a run, and how many times the fleet changes (each rebuilds a hash ring). */
function fleetShape(c: SimConfig): { servers: number; changes: number; weight: number } {
  let servers = c.fleet.initial.length;
  let changes = 0;
  let weight = Math.max(1, c.fleet.weight ?? 1);
  for (const k of c.fleet.initial) weight = Math.max(weight, k.weight ?? 1);
  for (const e of c.timeline) {
    if (e.event === 'add') {
      servers += e.count;
      weight = Math.max(weight, e.weight ?? 1);
    } else if (e.event === 'scale') servers += e.servers; // at most that many new ones
    else if (e.event === 'deploy' && e.identities === 'new') servers += servers; // each replaced by a new one
    changes += e.event === 'deploy' || e.event === 'restart' ? 2 : 1;
  }
  if (c.fleet.autoscale) {
    servers += c.fleet.autoscale.max;
    changes += Math.ceil(c.duration / Math.max(c.fleet.autoscale.interval, 1));
  }
  if (c.timeline.some((e) => e.event === 'deploy')) changes += 2 * servers;
  return { servers, changes, weight };
}

/** The cost of one run of `c` under `strategy`. */
export function runCost(c: SimConfig, strategy: StrategyShape): RunCost {
  const w = workloadShape(c);
  const f = fleetShape(c);
  const requests = w.sessions * w.perSession;
  // Sessions hold their state until logout, or until expiry for those that never log out.
  const held = w.length + (1 - c.workload.logoutProbability) * Math.min(c.fleet.sessionTtl, c.duration);
  const sessions = Math.min(w.peak * Math.min(held, c.duration), w.sessions);
  const windows = Math.ceil(c.duration / c.window);
  const rows = f.servers * windows;
  const points = f.servers * f.weight * ringPoints(strategy);
  const seconds =
    requests * COST.requestSeconds + f.servers * COST.serverSeconds + points * (1 + f.changes) * COST.ringPointSeconds + rows * COST.rowSeconds;
  const bytes = f.servers * COST.serverBytes + sessions * COST.sessionBytes + points * COST.ringPointBytes + rows * COST.rowBytes;
  return { requests, sessions, servers: f.servers, windows, seconds, bytes, rows };
}

/** The cost of a command: many runs on `workers` threads. */
export interface Estimate {
  runs: number;
  /** Requests over every run. */
  requests: number;
  /** Wall time and peak memory, all told. */
  seconds: number;
  bytes: number;
  /** Threads the runs use (at most one per run). */
  workers: number;
  /** The largest run (by memory). */
  largest: RunCost;
}

export interface EstimateOptions {
  workers: number;
  /**
   * Runs whose results the main thread holds at once besides those running
   * (every run for `run`, which writes them all at the end; a cell or a
   * round for `sweep` and `plan`).
   */
  held: number;
  /** Whether the time series of every run is written and drawn (`run`). */
  output: boolean;
}

/** Adds up runs (the cost of a run, and how many runs cost that) as a command runs them. */
export function estimate(runs: readonly { cost: RunCost; times: number }[], opts: EstimateOptions): Estimate {
  const total = runs.reduce((n, r) => n + r.times, 0);
  const workers = Math.max(1, Math.min(opts.workers, total));
  let largest: RunCost = { requests: 0, sessions: 0, servers: 0, windows: 0, seconds: 0, bytes: 0, rows: 0 };
  let simSeconds = 0;
  let requests = 0;
  let outSeconds = 0;
  let outBytes = 0;
  for (const { cost: r, times } of runs) {
    if (times <= 0) continue;
    if (r.bytes > largest.bytes || largest.rows === 0) largest = r;
    simSeconds += times * r.seconds;
    requests += times * r.requests;
    if (opts.output) {
      const [a, b] = COST.serverOutputSeconds;
      outSeconds += times * (r.rows * COST.rowOutputSeconds + a * r.servers + b * r.servers * r.servers);
      outBytes += times * (r.rows * (COST.rowBytes + COST.rowOutputBytes) + r.servers * COST.serverOutputBytes);
    }
  }
  const threads = total > 1 && workers > 1 ? workers * COST.workerBytes : 0;
  const heldBytes = opts.output ? outBytes : Math.min(opts.held + workers, total) * largest.rows * COST.rowBytes;
  return {
    runs: total,
    requests,
    seconds: simSeconds / workers + outSeconds,
    bytes: COST.processBytes + threads + workers * largest.bytes + heldBytes,
    workers,
    largest,
  };
}

/** "1 MiB", "3.2 GiB", "512 B". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(n)} B` : `${n >= 100 ? Math.round(n) : +n.toPrecision(2)} ${units[i]}`;
}

/** "40 seconds", "12 minutes", "3.2 hours", "41 days", "2.1e4 years". */
export function formatSeconds(s: number): string {
  const at = (v: number, unit: string) => `${v >= 100 ? Math.round(v).toLocaleString('en-US') : +v.toPrecision(2)} ${unit}`;
  if (s < 90) return at(s, 'seconds');
  if (s < 90 * 60) return at(s / 60, 'minutes');
  if (s < 48 * 3600) return at(s / 3600, 'hours');
  if (s < 1000 * 86400) return at(s / 86400, 'days');
  const years = s / (365.25 * 86400);
  return years < 1e6 ? at(years, 'years') : `${years.toExponential(1).replace('e+', 'e')} years`;
}

/** 1234 → "1,234"; 1.5e9 → "1.5e9". */
function count(n: number): string {
  return n < 1e7 ? Math.round(n).toLocaleString('en-US') : n.toExponential(1).replace('e+', 'e');
}

/**
 * A one-line reason to refuse, or undefined within the limits: the estimate
 * (time, memory) and what makes it (runs, servers × windows, sessions at
 * once, requests), for the caller to prefix with what it is about.
 */
export function refusal(e: Estimate): string | undefined {
  const slow = e.seconds > LIMITS.seconds;
  const big = e.bytes > LIMITS.bytes;
  if (!slow && !big) return undefined;
  const l = e.largest;
  const over = [slow ? `about ${formatSeconds(e.seconds)}` : undefined, big ? `about ${formatBytes(e.bytes)} of memory` : undefined].filter(Boolean).join(' and ');
  const what =
    `${count(e.runs)} run${e.runs === 1 ? '' : 's'} on ${e.workers} worker${e.workers === 1 ? '' : 's'}, ${count(e.requests)} requests in all; ` +
    `the largest: ${count(l.servers)} server${l.servers === 1 ? '' : 's'} × ${count(l.windows)} window${l.windows === 1 ? '' : 's'}, ${count(l.sessions)} sessions alive at once`;
  return `this would take ${over} (${what}), more than stickysim runs without asking (${formatSeconds(LIMITS.seconds)}, ${formatBytes(LIMITS.bytes)})`;
}

/** The advice that follows a refusal. */
export const REFUSAL_ADVICE = 'use fewer servers, windows (a longer --set window=…), runs or sessions (a shorter duration, a lower rate), or pass --yes to run it anyway';
