#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { markdown, runSuite, textTable, verdict } from './suite.js';

/**
 * `npm run validate`: runs the validation suite, prints the table, and exits
 * 1 if any check fails (2 on bad arguments). `--write FILE` also writes the
 * markdown table (docs/VALIDATION.md); timings go to the terminal only.
 */
async function main(): Promise<number> {
  let argv;
  try {
    argv = await yargs(hideBin(process.argv))
      .scriptName('npm run validate --')
      .option('quick', { type: 'boolean', default: false, describe: 'The fast subset that npm test runs' })
      .option('seed', { type: 'number', default: 1, describe: 'Master seed of every run' })
      .option('write', { type: 'string', describe: 'Also write the table as markdown to this file (docs/VALIDATION.md)' })
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .parseAsync();
  } catch (e) {
    process.stderr.write(`validate: ${(e as Error).message}\n`);
    return 2;
  }
  if (!Number.isInteger(argv.seed) || argv.seed < 0) {
    process.stderr.write(`validate: --seed: expected a whole number ≥ 0, got ${argv.seed}\n`);
    return 2;
  }
  const opts = { quick: argv.quick, seed: argv.seed };
  process.stderr.write(`validation (${opts.quick ? 'quick subset' : 'full suite'}, seed ${opts.seed}):\n`);
  const started = performance.now();
  let last = started;
  const checks = runSuite({
    ...opts,
    onPart: (name, part) => {
      const now = performance.now();
      const failed = part.filter((c) => !c.pass).length;
      process.stderr.write(`  ${name}: ${part.length} checks${failed > 0 ? `, ${failed} FAILED` : ''} (${((now - last) / 1000).toFixed(1)} s)\n`);
      last = now;
    },
  });
  process.stdout.write(`\n${textTable(checks)}`);
  process.stderr.write(`validation took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  if (typeof argv.write === 'string') {
    writeFileSync(argv.write, markdown(checks, opts));
    process.stdout.write(`wrote ${argv.write}\n`);
  }
  return verdict(checks).startsWith('all') ? 0 : 1;
}

process.exitCode = await main();
