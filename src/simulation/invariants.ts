import type { RunMetrics } from '../metrics/results.js';

/** A broken invariant: the simulator is wrong, not the input. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/**
 * What must hold at the end of every run: every request and session is
 * accounted for, per-server and per-window totals add up to the fleet's and
 * the run's, time never runs backwards, fractions stay within [0, 1], and no
 * output is NaN, infinite or negative. Statistical laws (Little's) are checked
 * by `npm run validate`, never here: noise must not fail a normal run.
 *
 * Each conservation law compares counts kept apart: events counted as they
 * happen (sent, completed, dropped, failed, sessions started and ended) with
 * states read at the end from where they are (requests queued or in service
 * at the servers; sessions thinking, retrying or in service by the engine's
 * pending events). test/simulation/invariants.test.ts breaks runs on purpose
 * and shows that every check here can fail.
 */
export function checkInvariants(m: RunMetrics, strategy: string, seed: number): void {
  const fail = (what: string) => {
    throw new InvariantError(`invariant violated (${strategy}, seed ${seed}): ${what}`);
  };
  const c = m.conservation;
  // The engine and the servers agree on the requests in service.
  if (c.requestsInService !== c.workersBusy) {
    fail(`requests in service by the engine (completions pending) ${c.requestsInService} ≠ busy workers by the servers ${c.workersBusy}`);
  }
  // Every request is in exactly one state: completed, dropped, failed, at a server, or retrying.
  const accounted = c.requestsCompleted + c.requestsDropped + c.requestsFailed + c.requestsInFlight + c.requestsRetrying;
  if (c.requestsSent !== accounted) {
    fail(
      `requests sent ${c.requestsSent} ≠ completed ${c.requestsCompleted} + dropped ${c.requestsDropped} + failed ${c.requestsFailed}` +
        ` + in flight ${c.requestsInFlight} + retrying ${c.requestsRetrying}`,
    );
  }
  if (c.sessionsStarted !== c.sessionsEnded + c.sessionsActive) {
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
    if (s.utilization > 1 + EPS) fail(`servers.${s.server}.utilization = ${s.utilization} > 1`);
  }
  const u = m.summary;
  for (const k of ['session_loss_rate', 'wait_probability', 'retry_probability', 'jain_index', 'utilization_mean', 'utilization_max'] as const) {
    if (u[k] > 1 + EPS) fail(`summary.${k} = ${u[k]} > 1`);
  }
  // Latency = retry delay + queue wait + service (+ store latency), request by request.
  if (u.wait_mean_ms + u.retry_delay_mean_ms > u.latency_mean_ms * (1 + EPS)) {
    fail(`summary.wait_mean_ms ${u.wait_mean_ms} + retry_delay_mean_ms ${u.retry_delay_mean_ms} > latency_mean_ms ${u.latency_mean_ms}`);
  }
  if (u.queue_mean > u.in_system_mean * (1 + EPS)) fail(`summary.queue_mean ${u.queue_mean} > in_system_mean ${u.in_system_mean}`);
  let prevStart = 0;
  for (const w of m.windows) {
    for (const [k, v] of Object.entries(w)) if (typeof v === 'number' && (!Number.isFinite(v) || v < 0)) fail(`windows[${w.window}].${w.server}.${k} = ${v}`);
    if (w.utilization > 1 + EPS || w.up > 1 + EPS) fail(`windows[${w.window}].${w.server}: utilization ${w.utilization} or up ${w.up} > 1`);
    if (w.end_s <= w.start_s || w.start_s < prevStart) fail(`windows[${w.window}]: time runs backwards (${w.start_s}–${w.end_s})`);
    prevStart = w.start_s;
  }
  // The per-window fleet totals partition the whole run: they add up to the run's counts.
  const sum = (k: 'sent' | 'completed' | 'dropped' | 'failed') => m.windowTotals.reduce((a, w) => a + w[k], 0);
  const pairs = [['sent', c.requestsSent], ['completed', c.requestsCompleted], ['dropped', c.requestsDropped], ['failed', c.requestsFailed]] as const;
  for (const [k, v] of pairs) if (sum(k) !== v) fail(`window totals of ${k} ${sum(k)} ≠ run total ${v}`);
  for (let i = 1; i < m.windowTotals.length; i++) {
    if (m.windowTotals[i]!.start_s !== m.windowTotals[i - 1]!.end_s) fail(`window totals ${i - 1} and ${i} are not contiguous`);
  }
}

/** Relative slack for comparisons of floating-point sums. */
const EPS = 1e-9;
