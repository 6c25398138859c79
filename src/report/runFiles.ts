import { createHash } from 'node:crypto';
import type { Scenario, ResolvedStrategy } from '../scenario/load.js';
import type { ExperimentResult } from '../simulation/experiment.js';
import { VERSION } from '../version.js';
import { batchMeansCsv, experimentCsv, statisticsCsv } from './csv.js';
import type { AtomicDir } from './output.js';
import { parseResults, type ResultTexts } from './results.js';
import { writeReport } from './writeReport.js';

export interface RunInputs {
  scenario: Scenario;
  strategies: readonly ResolvedStrategy[];
  seed: number;
  replications: number;
  /** The strategy label paired differences are taken from. */
  baseline: string;
  /** Batches per run for batch-means.csv; undefined writes none. */
  batchMeans?: number;
}

/** JSON with Infinity written as "unbounded" (JSON has no infinity). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v === Infinity ? 'unbounded' : v), 2) + '\n';
}

/** Identity of a run's inputs: equal fingerprints give byte-identical results. */
export function fingerprint(inputs: RunInputs): string {
  const basis = toJson({
    version: VERSION,
    scenario: inputs.scenario.doc,
    name: inputs.scenario.name,
    strategies: inputs.strategies.map((s) => ({ label: s.label, name: s.name, options: s.options })),
    seed: inputs.seed,
    replications: inputs.replications,
    baseline: inputs.baseline,
    batchMeans: inputs.batchMeans ?? null,
  });
  return createHash('sha256').update(basis).digest('hex').slice(0, 16);
}

/**
 * Writes everything a run produces into `dir`: summary.csv, servers.csv,
 * timeseries.csv, comparison.csv, paired.csv, batch-means.csv (with
 * --batch-means), run.json, then report.html and charts/*.png drawn from
 * those files' text (as `stickysim report` does). Wall-clock figures go to
 * run.json only, so the CSV files are byte-identical across reruns.
 */
export async function writeRunFiles(
  dir: AtomicDir,
  inputs: RunInputs,
  result: ExperimentResult,
  timing: { elapsedSeconds: number },
): Promise<string[]> {
  const csv: Record<string, string> = { ...experimentCsv(inputs.scenario.name, result), ...statisticsCsv(result, inputs.baseline) };
  if (inputs.batchMeans !== undefined) csv['batch-means.csv'] = batchMeansCsv(result, inputs.batchMeans);
  for (const [name, text] of Object.entries(csv)) dir.write(name, text);
  const events = result.runs.reduce((a, r) => a + r.events, 0);
  const requests = result.runs.reduce((a, r) => a + r.metrics.conservation.requestsSent, 0);
  const runJson = toJson({
    stickysim: VERSION,
    fingerprint: fingerprint(inputs),
    scenario: inputs.scenario.name,
    file: inputs.scenario.file,
    description: inputs.scenario.description,
    seed: inputs.seed,
    replications: inputs.replications,
    baseline: inputs.baseline,
    batch_means: inputs.batchMeans ?? null,
    strategies: inputs.strategies.map((s) => ({ label: s.label, name: s.name, options: s.options })),
    resolved: inputs.scenario.doc,
    timing: {
      elapsed_s: Number(timing.elapsedSeconds.toFixed(3)),
      events,
      requests,
      requests_per_second: Math.round(requests / Math.max(timing.elapsedSeconds, 1e-9)),
    },
  });
  dir.write('run.json', runJson);
  const drawn = await writeReport(dir, parseResults({ ...(csv as Omit<ResultTexts, 'run.json'>), 'run.json': runJson }, dir.target));
  return [...Object.keys(csv), 'run.json', ...drawn];
}
