import { join } from 'node:path';
import type { Argv } from 'yargs';
import { comparisonJson } from '../../report/json.js';
import { checkReplaceable, AtomicDir } from '../../report/output.js';
import { fingerprint, writeRunFiles } from '../../report/runFiles.js';
import { comparisonTable } from '../../report/table.js';
import { InputError } from '../../scenario/errors.js';
import { loadScenario, selectStrategies } from '../../scenario/load.js';
import { runExperiment } from '../../simulation/experiment.js';
import type { Io } from '../io.js';
import { listOption, sharedScenarioOptions, toSets } from '../options.js';
import { progressBar } from '../progress.js';

export function runCommand(io: Io) {
  return {
    command: 'run <scenario>',
    describe: 'Simulate every strategy of a scenario; print the comparison and write CSV, run.json, report.html and charts',
    builder: (y: Argv) =>
      sharedScenarioOptions(y)
        .option('strategies', { type: 'string', describe: 'Comma-separated strategies to run (default: the scenario\'s)' })
        .option('replications', { type: 'number', default: 1, describe: 'Independent replications (seeds derived from --seed)' })
        .option('out', { type: 'string', describe: 'Results directory (default: results/<scenario-name>)' })
        .option('force', { type: 'boolean', default: false, describe: 'Replace an --out directory that holds a different run' })
        // --- terminal output (issue #5) ---
        .option('json', { type: 'boolean', default: false, describe: 'Print the comparison as JSON on stdout (and nothing else there)' })
        .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors (and --json output if asked)' }),
    handler: async (argv: Record<string, unknown>) => {
      const scenario = loadScenario(String(argv.scenario), toSets(argv));
      const strategies = selectStrategies(scenario, listOption(argv.strategies));
      const replications = argv.replications as number;
      if (!Number.isInteger(replications) || replications < 1) {
        throw new InputError(`--replications: expected a whole number ≥ 1, got ${replications}`);
      }
      const seed = scenario.seed;
      const inputs = { scenario, strategies, seed, replications };
      const out = typeof argv.out === 'string' ? argv.out : join('results', scenario.name);
      checkReplaceable(out, fingerprint(inputs), argv.force === true);

      const quiet = argv.quiet === true;
      const json = argv.json === true;
      const progress = progressBar(quiet ? undefined : io.terminal);
      const label = (i: number) => `${strategies[Math.floor(i / replications)]?.label ?? ''}${replications > 1 ? `, replication ${(i % replications) + 1}` : ''}`;
      const started = performance.now();
      let result;
      try {
        result = runExperiment(scenario, { strategies, replications, seed, onRun: (done, total) => progress.tick(done, total, label(done)) });
      } finally {
        progress.stop();
      }
      const elapsedSeconds = (performance.now() - started) / 1000;

      const dir = new AtomicDir(out);
      try {
        const files = await writeRunFiles(dir, inputs, result, { elapsedSeconds });
        dir.commit();
        if (json) {
          io.out(comparisonJson(inputs, result, { fingerprint: fingerprint(inputs), resultsDir: dir.target, elapsedSeconds }));
        } else if (!quiet) {
          io.out(`${scenario.name}: ${strategies.length} strategies × ${replications} replication${replications > 1 ? 's' : ''}, seed ${seed}\n\n`);
          io.out(comparisonTable(result));
          io.out(`\nwrote ${dir.target}/ (${files.join(', ')})\n`);
        }
      } catch (e) {
        dir.abort();
        throw e;
      }
    },
  };
}
