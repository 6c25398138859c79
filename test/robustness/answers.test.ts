/**
 * Hostile or absurd input gets a clean answer, not a bug (issue #16, "Clean
 * answers, not bugs"): an alias bomb, a run too large to finish, a full disk
 * or a forbidden directory, absurd numbers, a scenario file too large, and a
 * bad `--set` value named as the flag it is.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { workersFrom } from '../../src/cli/sweepOptions.js';
import { estimate, LIMITS, refusal, runCost } from '../../src/scenario/estimate.js';
import { loadScenario, MAX_SCENARIO_BYTES, parseScenario } from '../../src/scenario/load.js';
import { cli, treeSnapshot } from '../helpers.js';
import { sameTree } from '../sweep/helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'stickysim-ans-'));
const CLI = resolve('dist/cli/main.js');

/** Exit code and the one line a refusal must be: no stack, not called a bug. */
function oneLine(r: { err: string }): string {
  expect(r.err.endsWith('\n'), r.err).toBe(true);
  expect(r.err.trimEnd().split('\n'), r.err).toHaveLength(1);
  expect(r.err).not.toMatch(/\n\s+at |internal error|bug/);
  return r.err.trim();
}

function small(dir: string, extra = ''): string {
  const file = join(dir, 's.yaml');
  writeFileSync(file, `name: s\nseed: 3\nduration: 10m\nworkload:\n  arrivals: { rate: 0.5 }\nfleet: { servers: 3 }\nstrategies: [cookie, round-robin]\n${extra}`);
  return file;
}

const snapshot = treeSnapshot;

