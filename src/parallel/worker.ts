import { runTask, ScenarioCache, type RunTask, type TaskResult } from './tasks.js';

/** One per worker thread: each scenario is loaded once per thread. */
const cache = new ScenarioCache();

/** The piscina task: one simulation run. */
export default function run(task: RunTask): TaskResult {
  return runTask(task, cache);
}
