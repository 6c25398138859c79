import { InputError } from '../scenario/errors.js';
import type { Argv } from 'yargs';

/** Options every scenario-reading command shares: overrides by path, and sugar for the common ones. */
export function sharedScenarioOptions(y: Argv) {
  return y
    .positional('scenario', { type: 'string', describe: 'Scenario file (.yaml, .yml or .json)' })
    .option('set', { type: 'string', array: true, describe: 'Override a field: --set fleet.servers=12 (repeatable)' })
    .option('seed', { type: 'number', describe: 'Master seed (overrides the scenario\'s)' })
    .option('duration', { type: 'string', describe: 'Simulated duration, e.g. 3600 or 2h (overrides the scenario\'s)' });
}

/** The --set list, with --seed and --duration as overrides after it. */
export function toSets(argv: Record<string, unknown>): string[] {
  const sets = ((argv.set as string[] | undefined) ?? []).map(String);
  if (argv.seed !== undefined) {
    const seed = argv.seed as number;
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new InputError(`--seed: expected a whole number from 0 to 4294967295, got ${String(seed)}`);
    sets.push(`seed=${seed}`);
  }
  if (argv.duration !== undefined) sets.push(`duration=${String(argv.duration)}`);
  return sets;
}

/** "a,b , c" → ["a", "b", "c"]; undefined stays undefined. */
export function listOption(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return String(v)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
