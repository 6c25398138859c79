import { z } from 'zod';
import { scenarioSchema } from '../../scenario/schema.js';
import type { Io } from '../io.js';

/** The scenario format as JSON Schema (draft 2020-12), for editors. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'stickysim scenario' };
}

export function schemaCommand(io: Io) {
  return {
    command: 'schema',
    describe: 'Print the JSON Schema of scenario files (for editor completion and checks)',
    handler: () => io.out(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n'),
  };
}
