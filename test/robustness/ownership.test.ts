/**
 * `--force` and friends never delete what stickysim did not write, and two
 * writers never share an output directory (issue #16, "Data loss").
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { cleanStale } from '../../src/report/output.js';
import { lockOut, lockPath, MARKER, markerText, nameEntries, readMarker, removeOurs, unexpectedEntries } from '../../src/report/ownership.js';
import { treeSnapshot } from '../helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'stickysim-own-'));
const CLI = resolve('dist/cli/main.js');

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

function smallScenario(dir: string, duration = '2m'): string {
  const file = join(dir, 's.yaml');
  writeFileSync(file, `duration: ${duration}\nseed: 3\nworkload:\n  arrivals: { rate: 1 }\nfleet: { servers: 2 }\nstrategies: [cookie]\n`);
  return file;
}

const snapshot = treeSnapshot;

/** Someone's directory: a file, a subdirectory with a file. */
function someones(dir: string): string {
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'keep.txt'), 'mine');
  writeFileSync(join(dir, 'data', 'thesis.tex'), 'years of work');
  return dir;
}

describe('--force replaces only what stickysim wrote', () => {
  const commands: [string, (s: string, out: string) => string[]][] = [
    ['run', (s, out) => ['run', s, '--out', out, '--force', '--quiet']],
    ['sweep', (s, out) => ['sweep', s, '--vary', 'fleet.servers=2,3', '--out', out, '--force', '--quiet', '--workers', '1']],
    ['plan', (s, out) => ['plan', s, '--vary', 'fleet.servers=1..3', '--slo', 'utilization_mean<=0.9', '--replications', '2', '--out', out, '--force', '--quiet', '--workers', '1']],
  ];
  for (const [name, args] of commands) {
    it(`${name} --force refuses a directory of someone's files, naming them, and touches nothing`, async () => {
      const dir = tmp();
      const out = someones(join(dir, 'home'));
      const before = snapshot(out);
      const r = await cli(...args(smallScenario(dir), out));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/holds files stickysim did not write \(data\/ and keep\.txt\).*with or without --force/);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(snapshot(out)).toEqual(before);
      expect(readdirSync(dir).sort()).toEqual(['home', 's.yaml']); // no temporary directory, no lock left
    });
  }

  it('merge --force refuses a directory of someone\'s files', async () => {
    const dir = tmp();
    const s = smallScenario(dir);
    const shards = [0, 1].map((i) => join(dir, `shard-${i}`));
    for (const [i, d] of shards.entries()) expect((await cli('sweep', s, '--vary', 'fleet.servers=2,3', '--shard', `${i}/2`, '--out', d, '--quiet', '--workers', '1')).code).toBe(0);
    const out = someones(join(dir, 'home'));
    const before = snapshot(out);
    const r = await cli('merge', ...shards, '--out', out, '--force', '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/data\/ and keep\.txt/);
    expect(snapshot(out)).toEqual(before);
  });

  it('refuses stickysim results beside which someone put a file, naming only that file', async () => {
    const dir = tmp();
    const s = smallScenario(dir);
    const out = join(dir, 'o');
    expect((await cli('run', s, '--out', out, '--quiet')).code).toBe(0);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeFileSync(join(out, 'charts', 'my-chart.png'), 'mine');
    const before = snapshot(out);
    const r = await cli('run', s, '--out', out, '--seed', '5', '--force', '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/holds stickysim results and files stickysim did not write \(charts\/my-chart\.png and notes\.txt\)/);
    expect(snapshot(out)).toEqual(before);
  });

  it('replaces stickysim\'s own results with --force, removing exactly the files its marker lists', async () => {
    const dir = tmp();
    const s = smallScenario(dir, '10m');
    const out = join(dir, 'o');
    expect((await cli('run', s, '--out', out, '--batch-means', '2', '--quiet')).code).toBe(0);
    const marker = readMarker(out)!;
    expect(marker.kind).toBe('run');
    expect(marker.files).toContain('batch-means.csv');
    expect(marker.files).toContain('charts/session-loss.png');
    expect((await cli('run', s, '--out', out, '--seed', '5', '--force', '--quiet')).code).toBe(0);
    expect(existsSync(join(out, 'batch-means.csv'))).toBe(false); // the earlier run's, not written now
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).seed).toBe(5);
    expect(readdirSync(dir).sort()).toEqual(['o', 's.yaml']);
  });

  it('a sweep refuses a run\'s directory without --force and replaces it with --force', async () => {
    const dir = tmp();
    const s = smallScenario(dir);
    const out = join(dir, 'o');
    expect((await cli('run', s, '--out', out, '--quiet')).code).toBe(0);
    const refused = await cli('sweep', s, '--vary', 'fleet.servers=2,3', '--out', out, '--quiet', '--workers', '1');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/holds a stickysim run, not a stickysim sweep; pass --force/);
    expect((await cli('sweep', s, '--vary', 'fleet.servers=2,3', '--out', out, '--quiet', '--workers', '1', '--force')).code).toBe(0);
    expect(existsSync(join(out, 'summary.csv'))).toBe(false);
    expect(existsSync(join(out, 'sweep.csv'))).toBe(true);
    expect(readMarker(out)!.kind).toBe('sweep');
  });

  it('refuses the current directory (or one containing it) and a symbolic link as --out', () => {
    const dir = tmp();
    const s = smallScenario(dir);
    for (const out of ['.', '..']) {
      const p = spawnSync('node', [CLI, 'run', s, '--out', out, '--force'], { cwd: mkdtempSync(join(dir, 'cwd-')), encoding: 'utf8' });
      expect(p.status).toBe(2);
      expect(p.stderr).toMatch(/is the current directory or contains it/);
    }
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    const p = spawnSync('node', [CLI, 'run', s, '--out', join(dir, 'link'), '--force'], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/is a symbolic link/);
  });

  it('report redraws a run it wrote and keeps someone\'s file there without ever making it stickysim\'s', async () => {
    const dir = tmp();
    const s = smallScenario(dir);
    const out = join(dir, 'o');
    expect((await cli('run', s, '--out', out, '--quiet')).code).toBe(0);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    expect((await cli('report', out, '--quiet')).code).toBe(0);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readMarker(out)!.files).not.toContain('notes.txt');
    const forced = await cli('run', s, '--out', out, '--force', '--seed', '8', '--quiet');
    expect(forced.code).toBe(2);
    expect(forced.err).toMatch(/notes\.txt/);
    // A directory stickysim did not write is not redrawn.
    const bare = someones(join(dir, 'bare'));
    writeFileSync(join(bare, 'run.json'), readFileSync(join(out, 'run.json')));
    for (const f of ['summary.csv', 'servers.csv', 'timeseries.csv']) writeFileSync(join(bare, f), readFileSync(join(out, f)));
    const r = await cli('report', bare);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/was not written by stickysim/);
  });
});

