import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/scenario/errors.js';
import { gridCells, parseAxes } from '../../src/sweep/grid.js';
import { parseShard, resolveShard, shardCells } from '../../src/sweep/shard.js';

describe('shards', () => {
  it('--shard i/n is 0-based and checked', () => {
    expect(parseShard('0/3')).toMatchObject({ index: 0, count: 3 });
    expect(parseShard(' 2 / 3 ')).toMatchObject({ index: 2, count: 3 });
    for (const bad of ['3/3', '1/0', '-1/3', 'a/3', '1', '1/2/3']) expect(() => parseShard(bad), bad).toThrow(InputError);
    expect(() => parseShard('3/3')).toThrow(/numbered from 0 to 2/);
  });

  it('slices the cells deterministically and completely: every cell in exactly one shard, interleaved', () => {
    const cells = gridCells(parseAxes(['a=1..10']));
    const slices = [0, 1, 2].map((index) => shardCells(cells, { index, count: 3 }).map((c) => c.number));
    expect(slices).toEqual([[1, 4, 7, 10], [2, 5, 8], [3, 6, 9]]);
    expect(shardCells(cells, undefined)).toHaveLength(10);
    expect(shardCells(cells, { index: 11, count: 12 })).toEqual([]);
  });

  it('takes --shard before the environment, and --shards must agree with it', () => {
    expect(resolveShard({ shard: '1/4' }, { JOB_COMPLETION_INDEX: '3', STICKYSIM_SHARDS: '9' })).toMatchObject({ index: 1, count: 4, source: '--shard' });
    expect(() => resolveShard({ shard: '1/4', shards: 5 }, {})).toThrow(/--shards 5 contradicts --shard 1\/4/);
    expect(resolveShard({}, {})).toBeUndefined();
    expect(resolveShard({}, { STICKYSIM_SHARDS: '4' })).toBeUndefined();
    expect(() => resolveShard({ shards: 4 }, {})).toThrow(/--shards needs --shard, or JOB_COMPLETION_INDEX/);
    expect(() => resolveShard({ shards: 0 }, {})).toThrow(/--shards: expected a whole number ≥ 1/);
  });
});
