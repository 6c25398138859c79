import type { RunMetrics } from '../metrics/results.js';

/** A broken invariant: the simulator is wrong, not the input. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/**
 * What must hold at the end of every run: every request and session is
 * accounted for, per-server totals add up to the fleet's, and no output is
 * NaN, infinite or negative.
 */
export function checkInvariants(m: RunMetrics, strategy: string, seed: number): void {
  const fail = (what: string) => {
    throw new InvariantError(`invariant violated (${strategy}, seed ${seed}): ${what}`);
  };
  const c = m.conservation;
  const accounted = c.requestsCompleted + c.requestsDropped + c.requestsFailed + c.requestsInFlight;
  if (c.requestsSent !== accounted) {
    fail(`requests sent ${c.requestsSent} ≠ completed ${c.requestsCompleted} + dropped ${c.requestsDropped} + failed ${c.requestsFailed} + in flight ${c.requestsInFlight}`);
  }
  if (c.sessionsStarted !== c.sessionsEnded + c.sessionsActive || c.sessionsActive < 0) {
    fail(`sessions started ${c.sessionsStarted} ≠ ended ${c.sessionsEnded} + active ${c.sessionsActive}`);
  }
  const perServer = m.servers.reduce((a, s) => a + s.requests, 0);
  if (perServer !== m.summary.completed) fail(`per-server requests ${perServer} ≠ completed ${m.summary.completed}`);
  if (m.summary.lost_sessions > m.summary.sessions) fail(`lost sessions ${m.summary.lost_sessions} > sessions ${m.summary.sessions}`);
  for (const [k, v] of Object.entries(m.summary)) {
    if (!Number.isFinite(v) || v < 0) fail(`summary.${k} = ${v}`);
  }
  for (const s of m.servers) {
    for (const [k, v] of Object.entries(s)) if (typeof v === 'number' && (!Number.isFinite(v) || v < 0)) fail(`servers.${s.server}.${k} = ${v}`);
    if (s.utilization > 1 + 1e-9) fail(`servers.${s.server}.utilization = ${s.utilization} > 1`);
  }
}
