import { describe, expect, it } from 'vitest';
import { HASH_FUNCTIONS, type HashFunctionName } from '../../src/balancers/hashing/functions.js';
import { makeHashFamily, type HashFamilySpec } from '../../src/balancers/hashing/factory.js';
import { MaglevHash } from '../../src/balancers/hashing/maglev.js';
import { ModuloHash } from '../../src/balancers/hashing/modulo.js';
import { RendezvousHash } from '../../src/balancers/hashing/rendezvous.js';
import { RingHash } from '../../src/balancers/hashing/ring.js';
import type { HashFamily } from '../../src/balancers/hashing/types.js';
import type { Server } from '../../src/model/server.js';
import { makeFleet } from '../helpers.js';

const KEYS = 100_000;
/** Keys are hashed as HashedAffinity hashes them: XXH64 of the 4-byte key. */
const keyHash = HASH_FUNCTIONS.xxh64.int;

const FAMILIES: Record<string, () => HashFamily> = {
  modulo: () => new ModuloHash(),
  ring: () => new RingHash(160),
  maglev: () => new MaglevHash(),
  rendezvous: () => new RendezvousHash(),
};

function servers(n: number, weights?: number[]): Server[] {
  const fleet = makeFleet(n);
  weights?.forEach((w, i) => (fleet.servers[i]!.weight = w));
  return fleet.servers;
}

function built(make: () => HashFamily, on: readonly Server[]): HashFamily {
  const f = make();
  f.build(on);
  return f;
}

/**
 * Keys whose server changes from fleet `a` to fleet `b` (same Server objects),
 * and among them those that moved between servers present in both ("stray"):
 * a minimal-disruption family moves keys only onto an added server or off a
 * removed one, so it has none.
 */
function remap(make: () => HashFamily, a: readonly Server[], b: readonly Server[]): { moved: number; stray: number } {
  const fa = built(make, a);
  const fb = built(make, b);
  let moved = 0;
  let stray = 0;
  for (let k = 0; k < KEYS; k++) {
    const h = keyHash(k);
    const x = fa.pick(h)!;
    const y = fb.pick(h)!;
    if (x === y) continue;
    moved++;
    if (a.includes(y) && b.includes(x)) stray++;
  }
  return { moved: moved / KEYS, stray: stray / KEYS };
}

/** Share of keys per server, in the order of `on`. */
function shares(family: HashFamily, on: readonly Server[], hash = keyHash, key = (k: number) => k): number[] {
  family.build(on);
  const counts = new Map<Server, number>(on.map((s) => [s, 0]));
  for (let k = 0; k < KEYS; k++) {
    const s = family.pick(hash(key(k)))!;
    counts.set(s, counts.get(s)! + 1);
  }
  return on.map((s) => counts.get(s)! / KEYS);
}

/** Peak-to-mean of keys per server. */
const spread = (xs: number[]) => Math.max(...xs) * xs.length;

describe('keys moved by a fleet change (100,000 keys, 8 ↔ 9 servers)', () => {
  const nine = servers(9);
  const eight = nine.slice(0, 8);
  const withoutS4 = nine.filter((s) => s.name !== 's4');

  it('modulo moves about N/(N+1) of them', () => {
    expect(remap(FAMILIES.modulo!, eight, nine).moved).toBeCloseTo(8 / 9, 2);
    expect(remap(FAMILIES.modulo!, nine, eight).moved).toBeCloseTo(8 / 9, 2);
    expect(remap(FAMILIES.modulo!, nine, withoutS4).moved).toBeGreaterThan(0.8);
  });

  it.each(['ring', 'rendezvous'])('%s moves about 1/(N+1), only onto the added server or off the removed one', (name) => {
    const make = FAMILIES[name]!;
    for (const [a, b] of [[eight, nine], [nine, eight], [nine, withoutS4]] as const) {
      const { moved, stray } = remap(make, a, b);
      expect(Math.abs(moved - 1 / 9)).toBeLessThan(name === 'ring' ? 0.025 : 0.01);
      expect(stray).toBe(0);
    }
  });

  it('maglev moves about 1/(N+1), and few keys between the servers that stay', () => {
    for (const [a, b] of [[eight, nine], [nine, eight], [nine, withoutS4]] as const) {
      const { moved, stray } = remap(FAMILIES.maglev!, a, b);
      expect(Math.abs(moved - 1 / 9)).toBeLessThan(0.015);
      expect(stray).toBeGreaterThan(0); // Maglev trades a little disruption for its even spread...
      expect(stray).toBeLessThan(0.01); // ...within the paper's few per cent of the table
    }
    // A small table disturbs more: the bound depends on M/N.
    expect(remap(() => new MaglevHash(251), eight, nine).stray).toBeGreaterThan(0.02);
  });
});

