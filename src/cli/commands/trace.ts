import type { Argv } from 'yargs';
import { sessionDiagram, type ServerChoice } from '../../report/trace/mermaid.js';
import { eventLog, parseSessionPick, traceSession } from '../../report/trace/record.js';
import { InputError } from '../../scenario/errors.js';
import { didYouMean } from '../../scenario/suggest.js';
import { loadScenario, resolveStrategy } from '../../scenario/load.js';
import { ALL_STRATEGY_NAMES, findStrategy } from '../../strategies/registry.js';
import type { Io } from '../io.js';
import { scenarioArgs, sharedScenarioOptions } from '../options.js';

export function traceCommand(io: Io) {
  return {
    command: 'trace <scenario>',
    describe: 'Follow one session of one strategy: a Mermaid sequence diagram, or the raw event log as JSON lines',
    builder: (y: Argv) =>
      sharedScenarioOptions(y)
        .option('strategy', { type: 'string', describe: 'The strategy to trace: a label of the scenario, or any strategy name' })
        .option('session', { type: 'string', describe: 'The K-th session started (1, 2, …) or first-lost (default 1; jsonl: all)' })
        .option('format', { choices: ['mermaid', 'jsonl'] as const, default: 'mermaid' as const, describe: 'Diagram, or one JSON event per line' })
        .option('limit', { type: 'number', default: 10_000, describe: 'jsonl: at most this many events' })
        .option('servers', { choices: ['auto', 'all', 'touched'] as const, default: 'auto' as const, describe: 'Servers drawn: all, those the session touched, or all if at most 4 (auto)' }),
    handler: (argv: Record<string, unknown>) => {
      const scenario = loadScenario(String(argv.scenario), ...scenarioArgs(argv));
      const strategy = pickStrategy(scenario.strategies, argv.strategy);
      const limit = argv.limit as number;
      if (!Number.isInteger(limit) || limit < 1) throw new InputError(`--limit: expected a whole number ≥ 1, got ${limit}`);
      if (argv.format === 'jsonl') {
        const session = argv.session === undefined ? undefined : parseSessionPick(argv.session);
        const log = eventLog(scenario, strategy, scenario.seed, { limit, session });
        io.out(log.events.map((e) => JSON.stringify(e)).join('\n') + (log.events.length > 0 ? '\n' : ''));
        if (log.truncated) io.err(`stickysim: trace stopped at --limit ${limit} events\n`);
        return;
      }
      const trace = traceSession(scenario, strategy, scenario.seed, parseSessionPick(argv.session ?? 1));
      io.out(sessionDiagram(trace, { servers: argv.servers as ServerChoice }));
    },
  };
}

function pickStrategy(own: { label: string }[], v: unknown) {
  const labels = own.map((s) => s.label);
  if (v === undefined) {
    if (own.length === 1) return own[0] as ReturnType<typeof resolveStrategy>;
    throw new InputError(`--strategy: expected one of ${labels.join(', ')} (the scenario runs several)`);
  }
  const name = String(v);
  const found = own.find((s) => s.label === name);
  if (found !== undefined) return found as ReturnType<typeof resolveStrategy>;
  if (findStrategy(name) !== undefined) return resolveStrategy(name);
  const known = [...new Set([...labels, ...ALL_STRATEGY_NAMES])];
  throw new InputError(`--strategy: unknown strategy "${name}"${didYouMean(name, known)}: expected one of ${known.join(', ')}`);
}
