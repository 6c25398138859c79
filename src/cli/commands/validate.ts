import type { Argv } from 'yargs';
import { formatDuration } from '../../model/units.js';
import { InputError } from '../../scenario/errors.js';
import { loadScenario } from '../../scenario/load.js';
import type { Io } from '../io.js';
import { scenarioArgs, sharedScenarioOptions } from '../options.js';

export function validateCommand(io: Io) {
  return {
    command: 'validate <scenario>',
    describe: 'Check a scenario file against the schema and print what it resolves to',
    builder: (y: Argv) => sharedScenarioOptions(y),
    handler: (argv: Record<string, unknown>) => {
      let s;
      try {
        s = loadScenario(String(argv.scenario), ...scenarioArgs(argv));
      } catch (e) {
        // validate is where one looks for every mistake at once: each on a line of its own.
        if (!(e instanceof InputError) || e.all.length < 2) throw e;
        for (const line of e.all) io.err(`stickysim: ${line}\n`);
        io.err(`stickysim: ${e.all.length} problems\n`);
        throw new InputError(e.message, e.all, true);
      }
      const c = s.config;
      io.out(
        `${s.file}: ok — "${s.name}", ${c.fleet.initial.length} servers × ${c.fleet.workers} workers, ` +
          `${formatDuration(c.duration)} (warm-up ${formatDuration(c.warmup)}), ${c.timeline.length} timeline events, ` +
          `strategies: ${s.strategies.map((x) => x.label).join(', ')}\n`,
      );
    },
  };
}
