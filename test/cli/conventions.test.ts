/** Command-line habits people rely on: -V and -h, shipped scenarios by name, did-you-mean, compound durations. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

  it("every command's help shows 2 or 3 examples, each naming a scenario, strategies and options that exist", async () => {
    const { EXAMPLES } = await import('../../src/cli/main.js');
    const { ALL_STRATEGY_NAMES } = await import('../../src/strategies/registry.js');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      for (const [command, examples] of Object.entries(EXAMPLES)) {
        expect(examples.length, command).toBeGreaterThanOrEqual(2);
        expect(examples.length, command).toBeLessThanOrEqual(3);
        log.mockClear();
        await cli(command, '--help');
        const help = log.mock.calls.map((c) => String(c[0])).join('\n').replace(/\s+/g, ' ');
        for (const [line] of examples) {
          expect(help, `${command}: ${line}`).toContain(line.replace(/\s+/g, ' ').slice(0, 30));
          const words = line.split(' ');
          const scenario = words[2];
          if (['run', 'trace', 'validate', 'sweep', 'plan'].includes(command) && words[0] === 'stickysim') expect(existsSync(shippedScenario(scenario!)), line).toBe(true);
          const strategies = words[words.indexOf('--strategies') + 1] ?? '';
          if (words.includes('--strategies')) for (const n of strategies.split(',')) expect(ALL_STRATEGY_NAMES, line).toContain(n);
          if (words.includes('--strategy')) expect(ALL_STRATEGY_NAMES, line).toContain(words[words.indexOf('--strategy') + 1]);
        }
      }
    } finally {
      log.mockRestore();
    }
    // The cheap ones run as written.
    for (const line of [EXAMPLES.trace![1]![0], EXAMPLES.validate![0]![0]]) {
      const r = await cli(...line.split(' ').slice(1));
      expect([r.code, r.err], line).toEqual([0, '']);
    }
  });

  it('validate reports every problem in the file, a line each; run reports the first and how many more', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stickysim-bad-')), 'bad.yaml');
    writeFileSync(file, 'duration: -5\nfleet: { servers: 0, workerz: 3 }\nworkload: { arrivals: { rate: -1 } }\n');
    const v = await cli('validate', file);
    expect(v.code).toBe(2);
    expect(v.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^stickysim: .*bad\.yaml: duration: expected a duration/),
      `stickysim: ${file}: workload.arrivals.rate: expected a number ≥ 0, got -1`,
      `stickysim: ${file}: fleet.servers: expected an integer ≥ 1, got 0`,
      `stickysim: ${file}: fleet.workerz: unknown field (did you mean workers?) (check the spelling; \`stickysim schema\` lists every field)`,
      'stickysim: 4 problems',
    ]);
    const r = await cli('run', file, '--out', join(file, '..', 'o'));
    expect([r.code, r.err.trim().split('\n').length]).toEqual([2, 1]);
    expect(r.err).toMatch(/\(and 3 more\)\n$/);
    expect((await cli('run', 'seed-two-servers', '--set', 'fleet.server=3')).err).toMatch(/^stickysim: --set fleet.server=3: unknown field \(did you mean servers\?\)/);
  });
});
