import { join } from 'node:path';
import type { Summary } from '../metrics/results.js';
import { batchMeans } from '../metrics/batchMeans.js';
import { tCritical } from '../metrics/stats.js';
import { formatDuration } from '../model/units.js';
import { loadScenario, type Scenario } from '../scenario/load.js';
import { runExperiment } from '../simulation/experiment.js';
import { covers, LEVEL, type Check } from './check.js';
import { mg1, mmc, mmcSojournQuantile, type QueueTheory } from './theory.js';

/** A textbook queue as a scenario of scenarios/validation/, and how long and how often to run it. */
export interface QueueCase {
  file: string;
  replications: number;
  /** The fast subset run by `npm test`: fewer, shorter replications. */
  quick?: { replications: number; duration: string };
}

export const QUEUE_CASES: readonly QueueCase[] = [
  { file: 'mm1-rho50.yaml', replications: 20, quick: { replications: 10, duration: '2h' } },
  { file: 'mm1-rho95.yaml', replications: 20 },
  { file: 'mm2-rho80.yaml', replications: 20 },
  { file: 'mm8-rho90.yaml', replications: 20, quick: { replications: 20, duration: '30m' } },
  { file: 'md1-rho80.yaml', replications: 20 },
  { file: 'mg1-lognormal-rho70.yaml', replications: 20, quick: { replications: 16, duration: '6h' } },
];

/**
 * The queue a scenario reduces to, and its exact measures: one server with c
 * workers, Poisson arrivals of one-request sessions, FIFO, no limit, nothing
 * in the timeline. Exponential service is M/M/c (Erlang C); any other service
 * with c = 1 is M/G/1 (Pollaczek–Khinchine). For M/M/c, `mmc` also gives
 * the parameters, from which the sojourn-time distribution is exact.
 */
export function theoryOf(sc: Scenario): { label: string; theory: QueueTheory; mmc?: { lambda: number; mu: number; c: number } } {
  const c = sc.config;
  const w = c.workload;
  const bad = (why: string) => new Error(`${sc.file}: not a textbook queue: ${why}`);
  if (c.fleet.initial.length !== 1) throw bad('expected fleet.servers 1');
  if (w.arrivals.steps.length !== 1 || w.arrivals.daily || w.arrivals.bursts) throw bad('expected a constant arrival rate');
  if (w.requests.dist !== 'constant' || w.requests.value !== 0) throw bad('expected one request per session (requests constant 0)');
  if (c.fleet.queueLimit !== Infinity || c.timeline.length > 0) throw bad('expected an unbounded queue and no timeline');
  if (sc.strategies.length !== 1) throw bad('expected one strategy');
  const lambda = w.arrivals.steps[0]!.rate;
  const workers = c.fleet.workers;
  const s = w.service;
  const rho = (m: number) => `ρ=${+((lambda * m) / workers).toFixed(3)}`;
  if (s.dist === 'exponential') {
    return { label: `M/M/${workers} ${rho(s.mean)}`, theory: mmc(lambda, 1 / s.mean, workers), mmc: { lambda, mu: 1 / s.mean, c: workers } };
  }
  if (workers !== 1) throw bad('non-exponential service needs one worker (M/G/1)');
  switch (s.dist) {
    case 'constant':
      return { label: `M/D/1 ${rho(s.value)}`, theory: mg1(lambda, s.value, s.value ** 2) };
    case 'lognormal':
      return { label: `M/G/1 lognormal cv=${s.cv} ${rho(s.mean)}`, theory: mg1(lambda, s.mean, s.mean ** 2 * (1 + s.cv ** 2)) };
    case 'uniform':
      return {
        label: `M/G/1 uniform ${rho((s.min + s.max) / 2)}`,
        theory: mg1(lambda, (s.min + s.max) / 2, (s.min ** 2 + s.min * s.max + s.max ** 2) / 3),
      };
  }
}

/**
 * Little's law on a run's time averages: (L − λW)/L, which is 0 in steady
 * state (up to edge effects that average out). L counts requests at the
 * servers, so W is the time there: the latency less any retry delay (none in
 * these queues; persist retries happen before a request reaches a server).
 */
export function littleGap(s: Summary): number {
  return (s.in_system_mean - s.throughput_rps * ((s.latency_mean_ms - s.retry_delay_mean_ms) / 1000)) / s.in_system_mean;
}

/**
 * Runs one case (independent replications of its scenario) and compares the
 * replication means of Wq, P(wait > 0), Lq and utilisation with the exact
 * values, and Little's law L = λW on the same runs.
 */
export function queueChecks(dir: string, qc: QueueCase, opts: { quick: boolean; seed: number }): Check[] {
  const quick = opts.quick ? qc.quick : undefined;
  const sc = loadScenario(join(dir, qc.file), quick ? [`duration=${quick.duration}`] : []);
  const { label, theory, mmc: params } = theoryOf(sc);
  const replications = quick?.replications ?? qc.replications;
  const runs = runExperiment(sc, { strategies: sc.strategies, replications, seed: opts.seed }).runs.map((r) => r.metrics.summary);
  const group = `${label} (${replications} × ${formatDuration(sc.config.duration)})`;
  return [
    covers(group, 'Wq, mean wait (s)', theory.wq, runs.map((s) => s.wait_mean_ms / 1000)),
    covers(group, 'P(wait > 0)', theory.pWait, runs.map((s) => s.wait_probability)),
    covers(group, 'Lq, mean queue length', theory.lq, runs.map((s) => s.queue_mean)),
    covers(group, 'utilization ρ', theory.rho, runs.map((s) => s.utilization_mean)),
    covers(group, "Little's law: (L − λW)/L", 0, runs.map(littleGap)),
    // M/M/c: the sojourn time's distribution is exact too, so its quantiles are checked.
    ...(params === undefined
      ? []
      : ([0.95, 0.99] as const).map((p) =>
          covers(group, `p${p * 100} sojourn time (s)`, mmcSojournQuantile(params.lambda, params.mu, params.c, p), runs.map((s) => s[p === 0.95 ? 'latency_p95_ms' : 'latency_p99_ms'] / 1000)),
        )),
  ];
}

/**
 * Batch means on one long run of M/M/1 at ρ = 0.5: the interval from 20
 * batches of its measured window must cover the exact Wq and Lq.
 */
export function batchMeansChecks(dir: string, opts: { quick: boolean; seed: number }): Check[] {
  const duration = opts.quick ? '12h' : '48h';
  const sc = loadScenario(join(dir, 'mm1-rho50.yaml'), [`duration=${duration}`, 'window=5m']);
  const { theory } = theoryOf(sc);
  const run = runExperiment(sc, { strategies: sc.strategies, replications: 1, seed: opts.seed }).runs[0]!;
  const k = 20;
  const bm = batchMeans(run.metrics.windowTotals, k);
  const group = `M/M/1 ρ=0.5, batch means (1 run of ${duration}, ${k} batches)`;
  const check = (quantity: string, metric: string, exact: number, scale: number): Check => {
    const e = bm.estimates.find((x) => x.metric === metric)!;
    const mean = e.mean * scale;
    const halfWidth = tCritical(k - 1, LEVEL) * (e.sd * scale) / Math.sqrt(k);
    return { group, quantity, exact, mean, halfWidth, n: k, pass: Math.abs(mean - exact) <= halfWidth };
  };
  return [check('Wq, mean wait (s)', 'wait_mean_ms', theory.wq, 1 / 1000), check('Lq, mean queue length', 'queue_mean', theory.lq, 1)];
}
