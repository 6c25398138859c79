/**
 * Runs one strategy of a scenario with a tracer and keeps what a trace needs:
 * the events of one session (the K-th started, or the first to be lost), or
 * the raw event log. The run stops as soon as it has what it needs.
 */
import type { ResolvedStrategy, Scenario } from '../../scenario/load.js';
import { InputError } from '../../scenario/errors.js';
import { runOnce } from '../../simulation/experiment.js';
import type { TraceEvent } from '../../simulation/trace.js';
import { plainEvent, sessionOf, type FleetEvent, type PlainEvent, type PlainSession } from './events.js';

/** The K-th session started (1-based), or the first that suffered a loss other than expiry. */
export type SessionPick = number | 'first-lost';

export interface SessionTrace {
  scenario: string;
  strategy: { label: string; name: string; options: Record<string, unknown> };
  seed: number;
  session: PlainSession;
  /** The session's events, with the fleet events of its lifetime, in time order. */
  events: PlainEvent[];
  /** Servers in the fleet at some time of the session's life, in order. */
  servers: string[];
  /** Servers up when the session started. */
  upAtStart: string[];
  ttl: number;
  /** When the run ended (seconds): a session still active then was cut short. */
  duration: number;
}

/** Thrown by a tracer to end a run early; never escapes this module. */
class Enough extends Error {}

function run(scenario: Scenario, strategy: ResolvedStrategy, seed: number, tracer: (e: TraceEvent) => void): void {
  try {
    runOnce(scenario, strategy, seed, tracer);
  } catch (e) {
    if (!(e instanceof Enough)) throw e;
  }
}

/** Parses `--session`: a whole number ≥ 1 or "first-lost". */
export function parseSessionPick(v: unknown): SessionPick {
  if (v === 'first-lost') return v;
  const n = typeof v === 'number' ? v : /^\d+$/.test(String(v)) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--session: expected a session number (1, 2, …) or first-lost, got ${JSON.stringify(v)}`);
  return n;
}

export function traceSession(scenario: Scenario, strategy: ResolvedStrategy, seed: number, pick: SessionPick): SessionTrace {
  const fleet: FleetEvent[] = [];
  const buffers = new Map<number, PlainEvent[]>();
  let target = typeof pick === 'number' ? pick : -1;
  let started = 0;
  let ended = false;

  run(scenario, strategy, seed, (e) => {
    if (e.type === 'fleet') {
      fleet.push({ ...e });
      return;
    }
    const id = sessionOf(e)!;
    if (e.type === 'session-start') {
      started = id;
      if (target < 0 || id === target) buffers.set(id, []);
    }
    const buffer = buffers.get(id);
    if (buffer === undefined) return;
    buffer.push(plainEvent(e));
    if (target < 0 && e.type === 'state' && e.outcome === 'loss' && e.cause !== 'expired') {
      target = id;
      for (const other of [...buffers.keys()]) if (other !== id) buffers.delete(other);
    }
    if (e.type === 'session-end') {
      if (id === target) {
        ended = true;
        throw new Enough();
      }
      buffers.delete(id);
    }
  });

  const own = buffers.get(target);
  if (own === undefined) {
    if (pick === 'first-lost') {
      throw new InputError(`--session first-lost: no session of ${strategy.label} suffered a loss other than expiry in this run (seed ${seed}); try another strategy, --seed or a longer --duration`);
    }
    throw new InputError(`--session ${pick}: out of range — the run of ${strategy.label} started ${started} session${started === 1 ? '' : 's'}`);
  }
  const first = own[0]!;
  const session = (first as Extract<PlainEvent, { type: 'session-start' }>).session;
  const end = ended ? own[own.length - 1]!.t : scenario.config.duration;
  const during = fleet.filter((f) => f.t >= session.start && f.t <= end);
  const events = [...own, ...during].sort((a, b) => a.t - b.t || rank(a) - rank(b));
  return {
    scenario: scenario.name,
    strategy: { label: strategy.label, name: strategy.name, options: strategy.options },
    seed,
    session,
    events,
    ...fleetDuring(scenario.config.fleet.initial.length, fleet, session.start, end),
    ttl: scenario.config.fleet.sessionTtl,
    duration: scenario.config.duration,
  };
}

/**
 * At equal times a fleet event comes before the session's events it causes
 * (a crash fails the requests on the server; an added server can be routed to).
 */
function rank(e: PlainEvent): number {
  return e.type === 'fleet' ? 0 : 1;
}

/** The servers that existed at some time in [from, to], and those up at `from`. */
function fleetDuring(initial: number, fleet: readonly FleetEvent[], from: number, to: number): { servers: string[]; upAtStart: string[] } {
  const state = new Map<string, 'up' | 'down' | 'removed'>();
  for (let i = 1; i <= initial; i++) state.set(`s${i}`, 'up');
  const seen = new Set<string>();
  let upAtStart: string[] | undefined;
  for (const f of fleet) {
    if (f.t > to) break;
    if (f.t > from && upAtStart === undefined) {
      upAtStart = [...state].filter(([, s]) => s === 'up').map(([n]) => n);
      for (const [n, s] of state) if (s !== 'removed') seen.add(n);
    }
    if (f.server === '') continue; // fleet-wide (deploy, autoscaler decision)
    const next = f.event === 'crash' || f.event === 'restart' ? 'down' : f.event === 'remove' ? 'removed' : f.event === 'drain' || f.event === 'marked down' ? state.get(f.server) : 'up';
    state.set(f.server, next ?? 'up');
    if (f.t > from) seen.add(f.server);
  }
  if (upAtStart === undefined) {
    upAtStart = [...state].filter(([, s]) => s === 'up').map(([n]) => n);
    for (const [n, s] of state) if (s !== 'removed') seen.add(n);
  }
  const byNumber = (a: string, b: string) => Number(a.slice(1)) - Number(b.slice(1));
  return { servers: [...seen].sort(byNumber), upAtStart: upAtStart.sort(byNumber) };
}

/**
 * The raw event log of the run (or of one session, with the fleet events),
 * as plain objects, at most `limit` of them (so it is collected, and nothing
 * is printed before the session is known to exist).
 */
export function eventLog(
  scenario: Scenario,
  strategy: ResolvedStrategy,
  seed: number,
  opts: { limit: number; session?: SessionPick },
): { events: PlainEvent[]; truncated: boolean } {
  const events: PlainEvent[] = [];
  let truncated = false;
  // The first-lost session is known only once it is lost: find it first.
  const target = opts.session === 'first-lost' ? traceSession(scenario, strategy, seed, 'first-lost').session.id : opts.session;
  let seen = target === undefined;
  run(scenario, strategy, seed, (e) => {
    const id = sessionOf(e);
    if (target !== undefined && id !== undefined && id !== target) return;
    if (id !== undefined) seen = true;
    if (events.length >= opts.limit) {
      truncated = true;
      throw new Enough();
    }
    events.push(plainEvent(e));
    if (target !== undefined && e.type === 'session-end') throw new Enough();
  });
  if (!seen) throw new InputError(`--session ${String(opts.session)}: out of range — the run of ${strategy.label} started fewer sessions`);
  return { events, truncated };
}
