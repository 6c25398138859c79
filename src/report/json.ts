import type { ExperimentResult } from '../simulation/experiment.js';
import { VERSION } from '../version.js';
import { compareStrategies } from './comparison.js';
import type { RunInputs } from './runFiles.js';

const finite = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * The comparison for scripts (`run --json`): run metadata, then per strategy
 * the mean and 95% CI half-width of every summary metric (null where
 * undefined, e.g. the half-width of a single replication).
 */
export function comparisonJson(
  inputs: RunInputs,
  result: ExperimentResult,
  meta: { fingerprint: string; resultsDir: string; elapsedSeconds: number },
): string {
  const rows = result.runs.map((r) => ({ strategy: r.strategy, replication: r.replication, ...r.metrics.summary }));
  const estimates = compareStrategies(result.strategies, rows);
  return (
    JSON.stringify(
      {
        stickysim: VERSION,
        scenario: inputs.scenario.name,
        file: inputs.scenario.file,
        description: inputs.scenario.description,
        seed: inputs.seed,
        replications: inputs.replications,
        fingerprint: meta.fingerprint,
        results_dir: meta.resultsDir,
        elapsed_s: Number(meta.elapsedSeconds.toFixed(3)),
        strategies: estimates.map((e) => {
          const s = inputs.strategies.find((x) => x.label === e.strategy);
          return {
            strategy: e.strategy,
            name: s?.name ?? e.strategy,
            options: s?.options ?? {},
            replications: e.replications,
            metrics: Object.fromEntries(
              Object.entries(e.metrics).map(([k, est]) => [k, { mean: finite(est.mean), ci95_half_width: finite(est.halfWidth) }]),
            ),
          };
        }),
      },
      null,
      2,
    ) + '\n'
  );
}
