import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/scenario/errors.js';
import { expandRange, gridCells, numericValue, parseAxes, parseVary, splitTopLevel } from '../../src/sweep/grid.js';

describe('--vary', () => {
  it('reads lists, ranges and ranges with a step, keeping the text given', () => {
    expect(parseVary('fleet.servers=4,6,8')).toEqual({ path: 'fleet.servers', values: ['4', '6', '8'] });
    expect(parseVary('fleet.servers=2..5').values).toEqual(['2', '3', '4', '5']);
    expect(parseVary('fleet.servers=2..10:4').values).toEqual(['2', '6', '10']);
    expect(parseVary('fleet.servers=1,4..6,12').values).toEqual(['1', '4', '5', '6', '12']);
    expect(parseVary('x=-2..1').values).toEqual(['-2', '-1', '0', '1']);
    expect(parseVary('duration=10m, 1h').values).toEqual(['10m', '1h']);
    expect(parseVary('timeline[0].at=5m,20m').path).toBe('timeline[0].at');
  });

  it('keeps YAML lists and mappings whole', () => {
    expect(splitTopLevel('[1, 2],{a: 1, b: 2},"x,y",3')).toEqual(['[1, 2]', '{a: 1, b: 2}', '"x,y"', '3']);
    expect(parseVary('fleet.servers=[{count: 2}, {count: 1, workers: 8}],4').values).toEqual(['[{count: 2}, {count: 1, workers: 8}]', '4']);
  });

  it('refuses bad specs in one line naming the option', () => {
    const bad: [string, RegExp][] = [
      ['fleet.servers', /--vary: expected path=v1,v2/],
      ['=1,2', /--vary: expected path=v1,v2/],
      ['fleet..servers=1', /expected a field path/],
      ['fleet.servers=1,,2', /empty value/],
      ['fleet.servers=', /empty value/],
      ['fleet.servers=5..2', /LO must not exceed HI/],
      ['fleet.servers=1..5:0', /STEP must be ≥ 1/],
      ['fleet.servers=1.5..3', /ranges are of integers/],
      ['fleet.servers=1..x', /ranges are of integers/],
      ['fleet.servers=1,2,1', /the value 1 appears twice/],
      ['seed=1,2', /cannot be varied.*--replications/],
      ['fleet.servers=1..200000', /more than 100000 values/],
    ];
    for (const [spec, message] of bad) {
      let err: unknown;
      try {
        parseVary(spec);
      } catch (e) {
        err = e;
      }
      expect(err, spec).toBeInstanceOf(InputError);
      expect((err as Error).message, spec).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
    expect(() => parseAxes(['a=1', 'a=2'])).toThrow(/a: given twice/);
    expect(() => parseAxes(['a=1..1000', 'b=1..1000'])).toThrow(/1000000 cells, more than 100000/);
    expect(() => expandRange('3..1', 'x')).toThrow(InputError);
  });

  it('makes the cartesian product, the last --vary changing fastest', () => {
    const cells = gridCells(parseAxes(['a=1,2', 'b=x,y,z']));
    expect(cells.map((c) => c.values.join(''))).toEqual(['1x', '1y', '1z', '2x', '2y', '2z']);
    expect(cells.map((c) => c.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(cells[4]!.sets).toEqual(['a=2', 'b=y']);
    expect(gridCells([])).toHaveLength(1);
  });

  it('tells numeric values (a numeric chart axis) from the others', () => {
    expect(['4', '0.5', '1e3', '-2'].map(numericValue)).toEqual([4, 0.5, 1000, -2]);
    expect(['10m', 'true', '[1]', 'abc'].map(numericValue)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
