import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createStreams } from '../../src/engine/index.js';
import { Fleet } from '../../src/model/fleet.js';
import { Workload } from '../../src/model/workload.js';
import { experimentCsv } from '../../src/report/csv.js';
import { parseScenario, resolveStrategy, type Scenario } from '../../src/scenario/load.js';
import { runExperiment, runOnce } from '../../src/simulation/experiment.js';

function scenario(over: Record<string, unknown> = {}, workload: Record<string, unknown> = {}, fleet: Record<string, unknown> = {}): Scenario {
  const doc = {
    name: 'extreme',
    seed: 11,
    duration: '10m',
    window: '1m',
    workload: {
      arrivals: { rate: 1 },
      requests: { dist: 'geometric', mean: 5 },
      think: { dist: 'exponential', mean: '5s' },
      service: { dist: 'exponential', mean: '50ms' },
      ...workload,
    },
    fleet: { servers: 3, workers: 2, ...fleet },
    ...over,
  };
  return parseScenario(YAML.stringify(doc), 'extreme.yaml');
}

/** Runs every strategy (invariants are checked inside) and returns the summaries; the CSV must be free of NaN. */
function runAll(sc: Scenario) {
  const names = ['round-robin', 'least-conn', 'p2c', 'cookie', 'ip-hash', 'ip-ring', 'header-ring', 'shared-store'];
  const strategies = names.map((n) => resolveStrategy(n));
  const result = runExperiment(sc, { strategies, replications: 1, seed: sc.seed });
  for (const text of Object.values(experimentCsv(sc.name, result))) expect(text).not.toMatch(/NaN|inf/i);
  return result.runs.map((r) => r.metrics);
}

describe('extremes run to the end with every invariant holding', () => {
  it('zero arrivals: nothing happens, and the fleet counts as even', () => {
    for (const m of runAll(scenario({}, { arrivals: { rate: 0 } }))) {
      expect([m.summary.sessions, m.summary.requests, m.summary.completed]).toEqual([0, 0, 0]);
      expect([m.summary.imbalance_max_mean, m.summary.jain_index, m.summary.windowed_max_mean]).toEqual([1, 1, 1]);
      expect(m.summary.latency_p99_ms).toBe(0);
    }
  });

  it('one server: nothing is rerouted', () => {
    for (const m of runAll(scenario({}, {}, { servers: 1 }))) expect(m.summary.loss_rerouted).toBe(0);
  });

  it('every server down at once: requests fail, nothing is served while they are down', () => {
    const timeline = [1, 2, 3].map((s) => ({ at: '3m', event: 'crash', server: s }));
    const sc = scenario({ timeline: [...timeline, { at: '6m', event: 'recover', server: 2 }] });
    for (const m of runAll(sc)) {
      expect(m.summary.failed).toBeGreaterThan(10);
      const down = m.windows.filter((w) => w.start_s >= 180 && w.end_s <= 360);
      expect(down.reduce((a, w) => a + w.requests, 0)).toBe(0);
    }
  });

  it('every server removed: the rest of the run fails every request', () => {
    const sc = scenario({ timeline: [1, 2, 3].map((s) => ({ at: '5m', event: 'remove', server: s })) });
    for (const m of runAll(sc)) {
      expect(m.summary.failed).toBeGreaterThan(100);
      expect(m.windows.every((w) => w.start_s < 300)).toBe(true);
    }
  });

  it('zero think time: requests back to back', () => {
    for (const m of runAll(scenario({}, { think: { dist: 'constant', value: 0 } }))) expect(m.summary.completed).toBeGreaterThan(1000);
  });

  it('queue limit 0: a request finding every worker busy is dropped, never queued', () => {
    const sc = scenario({}, { arrivals: { rate: 4 }, service: { dist: 'exponential', mean: '1s' } }, { servers: 1, workers: 1, queueLimit: 0 });
    for (const m of runAll(sc)) {
      expect(m.summary.dropped).toBeGreaterThan(100);
      expect([m.summary.queue_mean, m.summary.wait_mean_ms, m.summary.wait_probability]).toEqual([0, 0, 0]);
    }
  });

  it('sessions longer than the run: still active at the end, and accounted for', () => {
    // 200 requests 10 s apart: each session would need 2,000 s; the run lasts 600 s.
    const sc = scenario({}, { requests: { dist: 'constant', value: 200 }, think: { dist: 'constant', value: '10s' } });
    for (const m of runAll(sc)) {
      expect(m.conservation.sessionsEnded).toBe(0);
      expect(m.conservation.sessionsActive).toBe(m.conservation.sessionsStarted);
    }
  });

  it('a year, with a tiny arrival rate and daily windows', () => {
    const sc = scenario({ duration: '365d', window: '1d', warmup: '30d' }, { arrivals: { rate: 1e-4 } });
    const m = runOnce(sc, resolveStrategy('cookie'), 3).metrics;
    expect(m.windows).toHaveLength(365 * 3);
    expect(m.summary.sessions).toBeGreaterThan(2500);
    expect(m.summary.sessions).toBeLessThan(3300);
  });

  it('half a million clients in half a simulated second', () => {
    const sc = scenario(
      { duration: 0.5, window: 0.5 },
      { arrivals: { rate: 1_000_000 }, requests: { dist: 'constant', value: 0 }, service: { dist: 'constant', value: '1ms' } },
      { servers: 20, workers: 100 },
    );
    const m = runOnce(sc, resolveStrategy('ip-hash'), 5).metrics;
    expect(m.conservation.sessionsStarted).toBeGreaterThan(497_000);
    expect(m.summary.completed + m.conservation.requestsInFlight).toBe(m.conservation.requestsSent);
  });

  it('the workload generator gives two million clients two million distinct addresses', () => {
    const w = new Workload(scenario({}, { requests: { dist: 'constant', value: 0 } }).config.workload, createStreams(9));
    const ips = new Uint32Array(2_000_000);
    for (let i = 0; i < ips.length; i++) ips[i] = w.create(i).ip;
    ips.sort();
    let dup = 0;
    for (let i = 1; i < ips.length; i++) if (ips[i] === ips[i - 1]) dup++;
    expect(dup).toBe(0);
  });

  it('the largest fleet the schema allows (100,000 servers) builds and runs quickly', () => {
    const t0 = performance.now();
    expect(new Fleet({ workers: 1, queueLimit: Infinity, sessionTtl: 1, sessionCapacity: Infinity }, 100_000).available).toHaveLength(100_000);
    const m = runOnce(scenario({ duration: '2m' }, {}, { servers: 100_000, workers: 1 }), resolveStrategy('p2c'), 1).metrics;
    expect(m.servers.length).toBe(100_000);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});

// Absurd runs refused up front (the size and time estimate): test/robustness/answers.test.ts.