describe('a YAML alias bomb', () => {
  /** Nine levels of nine aliases: 9⁹ (387 million) nodes once expanded. */
  function bomb(): string {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const [me, prev] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      lines.push(`${me}: &${me} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    return `${lines.join('\n')}\n`;
  }

  it('is refused in one line naming the file and its aliases, exit 2, nothing written', async () => {
    const dir = tmp();
    const file = join(dir, 'bomb.yaml');
    writeFileSync(file, bomb());
    for (const args of [['validate', file], ['run', file, '--out', join(dir, 'o')], ['sweep', file, '--vary', 'seed=1', '--out', join(dir, 'o')]]) {
      const r = await cli(...args);
      expect(r.code, args[0]).toBe(2);
      if (args[0] !== 'sweep') expect(oneLine(r)).toMatch(new RegExp(`^stickysim: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: too many aliases`));
    }
    expect(readdirSync(dir)).toEqual(['bomb.yaml']);
  });
});

describe('the size and time estimate', () => {
  const yaml = (over: Record<string, unknown> = {}) =>
    YAML.stringify({ name: 'e', duration: '1h', window: '1m', workload: { arrivals: { rate: 10 }, requests: { dist: 'constant', value: 4 }, think: { dist: 'constant', value: '10s' }, logoutProbability: 0.5 }, fleet: { servers: 4, sessionTtl: '30m' }, strategies: ['cookie', 'ip-ring'], ...over });

  it('counts requests, sessions alive (until logout or expiry), servers, windows, rows and ring points', () => {
    const sc = parseScenario(yaml({ timeline: [{ at: '10m', event: 'add', count: 2 }] }), 'e.yaml');
    const [cookie, ring] = sc.strategies.map((s) => runCost(sc.config, s));
    expect(cookie!.requests).toBeCloseTo(10 * 3600 * (1 + 4 + 0.5), 6);
    // A session lasts 4.5 × 10 s of thinking (+ service); half never log out and hold their state 30 min more.
    expect(cookie!.sessions).toBeCloseTo(10 * (4.5 * 10 + 5.5 * 0.05 + 0.5 * 1800), 6);
    expect([cookie!.servers, cookie!.windows, cookie!.rows]).toEqual([6, 60, 360]);
    // The ring's points (160 a server) cost at each build: at the start and at the fleet change.
    expect(ring!.bytes - cookie!.bytes).toBeCloseTo(6 * 160 * 125, 6);
    expect(refusal(estimate(sc.strategies.map((s) => ({ cost: runCost(sc.config, s), times: 3 })), { workers: 2, held: 6, output: true }))).toBeUndefined();
  });

  it('lets every shipped scenario run as it is, on one worker or many', () => {
    for (const f of readdirSync('scenarios').filter((f) => f.endsWith('.yaml'))) {
      const sc = loadScenario(join('scenarios', f));
      for (const workers of [1, 2, 16]) {
        const e = estimate(sc.strategies.map((s) => ({ cost: runCost(sc.config, s), times: 1 })), { workers, held: sc.strategies.length, output: true });
        expect(refusal(e), f).toBeUndefined();
        expect(e.seconds).toBeLessThan(LIMITS.seconds / 100);
      }
    }
  });

  it('run: exit 2 with the estimate (time, memory, what makes them), before anything is written; --yes lets it pass', async () => {
    const dir = tmp();
    const file = join(dir, 'big.yaml');
    writeFileSync(file, 'duration: 1000d\nwindow: 1d\nworkload:\n  arrivals: { rate: 1000000 }\nfleet: { servers: 2 }\nstrategies: [cookie]\n');
    const r = await cli('run', file, '--out', join(dir, 'o'), '--workers', '1');
    expect(r.code).toBe(2);
    // 10⁶ sessions/s × 1000 days × 10.5 requests a session (geometric mean 9, the login, a logout half the time).
    expect(oneLine(r)).toMatch(/big\.yaml: this would take about \d+ years and about [\d.]+ [GT]iB of memory \(1 run on 1 worker, 9\.1e14 requests in all; the largest: 2 servers × 1,000 windows, 1\.0e9 sessions alive at once\), more than stickysim runs without asking \(2 hours, 4 GiB\); .*pass --yes/);
    expect(readdirSync(dir)).toEqual(['big.yaml']);
    // With --yes the estimate passes and the next check speaks (here: --out names a file).
    const passed = await cli('run', file, '--yes', '--out', file);
    expect(passed.code).toBe(2);
    expect(passed.err).toMatch(/--out .*big\.yaml: exists and is not a directory/);
  });

  it('run: servers × windows × strategies, named with the --set that made them', async () => {
    const t0 = performance.now();
    const r = await cli('run', 'scenarios/quickstart.yaml', '--set', 'fleet.servers=100000', '--workers', '2', '--out', join(tmp(), 'o'));
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/quickstart\.yaml with --set fleet\.servers=100000: this would take about [\d.]+ hours and about \d+ GiB of memory \(11 runs on 2 workers, .*the largest: 100,002 servers × 120 windows/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('fleet.servers=1e9 is refused at once by the schema (it used to build a billion timeline states first)', async () => {
    const t0 = performance.now();
    const r = await cli('validate', 'scenarios/quickstart.yaml', '--set', 'fleet.servers=1e9');
    expect([r.code, oneLine(r)]).toEqual([2, 'stickysim: --set fleet.servers=1e9: expected an integer ≤ 100,000']);
    expect(performance.now() - t0).toBeLessThan(5_000);
    // A list of groups adding up beyond what the schema follows, and a timeline growing the fleet past it.
    const groups = await cli('validate', 'scenarios/quickstart.yaml', '--set', `fleet.servers=[${Array(20).fill('{count: 100000}').join(',')}]`);
    expect(oneLine(groups)).toMatch(/fleet\.servers=.*: expected at most 1,000,000 servers in all, got 2,000,000/);
    const adds = await cli('validate', 'scenarios/quickstart.yaml', '--set', `timeline=[${Array(11).fill('{at: 1m, event: add, count: 100000}').join(',')}]`);
    expect(oneLine(adds)).toMatch(/timeline\[9\]: the fleet could reach 1,000,008 servers here, more than 1,000,000/);
  });

  it('sweep: the whole grid is estimated, though each cell alone would pass', async () => {
    const dir = tmp();
    const file = small(dir);
    const args = ['--set', 'duration=30d', '--workers', '1'];
    const one = await cli('run', file, ...args, '--out', file); // one cell alone: past the estimate, to --out
    expect(one.err).toMatch(/exists and is not a directory/);
    const r = await cli('sweep', file, ...args, '--vary', 'workload.arrivals.rate=1..400', '--out', join(dir, 'o'));
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/sweep of .*s\.yaml with --set duration=30d \(400 cells\): this would take about [\d.]+ (hours|days) \(800 runs on 1 worker, .*pass --yes/);
    expect(readdirSync(dir)).toEqual(['s.yaml']);
  });

  it('plan: every strategy at the most values a binary search evaluates', async () => {
    const dir = tmp();
    const r = await cli('plan', small(dir), '--set', 'duration=365d', '--vary', 'fleet.servers=1..64', '--slo', 'utilization_mean<=0.5', '--workers', '1', '--out', join(dir, 'o'));
    expect(r.code).toBe(2);
    // 2 strategies × ⌈log2 65⌉ = 7 values × 5 replications.
    expect(oneLine(r)).toMatch(/plan of .*s\.yaml with --set duration=365d: this would take about .* \(70 runs on 1 worker/);
  });

  it('--workers beyond 4 × the cores: said so, refused without --yes', async () => {
    expect(() => workersFrom({ workers: 9 }, 2)).toThrow(/--workers 9: more than 4 × the 2 cores of this machine \(8\); threads beyond the cores run nothing faster and cost about 30 MB of memory each \(257 MiB in all\); use --workers 2 \(the default\) or at most 8, or pass --yes/);
    expect(workersFrom({ workers: 8 }, 2)).toBe(8);
    expect(workersFrom({ workers: 9, yes: true }, 2)).toBe(9);
    const dir = tmp();
    const many = String(4 * availableParallelism() + 1);
    for (const command of [['run'], ['sweep', '--vary', 'fleet.servers=2,3'], ['plan', '--vary', 'fleet.servers=1..3', '--slo', 'utilization_mean<=0.9']]) {
      const r = await cli(command[0]!, small(dir), ...command.slice(1), '--workers', many, '--out', join(dir, 'o'));
      expect(r.code, command[0]).toBe(2);
      expect(oneLine(r)).toMatch(new RegExp(`--workers ${many}: more than 4 × the`));
    }
    expect(readdirSync(dir)).toEqual(['s.yaml']);
  });
});

// ------------------------------------------------------------ writing fails

const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

/**
 * Makes fs function `name` throw a system error `code` when `when` says so,
 * in this process (the ESM bindings of node:fs follow, through
 * syncBuiltinESMExports). Returns the undo.
 */
function inject(name: 'writeFileSync' | 'renameSync' | 'mkdirSync', code: string, when: (args: unknown[]) => boolean): () => void {
  const original = fs[name] as (...a: unknown[]) => unknown;
  (fs as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
    if (when(args)) throw Object.assign(new Error(`${code}: injected by the test, ${name}`), { code, syscall: name });
    return original(...args);
  };
  syncBuiltinESMExports();
  return () => {
    (fs as unknown as Record<string, unknown>)[name] = original;
    syncBuiltinESMExports();
  };
}

/** Names in `dir` that a failed write must not leave: temporary files and directories, locks, old results. */
function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (p: string) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (/\.(tmp|old)-\d+$|\.lock$/.test(e.name)) found.push(join(p, e.name));
      if (e.isDirectory()) walk(join(p, e.name));
    }
  };
  walk(dir);
  return found;
}

/** A tmpfs of `size` mounted in a new temporary directory, if this process may mount one (root); else undefined. */
function tinyDisk(size: string): { dir: string; remove: () => void } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = tmp();
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    remove: () => {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('a full disk, a permission refused, a directory in the way: one line, exit 1, not a bug, nothing written', () => {
  it('run on a real full disk (a 64 KiB tmpfs; needs root, else skipped)', async (ctx) => {
    const disk = tinyDisk('64k');
    if (disk === undefined) return ctx.skip();
    try {
      const out = join(disk.dir, 'r');
      const r = await cli('run', 'scenarios/seed-two-servers.yaml', '--out', out, '--quiet');
      expect(r.code).toBe(1);
      expect(oneLine(r)).toMatch(new RegExp(`^stickysim: cannot write ${out}/: the disk is full \\(ENOSPC at ${out}/\\S+\\); nothing was written \\(${out} was not created\\)$`));
      expect(readdirSync(disk.dir)).toEqual([]);
    } finally {
      disk.remove();
    }
  });

  it('sweep on a real full disk: the finished cells are kept whole, and resume elsewhere to the same bytes (needs root)', async (ctx) => {
    const disk = tinyDisk('64k');
    if (disk === undefined) return ctx.skip();
    try {
      const dir = tmp();
      const file = small(dir);
      const args = ['sweep', file, '--vary', 'fleet.servers=2..7', '--workers', '1', '--quiet'];
      const out = join(disk.dir, 's');
      const r = await cli(...args, '--out', out);
      expect(r.code).toBe(1);
      expect(oneLine(r)).toMatch(/cannot write .*\/s\/: the disk is full \(ENOSPC at .*\); no file was left half-written; the 6 finished cells are kept in .*\/s\/cells\/, and the same command, run again once this is fixed, resumes from them/);
      expect(leftovers(disk.dir)).toEqual([]);
      cpSync(out, join(dir, 'moved'), { recursive: true });
      const resumed = await cli(...args.filter((a) => a !== '--quiet'), '--out', join(dir, 'moved'));
      expect(resumed.out).toMatch(/computed 0 cells \(0 runs\), 6 already complete/);
      expect((await cli(...args, '--out', join(dir, 'whole'))).code).toBe(0);
      expect(sameTree(join(dir, 'whole'), join(dir, 'moved'))).toEqual({ missing: [], extra: [], differ: [] });
    } finally {
      disk.remove();
    }
  });

  it('run: the disk fills while writing report.html; the previous results stay as they were', async () => {
    const dir = tmp();
    const file = small(dir);
    const out = join(dir, 'o');
    expect((await cli('run', file, '--out', out, '--quiet')).code).toBe(0);
    const before = snapshot(out);
    const undo = inject('writeFileSync', 'ENOSPC', (a) => String(a[0]).endsWith('report.html'));
    let r;
    try {
      r = await cli('run', file, '--seed', '9', '--force', '--out', out, '--quiet');
    } finally {
      undo();
    }
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(`stickysim: cannot write ${out}/: the disk is full (ENOSPC at ${out}/report.html); nothing was written: ${out} holds what it held before`);
    expect(snapshot(out)).toEqual(before);
    expect(leftovers(dir)).toEqual([]);
  });

  it('run: the commit\'s rename is refused; the previous results are put back', async () => {
    const dir = tmp();
    const file = small(dir);
    const out = join(dir, 'o');
    expect((await cli('run', file, '--out', out, '--quiet')).code).toBe(0);
    const before = snapshot(out);
    // The first rename (old results aside) succeeds; the second (new ones into place) fails.
    const undo = inject('renameSync', 'EACCES', (a) => /\.o\.tmp-\d+$/.test(String(a[0])));
    let r;
    try {
      r = await cli('run', file, '--seed', '9', '--force', '--out', out, '--quiet');
    } finally {
      undo();
    }
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(/cannot write .*\/o\/: permission denied \(EACCES\); nothing was written: .*o holds what it held before/);
    expect(snapshot(out)).toEqual(before);
    expect(leftovers(dir)).toEqual([]);
  });

  it('report and plan: nothing changed, nothing written', async () => {
    const dir = tmp();
    const file = small(dir);
    const out = join(dir, 'o');
    expect((await cli('run', file, '--out', out, '--quiet')).code).toBe(0);
    const before = snapshot(out);
    const undo = inject('writeFileSync', 'EDQUOT', (a) => /report\.html$|plan\.csv$/.test(String(a[0])));
    let report;
    let plan;
    try {
      report = await cli('report', out, '--quiet');
      plan = await cli('plan', file, '--vary', 'fleet.servers=1..3', '--slo', 'utilization_mean<=0.9', '--replications', '2', '--workers', '1', '--out', join(dir, 'p'), '--quiet');
    } finally {
      undo();
    }
    expect(report.code).toBe(1);
    expect(oneLine(report)).toMatch(/cannot write .*\/o\/: the disk quota is used up \(EDQUOT at .*report\.html\); nothing was changed in .*\/o$/);
    expect(snapshot(out)).toEqual(before);
    expect(plan.code).toBe(1);
    expect(oneLine(plan)).toMatch(/cannot write .*\/p\/: the disk quota is used up \(EDQUOT at .*plan\.csv\); nothing was written \(.*p was not created\)/);
    expect(readdirSync(dir).sort()).toEqual(['o', 's.yaml']);
  });

  it('sweep: a cell file refused midway leaves no temporary file; the same command resumes to the same bytes', async () => {
    const dir = tmp();
    const file = small(dir);
    const args = ['sweep', file, '--vary', 'fleet.servers=2..7', '--workers', '1', '--quiet'];
    const undo = inject('writeFileSync', 'ENOSPC', (a) => /cell-0003\.csv\.tmp-\d+$/.test(String(a[0])));
    let r;
    try {
      r = await cli(...args, '--out', join(dir, 'o'));
    } finally {
      undo();
    }
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(/the disk is full \(ENOSPC at .*cell-0003\.csv\); no file was left half-written; the 2 finished cells are kept in .*\/o\/cells\//);
    expect(leftovers(dir)).toEqual([]);
    expect((await cli(...args, '--out', join(dir, 'o'))).code).toBe(0);
    expect((await cli(...args, '--out', join(dir, 'whole'))).code).toBe(0);
    expect(sameTree(join(dir, 'whole'), join(dir, 'o'))).toEqual({ missing: [], extra: [], differ: [] });
  });

  it('a directory one may not write in, or create a directory in (a real EACCES: as nobody when root)', () => {
    const dir = tmp();
    chmodSync(dir, 0o755);
    const file = small(dir);
    chmodSync(file, 0o644);
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(locked, 0o555);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    for (const out of [join(locked, 'r'), join(locked, 'missing', 'parent', 'r')]) {
      const p = spawnSync('node', [CLI, 'run', file, '--out', out, '--quiet'], { encoding: 'utf8', ...asNobody });
      expect(p.status, p.stderr).toBe(1);
      expect(oneLine({ err: p.stderr })).toMatch(new RegExp(`cannot write ${out}/: permission denied \\(EACCES at ${locked}/\\S+\\); nothing was written`));
    }
    expect(readdirSync(locked)).toEqual([]);
  });

  it('a file in the way of the output directory\'s parent is the path\'s fault: exit 2', async () => {
    const dir = tmp();
    const file = small(dir);
    for (const command of [['run'], ['sweep', '--vary', 'fleet.servers=2,3', '--workers', '1'], ['plan', '--vary', 'fleet.servers=1..3', '--slo', 'utilization_mean<=0.9']]) {
      const r = await cli(command[0]!, file, ...command.slice(1), '--out', join(file, 'sub', 'o'), '--quiet');
      expect(r.code, command[0]).toBe(2);
      expect(oneLine(r)).toBe(`stickysim: --out ${file}/sub/o: ${file} is a file, not a directory; choose another --out`);
    }
    expect(readdirSync(dir)).toEqual(['s.yaml']);
  });
});

describe('absurd numbers are named as what they are', () => {
  it('--duration 1e15: the duration and its number of windows, blamed on the flag', async () => {
    const r = await cli('validate', 'scenarios/quickstart.yaml', '--duration', '1e15');
    expect([r.code, oneLine(r)]).toEqual([2, 'stickysim: --duration 1e15: expected at most 1,000,000 windows, got 1.7e13: a duration of 1.0e15s (3.2e7 years) in windows of 60s; shorten the duration or lengthen the window']);
    const w = await cli('validate', 'scenarios/quickstart.yaml', '--set', 'window=1ms');
    expect(oneLine(w)).toBe('stickysim: --set window=1ms: duration: expected at most 1,000,000 windows, got 7,200,000: a duration of 7200s in windows of 0.001s; shorten the duration or lengthen the window');
  });

  it('.nan and .inf: "expected a finite number", with the number\'s own bounds', async () => {
    const dir = tmp();
    const cases: [string, string][] = [
      ['workload:\n  arrivals: { rate: .nan }\nfleet: { servers: 2 }\n', 'workload.arrivals.rate: expected a finite number ≥ 0, got NaN'],
      ['workload:\n  arrivals: { rate: .inf }\nfleet: { servers: 2 }\n', 'workload.arrivals.rate: expected a finite number ≥ 0, got Infinity'],
      ['workload:\n  arrivals: { rate: 1 }\nfleet: { servers: .inf }\n', 'fleet.servers: expected a server count or a list of groups [{ count, workers?, weight? }], got Infinity'],
      ['workload:\n  arrivals: { rate: 1 }\n  logoutProbability: -.inf\nfleet: { servers: 2 }\n', 'workload.logoutProbability: expected a finite number ≥ 0 and ≤ 1, got -Infinity'],
      ['workload:\n  arrivals: { rate: 1 }\nfleet: { servers: 2, workers: 1.5 }\n', 'fleet.workers: expected an integer ≥ 1 and ≤ 1,000,000, got 1.5'],
      ['workload:\n  arrivals: { rate: 1 }\nfleet: { servers: 2, weight: 0 }\n', 'fleet.weight: expected a number > 0, got 0'],
      ['seed: 4294967296\nworkload:\n  arrivals: { rate: 1 }\nfleet: { servers: 2 }\n', 'seed: expected an integer ≤ 4,294,967,295, got 4294967296'],
    ];
    for (const [text, message] of cases) {
      writeFileSync(join(dir, 'n.yaml'), text);
      const r = await cli('validate', join(dir, 'n.yaml'));
      expect([r.code, oneLine(r)]).toEqual([2, `stickysim: ${join(dir, 'n.yaml')}: ${message}`]);
    }
  });

  it('a strategy option out of range says its bounds too', async () => {
    const r = await cli('validate', 'scenarios/quickstart.yaml', '--set', 'strategies=[{name: ip-ring, vnodes: 0}]');
    expect(oneLine(r)).toMatch(/expected an integer ≥ 1/);
  });
});

describe('scenario files have a size limit (1 MiB, --max-scenario-bytes), checked before parsing', () => {
  it('a larger file is refused with its size on every command that reads one; the flag raises the limit', async () => {
    expect(MAX_SCENARIO_BYTES).toBe(1024 * 1024);
    const dir = tmp();
    const file = join(dir, 'big.yaml');
    // A valid scenario, padded with a comment past the limit.
    writeFileSync(file, `${readFileSync('scenarios/seed-two-servers.yaml', 'utf8')}\n# ${'x'.repeat(MAX_SCENARIO_BYTES)}\n`);
    const size = readFileSync(file).length;
    for (const command of [['validate'], ['trace', '--strategy', 'cookie'], ['run'], ['sweep', '--vary', 'fleet.servers=2,3'], ['plan', '--vary', 'fleet.servers=1..3', '--slo', 'utilization_mean<=0.9']]) {
      const r = await cli(command[0]!, file, ...command.slice(1), ...(['run', 'sweep', 'plan'].includes(command[0]!) ? ['--out', join(dir, 'o')] : []));
      expect(r.code, command[0]).toBe(2);
      expect(oneLine(r)).toBe(`stickysim: ${file}: is 1 MiB, more than the 1 MiB a scenario file may be (scenarios are a few kB); pass --max-scenario-bytes ${size} to read it anyway`);
    }
    const raised = await cli('validate', file, '--max-scenario-bytes', String(size));
    expect(raised.code).toBe(0);
    // A sweep reads it in its worker threads too (which trust the command's check).
    const sweep = await cli('sweep', file, '--vary', 'fleet.servers=2,3', '--workers', '2', '--max-scenario-bytes', String(size), '--out', join(dir, 's'), '--quiet');
    expect(sweep.code, sweep.err).toBe(0);
    expect(oneLine(await cli('validate', file, '--max-scenario-bytes', '0'))).toMatch(/--max-scenario-bytes: expected a whole number of bytes ≥ 1, got 0/);
  });

  it('an endless device is refused after the limit, not read forever', async () => {
    const r = await cli('validate', '/dev/zero');
    expect([r.code, oneLine(r)]).toEqual([2, 'stickysim: /dev/zero: is larger than 1 MiB, more than the 1 MiB a scenario file may be (scenarios are a few kB); pass --max-scenario-bytes N to read it anyway']);
  });
});

