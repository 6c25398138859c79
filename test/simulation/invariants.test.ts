/**
 * The end-of-run invariants can fail. Each conservation law is shown failing
 * on a run broken on purpose (a fault injected into the simulator or its
 * collector), and every other check on the metrics of a real run broken on
 * purpose; the last test makes sure every `fail(…)` site of invariants.ts is
 * reached by one of them.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Collector } from '../../src/metrics/collector.js';
import type { RunMetrics } from '../../src/metrics/results.js';
import { Simulator } from '../../src/engine/simulator.js';
import { Server } from '../../src/model/server.js';
import { resolveStrategy, type Scenario } from '../../src/scenario/load.js';
import { runOnce } from '../../src/simulation/experiment.js';
import { checkInvariants, InvariantError } from '../../src/simulation/invariants.js';
import { testScenario } from '../helpers.js';

/**
 * 20 minutes, 4 servers of 1 worker with room for one request in the queue
 * (some requests wait, some are dropped); s2 crashes 15 s before the end and
 * its health checks notice about 5 s later (requests in service and those
 * sent meanwhile fail); the cookie strategy persists: requests bound to s2
 * then wait out 3 × 1 s of retries, so some are still retrying at the end.
 */
function brittle(): Scenario {
  return testScenario({
    workload: {
      arrivals: { rate: 1 },
      requests: { dist: 'geometric', mean: 8 },
      think: { dist: 'exponential', mean: '10s' },
      service: { dist: 'exponential', mean: '100ms' },
    },
    fleet: { servers: 4, workers: 1, queueLimit: 1, healthCheck: { interval: '2s', fall: 3, rise: 2 } },
    timeline: [{ at: 1185, event: 'crash', server: 's2' }],
    strategies: [{ name: 'cookie', onDown: 'persist' }],
  });
}

/** The simulation's event kind for a request's delivery after retries (src/simulation/simulation.ts). */
const DELIVER = 3;

const persist = resolveStrategy('cookie', { onDown: 'persist' });
const runBrittle = (): RunMetrics => runOnce(brittle(), persist, 5).metrics;

/** Runs the brittle scenario and returns the invariant error it must raise. */
function violation(): InvariantError {
  try {
    runBrittle();
  } catch (e) {
    if (e instanceof InvariantError) return e;
    throw e;
  }
  throw new Error('the broken run passed every invariant');
}

afterEach(() => vi.restoreAllMocks());

describe('a run that visits every state of a request passes', () => {
  it('dropped, failed, retrying at the end: every request in exactly one state', () => {
    const m = runBrittle(); // runOnce checks the invariants
    const c = m.conservation;
    expect(c.requestsDropped).toBeGreaterThan(10);
    expect(c.requestsFailed).toBeGreaterThan(0);
    expect(m.summary.wait_probability).toBeGreaterThan(0);
    expect(c.requestsRetrying).toBeGreaterThan(0); // left uncounted before: the run ended in an InvariantError
    expect(c.requestsSent).toBe(c.requestsCompleted + c.requestsDropped + c.requestsFailed + c.requestsInFlight + c.requestsRetrying);
    expect(c.sessionsActive).toBeGreaterThan(c.requestsRetrying + c.requestsInFlight);
    expect(m.summary.retry_probability).toBeGreaterThan(0);
    expect(m.summary.retry_delay_mean_ms).toBeGreaterThan(0);
  });
});

describe('each conservation law fails on a run broken on purpose', () => {
  it('a request dropped without being counted', () => {
    vi.spyOn(Collector.prototype, 'requestDropped').mockImplementation(() => {});
    expect(violation().message).toMatch(/requests sent \d+ ≠ completed .* \+ dropped 0 \+/);
  });

  it('a request that failed without being counted', () => {
    vi.spyOn(Collector.prototype, 'requestFailed').mockImplementation(() => {});
    expect(violation().message).toMatch(/requests sent \d+ ≠ .* failed 0 \+/);
  });

  it('requests waiting out retries that nothing counts (issue #12: the census used to leave them out)', () => {
    const pending = Simulator.prototype.forEachPending;
    vi.spyOn(Simulator.prototype, 'forEachPending').mockImplementation(function (this: Simulator<unknown>, visit) {
      pending.call(this, (kind, payload) => kind !== DELIVER && visit(kind, payload));
    });
    expect(violation().message).toMatch(/requests sent \d+ ≠ .* \+ retrying 0$/);
  });

  it('a session ended twice', () => {
    const ended = Collector.prototype.sessionEnded;
    vi.spyOn(Collector.prototype, 'sessionEnded').mockImplementation(function (this: Collector) {
      ended.call(this);
      ended.call(this);
    });
    expect(violation().message).toMatch(/sessions started (\d+) ≠ ended \d+ \+ active \d+/);
  });

  it('a session that ends without being counted', () => {
    let n = 0;
    const ended = Collector.prototype.sessionEnded;
    vi.spyOn(Collector.prototype, 'sessionEnded').mockImplementation(function (this: Collector) {
      if (++n !== 7) ended.call(this); // the 7th session to end slips through
    });
    const e = violation();
    const [, started, ended_, active] = /sessions started (\d+) ≠ ended (\d+) \+ active (\d+)/.exec(e.message)!.map(Number);
    expect(started! - ended_! - active!).toBe(1);
  });

  it('a busy worker the servers count but nothing occupies', () => {
    let n = 0;
    const end = Server.prototype.endService;
    vi.spyOn(Server.prototype, 'endService').mockImplementation(function (this: Server, s) {
      end.call(this, s);
      if (++n === 100) this.busy++; // the 100th completion leaves its worker counted busy
    });
    expect(violation().message).toMatch(/requests in service by the engine \(completions pending\) (\d+) ≠ busy workers by the servers (\d+)/);
  });
});

