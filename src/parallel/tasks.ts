import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { RunMetrics } from '../metrics/results.js';
import { loadScenario, selectStrategies, type Scenario } from '../scenario/load.js';
import { runOnce } from '../simulation/experiment.js';

/**
 * One simulation run, described by plain data so that it can be sent to a
 * worker thread: the scenario file with its overrides, the strategy label
 * (from the scenario, or a registry name), the replication and its seed.
 */
export interface RunTask {
  file: string;
  sets: readonly string[];
  strategy: string;
  replication: number;
  seed: number;
}

export interface TaskResult {
  metrics: RunMetrics;
  /** Engine events handled (for benchmarks). */
  events: number;
}

export interface RunTasksOptions {
  /** Worker threads; 1 runs in this thread. Results never depend on it. */
  workers?: number;
  /** Called after each task, in completion order. */
  onDone?: (done: number, total: number) => void;
}

/** Loads each (file, overrides) once per thread. */
export class ScenarioCache {
  private readonly cache = new Map<string, Scenario>();

  get(file: string, sets: readonly string[]): Scenario {
    const key = JSON.stringify([file, sets]);
    let sc = this.cache.get(key);
    if (sc === undefined) {
      sc = loadScenario(file, sets);
      this.cache.set(key, sc);
    }
    return sc;
  }
}

/** Runs one task in this thread. */
export function runTask(task: RunTask, cache: ScenarioCache): TaskResult {
  const scenario = cache.get(task.file, task.sets);
  const strategy = selectStrategies(scenario, [task.strategy])[0]!;
  return runOnce(scenario, strategy, task.seed);
}

/** The default number of workers: the cores this process may use. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * The compiled worker module. Under the test runner this module is loaded
 * from src/ as TypeScript, which a worker thread cannot import, so the
 * compiled copy in dist/ (built before the tests) is used.
 */
function workerFile(): string {
  const here = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = fileURLToPath(new URL('../../dist/parallel/worker.js', import.meta.url));
  if (existsSync(built)) return built;
  throw new Error(`worker module not found (${here}); run npm run build`);
}

/**
 * Runs tasks on the workers of one command (a sweep, a plan) for as long as
 * it lasts: in this thread for one worker, else on one piscina pool started
 * once, so that thread start-up (Node, the modules, the JIT: about half a
 * second) is paid once per thread, not once per batch.
 */
export class TaskRunner {
  private readonly cache = new ScenarioCache();
  private readonly pool: Piscina<RunTask, TaskResult> | undefined;

  constructor(readonly workers: number) {
    this.pool = workers > 1 ? new Piscina<RunTask, TaskResult>({ filename: workerFile(), minThreads: workers, maxThreads: workers, idleTimeout: 1000 }) : undefined;
  }

  /**
   * Runs every task and returns the results in task order, whatever order
   * they finished in, so that output is byte-identical for any number of
   * workers. `onDone` is called as each finishes (in completion order) with
   * its index and result.
   */
  async run(tasks: readonly RunTask[], onDone?: (index: number, result: TaskResult) => void): Promise<TaskResult[]> {
    const pool = this.pool;
    if (pool === undefined || tasks.length === 1) {
      const out: TaskResult[] = [];
      for (const [i, task] of tasks.entries()) {
        out.push(runTask(task, this.cache));
        onDone?.(i, out[i]!);
      }
      return out;
    }
    return Promise.all(
      tasks.map(async (task, i) => {
        const result = await pool.run(task);
        onDone?.(i, result);
        return result;
      }),
    );
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}

/**
 * Runs every task and returns the results in task order (see
 * {@link TaskRunner.run}); with more than one worker and more than one task,
 * on a pool of worker threads started for this call.
 */
export async function runTasks(tasks: readonly RunTask[], opts: RunTasksOptions = {}): Promise<TaskResult[]> {
  const runner = new TaskRunner(Math.max(1, Math.min(opts.workers ?? 1, tasks.length)));
  let done = 0;
  try {
    return await runner.run(tasks, () => opts.onDone?.(++done, tasks.length));
  } finally {
    await runner.close();
  }
}
