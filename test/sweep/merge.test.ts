import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, sameTree, smallScenario, tmp } from './helpers.js';

const GRID = ['--vary', 'fleet.servers=2..5', '--vary', 'workload.arrivals.rate=0.5,1', '--replications', '2', '--strategies', 'cookie,ip-ring'];

/** An unsharded sweep and its 3 shards, run once for the file. */
async function fixture() {
  const dir = tmp();
  const file = smallScenario(dir);
  expect((await cli('sweep', file, ...GRID, '--out', join(dir, 'whole'), '--quiet')).code).toBe(0);
  const shards = [0, 1, 2].map((i) => join(dir, `shard-${i}`));
  for (const [i, s] of shards.entries()) {
    const r = await cli('sweep', file, ...GRID, '--shard', `${i}/3`, '--out', s);
    expect(r.err).toBe('');
    expect(r.out).toContain(`shard ${i}/3 (from --shard)\n`);
  }
  return { dir, file, shards };
}

describe('stickysim merge', async () => {
  const { dir, file, shards } = await fixture();

  it('a shard writes only its cells and sweep.json with the shard', () => {
    expect(readdirSync(shards[1]!).sort()).toEqual(['.stickysim.json', 'cells', 'sweep.json']);
    expect(readdirSync(join(shards[1]!, 'cells'))).toEqual(['cell-0002.csv', 'cell-0005.csv', 'cell-0008.csv']);
    const meta = JSON.parse(readFileSync(join(shards[1]!, 'sweep.json'), 'utf8'));
    expect(meta.shard).toEqual({ index: 1, count: 3, cells: [2, 5, 8] });
    expect(meta.fingerprint).toBe(JSON.parse(readFileSync(join(dir, 'whole', 'sweep.json'), 'utf8')).fingerprint);
  });

  it('merges 3 shards into exactly the files of the unsharded sweep, whatever their order', async () => {
    const out = join(dir, 'merged');
    const r = await cli('merge', shards[2]!, shards[0]!, shards[1]!, '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('merged 3 directories: 8 cells of sweep small\n');
    expect(sameTree(join(dir, 'whole'), out)).toEqual({ missing: [], extra: [], differ: [] });
    expect(readdirSync(join(out, 'charts'))).toHaveLength(10);
    // Merging again into the same directory is allowed (same sweep).
    expect((await cli('merge', ...shards, '--out', out, '--quiet')).code).toBe(0);
  });

  it('refuses shards of different sweeps, missing, duplicate and unfinished cells, in one line, writing nothing', async () => {
    const other = join(dir, 'other-grid');
    await cli('sweep', file, '--vary', 'fleet.servers=2..6', '--vary', 'workload.arrivals.rate=0.5,1', '--replications', '2', '--strategies', 'cookie,ip-ring', '--shard', '1/3', '--out', other, '--quiet');
    const reps = join(dir, 'other-reps');
    await cli('sweep', file, ...GRID.slice(0, 4), '--replications', '3', '--strategies', 'cookie,ip-ring', '--shard', '1/3', '--out', reps, '--quiet');
    const version = join(dir, 'other-version');
    cpSync(shards[1]!, version, { recursive: true });
    const meta = JSON.parse(readFileSync(join(version, 'sweep.json'), 'utf8'));
    writeFileSync(join(version, 'sweep.json'), JSON.stringify({ ...meta, stickysim: '0.0.9' }, null, 2));
    const incomplete = join(dir, 'incomplete');
    cpSync(shards[1]!, incomplete, { recursive: true });
    rmSync(join(incomplete, 'cells', 'cell-0005.csv'));
    const damaged = join(dir, 'damaged');
    cpSync(shards[1]!, damaged, { recursive: true });
    writeFileSync(join(damaged, 'cells', 'cell-0005.csv'), readFileSync(join(damaged, 'cells', 'cell-0005.csv'), 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
    const fourShards = join(dir, 'four');
    await cli('sweep', file, ...GRID, '--shard', '3/4', '--out', fourShards, '--quiet');

    const cases: [string[], RegExp][] = [
      [[shards[0]!, other, shards[2]!], /other-grid and .*shard-0 are not parts of the same sweep: their grid \(--vary\): fleet.servers=2,3,4,5 workload.arrivals.rate=0.5,1 in .*shard-0, fleet.servers=2,3,4,5,6 /],
      [[shards[0]!, reps, shards[2]!], /not parts of the same sweep: their replications: 2 in .*, 3 in /],
      [[shards[0]!, version, shards[2]!], /not parts of the same sweep: their stickysim version: 0.1.0 in .*, 0.0.9 in /],
      [[shards[0]!, shards[2]!], /cells 2, 5, 8 of 8 are in none of the directories given; missing shard 1\/3/],
      [[shards[0]!, shards[1]!, shards[1]!, shards[2]!], /shard 1\/3 is given twice/],
      [[shards[0]!, incomplete, shards[2]!], /incomplete \(shard 1\/3\) is incomplete: cell 5 not finished; re-run it with the same arguments/],
      [[shards[0]!, damaged, shards[2]!], /damaged\/cells\/cell-0005.csv: not a finished cell of this sweep: 2 rows instead of 4/],
      [[shards[0]!, shards[1]!, shards[2]!, fourShards], /four is shard 3\/4, but others are of 3 shards/],
      [[join(dir, 'whole'), shards[1]!], /cell 2 \(fleet.servers=2, workload.arrivals.rate=1\) is in both .*whole and .*shard-1/],
      [[join(dir, 'nowhere')], /nowhere: no sweep.json: not a stickysim sweep or shard directory/],
    ];
    for (const [dirs, message] of cases) {
      const out = join(dir, 'refused');
      const r = await cli('merge', ...dirs, '--out', out);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(dir)).not.toContain('refused');
    }
    const into = await cli('merge', ...shards, '--out', shards[0]!);
    expect(into.err).toMatch(/is one of the directories being merged/);
    const notOurs = join(dir, 'not-ours');
    cpSync(join(dir, 'whole'), notOurs, { recursive: true });
    writeFileSync(join(notOurs, 'sweep.json'), '{"kind": "sweep", "scenario": "else"}');
    const taken = await cli('merge', ...shards, '--out', notOurs);
    expect(taken.code).toBe(2);
    expect(taken.err).toMatch(/holds a stickysim sweep of different inputs; pass --force/);
    expect((await cli('merge', ...shards, '--out', notOurs, '--force', '--quiet')).code).toBe(0);
    expect(sameTree(join(dir, 'whole'), notOurs)).toEqual({ missing: [], extra: [], differ: [] });
  });
});
