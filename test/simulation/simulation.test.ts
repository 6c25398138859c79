import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, resolveStrategy, type Scenario } from '../../src/scenario/load.js';
import { runExperiment, runOnce } from '../../src/simulation/experiment.js';
import type { TraceEvent } from '../../src/simulation/trace.js';
import { testScenario } from '../helpers.js';

/** The shared small test scenario (20 min, 4 servers × 2 workers, 1 session/s). */
const scenario = testScenario;

const run = (sc: Scenario, name: string, seed = sc.seed) => runOnce(sc, resolveStrategy(name), seed).metrics;

describe('common random numbers', () => {
  it('every strategy sees the identical workload in a replication', () => {
    const sc = loadScenario('scenarios/quickstart.yaml', ['duration=15m', 'warmup=0', 'workload.arrivals.rate=2']);
    const workloads = sc.strategies.map((st) => {
      const sessions: unknown[][] = [];
      // Copied when it starts: a session's row is reused once it has ended.
      runOnce(sc, st, 99, (e: TraceEvent) => {
        if (e.type === 'session-start') {
          const s = e.session;
          sessions.push([s.id, s.start, s.ip, s.clientId, s.acceptsCookies, s.sendsHeader, s.logout, s.requests]);
        }
      });
      return sessions;
    });
    expect(workloads[0]!.length).toBeGreaterThan(1000);
    for (const w of workloads.slice(1)) expect(w).toEqual(workloads[0]);
    // and the workload is not degenerate across seeds
    const other: unknown[] = [];
    runOnce(sc, sc.strategies[0]!, 100, (e) => e.type === 'session-start' && other.push(e.session.start));
    expect(other).not.toEqual(workloads[0]!.map((w) => w[1]));
  });
});

describe('determinism', () => {
  it('same seed → identical metrics; another seed → different', () => {
    const sc = scenario();
    expect(run(sc, 'p2c')).toEqual(run(sc, 'p2c'));
    expect(run(sc, 'p2c', 6).summary).not.toEqual(run(sc, 'p2c').summary);
  });
});

describe('window boundaries', () => {
  it('a window [t − w, t) closes before anything happens at t: requests failed by a crash at exactly t count in the next window', () => {
    // Long service times keep requests in service when s1 crashes at exactly 10m, a window boundary.
    const sc = parseScenario(
      `name: boundary
seed: 4
duration: 15m
window: 1m
workload:
  arrivals: { rate: 5 }
  requests: { dist: constant, value: 0 }
  service: { dist: constant, value: 30s }
fleet: { servers: 2, workers: 1000 }
timeline: [{ at: 10m, event: crash, server: s1 }]
strategies: [round-robin]
`,
      'boundary.yaml',
    );
    const totals = runOnce(sc, sc.strategies[0]!, sc.seed).metrics.windowTotals;
    const at = (start: number) => totals.find((w) => w.start_s === start)!;
    expect(at(540).failed).toBe(0);
    expect(at(600).failed).toBeGreaterThan(50); // about 5/s × 30 s / 2 in service on s1
  });
});

describe('conservation', () => {
  it('every request and session is accounted for, for every strategy', () => {
    const sc = loadScenario('scenarios/quickstart.yaml', ['duration=30m', 'warmup=5m', 'timeline[0].at=10m', 'timeline[1].at=15m', 'timeline[2].at=20m']);
    for (const st of sc.strategies) {
      const { conservation: c, summary, servers } = runOnce(sc, st, 3).metrics;
      expect(c.requestsSent).toBe(c.requestsCompleted + c.requestsDropped + c.requestsFailed + c.requestsInFlight + c.requestsRetrying);
      expect(c.requestsInService).toBe(c.workersBusy);
      expect(c.sessionsStarted).toBe(c.sessionsEnded + c.sessionsActive);
      expect(servers.reduce((a, s) => a + s.requests, 0)).toBe(summary.completed);
      expect(c.requestsSent).toBeGreaterThan(10_000);
    }
  });
});

