import { replicationSeed } from '../engine/index.js';
import type { RunMetrics } from '../metrics/results.js';
import type { ResolvedStrategy, Scenario } from '../scenario/load.js';
import { checkInvariants } from './invariants.js';
import { Simulation } from './simulation.js';
import type { Tracer } from './trace.js';

export interface RunResult {
  strategy: string;
  /** 1-based. */
  replication: number;
  seed: number;
  metrics: RunMetrics;
  /** Engine events handled (for benchmarks, never written to CSV). */
  events: number;
}

export interface ExperimentOptions {
  strategies: readonly ResolvedStrategy[];
  replications: number;
  seed: number;
  /** Called after each run, for progress. */
  onRun?: (done: number, total: number) => void;
  /** Worker threads for {@link runExperimentParallel}; results do not depend on it. */
  workers?: number;
}

export interface ExperimentResult {
  strategies: string[];
  replications: number;
  seed: number;
  /** Ordered by strategy (as given), then replication. */
  runs: RunResult[];
}

/** Runs one strategy once; checks the run's invariants (a violation is a bug). */
export function runOnce(scenario: Scenario, strategy: ResolvedStrategy, seed: number, tracer?: Tracer): { metrics: RunMetrics; events: number } {
  const sim = new Simulation(scenario.config, strategy.build, seed, tracer);
  const metrics = sim.run();
  checkInvariants(metrics, strategy.label, seed);
  return { metrics, events: sim.eventsProcessed };
}

/**
 * Every strategy × every replication. Replication r uses the same seed for
 * every strategy, so all strategies see the same workload (common random
 * numbers) and differences between them are the strategies' own.
 */
export function runExperiment(scenario: Scenario, opts: ExperimentOptions): ExperimentResult {
  const runs: RunResult[] = [];
  const total = opts.strategies.length * opts.replications;
  for (const strategy of opts.strategies) {
    for (let r = 1; r <= opts.replications; r++) {
      const seed = replicationSeed(opts.seed, r);
      const { metrics, events } = runOnce(scenario, strategy, seed);
      runs.push({ strategy: strategy.label, replication: r, seed, metrics, events });
      opts.onRun?.(runs.length, total);
    }
  }
  return { strategies: opts.strategies.map((s) => s.label), replications: opts.replications, seed: opts.seed, runs };
}
