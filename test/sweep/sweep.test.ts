import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { SUMMARY_COLUMNS } from '../../src/metrics/results.js';
import { cli, sameTree, smallScenario, tmp } from './helpers.js';

const csv = (file: string) => parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];

describe('stickysim sweep', () => {
  it('writes the long CSV, the summary, the charts, the report and sweep.json', async () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const r = await cli('sweep', smallScenario(dir), '--vary', 'fleet.servers=2..4', '--replications', '2', '--out', out, '--workers', '1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('sweep small: fleet.servers, 3 cells × 3 strategies × 2 replications = 18 runs, seed 3\n');
    expect(r.out).toContain('computed 3 cells (18 runs), 0 already complete, of 3\n');
    expect(readdirSync(out).sort()).toEqual(['.stickysim.json', 'cells', 'charts', 'report.html', 'sweep-summary.csv', 'sweep.csv', 'sweep.json']);
    expect(readdirSync(join(out, 'cells'))).toEqual(['cell-0001.csv', 'cell-0002.csv', 'cell-0003.csv']);
    expect(readdirSync(join(out, 'charts')).sort()).toEqual([
      'imbalance_max_mean.png', 'latency_p99_ms.png', 'session_loss_rate.png', 'utilization_mean.png', 'windowed_max_mean.png',
    ]);

    const text = readFileSync(join(out, 'sweep.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe(['scenario', 'cell', 'fleet.servers', 'strategy', 'replication', 'seed', ...SUMMARY_COLUMNS].join(','));
    const rows = csv(join(out, 'sweep.csv'));
    expect(rows).toHaveLength(3 * 3 * 2);
    expect(rows.map((r) => `${r.cell}:${r['fleet.servers']}:${r.strategy}:${r.replication}`).slice(0, 7)).toEqual([
      '1:2:cookie:1', '1:2:cookie:2', '1:2:round-robin:1', '1:2:round-robin:2', '1:2:ip-ring:1', '1:2:ip-ring:2', '2:3:cookie:1',
    ]);
    // The cell files are sweep.csv cut by cell.
    const cells = readdirSync(join(out, 'cells')).map((f) => readFileSync(join(out, 'cells', f), 'utf8').split('\n').slice(1).join('\n'));
    expect(text.split('\n')[0] + '\n' + cells.join('')).toBe(text);

    const summary = csv(join(out, 'sweep-summary.csv'));
    expect(Object.keys(summary[0]!)).toEqual(['scenario', 'cell', 'fleet.servers', 'strategy', 'metric', 'n', 'mean', 'ci95_low', 'ci95_high']);
    expect(summary).toHaveLength(3 * 3 * SUMMARY_COLUMNS.length);
    const loss = summary.find((s) => s.cell === '2' && s.strategy === 'round-robin' && s.metric === 'session_loss_rate')!;
    const xs = rows.filter((r) => r.cell === '2' && r.strategy === 'round-robin').map((r) => Number(r.session_loss_rate));
    expect(Number(loss.mean)).toBeCloseTo((xs[0]! + xs[1]!) / 2, 8);
    // Two replications: t(0.975, 1) = 12.706; half-width = t · sd / √2 = 12.706 · |x1 − x2| / 2.
    expect(Number(loss.ci95_high) - Number(loss.mean)).toBeCloseTo((12.7062047 * Math.abs(xs[0]! - xs[1]!)) / 2, 6);
    expect(Number(loss.n)).toBe(2);

    const meta = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    expect(meta).toMatchObject({
      kind: 'sweep', scenario: 'small', seed: 3, replications: 2, cells: 3,
      vary: [{ path: 'fleet.servers', values: ['2', '3', '4'] }],
      strategies: [{ label: 'cookie' }, { label: 'round-robin' }, { label: 'ip-ring' }],
    });
    expect(meta.seeds).toHaveLength(2);
    expect(meta.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(meta.shard).toBeUndefined();

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h1>small: fleet.servers</h1>');
    expect(html.match(/<img class="chart"[^>]*src="data:image\/png;base64,/g)).toHaveLength(5);
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('uses common random numbers: a cell is exactly `run` with --set, replication r has one seed in every cell and strategy', async () => {
    const dir = tmp();
    const file = smallScenario(dir);
    await cli('sweep', file, '--vary', 'fleet.servers=2,4', '--replications', '2', '--out', join(dir, 'sweep'), '--quiet');
    await cli('run', file, '--set', 'fleet.servers=4', '--replications', '2', '--out', join(dir, 'run'), '--quiet');
    const sweep = csv(join(dir, 'sweep', 'sweep.csv'));
    const run = csv(join(dir, 'run', 'summary.csv'));
    const cell2 = sweep.filter((r) => r.cell === '2').map(({ cell: _c, 'fleet.servers': _f, ...rest }) => rest);
    expect(cell2).toEqual(run);
    const seeds = (rep: string) => new Set(sweep.filter((r) => r.replication === rep).map((r) => r.seed));
    expect(seeds('1')).toEqual(new Set(['3']));
    expect(seeds('2').size).toBe(1);
    // Within a cell and replication every strategy saw the same sessions.
    for (const c of ['1', '2']) expect(new Set(sweep.filter((r) => r.cell === c && r.replication === '1').map((r) => r.sessions)).size).toBe(1);
  });

  it('resumes: a re-run skips finished cells, runs the missing and damaged ones, and writes the same bytes', async () => {
    const dir = tmp();
    const file = smallScenario(dir);
    const args = ['sweep', file, '--vary', 'fleet.servers=2..5', '--strategies', 'cookie,ip-hash'];
    expect((await cli(...args, '--out', join(dir, 'whole'))).code).toBe(0);
    const out = join(dir, 'resumed');
    await cli(...args, '--out', out);
    rmSync(join(out, 'cells', 'cell-0003.csv'));
    rmSync(join(out, 'sweep.csv'));
    writeFileSync(join(out, 'cells', 'cell-0002.csv'), 'scenario,cell\nsmall,2\n');
    writeFileSync(join(out, 'cells', '.cell-0004.csv.tmp-99999'), 'half a file');
    const r = await cli(...args, '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain('computed 2 cells (4 runs), 2 already complete, of 4\n');
    expect(r.err).toBe('stickysim: ran again a damaged cell file: cells/cell-0002.csv (its columns are not those of this sweep)\n');
    expect(sameTree(join(dir, 'whole'), out)).toEqual({ missing: [], extra: [], differ: [] });
    const again = await cli(...args, '--out', out);
    expect(again.out).toContain('computed 0 cells (0 runs), 4 already complete, of 4\n');
    expect(sameTree(join(dir, 'whole'), out)).toEqual({ missing: [], extra: [], differ: [] });
    // The same scenario by another path is the same sweep.
    const other = await cli('sweep', `${dir}/./small.yaml`, ...args.slice(2), '--out', out);
    expect(other.out).toContain('computed 0 cells (0 runs), 4 already complete, of 4\n');
  });

  it('refuses a directory of different arguments (exit 2, nothing touched) unless --force', async () => {
    const dir = tmp();
    const file = smallScenario(dir);
    const out = join(dir, 'out');
    await cli('sweep', file, '--vary', 'fleet.servers=2,3', '--out', out, '--quiet');
    const before = readFileSync(join(out, 'sweep.json'), 'utf8');
    const cases: [string[], RegExp][] = [
      [['--vary', 'fleet.servers=2,3,4'], /grid \(--vary\): fleet.servers=2,3 there, fleet.servers=2,3,4 now/],
      [['--vary', 'fleet.servers=2,3', '--replications', '2'], /replications: 1 there, 2 now/],
      [['--vary', 'fleet.servers=2,3', '--seed', '9'], /seed: 3 there, 9 now/],
      [['--vary', 'fleet.servers=2,3', '--strategies', 'cookie'], /strategies \(--strategies\): cookie,round-robin,ip-ring there, cookie now/],
      [['--vary', 'fleet.servers=2,3', '--set', 'fleet.workers=3'], /scenario contents/],
      [['--vary', 'fleet.servers=2,3', '--shard', '0/2'], /shard: none there, 0\/2 now/],
    ];
    for (const [extra, message] of cases) {
      const r = await cli('sweep', file, ...extra, '--out', out);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toMatch(/pass --force to replace it/);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    expect(readFileSync(join(out, 'sweep.json'), 'utf8')).toBe(before);
    const forced = await cli('sweep', file, '--vary', 'fleet.servers=5', '--out', out, '--force');
    expect(forced.code).toBe(0);
    expect(readdirSync(join(out, 'cells'))).toEqual(['cell-0001.csv']);
    expect(csv(join(out, 'sweep.csv')).map((r) => r['fleet.servers'])).toEqual(['5', '5', '5']);
  });

  it('refuses bad arguments in one line, writing nothing', async () => {
    const dir = tmp();
    const file = smallScenario(dir);
    const out = join(dir, 'out');
    const cases: [string[], RegExp][] = [
      [[], /--vary: expected at least one/],
      [['--vary', 'fleet.servers=2,x'], /--vary fleet.servers=x: expected a server count/],
      [['--vary', 'fleet.servers=0..2'], /--vary fleet.servers=0: /],
      [['--vary', 'fleet.serverz=1'], /--vary fleet.serverz=1: .*unknown field/],
      [['--vary', 'fleet.servers=2', '--strategies', 'nope'], /--strategies: unknown strategy "nope"/],
      [['--vary', 'fleet.servers=2', '--replications', '0'], /--replications: expected a whole number ≥ 1, got 0/],
      [['--vary', 'fleet.servers=2', '--workers', '0'], /--workers: expected a whole number ≥ 1, got 0/],
      [['--vary', 'fleet.servers=2', '--shard', '3/3'], /--shard 3\/3: shards are numbered from 0 to 2/],
      // Each value is valid alone; together, min > max.
      [['--set', 'fleet.autoscale={target: 0.5, min: 1, max: 16}', '--vary', 'fleet.autoscale.min=2,9', '--vary', 'fleet.autoscale.max=12,4'], /--vary cell 4 \(fleet.autoscale.min=9, fleet.autoscale.max=4\): .*min ≤ max/],
    ];
    for (const [extra, message] of cases) {
      const r = await cli('sweep', file, ...extra, '--out', out);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
      expect(existsSync(out), extra.join(' ')).toBe(false);
    }
  });

  it('charts a grid of two parameters once per value of the second', async () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const r = await cli('sweep', smallScenario(dir), '--vary', 'fleet.servers=2,3', '--vary', 'workload.arrivals.rate=0.5,1', '--strategies', 'cookie', '--out', out, '--quiet');
    expect(r.code).toBe(0);
    const charts = readdirSync(join(out, 'charts')).sort();
    expect(charts).toHaveLength(10);
    expect(charts.slice(0, 2)).toEqual(['imbalance_max_mean--workload.arrivals.rate=0.5.png', 'imbalance_max_mean--workload.arrivals.rate=1.png']);
    const rows = csv(join(out, 'sweep.csv'));
    expect(rows.map((r) => `${r.cell}:${r['fleet.servers']}:${r['workload.arrivals.rate']}`)).toEqual(['1:2:0.5', '2:2:1', '3:3:0.5', '4:3:1']);
  });
});