describe('stickiness', () => {
  it('cookie loses no session to rerouting when every client keeps cookies and nothing fails', () => {
    const s = run(scenario(), 'cookie').summary;
    expect(s.sessions).toBeGreaterThan(500);
    expect([s.loss_rerouted, s.loss_server_lost, s.loss_evicted, s.lost_sessions]).toEqual([0, 0, 0, 0]);
  });

  it('round-robin with ≥ 2 servers loses sessions to rerouting', () => {
    const s = run(scenario(), 'round-robin').summary;
    expect(s.loss_rerouted).toBeGreaterThan(1000);
    expect(s.session_loss_rate).toBeGreaterThan(0.7);
    expect(s.imbalance_max_mean).toBeLessThan(1.05);
  });

  it('with one server nothing is rerouted, whatever the strategy', () => {
    const sc = scenario({ fleet: { servers: 1, workers: 2 } });
    for (const name of ['round-robin', 'random', 'cookie', 'ip-hash']) expect(run(sc, name).summary.loss_rerouted).toBe(0);
  });

  it('cookie-refusing clients are rerouted under cookie; ip-hash keeps them', () => {
    const sc = scenario({}, ['workload.clients.cookieAcceptance=0.5']);
    expect(run(sc, 'cookie').summary.loss_rerouted).toBeGreaterThan(200);
    expect(run(sc, 'ip-hash').summary.loss_rerouted).toBe(0);
  });

  it('header-ring: clients without the header fall back and are rerouted', () => {
    expect(run(scenario(), 'header-ring').summary.loss_rerouted).toBe(0);
    expect(run(scenario({}, ['workload.clients.headerProbability=0.5']), 'header-ring').summary.loss_rerouted).toBeGreaterThan(200);
  });

  it('a scale-out remaps many ip-hash clients and few ip-ring clients; cookie none', () => {
    const sc = scenario({ timeline: [{ at: '10m', event: 'add', count: 1 }] }, ['workload.arrivals.rate=3']);
    const hash = run(sc, 'ip-hash').summary.loss_rerouted;
    const ring = run(sc, 'ip-ring').summary.loss_rerouted;
    expect(run(sc, 'cookie').summary.loss_rerouted).toBe(0);
    expect(ring).toBeGreaterThan(0);
    expect(hash).toBeGreaterThan(3 * ring);
  });

  it('time series rows exist only while a server is in the fleet', () => {
    const sc = scenario({ timeline: [{ at: '10m', event: 'add', count: 1 }, { at: '15m', event: 'remove', server: 1 }] });
    const windows = run(sc, 'round-robin').windows;
    const s5 = windows.filter((w) => w.server === 's5');
    expect(s5.map((w) => w.start_s)).toEqual([600, 660, 720, 780, 840, 900, 960, 1020, 1080, 1140]);
    const s1 = windows.filter((w) => w.server === 's1');
    expect(s1.at(-1)!.start_s).toBe(840); // removed at 15 min: its last window is [14, 15)
    expect(windows.filter((w) => w.server === 's2')).toHaveLength(20);
  });

  it('a crash loses the sessions its server held (server-lost), for sticky and shared alike only where state lived', () => {
    const sc = scenario({ timeline: [{ at: '10m', event: 'crash', server: 2 }, { at: '12m', event: 'recover', server: 's2' }] });
    const cookie = run(sc, 'cookie').summary;
    expect(cookie.loss_server_lost).toBeGreaterThan(5);
    expect(cookie.loss_rerouted).toBe(0);
    const shared = run(sc, 'shared-store').summary;
    expect([shared.loss_server_lost, shared.loss_rerouted, shared.lost_sessions]).toEqual([0, 0, 0]);
  });
});

describe('server memory and time', () => {
  it('a per-server session capacity evicts sessions (LRU)', () => {
    const s = run(scenario({ fleet: { servers: 2, workers: 2, sessionCapacity: 20 } }), 'cookie').summary;
    expect(s.loss_evicted).toBeGreaterThan(50);
    expect(s.sessions_held_max).toBeLessThanOrEqual(20);
  });

  it('idle sessions past their TTL expire: reported apart, not counted as lost', () => {
    const s = run(scenario({}, ['fleet.sessionTtl=8s']), 'cookie').summary;
    expect(s.expired).toBeGreaterThan(100);
    expect([s.loss_rerouted, s.lost_sessions]).toEqual([0, 0]);
  });

  it('a full queue drops requests; they are counted, not lost', () => {
    const s = run(scenario({ fleet: { servers: 1, workers: 1, queueLimit: 0 } }, ['workload.arrivals.rate=4']), 'round-robin').summary;
    expect(s.dropped).toBeGreaterThan(100);
  });

  it('every server down at once: requests fail, sessions carry on', () => {
    const sc = scenario({ fleet: { servers: 1, workers: 2 }, timeline: [{ at: '5m', event: 'crash', server: 1 }, { at: '10m', event: 'recover', server: 1 }] });
    const s = run(sc, 'cookie').summary;
    expect(s.failed).toBeGreaterThan(100);
    expect(s.loss_server_lost).toBeGreaterThan(0);
  });

  it('shared-store pays the store latency on every request', () => {
    const sc = scenario({ strategies: ['round-robin', { name: 'shared-store', latency: '20ms' }] });
    const [rr, shared] = runExperiment(sc, { strategies: sc.strategies, replications: 1, seed: 5 }).runs.map((r) => r.metrics.summary);
    expect(shared!.latency_mean_ms - rr!.latency_mean_ms).toBeGreaterThan(19);
    expect(shared!.lost_sessions).toBe(0);
  });
});

describe('queueing sanity (M/M/8, ρ = 0.9)', () => {
  it('utilisation ≈ ρ and mean response ≈ Erlang C W = 187.7 ms', () => {
    const sc = loadScenario('scenarios/mmc.yaml', ['duration=1h']);
    const s = run(sc, 'round-robin').summary;
    expect(Math.abs(s.utilization_mean - 0.9)).toBeLessThan(0.01);
    expect(Math.abs(s.latency_mean_ms - 187.69) / 187.69).toBeLessThan(0.06);
  });
});
