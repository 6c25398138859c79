import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { RunMetrics } from '../metrics/results.js';
import { EnvironmentError, InputError } from '../scenario/errors.js';
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
      // The command read and checked the file (its size included) before it sent the task.
      sc = loadScenario(file, sets, { maxBytes: Infinity });
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

/** "strategy cookie, replication 2 (fleet.servers=5)": which run a task is. */
function describeTask(task: RunTask): string {
  return `strategy ${task.strategy}, replication ${task.replication}${task.sets.length > 0 ? ` (${task.sets.join(', ')})` : ''}`;
}

/**
 * What a failed worker thread becomes: out of memory, an {@link EnvironmentError}
 * (exit 1, one line: the machine's limit, not a bug); an error thrown in the
 * simulation, the same error (a bug: exit 1 with its stack) naming the run.
 * The command that ran it writes nothing (see AtomicDir, and a sweep's cells,
 * each written whole).
 */
export function workerFailure(e: unknown, task: RunTask): unknown {
  const err = e as NodeJS.ErrnoException | undefined;
  if (err?.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory|memory limit/i.test(String(err?.message))) {
    return new EnvironmentError(
      `a worker thread ran out of memory simulating ${describeTask(task)}; the run is larger than one thread's heap allows: lower the servers, windows or sessions alive at once (rate × session length), or run it with fewer --workers`,
      true,
    );
  }
  if (e instanceof InputError || e instanceof EnvironmentError || !(e instanceof Error)) return e;
  const wrapped = new Error(`a worker thread failed simulating ${describeTask(task)}: ${e.message}`);
  wrapped.stack = `${wrapped.message}\n${(e.stack ?? '').split('\n').slice(1).join('\n')}`;
  return wrapped;
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
    // The test hook of worker.ts: an out-of-memory fault runs into a small heap, not the machine's memory.
    const oomTest = process.env['STICKYSIM_TEST_WORKER_FAULT']?.startsWith('oom') === true;
    this.pool =
      workers > 1
        ? new Piscina<RunTask, TaskResult>({
            filename: workerFile(),
            minThreads: workers,
            maxThreads: workers,
            idleTimeout: 1000,
            ...(oomTest ? { resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 } } : {}),
          })
        : undefined;
    // A worker that dies outside a task (a second one out of memory while the pool is being closed) is reported by
    // piscina as an 'error' event: unheard, it would end the process with a stack. The task's own failure says it.
    this.pool?.on('error', () => {});
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
        // Between runs, let the event loop breathe: a SIGINT is handled after this run, not after all of them.
        if (i > 0) await new Promise((r) => setImmediate(r));
        out.push(runTask(task, this.cache));
        onDone?.(i, out[i]!);
      }
      return out;
    }
    return Promise.all(
      tasks.map(async (task, i) => {
        let result: TaskResult;
        try {
          result = await pool.run(task);
        } catch (e) {
          throw workerFailure(e, task);
        }
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
