import { describe, expect, it } from 'vitest';
import { ModuloHash } from '../../src/balancers/hashing/modulo.js';
import { RingHash } from '../../src/balancers/hashing/ring.js';
import type { HashFamily } from '../../src/balancers/hashing/types.js';
import { fmix32 } from '../../src/model/hash.js';
import { makeFleet } from '../helpers.js';

const KEYS = 100_000;

/** Fraction of keys whose server changes when the fleet goes from `before` to `after` servers. */
function moved(family: () => HashFamily, before: number, after: number): number {
  const big = makeFleet(Math.max(before, after));
  const a = family();
  a.build(big.servers.slice(0, before));
  const b = family();
  b.build(big.servers.slice(0, after));
  let n = 0;
  for (let k = 0; k < KEYS; k++) {
    const h = fmix32(k);
    if (a.pick(h) !== b.pick(h)) n++;
  }
  return n / KEYS;
}

describe('hash families: keys moved by a fleet change', () => {
  it('modulo moves about N/(N+1) of keys when a server is added to N', () => {
    expect(moved(() => new ModuloHash(), 8, 9)).toBeCloseTo(8 / 9, 2);
  });

  it('ring moves about 1/(N+1) when a server is added, and 1/N when one is removed', () => {
    expect(Math.abs(moved(() => new RingHash(160), 8, 9) - 1 / 9)).toBeLessThan(0.02);
    expect(Math.abs(moved(() => new RingHash(160), 9, 8) - 1 / 9)).toBeLessThan(0.02);
  });

  it('ring moves keys only onto the added server', () => {
    const fleet = makeFleet(9);
    const a = new RingHash();
    a.build(fleet.servers.slice(0, 8));
    const b = new RingHash();
    b.build(fleet.servers);
    for (let k = 0; k < 20_000; k++) {
      const h = fmix32(k);
      const before = a.pick(h);
      const after = b.pick(h);
      if (before !== after) expect(after!.name).toBe('s9');
    }
  });
});

describe('hash families: spread', () => {
  function spread(family: HashFamily, n: number): number {
    const fleet = makeFleet(n);
    family.build(fleet.servers);
    const counts = new Array<number>(n).fill(0);
    for (let k = 0; k < KEYS; k++) counts[family.pick(fmix32(k))!.id]!++;
    return Math.max(...counts) / (KEYS / n);
  }

  it('modulo spreads keys almost evenly', () => {
    expect(spread(new ModuloHash(), 8)).toBeLessThan(1.03);
  });

  it('ring spread improves with virtual nodes', () => {
    const few = spread(new RingHash(1), 8);
    const many = spread(new RingHash(160), 8);
    expect(many).toBeLessThan(1.15);
    expect(few).toBeGreaterThan(many);
  });

  it('pick is deterministic and wraps around the ring', () => {
    const fleet = makeFleet(3);
    const r = new RingHash(4);
    r.build(fleet.servers);
    expect(r.pick(0xffffffff)).toBe(r.pick(0));
    expect(new RingHash(4).pick(5)).toBeUndefined();
  });
});
