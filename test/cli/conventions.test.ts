/** Command-line habits people rely on: -V and -h, shipped scenarios by name, did-you-mean, compound durations. */
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

  it('suggests the command meant', async () => {
    const r = await cli('ruun', 'quickstart');
    expect([r.code, r.err]).toEqual([2, 'stickysim: Did you mean run? (see stickysim --help)\n']);
  });

  it('takes compound durations on the command line', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'stickysim-conv-')), 'o');
    const r = await cli('run', 'seed-two-servers', '--duration', '1h1m30s', '--strategies', 'cookie', '--out', out, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).resolved.duration).toBe(3690);
  });
});
