/**
 * A sweep killed mid-way (SIGKILL: no chance to clean up) and run again with
 * the same arguments computes only the cells it had not finished, and ends
 * with the same bytes as a sweep never interrupted.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, sameTree, tmp } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an interrupted sweep', () => {
  it('resumes where it stopped and ends byte-identical to an uninterrupted one', async () => {
    const dir = tmp();
    const file = join(dir, 'slow.yaml');
    // About 0.2 s per cell: slow enough to kill between cells.
    writeFileSync(
      file,
      `name: slow
seed: 4
duration: 25m
window: 1m
workload:
  arrivals: { rate: 10 }
  requests: { dist: geometric, mean: 8 }
  think: { dist: exponential, mean: 5s }
  service: { dist: exponential, mean: 20ms }
fleet: { servers: 4, workers: 4 }
strategies: [cookie]
`,
    );
    const args = ['sweep', file, '--vary', 'fleet.servers=4..9', '--workers', '1'];
    const out = join(dir, 'killed');
    const child = spawn('node', ['dist/cli/main.js', ...args, '--out', out], { stdio: 'ignore' });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const cells = () => (existsSync(join(out, 'cells')) ? readdirSync(join(out, 'cells')).filter((f) => f.endsWith('.csv')).length : 0);
    for (let t = 0; t < 300 && cells() < 2; t++) await sleep(20);
    child.kill('SIGKILL');
    await exited;
    const done = cells();
    expect(done).toBeGreaterThanOrEqual(2);
    expect(done).toBeLessThan(6);
    expect(existsSync(join(out, 'sweep.csv'))).toBe(false);

    const resumed = await cli(...args, '--out', out);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain(`computed ${6 - done} cell${6 - done === 1 ? '' : 's'} (${6 - done} run${6 - done === 1 ? '' : 's'}), ${done} already complete, of 6\n`);

    await cli(...args, '--out', join(dir, 'whole'), '--quiet');
    expect(sameTree(join(dir, 'whole'), out)).toEqual({ missing: [], extra: [], differ: [] });
  });
});