describe('a bad --set value is blamed on the flag, not the file', () => {
  it('the field the flag set: the flag and what was expected', async () => {
    const cases: [string[], string][] = [
      [['--set', 'fleet.servers=0'], '--set fleet.servers=0: expected an integer ≥ 1 (and 2 more)'],
      [['--set', 'fleet.servers=3', '--set', 'fleet.servers=-1'], '--set fleet.servers=-1: expected an integer ≥ 1'],
      [['--set', 'fleet.servers=0', '--set', 'fleet.workers=2'], '--set fleet.servers=0: expected an integer ≥ 1 (and 2 more)'],
      [['--set', 'fleet.wrokers=2'], '--set fleet.wrokers=2: unknown field (did you mean workers?) (check the spelling; `stickysim schema` lists every field)'],
      [['--set', 'workload.arrivals={rate: -1}'], '--set workload.arrivals={rate: -1}: workload.arrivals.rate: expected a number ≥ 0, got -1'],
      [['--duration', '0'], '--duration 0: expected a duration > 0 (and 1 more)'],
      [['--set', 'strategies=[cookie, cookie]'], '--set strategies=[cookie, cookie]: strategies[1]: "cookie" appears twice; give variants a distinct `label`'],
    ];
    // `run` reports the first problem on one line (`validate` lists them all).
    for (const [args, message] of cases) {
      const r = await cli('run', 'scenarios/quickstart.yaml', ...args, '--out', join(tmp(), 'o'));
      expect([r.code, oneLine(r)], args.join(' ')).toEqual([2, `stickysim: ${message}`]);
    }
  });

  it('a problem the flag did not cause still names the file; --vary values name themselves', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'b.yaml'), 'workload:\n  arrivals: { rate: 1 }\nfleet: { servers: 0 }\n');
    const r = await cli('validate', join(dir, 'b.yaml'), '--set', 'fleet.workers=2');
    expect(oneLine(r)).toBe(`stickysim: ${join(dir, 'b.yaml')}: fleet.servers: expected an integer ≥ 1, got 0`);
    const v = await cli('sweep', small(dir), '--vary', 'fleet.servers=2,0', '--out', join(dir, 'o'));
    expect(oneLine(v)).toBe('stickysim: --vary fleet.servers=0: expected an integer ≥ 1');
    const p = await cli('plan', small(dir), '--vary', 'fleet.workers=0..2', '--slo', 'utilization_mean<=0.9', '--out', join(dir, 'o'));
    expect(oneLine(p)).toBe('stickysim: --vary fleet.workers=0: expected an integer ≥ 1');
    expect(existsSync(join(dir, 'o'))).toBe(false);
  });
});

