import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { main } from '../../src/cli/main.js';
import { experimentCsv, statisticsCsv } from '../../src/report/csv.js';
import { InputError } from '../../src/scenario/errors.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runExperiment, runOnce } from '../../src/simulation/experiment.js';
import { mutation, RUNS, validDoc } from './arbitraries.js';

/** npm test: a fixed seed, so a failure reproduces; npm run fuzz: a new seed each time (printed on failure), or FUZZ_SEED. */
const params = {
  numRuns: RUNS,
  seed: process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : process.env.FUZZ_RUNS === undefined ? 20260 : undefined,
};

/** Generous per-test time: about 0.2 s a case (the fuzz runs minutes, npm test seconds). */
const TIMEOUT = Math.max(60_000, RUNS * 200);

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

function expectOneLine(err: string): void {
  expect(err.endsWith('\n')).toBe(true);
  expect(err.trimEnd().split('\n')).toHaveLength(1);
  expect(err).not.toMatch(/\n\s+at |internal error/);
}

describe('random valid scenarios', () => {
  it('run to the end with every invariant holding, time never decreasing, no NaN or negative output', () => {
    fc.assert(
      fc.property(validDoc, (doc) => {
        const sc = parseScenario(YAML.stringify(doc), 'prop.yaml');
        for (const strategy of sc.strategies) {
          let last = 0;
          // runOnce checks the run's invariants (conservation, per-server sums, no NaN/negative): a violation throws.
          const { metrics } = runOnce(sc, strategy, sc.seed, (e) => {
            if (e.t < last) throw new Error(`time went backwards: ${e.t} after ${last}`);
            last = e.t;
          });
          expect(last).toBeLessThanOrEqual(sc.config.duration);
          const c = metrics.conservation;
          expect(c.requestsSent).toBe(c.requestsCompleted + c.requestsDropped + c.requestsFailed + c.requestsInFlight);
        }
        // Every file's numbers are finite: no NaN, no infinity, no empty summary cell.
        const result = runExperiment(sc, { strategies: sc.strategies.slice(0, 1), replications: 2, seed: sc.seed });
        const files = { ...experimentCsv(sc.name, result), ...statisticsCsv(result, sc.strategies[0]!.label) };
        for (const [name, text] of Object.entries(files)) expect(text, name).not.toMatch(/NaN|inf/i);
        for (const line of files['summary.csv'].trim().split('\n')) expect(line).not.toMatch(/,,|,$/);
      }),
      params,
    );
  }, TIMEOUT);
});

describe('random invalid scenarios', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stickysim-fuzz-'));
  const file = join(dir, 'prop.yaml');

  it('are refused with one line naming the field, never a stack trace; exit 2 and nothing written', async () => {
    await fc.assert(
      fc.asyncProperty(validDoc, mutation, async (doc, m) => {
        const broken = structuredClone(doc) as Record<string, any>;
        m.apply(broken);
        const text = YAML.stringify(broken);
        let message = '';
        try {
          parseScenario(text, 'prop.yaml');
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          message = (e as Error).message;
        }
        expect(message, 'accepted an invalid document').not.toBe('');
        expect(message.split('\n')).toHaveLength(1);
        expect(m.accept.some((p) => message.startsWith(`prop.yaml: ${p}`)), `${message} should name ${m.accept.join(' or ')}`).toBe(true);
        writeFileSync(file, text);
        const r = await cli(['run', file, '--out', join(dir, 'out')]);
        expect(r.code).toBe(2);
        expectOneLine(r.err);
        expect(readdirSync(dir)).toEqual(['prop.yaml']);
      }),
      params,
    );
  }, TIMEOUT);

  it('documents that are not mappings, or not YAML at all', async () => {
    for (const text of ['- a\n- b\n', '42\n', '', 'fleet: [servers: 2\n', 'a: 1\na: 2\n', '\t- x: :']) {
      writeFileSync(file, text);
      const r = await cli(['validate', file]);
      expect(r.code, text).toBe(2);
      expectOneLine(r.err);
    }
  });
});

