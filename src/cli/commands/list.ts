import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { ALL_STRATEGIES } from '../../strategies/registry.js';
import type { Io } from '../io.js';

/** The scenarios shipped with stickysim (beside src/ and dist/). */
export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scenarios');

function scenarioLines(): string[] {
  let files: string[];
  try {
    files = readdirSync(SCENARIO_DIR).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  } catch {
    return [];
  }
  return files.map((f) => {
    const path = join(SCENARIO_DIR, f);
    let description = '';
    try {
      const doc = YAML.parse(readFileSync(path, 'utf8')) as { description?: string };
      description = (doc.description ?? '').replace(/\s+/g, ' ').trim();
    } catch {
      description = '(unreadable)';
    }
    return `  ${relative(process.cwd(), path).padEnd(34)} ${description}`;
  });
}

export function listCommand(io: Io) {
  return {
    command: 'list',
    describe: 'List the strategies and the shipped scenarios',
    handler: () => {
      const width = Math.max(...ALL_STRATEGIES.map((s) => s.name.length));
      io.out('strategies:\n');
      for (const s of ALL_STRATEGIES) io.out(`  ${s.name.padEnd(width)}  ${s.description}\n`);
      io.out('\nscenarios:\n');
      for (const line of scenarioLines()) io.out(`${line}\n`);
    },
  };
}
