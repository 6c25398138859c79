#!/usr/bin/env node
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EnvironmentError, InputError } from '../scenario/errors.js';
import { didYouMean } from '../scenario/suggest.js';
import { VERSION } from '../version.js';
import { listCommand } from './commands/list.js';
// --- issue #6: sweeps, capacity planning, shards ---
import { mergeCommand } from './commands/merge.js';
import { planCommand } from './commands/plan.js';
import { sweepCommand } from './commands/sweep.js';
// ---
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { schemaCommand } from './commands/schema.js';
import { traceCommand } from './commands/trace.js';
import { validateCommand } from './commands/validate.js';
import { processIo, type Io } from './io.js';

/** The scenarios shipped with stickysim (the package's scenarios/). */
const SHIPPED = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/**
 * `name` as given when it is a path that exists (or not a bare name);
 * otherwise the shipped scenario of that name (`quickstart` →
 * …/scenarios/quickstart.yaml), if there is one.
 */
export function shippedScenario(name: string): string {
  if (existsSync(name) || !/^[\w.-]+$/.test(name)) return name;
  for (const candidate of [`${name}.yaml`, `${name}.yml`, name]) {
    const path = join(SHIPPED, candidate);
    if (existsSync(path)) return path;
  }
  return name;
}

/** What `--key` was given on the command line (`--key text` or `--key=text`), as typed. */
function givenText(args: readonly string[], key: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${key}`) return args[i + 1];
    if (a.startsWith(`--${key}=`)) return a.slice(key.length + 3);
  }
  return undefined;
}

/** Bad command-line usage, reported by yargs. */
class UsageError extends Error {}

/** Each command's help ends with these examples (command line, what it does). */
export const EXAMPLES: Record<string, [string, string][]> = {
  run: [
    ['stickysim run quickstart', 'every strategy of the flagship scenario; results in results/quickstart/'],
    ['stickysim run scenarios/server-crash.yaml --strategies cookie,ip-hash --replications 5', 'two strategies, 5 replications: intervals and paired differences'],
    ['stickysim run quickstart --set fleet.servers=12 --duration 1h30m --out results/q12', 'overrides, and a directory of its own'],
  ],
  report: [
    ['stickysim report results/quickstart', 'redraw report.html and the charts from the CSV files'],
    ['stickysim report results/quickstart --quiet', 'the same, printing nothing'],
  ],
  trace: [
    ['stickysim trace seed-two-servers --strategy cookie', 'the first session as a Mermaid sequence diagram'],
    ['stickysim trace server-crash --strategy ip-hash --session first-lost', 'the first session that lost its state, and why'],
    ['stickysim trace quickstart --strategy cookie --format jsonl --limit 100', "the run's raw events, one JSON object per line"],
  ],
  validate: [
    ['stickysim validate scenarios/quickstart.yaml', 'check a scenario and print what it resolves to'],
    ['cat my.yaml | stickysim validate -', 'the same, from standard input'],
  ],
  list: [
    ['stickysim list', 'every strategy and shipped scenario, a line each'],
    ['stickysim list | grep haproxy', 'the HAProxy preset'],
  ],
  schema: [
    ['stickysim schema > stickysim.schema.json', 'the JSON Schema of scenario files, for an editor'],
    ['stickysim schema | jq .properties.fleet', 'what a fleet may say'],
  ],
  sweep: [
    ['stickysim sweep quickstart --vary fleet.servers=4,8,12', 'three fleet sizes × every strategy'],
    ['stickysim sweep quickstart --vary fleet.servers=4..12:4 --replications 3 --workers 2', 'a range, replicated, on two threads'],
    ['stickysim sweep quickstart --vary fleet.servers=4..12 --shard 0/2 --out results/part0', 'one shard of two (stickysim merge joins them)'],
  ],
  plan: [
    ["stickysim plan mmc --vary fleet.servers=1..64 --slo 'latency_p99_ms<=250'", 'the fewest servers meeting a p99 target, with 95% confidence'],
    ["stickysim plan quickstart --vary fleet.servers=2..32 --slo 'session_loss_rate<=1%' --strategies cookie,ip-ring", 'per strategy, for a loss target'],
  ],
  merge: [
    ['stickysim merge results/part0 results/part1 --out results/quickstart-sweep', 'join the shards of a sweep into its files'],
    ['stickysim merge results/part* --force', 'the same, replacing an earlier merge'],
  ],
};

/** A command with its examples added to its help. */
function withExamples<C extends { command: string; builder?: (y: Argv) => Argv }>(c: C): C {
  const name = c.command.split(' ')[0]!;
  const examples = EXAMPLES[name] ?? [];
  return { ...c, builder: (y: Argv) => examples.reduce((acc, [cmd, what]) => acc.example(cmd, what), c.builder ? c.builder(y) : y) };
}

/** Options that may be given more than once (and positional lists). */
const REPEATABLE = new Set(['set', 'vary', 'slo', 'dirs']);

/**
 * Runs the CLI and returns the exit code: 0 success, 2 bad input or
 * arguments (one line on stderr), 1 the machine refused (a full disk, a
 * permission, a worker out of memory: one line, not a bug) or an internal
 * error (with its stack). 130 after SIGINT is set by the signal handlers.
 */
export async function main(args: readonly string[], io: Io = processIo): Promise<number> {
  const parser = yargs([...args])
    .scriptName('stickysim')
    .version(VERSION)
    .alias('V', 'version')
    .alias('h', 'help')
    .recommendCommands()
    .command(withExamples(runCommand(io)))
    .command(withExamples(reportCommand(io)))
    .command(withExamples(traceCommand(io)))
    .command(withExamples(validateCommand(io)))
    .command(withExamples(listCommand(io)))
    .command(withExamples(schemaCommand(io)))
    // --- issue #6 ---
    .command(withExamples(sweepCommand(io)))
    .command(withExamples(planCommand(io)))
    .command(withExamples(mergeCommand(io)))
    // ---
    // An option that takes one value, given twice, is refused: yargs would make a list of it, which reads as
    // no value at all (`--out a --out b` would write to the default directory).
    .middleware((argv) => {
      // `… | stickysim validate -`: yargs reads a lone `-` as an empty string; it is standard input.
      if ((argv.scenario === true || argv.scenario === '') && args.includes('-')) {
        const command = String(argv._[0]);
        if (command === 'sweep' || command === 'plan') throw new UsageError(`${command} reads its scenario once per cell, so it cannot come on standard input: give a file, not -`);
        argv.scenario = '-';
      }
      // `stickysim run quickstart`: a bare name that is no file here is a shipped scenario.
      else if (typeof argv.scenario === 'string') argv.scenario = shippedScenario(argv.scenario);
      for (const [key, value] of Object.entries(argv)) {
        if (Array.isArray(value) && !REPEATABLE.has(key) && !/[A-Z]/.test(key) && key !== '_') {
          throw new UsageError(`--${key}: given ${value.length} times (${value.join(', ')}); give it once`);
        }
        // A number option given text: yargs makes it NaN, which no message should show. Say what was given.
        if (typeof value === 'number' && Number.isNaN(value) && !/[A-Z]/.test(key)) {
          throw new UsageError(`--${key}: expected a number, got ${JSON.stringify(givenText(args, key) ?? '')}`);
        }
      }
    })
    .demandCommand(1, 'expected a command: run, report, trace, validate, list, schema, sweep, plan or merge')
    .strict()
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      // An unknown option: name the nearest known one (`--outt` → --out).
      const unknown = /^Unknown arguments?: (.+)$/.exec(msg ?? '');
      if (unknown) {
        // yargs keeps its options' names in getOptions(), which its types do not declare.
        const options = (parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions();
        const known = Object.keys(options.key).filter((k) => k.length > 1);
        const hints = unknown[1]!.split(', ').map((a) => didYouMean(a, known).replace(/did you mean (\S+)\?/, 'did you mean --$1?'));
        throw new UsageError(`${msg}${hints.join('')}`);
      }
      throw new UsageError(msg);
    });
  try {
    await parser.parseAsync();
    return 0;
  } catch (e) {
    if (e instanceof InputError && e.reported) return 2;
    if (e instanceof InputError || e instanceof UsageError) {
      const hint = e instanceof UsageError ? ' (see stickysim --help)' : '';
      io.err(`stickysim: ${e.message.replace(/\s*\n\s*/g, ' ')}${hint}\n`);
      return 2;
    }
    if (e instanceof EnvironmentError) {
      io.err(`stickysim: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 1;
    }
    io.err(`stickysim: internal error — this is a bug, please report it\n${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  // `stickysim run … | head`: once the reader has gone, what is left to print goes nowhere, and the command
  // still finishes what it writes to disk (EPIPE is not an error of the run).
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
  process.exitCode = await main(hideBin(process.argv));
}
