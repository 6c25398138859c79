import { replicationSeed } from '../engine/index.js';
import type { Scenario } from '../scenario/load.js';
import type { ExperimentOptions, ExperimentResult } from '../simulation/experiment.js';
import { runTasks, type RunTask } from './tasks.js';

/**
 * `runExperiment` on a pool of worker threads (`opts.workers`): the
 * same runs, the same seeds, the same order, so byte-identical results for
 * any number of workers. Each worker loads the scenario from its file with
 * the same overrides.
 */
export async function runExperimentParallel(scenario: Scenario, opts: ExperimentOptions): Promise<ExperimentResult> {
  const tasks: RunTask[] = [];
  for (const strategy of opts.strategies) {
    for (let r = 1; r <= opts.replications; r++) {
      tasks.push({ file: scenario.file, sets: scenario.sets, strategy: strategy.label, replication: r, seed: replicationSeed(opts.seed, r) });
    }
  }
  const results = await runTasks(tasks, { workers: opts.workers ?? 1, ...(opts.onRun ? { onDone: opts.onRun } : {}) });
  return {
    strategies: opts.strategies.map((s) => s.label),
    replications: opts.replications,
    seed: opts.seed,
    runs: tasks.map((t, i) => ({ strategy: t.strategy, replication: t.replication, seed: t.seed, ...results[i]! })),
  };
}
