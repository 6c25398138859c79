/**
 * Fault injection (issue #16, "Prove it stays so"): a sweep killed with
 * SIGKILL at seeded random points — in its start-up, between and inside
 * cells, and while it writes its result files — always leaves only whole
 * files, each byte-identical to an uninterrupted sweep's, and resumes to the
 * same bytes; SIGINT ends a sweep with exit 130 and the command that resumes
 * it; a worker thread that throws or runs out of memory ends the command
 * with a clean error and nothing written.
 *
 * npm test kills 20 times (4 directories × 5 kills, each kill resuming the
 * last); `npm run fuzz` (FUZZ_RUNS=10000) 200 times, with a new seed each
 * run (printed on failure), or FUZZ_SEED.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/cli/commands/sweep.js';
import { cli } from '../helpers.js';
import { sameTree, tmp, tree } from '../sweep/helpers.js';

const CLI = resolve('dist/cli/main.js');
const FUZZ = process.env.FUZZ_RUNS !== undefined;
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : FUZZ ? Math.floor(Math.random() * 2 ** 31) : 16_016;
const KILLS = FUZZ ? Math.max(20, Math.min(400, Math.round(Number(process.env.FUZZ_RUNS) / 50))) : 20;
const PER_DIRECTORY = 5;

/** A small seeded generator (mulberry32): the kill points of a run are the same every time for one seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A sweep of 12 cells of about 50 ms each, then its result files (CSV, 5 charts, report.html). */
function scenario(dir: string): string {
  const file = join(dir, 'f.yaml');
  writeFileSync(
    file,
    `name: f
seed: 8
duration: 20m
window: 1m
workload:
  arrivals: { rate: 4 }
  requests: { dist: geometric, mean: 6 }
  think: { dist: exponential, mean: 5s }
  service: { dist: exponential, mean: 30ms }
fleet: { servers: 3, workers: 2 }
timeline:
  - { at: 10m, event: crash, server: s1 }
strategies: [cookie, ip-ring]
`,
  );
  return file;
}
const ARGS = (file: string) => ['sweep', file, '--vary', 'fleet.servers=3..8', '--vary', 'fleet.workers=1,2', '--quiet'];

/** Files a killed writer may leave: temporary files, and the lock beside the directory. */
const temporary = (path: string) => /(^|\/)\.[^/]*\.tmp-\d+$/.test(path);

function cellsIn(out: string): number {
  return existsSync(join(out, 'cells')) ? readdirSync(join(out, 'cells')).filter((f) => /^cell-\d+\.csv$/.test(f)).length : 0;
}

/** When a kill happens: a time after the start, after the k-th finished cell, or while the result files are written. */
type Trigger = { kind: 'start'; ms: number } | { kind: 'cells'; k: number; ms: number } | { kind: 'outputs'; ms: number };

function trigger(next: () => number, phases: { total: number; outputs: number }): Trigger {
  const r = next();
  if (r < 0.3) return { kind: 'start', ms: next() * phases.total };
  if (r < 0.6) return { kind: 'cells', k: 1 + Math.floor(next() * 12), ms: next() * 40 };
  return { kind: 'outputs', ms: next() * phases.outputs };
}

