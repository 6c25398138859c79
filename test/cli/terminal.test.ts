import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'stickysim-term-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

/**
 * A fast run, with the bar's one-second threshold set to 0 so that it would
 * draw whatever the machine's speed (the threshold itself is unit-tested).
 */
const RUN = ['run', 'scenarios/seed-two-servers.yaml', '--replications', '3'];
const env = { ...process.env, STICKYSIM_PROGRESS_AFTER: '0' };

describe('--json and --quiet', () => {
  it('--json prints only the comparison as JSON: metadata and every metric with its CI half-width', async () => {
    const out = join(tmp(), 'o');
    const r = await cli('run', 'scenarios/seed-two-servers.yaml', '--out', out, '--replications', '2', '--json');
    expect([r.code, r.err]).toEqual([0, '']);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ scenario: 'seed-two-servers', seed: 7, replications: 2, results_dir: out });
    expect(j.fingerprint).toBe(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).fingerprint);
    expect(j.strategies.map((s: { strategy: string }) => s.strategy)).toEqual(['cookie', 'round-robin', 'ip-hash', 'least-conn']);
    const cookie = j.strategies[0];
    expect(cookie).toMatchObject({ name: 'cookie', options: { fallback: 'round-robin' }, replications: 2 });
    // Every summary.csv metric column, with the means of the two rows.
    const [head, ...rows] = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const metrics = head!.slice(4);
    expect(Object.keys(cookie.metrics)).toEqual(metrics);
    const col = head!.indexOf('sessions');
    const cookieRows = rows.filter((x) => x[1] === 'cookie');
    expect(cookie.metrics.sessions.mean).toBe((Number(cookieRows[0]![col]) + Number(cookieRows[1]![col])) / 2);
    expect(typeof cookie.metrics.session_loss_rate.ci95_half_width).toBe('number');
  });

  it('--json with one replication writes null half-widths, not NaN', async () => {
    const r = await cli('run', 'scenarios/seed-two-servers.yaml', '--out', join(tmp(), 'o'), '--strategies', 'cookie', '--json');
    expect(JSON.parse(r.out).strategies[0].metrics.latency_p99_ms.ci95_half_width).toBeNull();
  });

  it('--quiet prints nothing on success, still writes the results, and still reports errors', async () => {
    const out = join(tmp(), 'o');
    const r = await cli('run', 'scenarios/seed-two-servers.yaml', '--out', out, '--quiet');
    expect([r.code, r.out, r.err]).toEqual([0, '', '']);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<h1>seed-two-servers</h1>');
    const bad = await cli('run', 'scenarios/seed-two-servers.yaml', '--out', out, '--quiet', '--strategies', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown strategy "nope"/);
  });
});

describe('progress on stderr', () => {
  it('writes nothing to stderr when it is not a terminal (pipes, CI)', () => {
    const p = spawnSync('node', ['dist/cli/main.js', ...RUN, '--out', join(tmp(), 'o'), '--json'], { encoding: 'utf8', env });
    expect(p.status).toBe(0);
    expect(p.stderr).toBe('');
    expect(JSON.parse(p.stdout).strategies).toHaveLength(4);
  });

  // `script` (util-linux) runs the command on a pseudo-terminal, as a user's shell would.
  const onTerminal = (args: string[]) =>
    spawnSync('script', ['-qec', ['node', 'dist/cli/main.js', ...args].join(' '), '/dev/null'], { encoding: 'utf8', env });

  it('draws a bar with runs done and time left on a terminal, then clears it for the table', () => {
    const p = onTerminal([...RUN, '--out', join(tmp(), 'o')]);
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/stickysim .* 1\/12 runs \| \d+s left \| running cookie, replication 2/);
    expect(p.stdout).toMatch(/12\/12 runs .*writing results/);
    expect(p.stdout).toMatch(/\x1b\[2Kseed-two-servers: 4 strategies × 3 replications/); // the bar's line is cleared first
  });

  it('--quiet draws nothing even on a terminal', () => {
    const p = onTerminal([...RUN, '--out', join(tmp(), 'o'), '--quiet']);
    expect([p.status, p.stdout]).toEqual([0, '']);
  });
});
