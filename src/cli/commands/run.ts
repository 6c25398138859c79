import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { comparisonJson } from '../../report/json.js';
import { AtomicDir } from '../../report/output.js';
import { fingerprint, writeRunFiles } from '../../report/runFiles.js';
import { measuredWindows } from '../../metrics/batchMeans.js';
import { formatDuration } from '../../model/units.js';
import { batchMeansTable, comparisonTable, pairedTable } from '../../report/table.js';
import { warmupAdvice } from '../../report/warmupAdvice.js';
import { InputError } from '../../scenario/errors.js';
import { estimate, REFUSAL_ADVICE, refusal, runCost } from '../../scenario/estimate.js';
import { loadScenario, selectStrategies } from '../../scenario/load.js';
import { runExperimentParallel } from '../../parallel/experiment.js';
import { checkReplications } from '../../sweep/spec.js';
import { workersFrom } from '../sweepOptions.js';
import type { Io } from '../io.js';
import { listOption, scenarioArgs, sharedScenarioOptions, withOverrides } from '../options.js';
import { progressBar } from '../progress.js';

export function runCommand(io: Io) {
  return {
    command: 'run <scenario>',
    describe: 'Simulate every strategy of a scenario; print the comparison and write CSV, run.json, report.html and charts',
    builder: (y: Argv) =>
      sharedScenarioOptions(y)
        .option('strategies', { type: 'string', describe: 'Comma-separated strategies to run (default: the scenario\'s)' })
        .option('replications', { type: 'number', default: 1, describe: 'Independent replications (seeds derived from --seed)' })
        .option('baseline', { type: 'string', describe: 'Strategy to pair the others against (default: the first)' })
        .option('batch-means', { type: 'number', describe: 'Also estimate steady-state metrics of each run from K batches of its measured window' })
        .option('out', { type: 'string', describe: 'Results directory (default: results/<scenario-name>)' })
        .option('force', { type: 'boolean', default: false, describe: 'Replace an --out directory that holds a different run' })
        .option('yes', { type: 'boolean', default: false, describe: 'Run even when the estimate is beyond 2 hours or 4 GiB of memory, or --workers beyond 4 × the cores' })
        .option('workers', { type: 'number', describe: 'Worker threads for the runs (default: the number of cores); results are identical for any number' })
        // --- terminal output (issue #5) ---
        .option('json', { type: 'boolean', default: false, describe: 'Print the comparison as JSON on stdout (and nothing else there)' })
        .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors (and --json output if asked)' }),
    handler: async (argv: Record<string, unknown>) => {
      const scenario = loadScenario(String(argv.scenario), ...scenarioArgs(argv));
      const strategies = selectStrategies(scenario, listOption(argv.strategies));
      const replications = checkReplications(argv.replications as number);
      const baseline = typeof argv.baseline === 'string' ? argv.baseline : strategies[0]!.label;
      if (!strategies.some((s) => s.label === baseline)) {
        throw new InputError(`--baseline: unknown strategy "${baseline}": expected one of this run's strategies (${strategies.map((s) => s.label).join(', ')})`);
      }
      const batches = batchMeansOption(argv['batch-means'], scenario.config);
      const workers = workersFrom(argv);
      const runs = strategies.map((s) => ({ cost: runCost(scenario.config, s), times: replications }));
      const tooBig = refusal(estimate(runs, { workers, held: strategies.length * replications, output: true }));
      if (tooBig !== undefined && argv.yes !== true) throw new InputError(`${withOverrides(scenario.file, argv)}: ${tooBig}; ${REFUSAL_ADVICE}`);
      const seed = scenario.seed;
      const inputs = { scenario, strategies, seed, replications, baseline, batchMeans: batches };
      const out = typeof argv.out === 'string' ? argv.out : join('results', scenario.name);
      const print = fingerprint(inputs);
      // Claimed (locked, checked) before simulating: a refusal costs nothing, and no other run can take it meanwhile.
      const dir = AtomicDir.claim(out, { kind: 'run', force: argv.force === true, same: (t) => previousFingerprint(t) === print });

      const quiet = argv.quiet === true;
      const json = argv.json === true;
      const progress = progressBar(quiet ? undefined : io.terminal);
      const label = (i: number) => `${strategies[Math.floor(i / replications)]?.label ?? ''}${replications > 1 ? `, replication ${(i % replications) + 1}` : ''}`;
      const started = performance.now();
      try {
        let result;
        try {
          result = await runExperimentParallel(scenario, {
            strategies,
            replications,
            seed,
            workers,
            onRun: (done, total) => progress.tick(done, total, label(done)),
          });
        } finally {
          progress.stop();
        }
        const elapsedSeconds = (performance.now() - started) / 1000;

        const files = await writeRunFiles(dir, inputs, result, { elapsedSeconds });
        dir.commit();
        if (json) {
          io.out(comparisonJson(inputs, result, { fingerprint: print, resultsDir: dir.target, elapsedSeconds }));
        } else if (!quiet) {
          io.out(`${scenario.name}: ${strategies.length} strateg${strategies.length === 1 ? 'y' : 'ies'} × ${replications} replication${replications > 1 ? 's' : ''}, seed ${seed}\n\n`);
          io.out(comparisonTable(result));
          // With one replication there is nothing to pair: say so only to someone who asked for a baseline.
          const paired = replications > 1 || argv.baseline !== undefined ? pairedTable(result, baseline) : '';
          if (paired !== '') io.out(`\n${paired}`);
          if (batches !== undefined) io.out(`\n${batchMeansTable(result, batches)}`);
          const advice = warmupAdvice(result, scenario.config);
          if (advice !== '') io.out(`\n${advice}`);
          io.out(`\nwrote ${dir.target}/ (${files.join(', ')})\n`);
        }
      } catch (e) {
        throw dir.fail(e);
      }
    },
  };
}

/** The fingerprint of the run whose results are in `dir`, if any. */
function previousFingerprint(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { fingerprint?: string }).fingerprint;
  } catch {
    return undefined;
  }
}

/** --batch-means K: a whole number ≥ 2, at most the number of measured windows. */
function batchMeansOption(v: unknown, c: { duration: number; warmup: number; window: number }): number | undefined {
  if (v === undefined) return undefined;
  const k = v as number;
  if (!Number.isInteger(k) || k < 2) throw new InputError(`--batch-means: expected a whole number of batches ≥ 2, got ${String(v)}`);
  const windows = measuredWindows(c.duration, c.warmup, c.window);
  if (k > windows) {
    throw new InputError(
      `--batch-means: ${k} batches need at least ${k} measured windows, but the measured window holds ${windows} windows of ${formatDuration(c.window)}; use fewer batches, a longer duration or a shorter window (--set window=…)`,
    );
  }
  return k;
}