describe('the marker', () => {
  it('names unexpected entries by what the user put there', () => {
    const d = tmp();
    mkdirSync(join(d, 'charts'));
    mkdirSync(join(d, 'mine', 'deep'), { recursive: true });
    for (const f of ['run.json', 'charts/a.png', 'charts/b.png', 'mine/deep/x', 'cells-mine.csv']) writeFileSync(join(d, f), '');
    const marker = { stickysim: 'x', kind: 'run' as const, files: ['run.json', 'charts/a.png', 'cells/cell-*.csv'] };
    expect(unexpectedEntries(d, marker)).toEqual(['cells-mine.csv', 'charts/b.png', 'mine/']);
    expect(nameEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('a, b, c, d, e and 2 more');
    expect(nameEntries(['a'])).toBe('a');
  });

  it('removal goes through the list: someone\'s files and the directories holding them stay', () => {
    const d = tmp();
    mkdirSync(join(d, 'charts'));
    mkdirSync(join(d, 'cells'));
    for (const f of ['run.json', 'charts/a.png', 'cells/cell-0001.csv', 'cells/cell-0002.csv', 'cells/notes']) writeFileSync(join(d, f), '');
    writeFileSync(join(d, MARKER), markerText('sweep', ['run.json', 'charts/*.png', 'cells/cell-*.csv']));
    expect(removeOurs(d, readMarker(d)!)).toBe(false);
    expect(snapshot(d)).toEqual({ 'cells/notes': '' });
  });

  it('a killed run\'s previous results beside the new ones are removed through their marker only', () => {
    const dir = tmp();
    const target = join(dir, 'out');
    mkdirSync(target);
    const dead = spawnSync('node', ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const old = join(dir, `.out.old-${dead}`);
    mkdirSync(old);
    writeFileSync(join(old, 'run.json'), '{}');
    writeFileSync(join(old, 'stowaway.txt'), 'someone\'s');
    writeFileSync(join(old, MARKER), markerText('run', ['run.json']));
    cleanStale(target);
    expect(snapshot(old)).toEqual({ 'stowaway.txt': 'someone\'s' });
  });
});

describe('one writer per output directory', () => {
  it('a live holder is named with its pid; a stale lock is taken over; the lock goes with the run', async () => {
    const dir = tmp();
    const s = smallScenario(dir);
    const out = join(dir, 'o');
    const sleeper = spawn('node', ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      await new Promise((r) => sleeper.once('spawn', r));
      writeFileSync(lockPath(out), JSON.stringify({ pid: sleeper.pid, since: '2026-12-02T00:00:00.000Z' }));
      const r = await cli('run', s, '--out', out, '--quiet');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`is being written by another stickysim \\(pid ${sleeper.pid}, since 2026-12-02`));
      expect(existsSync(out)).toBe(false);
    } finally {
      sleeper.kill();
    }
    await new Promise((r) => sleeper.once('exit', r));
    // Its process is gone: the lock is stale.
    expect((await cli('run', s, '--out', out, '--quiet')).code).toBe(0);
    expect(existsSync(lockPath(out))).toBe(false);
  });

  it('a pid reused by another process does not hold the lock (its start time differs)', () => {
    const dir = tmp();
    const target = join(dir, 'o');
    writeFileSync(lockPath(target), JSON.stringify({ pid: process.pid, start: '1', since: 'then' }));
    const release = lockOut(target);
    expect(JSON.parse(readFileSync(lockPath(target), 'utf8')).pid).toBe(process.pid);
    release();
    expect(existsSync(lockPath(target))).toBe(false);
  });

  it('two runs started at once into one --out: one writes, the other refuses naming it; nothing vanishes unnoticed', async () => {
    const dir = tmp();
    const s = smallScenario(dir, '6h');
    const out = join(dir, 'o');
    const start = (seed: number) =>
      new Promise<{ code: number | null; err: string; seed: number }>((done) => {
        const c = spawn('node', [CLI, 'run', s, '--out', out, '--seed', String(seed), '--force', '--quiet', '--workers', '1']);
        let err = '';
        c.stderr.on('data', (b) => (err += String(b)));
        c.on('exit', (code) => done({ code, err, seed }));
      });
    const results = await Promise.all([start(1), start(2)]);
    const won = results.filter((r) => r.code === 0);
    const lost = results.filter((r) => r.code === 2);
    expect([won.length, lost.length]).toEqual([1, 1]);
    expect(lost[0]!.err).toMatch(/is being written by another stickysim \(pid \d+/);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).seed).toBe(won[0]!.seed);
    expect(readdirSync(dir).sort()).toEqual(['o', 's.yaml']);
  }, 60_000);
});
