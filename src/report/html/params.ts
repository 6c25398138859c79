/** The scenario's key parameters in words, from run.json's resolved scenario. */
import { formatDuration } from '../../model/units.js';
import type { RunInfo } from '../results.js';

type Doc = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
const dur = (v: unknown) => (typeof v === 'number' ? formatDuration(v) : String(v));
const pct = (v: unknown) => `${+(100 * num(v)).toFixed(1)}%`;
const limit = (v: unknown, unit: string) => (v === 'unbounded' || v === null || v === undefined ? 'unbounded' : `${String(v)}${unit}`);

/** "exponential, mean 20s"; times in the time distributions, plain numbers in count ones. */
export function describeDist(d: unknown, time: boolean): string {
  if (d === null || typeof d !== 'object') return String(d);
  const o = d as Doc;
  const f = (v: unknown) => (time ? dur(v) : String(v));
  switch (o.dist) {
    case 'constant':
      return `always ${f(o.value)}`;
    case 'exponential':
      return `exponential, mean ${f(o.mean)}`;
    case 'uniform':
      return `uniform ${f(o.min)}–${f(o.max)}`;
    case 'lognormal':
      return `lognormal, mean ${f(o.mean)}, cv ${String(o.cv)}`;
    case 'geometric':
      return `geometric, mean ${f(o.mean)}`;
    case 'poisson':
      return `Poisson, mean ${f(o.mean)}`;
    default:
      return JSON.stringify(o);
  }
}

function arrivals(a: unknown): string {
  const o = (a ?? {}) as Doc;
  if (typeof o.rate === 'number') return `${o.rate} new sessions/s (Poisson)`;
  if (Array.isArray(o.schedule)) {
    return `${(o.schedule as Doc[]).map((s) => `${String(s.rate)}/s from ${dur(s.at)}`).join(', ')} (Poisson)`;
  }
  return JSON.stringify(a);
}

function timelineText(timeline: unknown): string {
  if (!Array.isArray(timeline) || timeline.length === 0) return 'none: the fleet never changes';
  return (timeline as Doc[])
    .map((e) => `${e.event === 'add' ? `add ${String(e.count)} server${e.count === 1 ? '' : 's'}` : `${String(e.event)} s${String(e.server)}`} at ${dur(e.at)}`)
    .join('; ');
}

/** Label → value, in reading order. */
export function keyParameters(run: RunInfo): [string, string][] {
  const r = run.resolved;
  const w = (r.workload ?? {}) as Doc;
  const fleet = (r.fleet ?? {}) as Doc;
  const clients = (w.clients ?? {}) as Doc;
  const warmup = num(r.warmup);
  return [
    ['simulated time', `${dur(r.duration)}${warmup > 0 ? `, of which the first ${dur(warmup)} warm-up (not measured)` : ''}; time windows of ${dur(r.window)}`],
    ['fleet', `${String(fleet.servers)} servers × ${String(fleet.workers)} workers; queue limit ${limit(fleet.queueLimit, '')}; session TTL ${dur(fleet.sessionTtl)}; session memory ${limit(fleet.sessionCapacity, ' states per server')}`],
    ['fleet changes', timelineText(r.timeline)],
    ['arrivals', arrivals(w.arrivals)],
    ['a session', `a login request, then ${describeDist(w.requests, false)} more requests, ${pct(w.logoutProbability)} end with a logout (the rest are abandoned)`],
    ['think time', describeDist(w.think, true)],
    ['service time', describeDist(w.service, true)],
    ['clients', `${pct(clients.cookieAcceptance)} keep cookies; ${pct(clients.headerProbability)} send the client-id header`],
    ['strategies', run.strategies.map((s) => s.label + options(s.options)).join(', ')],
    ['seed, replications', `${run.seed}; ${run.replications} replication${run.replications === 1 ? '' : 's'} (every strategy sees the same workload in a replication)`],
  ];
}

function options(o: Record<string, unknown>): string {
  const entries = Object.entries(o);
  return entries.length === 0 ? '' : ` (${entries.map(([k, v]) => `${k} ${typeof v === 'number' && k === 'latency' ? formatDuration(v) : String(v)}`).join(', ')})`;
}