/** The metrics of a real run (the brittle one), for the checks that read the results. */
const base = runBrittle();

/** Each case breaks one thing in a copy of the metrics; the check must name it. */
const BROKEN: [string, (m: RunMetrics) => void, RegExp][] = [
  ['a completed request too few', (m) => m.conservation.requestsCompleted--, /requests sent/],
  ['a retrying request too many', (m) => m.conservation.requestsRetrying++, /requests sent .* retrying/],
  ['a session ended too many', (m) => m.conservation.sessionsEnded++, /sessions started/],
  ['a session alive too many', (m) => m.conservation.sessionsActive++, /sessions started/],
  ['the engine and the servers disagree on a request in service', (m) => m.conservation.workersBusy++, /requests in service by the engine/],
  ['a server served one more than completed', (m) => m.servers[0]!.requests++, /per-server requests \d+ ≠ completed/],
  ['more lost sessions than sessions', (m) => (m.summary.lost_sessions = m.summary.sessions + 1), /lost sessions \d+ > sessions/],
  ['a NaN in the summary', (m) => (m.summary.latency_p99_ms = NaN), /summary\.latency_p99_ms = NaN/],
  ['a negative in the summary', (m) => (m.summary.queue_mean = -0.5), /summary\.queue_mean = -0\.5/],
  ['an infinity in a server row', (m) => (m.servers[1]!.busy_time_s = Infinity), /servers\.s2\.busy_time_s = Infinity/],
  ['a server busier than its workers', (m) => (m.servers[2]!.utilization = 1.01), /servers\.s3\.utilization = 1\.01 > 1/],
  ...(['session_loss_rate', 'wait_probability', 'retry_probability', 'jain_index', 'utilization_mean', 'utilization_max'] as const).map(
    (k): [string, (m: RunMetrics) => void, RegExp] => [`${k} above 1`, (m) => (m.summary[k] = 1.5), new RegExp(`summary\\.${k} = 1\\.5 > 1`)],
  ),
  ['a queue wait longer than the latency', (m) => (m.summary.wait_mean_ms = m.summary.latency_mean_ms * 1.01), /summary\.wait_mean_ms .* > latency_mean_ms/],
  ['wait + retry delay longer than the latency', (m) => (m.summary.retry_delay_mean_ms = m.summary.latency_mean_ms - m.summary.wait_mean_ms / 2), /\+ retry_delay_mean_ms .* > latency_mean_ms/],
  ['more waiting than in the system', (m) => (m.summary.queue_mean = m.summary.in_system_mean + 0.1), /summary\.queue_mean .* > in_system_mean/],
  ['a NaN in a window row', (m) => (m.windows[9]!.queue_mean = NaN), /windows\[\d+\]\.s\d\.queue_mean = NaN/],
  ['a window busier than its workers', (m) => (m.windows[9]!.utilization = 1.2), /windows\[\d+\]\.s\d: utilization 1\.2 or up .* > 1/],
  ['a window up longer than itself', (m) => (m.windows[9]!.up = 1.2), /windows\[\d+\]\.s\d: utilization .* or up 1\.2 > 1/],
  ['a window that ends before it starts', (m) => (m.windows[9]!.end_s = m.windows[9]!.start_s), /time runs backwards/],
  ['windows out of order', (m) => (m.windows[40]!.start_s = 0), /time runs backwards/],
  ...(['sent', 'completed', 'dropped', 'failed'] as const).map((k): [string, (m: RunMetrics) => void, RegExp] => [
    `window totals of ${k} off by one`,
    (m) => m.windowTotals[3]![k]++,
    new RegExp(`window totals of ${k} \\d+ ≠ run total`),
  ]),
  ['a gap between windows', (m) => (m.windowTotals[5]!.start_s += 1), /window totals 4 and 5 are not contiguous/],
];

/** The message of the InvariantError that the metrics broken by `breakIt` raise. */
function thrown(breakIt: (m: RunMetrics) => void): string {
  const m = structuredClone(base);
  breakIt(m);
  try {
    checkInvariants(m, 'cookie', 5);
  } catch (e) {
    expect(e).toBeInstanceOf(InvariantError);
    return (e as InvariantError).message;
  }
  throw new Error('the broken metrics passed every invariant');
}

describe('each check on the results fails on metrics broken on purpose', () => {
  it('the unbroken metrics pass', () => {
    expect(() => checkInvariants(structuredClone(base), 'cookie', 5)).not.toThrow();
  });

  for (const [what, breakIt, pattern] of BROKEN) {
    it(what, () => {
      const message = thrown(breakIt);
      expect(message).toMatch(/^invariant violated \(cookie, seed 5\): /);
      expect(message).toMatch(pattern);
    });
  }

  it('every fail(…) in invariants.ts is reached by some case above', () => {
    const source = readFileSync('src/simulation/invariants.ts', 'utf8');
    // The literal start of each message, up to its first interpolation.
    const heads = [...source.matchAll(/fail\(\s*`([^`$]*)/g)].map((m) => m[1]!);
    expect(heads.length).toBeGreaterThanOrEqual(15);
    const said = BROKEN.map(([, breakIt]) => thrown(breakIt).replace(/^invariant violated \([^)]*\): /, ''));
    for (const head of heads) expect(said.some((m) => m.startsWith(head)), `no case reaches fail(\`${head}…\`)`).toBe(true);
  });
});
