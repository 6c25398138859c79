import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanStale } from '../../src/report/output.js';
import { MARKER, markerText } from '../../src/report/ownership.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'stickysim-int-'));

/** A run that takes seconds: M/M/8 for 20 simulated hours (about 5 million requests). */
function longScenario(dir: string): string {
  const file = join(dir, 'long.yaml');
  writeFileSync(file, readFileSync('scenarios/mmc.yaml', 'utf8').replace('duration: 2h', 'duration: 20h'));
  return file;
}

/** A results directory to protect: a previous run's files. */
function previous(dir: string): { out: string; snapshot: () => Record<string, string> } {
  const out = join(dir, 'results');
  mkdirSync(out);
  writeFileSync(join(out, 'run.json'), JSON.stringify({ fingerprint: 'earlier' }));
  writeFileSync(join(out, 'summary.csv'), 'scenario,strategy\nearlier,cookie\n');
  writeFileSync(join(out, MARKER), markerText('run', ['run.json', 'summary.csv']));
  const snapshot = () => Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
  return { out, snapshot };
}

/** A process id that is certainly not running: one that has just exited. */
function deadPid(): number {
  const p = spawnSync('node', ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(p.stdout);
}

describe('an interrupted run leaves the previous results untouched and nothing partial', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during the simulation`, async () => {
      const dir = tmp();
      const { out, snapshot } = previous(dir);
      const before = snapshot();
      const child = spawn('node', ['dist/cli/main.js', 'run', longScenario(dir), '--out', out, '--force'], { stdio: 'pipe' });
      await new Promise((r) => setTimeout(r, 1500));
      expect(child.exitCode).toBeNull(); // still simulating
      child.kill(signal);
      const [code, sig] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
      expect(sig === signal || code === 130 || code === 143).toBe(true);
      expect(snapshot()).toEqual(before);
      expect(readdirSync(dir).sort()).toEqual(['long.yaml', 'results']);
    });

    it(`${signal} while the results directory is being written`, () => {
      const dir = tmp();
      const { out, snapshot } = previous(dir);
      const before = snapshot();
      // The real AtomicDir, interrupted after it has written part of the files.
      const script = `
        import { AtomicDir } from ${JSON.stringify(resolve('dist/report/output.js'))};
        const d = AtomicDir.claim(${JSON.stringify(out)}, { kind: 'run', force: true, same: () => false });
        d.write('summary.csv', 'half a result');
        process.kill(process.pid, ${JSON.stringify(signal)});
        setTimeout(() => process.exit(0), 5000);
      `;
      const p = spawnSync('node', ['--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(p.status).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(snapshot()).toEqual(before);
      expect(readdirSync(dir)).toEqual(['results']);
    });
  }
});

describe('stale temporary directories of killed runs', () => {
  it('are removed; a live run\'s are kept; a half-committed previous result is put back', () => {
    const dir = tmp();
    const target = join(dir, 'out');
    const dead = deadPid();
    mkdirSync(join(dir, `.out.tmp-${dead}`));
    writeFileSync(join(dir, `.out.tmp-${dead}`, 'summary.csv'), 'partial');
    mkdirSync(join(dir, `.out.tmp-${process.pid}`)); // a live process: maybe another run writing
    mkdirSync(join(dir, `.out.old-${dead}`)); // killed between the two renames of a commit
    writeFileSync(join(dir, `.out.old-${dead}`, 'run.json'), '{"fingerprint":"earlier"}');
    writeFileSync(join(dir, `.out.old-${dead}`, MARKER), markerText('run', ['run.json']));
    mkdirSync(join(dir, `.other.tmp-${dead}`)); // another target's: not ours to judge
    cleanStale(target);
    expect(readdirSync(dir).sort()).toEqual([`.other.tmp-${dead}`, `.out.tmp-${process.pid}`, 'out']);
    expect(readFileSync(join(target, 'run.json'), 'utf8')).toBe('{"fingerprint":"earlier"}');
  });

  it('the next run cleans them up', () => {
    const dir = tmp();
    const dead = deadPid();
    mkdirSync(join(dir, `.o.tmp-${dead}`));
    const file = join(dir, 's.yaml');
    writeFileSync(file, 'duration: 1m\nworkload:\n  arrivals: { rate: 1 }\nfleet: { servers: 2 }\nstrategies: [cookie]\n');
    const p = spawnSync('node', ['dist/cli/main.js', 'run', file, '--out', join(dir, 'o')], { encoding: 'utf8' });
    expect(p.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['o', 's.yaml']);
    expect(existsSync(join(dir, 'o', 'summary.csv'))).toBe(true);
  });
});