describe('an option that takes one value, given twice (found by the command-line fuzzer)', () => {
  it('is refused, instead of falling back to the default --out', async () => {
    const dir = tmp();
    const file = small(dir);
    const r = await cli('sweep', file, '--vary', 'fleet.servers=2,3', '--out', join(dir, 'o'), '--out', join(dir, 'o'), '--workers', '1');
    expect([r.code, oneLine(r)]).toEqual([2, `stickysim: --out: given 2 times (${join(dir, 'o')}, ${join(dir, 'o')}); give it once (see stickysim --help)`]);
    expect(oneLine(await cli('run', file, '--replications', '2', '--replications', '3'))).toMatch(/--replications: given 2 times \(2, 3\)/);
    expect(readdirSync(dir)).toEqual(['s.yaml']);
    expect(existsSync('results/s-sweep')).toBe(false);
  });
});

describe('a number option given text', () => {
  it('says what was given, not NaN, in both spellings', async () => {
    const dir = tmp();
    const file = small(dir);
    expect(oneLine(await cli('run', file, '--seed', 'abc', '--out', join(dir, 'o')))).toBe('stickysim: --seed: expected a number, got "abc" (see stickysim --help)');
    expect(oneLine(await cli('trace', file, '--strategy', 'cookie', '--limit=x1'))).toBe('stickysim: --limit: expected a number, got "x1" (see stickysim --help)');
    expect(readdirSync(dir)).toEqual(['s.yaml']);
  });
});
