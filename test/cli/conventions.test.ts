/** Command-line habits people rely on: -V and -h, shipped scenarios by name, did-you-mean, compound durations. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { shippedScenario } from '../../src/cli/main.js';
import { cli } from '../helpers.js';

describe('command-line conventions', () => {
  it('-V prints the version and -h the help, as --version and --help do', async () => {
    // yargs prints the version and the help itself, on standard output.
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const v = await cli('-V');
      expect([v.code, log.mock.calls.map((c) => String(c[0]))]).toEqual([0, [JSON.parse(readFileSync('package.json', 'utf8')).version]]);
      log.mockClear();
      const h = await cli('run', '-h');
      expect(h.code).toBe(0);
      expect(String(log.mock.calls[0]?.[0])).toMatch(/^stickysim run <scenario>/);
    } finally {
      log.mockRestore();
    }
  });

  it('finds a shipped scenario by its name; a path that exists wins, and an unknown name is reported as it was given', async () => {
    expect(shippedScenario('quickstart')).toBe(resolve('scenarios/quickstart.yaml'));
    expect(shippedScenario('seed-two-servers.yaml')).toBe(resolve('scenarios/seed-two-servers.yaml'));
    expect(shippedScenario('scenarios/mmc.yaml')).toBe('scenarios/mmc.yaml');
    expect(shippedScenario('../quickstart')).toBe('../quickstart');
    const r = await cli('validate', 'seed-two-servers');
    expect([r.code, r.out]).toEqual([0, expect.stringContaining('"seed-two-servers", 2 servers × 2 workers')]);
    const missing = await cli('validate', 'no-such-scenario');
    expect([missing.code, missing.err]).toEqual([2, 'stickysim: no-such-scenario: cannot read the scenario (no such file)\n']);
  });

  it('suggests the command, option or strategy meant', async () => {
    const r = await cli('ruun', 'quickstart');
    expect([r.code, r.err]).toEqual([2, 'stickysim: Did you mean run? (see stickysim --help)\n']);
    expect((await cli('run', 'seed-two-servers', '--outt', 'x')).err).toBe('stickysim: Unknown argument: outt (did you mean --out?) (see stickysim --help)\n');
    expect((await cli('run', 'seed-two-servers', '--strategies', 'cooky')).err).toMatch(/^stickysim: --strategies: unknown strategy "cooky" \(did you mean cookie\?\): expected one of cookie, /);
    expect((await cli('trace', 'seed-two-servers', '--strategy', 'ip-rign')).err).toMatch(/unknown strategy "ip-rign" \(did you mean ip-ring\?\)/);
    // Nothing near enough: no guess.
    expect((await cli('run', 'seed-two-servers', '--strategies', 'zzzzzz')).err).not.toMatch(/did you mean/);
  });

  it('says "1 strategy", not "1 strategies"', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'stickysim-conv-')), 'o');
    expect((await cli('run', 'seed-two-servers', '--strategies', 'cookie', '--out', out)).out).toMatch(/^seed-two-servers: 1 strategy × 1 replication, seed 7\n/);
  });

  it('takes compound durations on the command line', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'stickysim-conv-')), 'o');
    const r = await cli('run', 'seed-two-servers', '--duration', '1h1m30s', '--strategies', 'cookie', '--out', out, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).resolved.duration).toBe(3690);
  });

  it('validate - reads the scenario from standard input; sweep and plan say they cannot', () => {
    const bin = join(process.cwd(), 'dist', 'cli', 'main.js');
    const ok = spawnSync(process.execPath, [bin, 'validate', '-'], { input: readFileSync('scenarios/seed-two-servers.yaml'), encoding: 'utf8' });
    expect([ok.status, ok.stdout]).toEqual([0, expect.stringMatching(/^-: ok — "seed-two-servers"/)]);
    const sweep = spawnSync(process.execPath, [bin, 'sweep', '-', '--vary', 'fleet.servers=2,3'], { input: '', encoding: 'utf8' });
    expect([sweep.status, sweep.stderr]).toEqual([2, 'stickysim: sweep reads its scenario once per cell, so it cannot come on standard input: give a file, not - (see stickysim --help)\n']);
  });

  it('piped into a reader that stops early (| head), a run still finishes writing its results', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'stickysim-pipe-')), 'o');
    const bin = join(process.cwd(), 'dist', 'cli', 'main.js');
    const r = spawnSync('bash', ['-c', `node ${bin} run seed-two-servers --out ${out} | head -c 10 > /dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect([r.stdout.trim(), r.stderr]).toEqual(['0', '']);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8').split('\n')[0]).toMatch(/^scenario,strategy,replication/);
  });
});
