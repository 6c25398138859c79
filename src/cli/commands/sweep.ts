import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { CELLS_DIR, listCellFiles } from '../../sweep/cells.js';
import { resolveShard, shardCells } from '../../sweep/shard.js';
import { prepareSweep } from '../../sweep/spec.js';
import { runSweep } from '../../sweep/sweep.js';
import type { Io } from '../io.js';
import { listOption, overrides, sharedScenarioOptions } from '../options.js';
import { progressBar } from '../progress.js';
import { repeated, shownPath, workersFrom, workersOption, yesOption } from '../sweepOptions.js';

/** A word as the shell reads it back: as it is when plain, else in single quotes. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that resumes this sweep: the same arguments (those that decide its results), and --out. */
export function resumeCommand(argv: Record<string, unknown>, out: string): string {
  const words = ['stickysim', 'sweep', String(argv.scenario)];
  const add = (flag: string, v: unknown) => {
    if (v !== undefined) words.push(flag, String(v));
  };
  for (const v of repeated(argv.vary)) add('--vary', v);
  for (const v of repeated(argv.set)) add('--set', v);
  add('--seed', argv.seed);
  add('--duration', argv.duration);
  add('--strategies', argv.strategies);
  if (argv.replications !== 1) add('--replications', argv.replications);
  add('--shard', argv.shard);
  add('--shards', argv.shards);
  add('--max-scenario-bytes', argv['max-scenario-bytes']);
  add('--out', out);
  if (argv.yes === true) words.push('--yes');
  return words.map((w, i) => (i < 2 ? w : shellQuote(w))).join(' ');
}

export function sweepCommand(io: Io) {
  return {
    command: 'sweep <scenario>',
    describe: 'Run a grid of parameter values × strategies × replications; write sweep.csv, sweep-summary.csv, charts and report.html (resumable, shardable)',
    builder: (y: Argv) =>
      yesOption(workersOption(
        sharedScenarioOptions(y)
          .option('vary', { type: 'string', describe: 'A parameter and its values: --vary fleet.servers=4,6,8 or =4..12 or =4..12:2 (repeatable: the grid is every combination)' })
          .option('strategies', { type: 'string', describe: 'Comma-separated strategies to run (default: the scenario\'s)' })
          .option('replications', { type: 'number', default: 1, describe: 'Replications per cell; replication r has the same seed in every cell' })
          .option('out', { type: 'string', describe: 'Results directory (default: results/<scenario-name>-sweep, or …-sweep-shard-<i> for a shard)' })
          .option('force', { type: 'boolean', default: false, describe: 'Replace a sweep of different arguments in --out (instead of refusing)' })
          .option('shard', { type: 'string', describe: 'Run only shard i of n (0-based, i/n): cells i+1, i+1+n, …; default: from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID' })
          .option('shards', { type: 'number', describe: 'Number of shards when the index comes from the environment (Kubernetes; or STICKYSIM_SHARDS)' })
          .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors' }),
      )),
    handler: async (argv: Record<string, unknown>) => {
      const { sets, names, maxBytes } = overrides(argv);
      const spec = prepareSweep({
        file: String(argv.scenario),
        sets,
        names,
        maxBytes,
        vary: repeated(argv.vary),
        strategies: listOption(argv.strategies),
        replications: argv.replications as number,
      });
      const workers = workersFrom(argv);
      const shard = resolveShard({ shard: argv.shard as string | undefined, shards: argv.shards as number | undefined }, process.env);
      const { meta } = spec;
      const out = typeof argv.out === 'string' ? argv.out : join('results', `${meta.scenario}-sweep${shard ? `-shard-${shard.index}` : ''}`);
      const quiet = argv.quiet === true;
      const runs = (cells: number) => cells * meta.strategies.length * meta.replications;
      if (!quiet) {
        const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
        io.out(`sweep ${meta.scenario}: ${spec.axes.map((a) => a.path).join(' × ')}, ${plural(meta.cells, 'cell')} × ${meta.strategies.length} strateg${meta.strategies.length === 1 ? 'y' : 'ies'} × ${plural(meta.replications, 'replication')} = ${runs(meta.cells)} runs, seed ${meta.seed}\n`);
        if (shard) io.out(`shard ${shard.index}/${shard.count} (from ${shard.source})\n`);
      }

      const progress = progressBar(quiet ? undefined : io.terminal);
      // Interrupted (Ctrl-C, a scheduler's SIGTERM): every cell file is whole, so say what is kept and how to go on.
      const onSignal = (signal: NodeJS.Signals) => {
        progress.stop();
        const kept = listCellFiles(resolve(out)).length;
        const of = shard ? shardCells(spec.cells, shard).length : meta.cells;
        io.err(
          `stickysim: interrupted (${signal}); ${kept} of ${of} cell${of === 1 ? '' : 's'} finished and kept in ${shownPath(resolve(out))}/${CELLS_DIR}/; to resume, run the same command again:\n  ${resumeCommand(argv, out)}\n`,
        );
        process.exit(signal === 'SIGINT' ? 130 : 143);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let outcome;
      try {
        outcome = await runSweep(spec, { out, force: argv.force === true, yes: argv.yes === true, shard, workers, onRun: (done, total, cell) => progress.tick(done, total, cell) });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        progress.stop();
      }
      if (quiet) return;
      for (const r of outcome.redone) io.err(`stickysim: ran again a damaged cell file: ${r}\n`);
      io.out(`computed ${outcome.computed} cell${outcome.computed === 1 ? '' : 's'} (${runs(outcome.computed)} run${runs(outcome.computed) === 1 ? '' : 's'}), ${outcome.skipped} already complete, of ${outcome.cells}${shard ? ' in this shard' : ''}\n`);
      const where = shownPath(outcome.dir);
      if (shard) {
        io.out(`wrote ${where}/ (sweep.json, cells/); when every shard is done: stickysim merge <the ${shard.count} shard directories> --out DIR\n`);
      } else {
        const charts = outcome.files.filter((f) => f.startsWith('charts/')).length;
        io.out(`wrote ${where}/ (sweep.json, cells/, ${outcome.files.filter((f) => !f.startsWith('charts/')).join(', ')}, charts/ with ${charts} PNGs)\n`);
      }
    },
  };
}