describe('random invalid argument lists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stickysim-args-'));
  const scenario = join(dir, 's.yaml');
  writeFileSync(scenario, 'duration: 2m\nworkload:\n  arrivals: { rate: 0.5 }\nfleet: { servers: 2 }\nstrategies: [cookie, p2c, round-robin]\n');
  const notADir = join(dir, 'file.txt');
  writeFileSync(notADir, 'x');

  /** Valid pieces, any of which may accompany the bad one. */
  const good: Record<string, string[]> = {
    '--seed': ['--seed', '7'],
    '--duration': ['--duration', '90s'],
    '--strategies': ['--strategies', 'cookie,p2c'],
    '--replications': ['--replications', '2'],
    '--set': ['--set', 'fleet.workers=3'],
    '--force': ['--force'],
    '--baseline': ['--baseline', 'cookie'],
  };
  /** Bad pieces and what the message must name. */
  const bad: fc.Arbitrary<{ option: string; args: readonly string[]; names: RegExp }> = fc.oneof(
    fc.constantFrom('0', '-3', '1.5', 'abc').map((v) => ({ option: '--replications', args: ['--replications', v], names: /--replications/ })),
    fc.constantFrom('1', '0', '2.5', 'x', '100000').map((v) => ({ option: '--batch-means', args: ['--batch-means', v], names: /--batch-means/ })),
    fc.constantFrom('nope', 'least-conn').map((v) => ({ option: '--baseline', args: ['--baseline', v], names: /--baseline/ })),
    fc.constantFrom('nope', 'cookie,nope', 'cookies').map((v) => ({ option: '--strategies', args: ['--strategies', v], names: /--strategies/ })),
    fc.constantFrom('abc', '1.5', '5000000000').map((v) => ({ option: '--seed', args: ['--seed', v], names: /--seed/ })),
    fc.constantFrom('soon', '0', '3 fortnights').map((v) => ({ option: '--duration', args: ['--duration', v], names: /duration/ })),
    fc.constantFrom('fleet.servers', '=5', 'fleet..servers=1', '[0]=1', 'a b=1').map((v) => ({ option: '--set', args: ['--set', v], names: /--set/ })),
    fc.constantFrom('fleet.servers=-1', 'fleet.servers=abc', 'fleet.servers=0').map((v) => ({ option: '--set', args: ['--set', v], names: /fleet\.servers/ })),
    fc.constantFrom('fleet.wrokers=2', 'workload.arrivals.speed=1').map((v) => ({ option: '--set', args: ['--set', v], names: /wrokers|speed/ })),
    fc.constantFrom('--frobnicate', '--replicatons=2', '--out-dir=x').map((v) => ({ option: v, args: [v], names: /Unknown argument/ })),
    fc.constant({ option: '--out', args: ['--out', notADir], names: /--out .*not a directory/ }),
    fc.constant({ option: 'scenario', args: [], names: /no such file/ }),
  );

  it('exit 2 with one line naming the option or field; nothing written', async () => {
    await fc.assert(
      fc.asyncProperty(bad, fc.shuffledSubarray(Object.keys(good)), fc.nat(), async (b, picks, at) => {
        const pieces: (readonly string[])[] = picks.filter((k) => k !== b.option && !(b.option === '--baseline' && k === '--strategies')).map((k) => good[k]!);
        pieces.splice(at % (pieces.length + 1), 0, b.args);
        const file = b.option === 'scenario' ? join(dir, 'missing.yaml') : scenario;
        const out = b.option === '--out' ? [] : ['--out', join(dir, 'out')];
        const r = await cli(['run', file, ...pieces.flat(), ...out]);
        expect(r.code, r.err).toBe(2);
        expectOneLine(r.err);
        expect(r.err).toMatch(b.names);
        expect(readdirSync(dir).sort()).toEqual(['file.txt', 's.yaml']);
      }),
      params,
    );
  }, TIMEOUT);
});
