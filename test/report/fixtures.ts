import { SUMMARY_COLUMNS, type Summary } from '../../src/metrics/results.js';
import type { Results, ServerSample, SummaryRow, WindowSample } from '../../src/report/results.js';

/** A summary row with plausible values, overridden by `over`. */
export function summaryRow(strategy: string, replication: number, over: Partial<Summary> & Record<string, number> = {}): SummaryRow {
  const base: Record<string, number> = {};
  for (const k of SUMMARY_COLUMNS) base[k] = 1;
  return {
    ...(base as unknown as Summary),
    sessions: 1000,
    session_loss_rate: 0.1,
    loss_rerouted: 80,
    loss_server_lost: 20,
    loss_evicted: 0,
    expired: 5,
    imbalance_max_mean: 1.1,
    windowed_max_mean: 1.2,
    imbalance_cov: 0.05,
    jain_index: 0.99,
    latency_p50_ms: 50,
    latency_p95_ms: 200,
    latency_p99_ms: 400,
    dropped: 0,
    failed: 0,
    ...over,
    strategy,
    replication,
  } as SummaryRow;
}

/**
 * Hand-made results: the given summary rows; `servers` servers with
 * `windows` one-minute windows each (replication 1), s2's rate double s1's.
 */
export function makeResults(summary: SummaryRow[], opts: { servers?: number; windows?: number; replications?: number } = {}): Results {
  const strategies = [...new Set(summary.map((r) => r.strategy))];
  const nServers = opts.servers ?? 2;
  const nWindows = opts.windows ?? 5;
  const timeseries: WindowSample[] = [];
  const servers: ServerSample[] = [];
  for (const strategy of strategies) {
    for (let s = 1; s <= nServers; s++) {
      servers.push({ strategy, replication: 1, server: `s${s}`, request_rate: s, sessions_held_mean: 10 * s, sessions_held_max: 20 * s });
      for (let w = 0; w < nWindows; w++) {
        timeseries.push({
          strategy, replication: 1, window: w, start_s: 60 * w, end_s: 60 * (w + 1), measured: true, server: `s${s}`,
          requests: 60 * s, utilization: 0.5, queue_mean: 0, sessions_held: 10, up: 1,
        });
      }
    }
  }
  return {
    run: {
      stickysim: '0.0.0',
      scenario: 'hand-made',
      file: 'scenarios/hand-made.yaml',
      description: 'A <b>hand-made</b> scenario & its "quotes".',
      seed: 1,
      replications: opts.replications ?? 1,
      strategies: strategies.map((label) => ({ label, name: label, options: {} })),
      resolved: {
        duration: 60 * nWindows, warmup: 60, window: 60,
        workload: { arrivals: { rate: 2 }, requests: { dist: 'geometric', mean: 5 }, think: { dist: 'exponential', mean: 10 }, service: { dist: 'lognormal', mean: 0.1, cv: 1.5 }, logoutProbability: 0.5, clients: { cookieAcceptance: 0.95, headerProbability: 1 } },
        fleet: { servers: nServers, workers: 2, queueLimit: 'unbounded', sessionTtl: 600, sessionCapacity: 'unbounded' },
        timeline: [{ at: 120, event: 'crash', server: 2 }, { at: 180, event: 'add', count: 1 }],
      },
    },
    strategies,
    summary,
    servers,
    timeseries,
    timeline: [{ at: 120, event: 'crash', server: 2 }, { at: 180, event: 'add', count: 1 }],
    warmup: 60,
    duration: 60 * nWindows,
  };
}
