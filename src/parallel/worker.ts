import { runTask, ScenarioCache, type RunTask, type TaskResult } from './tasks.js';

/** One per worker thread: each scenario is loaded once per thread. */
const cache = new ScenarioCache();

/**
 * TEST HOOK — set only by the test suite (test/robustness/faults.test.ts),
 * never by users: `STICKYSIM_TEST_WORKER_FAULT=throw` or `=oom`, optionally
 * `:MATCH`, makes this worker thread fail on every task (or on those whose
 * strategy, or one of whose `--set`/`--vary` overrides, equals MATCH):
 * `throw` throws an Error, as a bug in the simulator would; `oom` allocates
 * until the thread's heap is exhausted (the pool caps its threads' heaps
 * when this is set, so that this takes a moment, not the machine's memory).
 * It proves that a failing worker ends the command cleanly, writing nothing.
 * Worker threads only: with one worker, runs go in the main thread and the
 * hook is not consulted.
 */
const FAULT = (() => {
  const v = process.env['STICKYSIM_TEST_WORKER_FAULT'];
  const m = v === undefined ? null : /^(throw|oom)(?::(.+))?$/.exec(v);
  return m === null ? undefined : { kind: m[1] as 'throw' | 'oom', match: m[2] };
})();

function injectFault(task: RunTask): void {
  if (FAULT === undefined || (FAULT.match !== undefined && task.strategy !== FAULT.match && !task.sets.includes(FAULT.match))) return;
  if (FAULT.kind === 'throw') throw new Error(`injected worker fault (STICKYSIM_TEST_WORKER_FAULT) in strategy ${task.strategy}`);
  const hog: number[][] = [];
  for (;;) hog.push(new Array<number>(1 << 20).fill(hog.length));
}

/** The piscina task: one simulation run. */
export default function run(task: RunTask): TaskResult {
  injectFault(task);
  return runTask(task, cache);
}