/** Spawns the sweep and SIGKILLs it at `t`; resolves once it is gone (or has finished first). */
async function killAt(args: string[], out: string, t: Trigger, workers: number): Promise<string> {
  const child = spawn('node', [CLI, ...args, '--out', out, '--workers', String(workers)], { stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let done = false;
  void exited.then(() => (done = true));
  const t0 = performance.now();
  const wait = async (ready: () => boolean) => {
    while (!done && !ready() && performance.now() - t0 < 30_000) await sleep(2);
  };
  if (t.kind === 'cells') await wait(() => cellsIn(out) >= t.k);
  if (t.kind === 'outputs') await wait(() => existsSync(join(out, 'sweep.csv')));
  const at = performance.now() + t.ms;
  while (!done && performance.now() < at) await sleep(1);
  child.kill('SIGKILL');
  const code = await exited;
  return code === 0 ? 'finished first' : 'killed';
}

describe(`SIGKILL at ${KILLS} seeded points (seed ${SEED})`, () => {
  it('leaves only whole files, each as an uninterrupted sweep writes it; the resumed sweep is byte-identical', async () => {
    const dir = tmp();
    const file = scenario(dir);
    const whole = join(dir, 'whole');
    // The reference, and how long its phases take (to place the kills), in a child like the killed ones.
    const t0 = performance.now();
    const ref = spawn('node', [CLI, ...ARGS(file), '--out', whole, '--workers', '1'], { stdio: 'ignore' });
    let outputsAt = 0;
    const refDone = new Promise<number | null>((r) => ref.on('exit', (c) => r(c)));
    let finished = false;
    void refDone.then(() => (finished = true));
    while (!finished) {
      if (outputsAt === 0 && existsSync(join(whole, 'sweep.csv'))) outputsAt = performance.now();
      await sleep(2);
    }
    expect(await refDone).toBe(0);
    const total = performance.now() - t0;
    const phases = { total, outputs: Math.max(50, performance.now() - (outputsAt || t0)) };
    const reference = tree(whole);

    const next = rng(SEED);
    const log: string[] = [];
    for (let d = 0; d < KILLS / PER_DIRECTORY; d++) {
      const out = join(dir, `killed-${d}`);
      for (let k = 0; k < PER_DIRECTORY; k++) {
        // Each directory's first kill falls among its cells; the rest anywhere (start-up, cells, result files).
        const t: Trigger = k === 0 ? { kind: 'cells', k: 1 + Math.floor(next() * 11), ms: next() * 40 } : trigger(next, phases);
        const workers = next() < 0.25 ? 2 : 1;
        const what = await killAt(ARGS(file), out, t, workers);
        log.push(`${out}: ${JSON.stringify(t)} on ${workers} workers: ${what}, ${cellsIn(out)} cells`);
        // Whatever the moment, every file there but a temporary one is whole: the reference's bytes.
        if (existsSync(out)) {
          for (const [path, bytes] of tree(out)) {
            if (temporary(path)) continue;
            expect(reference.has(path), `${path} (${log.at(-1)})`).toBe(true);
            expect(bytes.equals(reference.get(path)!), `${path} differs (${log.at(-1)})`).toBe(true);
          }
        }
      }
      // Resumed (in this process), the directory is the uninterrupted sweep's, to the byte, and no lock or temporary file remains.
      const r = await cli(...ARGS(file), '--out', out, '--workers', '1');
      expect(r.code, `${r.err}\n${log.join('\n')}`).toBe(0);
      expect(sameTree(whole, out), log.join('\n')).toEqual({ missing: [], extra: [], differ: [] });
      expect(readdirSync(dir).filter((f) => f.startsWith(`.killed-${d}.`))).toEqual([]);
    }
    // The kills hit every phase: start-up, cells, the result files.
    const kinds = new Set(log.map((l) => /"kind":"(\w+)"/.exec(l)![1]));
    expect([...kinds].sort()).toEqual(['cells', 'outputs', 'start']);
    expect(log.filter((l) => / killed, (\d|1[01]) cells$/.test(l)).length, log.join('\n')).toBeGreaterThan(0);
  }, KILLS * 8_000 + 60_000);
});

describe('SIGINT', () => {
  it('ends a sweep with exit 130 and the command that resumes it, which ends byte-identical to an uninterrupted sweep', async () => {
    const dir = tmp();
    const file = scenario(dir);
    const out = join(dir, 'o w'); // a space: the printed command must quote it
    const child = spawn('node', [CLI, ...ARGS(file).filter((a) => a !== '--quiet'), '--set', 'duration=40m', '--out', out, '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => void (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let t = 0; t < 15_000 && cellsIn(out) < 2; t += 5) await sleep(5);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const kept = cellsIn(out);
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(kept).toBeLessThan(12);
    const command = `stickysim sweep ${file} --vary fleet.servers=3..8 --vary fleet.workers=1,2 --set duration=40m --out ${shellQuote(out)}`;
    expect(err).toBe(`stickysim: interrupted (SIGINT); ${kept} of 12 cells finished and kept in ${out}/cells/; to resume, run the same command again:\n  ${command}\n`);
    expect(command).toContain(`--out '${out}'`);
    expect(readdirSync(dir).sort()).toEqual(['f.yaml', 'o w']); // the lock released
    for (const path of tree(out).keys()) expect(temporary(path), path).toBe(false);

    const resumed = await cli(...ARGS(file).filter((a) => a !== '--quiet'), '--set', 'duration=40m', '--out', out);
    expect(resumed.out).toContain(`computed ${12 - kept} cells (${2 * (12 - kept)} runs), ${kept} already complete, of 12\n`);
    await cli(...ARGS(file), '--set', 'duration=40m', '--out', join(dir, 'whole'));
    expect(sameTree(join(dir, 'whole'), out)).toEqual({ missing: [], extra: [], differ: [] });
  }, 60_000);

  it('the resume command quotes what the shell would split', () => {
    expect(shellQuote('results/a-b_c.1')).toBe('results/a-b_c.1');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    expect(shellQuote('fleet.autoscale={target: 0.5, max: 4}')).toBe(`'fleet.autoscale={target: 0.5, max: 4}'`);
  });
});

describe('a worker thread that fails (STICKYSIM_TEST_WORKER_FAULT, a test-only hook)', () => {
  afterEach(() => {
    delete process.env.STICKYSIM_TEST_WORKER_FAULT;
  });

  function fault(value: string) {
    process.env.STICKYSIM_TEST_WORKER_FAULT = value;
  }

  it('throws: exit 1, an internal error naming the run, nothing written', async () => {
    const dir = tmp();
    const file = scenario(dir);
    fault('throw:ip-ring');
    const t0 = performance.now();
    const r = await cli('run', file, '--replications', '2', '--workers', '2', '--out', join(dir, 'o'), '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^stickysim: internal error — this is a bug, please report it\na worker thread failed simulating strategy ip-ring, replication [12]: injected worker fault \(STICKYSIM_TEST_WORKER_FAULT\) in strategy ip-ring\n\s+at /);
    expect(readdirSync(dir)).toEqual(['f.yaml']);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('runs out of memory: exit 1, one line saying so (not a bug), nothing written', async () => {
    const dir = tmp();
    const file = scenario(dir);
    fault('oom:cookie');
    const r = await cli('run', file, '--replications', '2', '--workers', '2', '--out', join(dir, 'o'), '--quiet');
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(
      /^stickysim: a worker thread ran out of memory simulating strategy cookie, replication [12]; the run is larger than one thread's heap allows: .*; nothing was written \(.*\/o was not created\)\n$/,
    );
    expect(readdirSync(dir)).toEqual(['f.yaml']);
  });

  it('in a sweep: the cells finished are kept whole, the rest is not written, and the sweep resumes to the same bytes', async () => {
    const dir = tmp();
    const file = scenario(dir);
    const args = ['sweep', file, '--vary', 'fleet.servers=3..8', '--quiet'];
    fault('oom:fleet.servers=7');
    const r = await cli(...args, '--workers', '2', '--out', join(dir, 'o'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^stickysim: a worker thread ran out of memory simulating strategy \S+, replication 1 \(fleet\.servers=7\); .*; no file was left half-written; the \d finished cells? (is|are) kept in .*\/o\/cells\/, and the same command, run again once this is fixed, resumes from (it|them)\n$/);
    expect(existsSync(join(dir, 'o', 'cells', 'cell-0005.csv'))).toBe(false);
    expect(existsSync(join(dir, 'o', 'sweep.csv'))).toBe(false);
    for (const path of tree(join(dir, 'o')).keys()) expect(temporary(path), path).toBe(false);
    delete process.env.STICKYSIM_TEST_WORKER_FAULT;
    expect((await cli(...args, '--workers', '2', '--out', join(dir, 'o'))).code).toBe(0);
    expect((await cli(...args, '--workers', '1', '--out', join(dir, 'whole'))).code).toBe(0);
    expect(sameTree(join(dir, 'whole'), join(dir, 'o'))).toEqual({ missing: [], extra: [], differ: [] });
    expect(statSync(join(dir, 'o', 'sweep.csv')).size).toBe(readFileSync(join(dir, 'whole', 'sweep.csv')).length);
  });
});