describe('spread of keys over servers (max / mean, 8 servers)', () => {
  it.each([
    ['modulo', 1.03],
    ['maglev', 1.03],
    ['rendezvous', 1.04],
    ['ring', 1.2],
  ])('%s within %f', (name, limit) => {
    const s = spread(shares(FAMILIES[name]!(), servers(8)));
    expect(s).toBeLessThan(limit);
    expect(s).toBeGreaterThanOrEqual(1);
  });

  it('ring spread improves with virtual nodes', () => {
    const on = servers(8);
    const byVnodes = [1, 10, 160, 1000].map((v) => spread(shares(new RingHash(v), on)));
    for (let i = 1; i < byVnodes.length; i++) expect(byVnodes[i]).toBeLessThan(byVnodes[i - 1]!);
    expect(byVnodes[0]).toBeGreaterThan(1.5);
    expect(byVnodes[3]).toBeLessThan(1.06);
  });

  it('weak hash functions spread keys badly on a ring: HAProxy sdbm without avalanche, fnv1a', () => {
    const on = servers(8);
    // Client addresses of one /16, hashed for keys and ring points by the same function.
    const ringSpread = (h: HashFunctionName) =>
      spread(shares(makeHashFamily({ family: 'ring', hash: h }), on, HASH_FUNCTIONS[h].int, (k) => (0xc0a80000 + k) >>> 0));
    expect(ringSpread('xxh64')).toBeLessThan(1.2);
    expect(ringSpread('murmur3')).toBeLessThan(1.2);
    expect(ringSpread('fnv1a')).toBeGreaterThan(1.35);
    expect(ringSpread('sdbm')).toBeGreaterThan(3); // the hashes bunch up on a small arc of the ring
  });
});

describe('weighted servers', () => {
  const weights = [1, 2, 3, 4];
  const total = 10;

  it.each([
    ['modulo', 0.01],
    ['maglev', 0.01],
    ['rendezvous', 0.01],
    ['ring', 0.03],
  ])('%s gives each server about weight / Σweights of the keys (within %f)', (name, tolerance) => {
    const got = shares(FAMILIES[name]!(), servers(4, weights));
    got.forEach((share, i) => expect(Math.abs(share - weights[i]! / total)).toBeLessThan(tolerance));
  });

  it.each(['modulo', 'maglev', 'rendezvous'])('%s: equal weights behave exactly as unweighted', (name) => {
    const unit = built(FAMILIES[name]!, servers(5));
    const threes = built(FAMILIES[name]!, servers(5, [3, 3, 3, 3, 3]));
    for (let k = 0; k < 20_000; k++) expect(threes.pick(keyHash(k))!.name).toBe(unit.pick(keyHash(k))!.name);
  });

  it('ring: round(vnodes × weight) points per server, at least one', () => {
    const ring = built(() => new RingHash(160), servers(4, [1, 2.5, 0.001, 1]));
    expect(ring instanceof RingHash && ring.pointsPerServer()).toEqual([160, 400, 1, 160]);
  });

  it('ring minRing (Envoy minimum_ring_size): small rings are scaled up in proportion to weight', () => {
    const envoy = new RingHash(1, { minRing: 1024 });
    envoy.build(servers(4));
    expect(envoy.pointsPerServer()).toEqual([256, 256, 256, 256]);
    envoy.build(servers(2, [1, 3]));
    expect(envoy.pointsPerServer()).toEqual([256, 768]);
    const big = new RingHash(160, { minRing: 1024 });
    big.build(servers(8));
    expect(big.size).toBe(8 * 160); // already above the floor
  });

  it('modulo builds its slot table as HAProxy map-based: weights 2:1 read s1 s1 s2', () => {
    const m = built(FAMILIES.modulo!, servers(2, [2, 1]));
    expect([0, 1, 2, 3, 4, 5].map((h) => m.pick(h)!.name)).toEqual(['s1', 's1', 's2', 's1', 's1', 's2']);
    const plain = built(FAMILIES.modulo!, servers(3));
    expect([0, 1, 2, 3, 4].map((h) => plain.pick(h)!.name)).toEqual(['s1', 's2', 's3', 's1', 's2']);
    const fractional = new ModuloHash();
    fractional.build(servers(2, [0.5, 1.25])); // hundredths: 50 : 125 = 2 : 5
    expect(fractional.size).toBe(7);
  });

  it('a weight that is not a positive number is rejected when building', () => {
    for (const make of Object.values(FAMILIES)) {
      expect(() => make().build(servers(2, [1, 0]))).toThrow(/s2 has weight 0/);
      expect(() => make().build(servers(2, [Number.NaN, 1]))).toThrow(/positive finite weight/);
    }
  });
});

describe('determinism and edge cases', () => {
  it.each(Object.keys(FAMILIES))('%s: the same servers give the same picks, build after build', (name) => {
    const on = servers(7, [1, 2, 1, 1, 3, 1, 1]);
    const a = built(FAMILIES[name]!, on);
    const b = built(FAMILIES[name]!, on);
    const c = built(FAMILIES[name]!, servers(7, [1, 2, 1, 1, 3, 1, 1])); // equal but distinct Server objects
    for (let k = 0; k < 20_000; k++) {
      const h = keyHash(k);
      expect(b.pick(h)).toBe(a.pick(h));
      expect(c.pick(h)!.name).toBe(a.pick(h)!.name);
    }
  });

  it.each(Object.keys(FAMILIES))('%s: no servers, no pick; one server takes every key', (name) => {
    const f = FAMILIES[name]!();
    expect(f.pick(5)).toBeUndefined();
    f.build([]);
    expect(f.pick(5)).toBeUndefined();
    const one = servers(1);
    f.build(one);
    for (const h of [0, 1, 0x7fffffff, 0xffffffff]) expect(f.pick(h)).toBe(one[0]);
  });

  it('ring wraps: a hash past the last point belongs to the first', () => {
    const r = new RingHash(4);
    r.build(servers(3));
    expect(r.pick(0xffffffff)).toBe(r.pick(0));
  });
});
