import { InputError } from '../scenario/errors.js';
import { MAX_SCENARIO_BYTES, type LoadOptions } from '../scenario/load.js';
import type { Argv } from 'yargs';

/** Options every scenario-reading command shares: overrides by path, and sugar for the common ones. */
export function sharedScenarioOptions(y: Argv) {
  return y
    .positional('scenario', { type: 'string', describe: 'Scenario file (.yaml, .yml or .json)' })
    .option('set', { type: 'string', array: true, describe: 'Override a field: --set fleet.servers=12 (repeatable)' })
    .option('seed', { type: 'number', describe: 'Master seed (overrides the scenario\'s)' })
    .option('duration', { type: 'string', describe: 'Simulated duration, e.g. 3600 or 2h (overrides the scenario\'s)' })
    .option('max-scenario-bytes', { type: 'number', describe: `Largest scenario file read (default ${MAX_SCENARIO_BYTES}, 1 MiB); a larger one is refused before it is parsed` });
}

/** The --set list, with --seed and --duration as overrides after it. */
export function toSets(argv: Record<string, unknown>): string[] {
  return overrides(argv).sets;
}

/**
 * The overrides (--set, then --seed and --duration) and how each was
 * written, so that a bad value is blamed on its flag (`--duration 1e15: …`),
 * and the scenario size limit: what {@link loadScenario} takes besides the file.
 */
export function overrides(argv: Record<string, unknown>): { sets: string[]; names: string[]; maxBytes: number } & Required<LoadOptions> {
  const sets = ((argv.set as string[] | undefined) ?? []).map(String);
  const names = sets.map((s) => `--set ${s}`);
  if (argv.seed !== undefined) {
    const seed = argv.seed as number;
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new InputError(`--seed: expected a whole number from 0 to 4294967295, got ${String(seed)}`);
    sets.push(`seed=${seed}`);
    names.push(`--seed ${seed}`);
  }
  if (argv.duration !== undefined) {
    sets.push(`duration=${String(argv.duration)}`);
    names.push(`--duration ${String(argv.duration)}`);
  }
  return { sets, names, maxBytes: maxScenarioBytes(argv['max-scenario-bytes']) };
}

/** `loadScenario`'s arguments after the file: the overrides, and how they were given. */
export function scenarioArgs(argv: Record<string, unknown>): [string[], LoadOptions] {
  const o = overrides(argv);
  return [o.sets, o];
}

/** "quickstart.yaml" or "quickstart.yaml with --set fleet.servers=100000 --duration 1d": what a whole-run message is about. */
export function withOverrides(file: string, argv: Record<string, unknown>): string {
  const { names } = overrides(argv);
  return names.length === 0 ? file : `${file} with ${names.join(' ')}`;
}

function maxScenarioBytes(v: unknown): number {
  if (v === undefined) return MAX_SCENARIO_BYTES;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new InputError(`--max-scenario-bytes: expected a whole number of bytes ≥ 1, got ${String(v)}`);
  return v;
}

/** "a,b , c" → ["a", "b", "c"]; undefined stays undefined. */
export function listOption(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return String(v)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
