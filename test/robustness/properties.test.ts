import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { main } from '../../src/cli/main.js';
import { experimentCsv, statisticsCsv } from '../../src/report/csv.js';
import { InputError } from '../../src/scenario/errors.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runExperiment, runOnce } from '../../src/simulation/experiment.js';
import { commandLine, mutation, RUNS, validDoc } from './arbitraries.js';

/** npm test: a fixed seed, so a failure reproduces; npm run fuzz: a new seed each time (printed on failure), or FUZZ_SEED. */
const params = {
  numRuns: RUNS,
  seed: process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : process.env.FUZZ_RUNS === undefined ? 20260 : undefined,
};

/** Command lines run whole commands (a run draws its charts): a tenth as many, and at least a few. */
const CLI_RUNS = process.env.FUZZ_RUNS === undefined ? 40 : Math.max(40, Math.round(RUNS / 10));

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
          expect(c.requestsSent).toBe(c.requestsCompleted + c.requestsDropped + c.requestsFailed + c.requestsInFlight + c.requestsRetrying);
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

describe('random command lines in a sandbox of someone\'s files', () => {
  /**
   * The sandbox: `outer/box`, the current directory while a command runs.
   * Built once (with a real run's results in `ours/`), copied afresh for each case.
   */
  const template = mkdtempSync(join(tmpdir(), 'stickysim-cli-fuzz-'));
  const box = join(template, 'box');
  mkdirSync(join(box, 'someone', 'data'), { recursive: true });
  writeFileSync(join(box, 'someone', 'keep.txt'), 'mine');
  writeFileSync(join(box, 'someone', 'data', 'thesis.tex'), 'years of work');
  writeFileSync(join(box, 'afile.txt'), 'a file');
  writeFileSync(join(box, 's.yaml'), 'name: s\nseed: 3\nduration: 5m\nworkload:\n  arrivals: { rate: 0.5 }\nfleet: { servers: 2 }\nstrategies: [cookie, p2c]\n');
  writeFileSync(join(box, 'bad.yaml'), 'workload:\n  arrivals: { rate: -1 }\nfleet: { servers: 0 }\n');
  symlinkSync('someone', join(box, 'link'));

  /** Every entry under `dir`: a directory, a link and its target, or a file and its contents. */
  function snap(dir: string, rel = '', out = new Map<string, string>()): Map<string, string> {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      const key = `${rel}${name}`;
      if (st.isSymbolicLink()) out.set(key, `link ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.set(`${key}/`, 'dir');
        snap(p, `${key}/`, out);
      } else out.set(key, `file ${readFileSync(p, 'latin1')}`);
    }
    return out;
  }

  /** `path` with the symbolic links of its existing part resolved (`link/sub` is `someone/sub`). */
  function real(path: string): string {
    let head = path;
    const tail: string[] = [];
    while (!existsSync(head) && head !== dirname(head)) {
      tail.unshift(basename(head));
      head = dirname(head);
    }
    return join(realpathSync(head), ...tail);
  }

  /** The value of the last `--out` given (yargs keeps the last), if any. */
  function outOf(args: readonly string[]): string | undefined {
    let out: string | undefined;
    for (let i = 0; i < args.length - 1; i++) if (args[i] === '--out') out = args[i + 1];
    return out;
  }

  it('exit 0 or 2 (never an internal error); nothing outside --out touched; no one\'s directory removed', async () => {
    const first = await cli(['run', join(box, 's.yaml'), '--out', join(box, 'ours'), '--workers', '1', '--quiet']);
    expect(first.code, first.err).toBe(0);
    const here = process.cwd();
    await fc.assert(
      fc.asyncProperty(commandLine, async (args) => {
        const outer = mkdtempSync(join(tmpdir(), 'stickysim-cli-case-'));
        cpSync(template, outer, { recursive: true, verbatimSymlinks: true });
        const dir = join(outer, 'box');
        const before = snap(outer);
        process.chdir(dir);
        let r;
        try {
          r = await cli(args);
        } finally {
          process.chdir(here);
        }
        const shown = `stickysim ${args.join(' ')} → exit ${r.code}: ${r.err.slice(0, 400)}`;
        expect([0, 2], shown).toContain(r.code);
        if (r.code === 2) expectOneLine(r.err);
        const after = snap(outer);
        // What may change: the results directory (--out, report's directory, or results/ by default), if the command succeeded.
        const named = args[0] === 'report' ? args[1] : outOf(args);
        const writes = ['run', 'sweep', 'plan', 'merge', 'report'].includes(args[0]!);
        const target = writes && r.code === 0 ? relative(outer, real(resolve(dir, named ?? 'results'))) : undefined;
        const mayChange = (key: string) => target !== undefined && (key === `${target}/` || key.startsWith(`${target}/`) || `${target}/`.startsWith(key));
        for (const [key, was] of before) {
          if (mayChange(key)) continue;
          expect(after.get(key), `${key} changed or removed by: ${shown}`).toBe(was);
        }
        for (const key of after.keys()) if (!before.has(key)) expect(mayChange(key), `${key} appeared after: ${shown}`).toBe(true);
        if (target !== undefined && before.get(`${target}/`) === 'dir') {
          // A directory it replaced held stickysim's results (or nothing): never someone's files.
          const had = [...before.keys()].filter((k) => k.startsWith(`${target}/`));
          expect(had.length === 0 || had.includes(`${target}/.stickysim.json`), `replaced someone's ${target}: ${shown}`).toBe(true);
        }
        rmSync(outer, { recursive: true, force: true });
      }),
      { ...params, numRuns: CLI_RUNS },
    );
  }, Math.max(120_000, CLI_RUNS * 2_000));
});
