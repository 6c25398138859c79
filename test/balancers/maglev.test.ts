import { describe, expect, it } from 'vitest';
import { HASH_FUNCTIONS } from '../../src/balancers/hashing/functions.js';
import { isPrime, MaglevHash, populateMaglev } from '../../src/balancers/hashing/maglev.js';
import { makeFleet } from '../helpers.js';

describe('maglev population, worked by hand (the paper, Table 1: M = 7)', () => {
  // Preference lists, (offset + j × skip) mod 7 for j = 0…6:
  //   B0 offset 3, skip 4: 3 0 4 1 5 2 6
  //   B1 offset 0, skip 2: 0 2 4 6 1 3 5
  //   B2 offset 3, skip 1: 3 4 5 6 0 1 2
  it('three servers take turns claiming their next free preferred entry', () => {
    // Turn by turn (entry ← server):
    //   B0: 3 ← B0.   B1: 0 ← B1.   B2: 3 taken, 4 ← B2.
    //   B0: 0 taken, 4 taken, 1 ← B0.   B1: 2 ← B1.   B2: 5 ← B2.
    //   B0: 5 taken, 2 taken, 6 ← B0.   Table full.
    expect([...populateMaglev(7, [3, 0, 3], [4, 2, 1], [1, 1, 1])]).toEqual([1, 0, 1, 0, 2, 2, 0]);
  });

  it('without B1 the table is rebuilt: B1’s entries change hands, and so does entry 6', () => {
    //   B0: 3.   B2: 3 taken, 4.
    //   B0: 0.   B2: 5.
    //   B0: 4 taken, 1.   B2: 6.
    //   B0: 5 taken, 2.   Table full.
    // Entries 0 and 2 (B1's) go to B0, and entry 6 moves from B0 to B2:
    // Maglev's disruption is near-minimal, not minimal.
    expect([...populateMaglev(7, [3, 3], [4, 1], [1, 1])]).toEqual([0, 0, 0, 0, 1, 1, 1]);
  });

  it('weighted as Envoy: a server of weight 2 takes a turn every round, weight 1 every other', () => {
    // Turns: round 1 both (1×2 ≥ 0, 1×1 ≥ 0); round 2 both (2×1 ≥ 1×2);
    // round 3 only B0 (3×1 < 2×2); round 4 both (4×1 ≥ 2×2).
    //   r1  B0: 3.   B2: 3 taken, 4.
    //   r2  B0: 0.   B2: 5.
    //   r3  B0: 4 taken, 1.
    //   r4  B0: 5 taken, 2.   B2: 6.   Table full.
    expect([...populateMaglev(7, [3, 3], [4, 1], [2, 1])]).toEqual([0, 0, 0, 0, 1, 1, 1]);
    // The same permutations with equal weights fill in a different order but the same entries here;
    // on a real table the weighted shares show: 2:1.
    const t = populateMaglev(65537, [3, 11], [4, 7], [2, 1]);
    const b0 = t.reduce((n, i) => n + (i === 0 ? 1 : 0), 0);
    expect(b0 / 65537).toBeCloseTo(2 / 3, 3);
  });
});

describe('MaglevHash', () => {
  it('needs a prime table size', () => {
    expect(isPrime(65537)).toBe(true);
    expect(isPrime(7)).toBe(true);
    expect(isPrime(65536)).toBe(false);
    expect(isPrime(1)).toBe(false);
    expect(() => new MaglevHash(65536)).toThrow(/prime number, got 65536/);
    expect(() => new MaglevHash(2.5)).toThrow(/prime/);
  });

  it('takes offset and skip from the server name hashed with seeds 0 and 1, and picks table[hash % M]', () => {
    const { servers } = makeFleet(3);
    const h = HASH_FUNCTIONS.xxh64;
    const m = 13;
    const expected = populateMaglev(
      m,
      servers.map((s) => h.str(s.name, 0) % m),
      servers.map((s) => (h.str(s.name, 1) % (m - 1)) + 1),
      [1, 1, 1],
    );
    const maglev = new MaglevHash(m);
    maglev.build(servers);
    for (let hash = 0; hash < 3 * m; hash++) expect(maglev.pick(hash)).toBe(servers[expected[hash % m]!]);
    expect(maglev.pick(0xffffffff)).toBe(servers[expected[0xffffffff % m]!]);
  });

  it('gives each of N servers ⌊M/N⌋ or ⌈M/N⌉ entries', () => {
    const maglev = new MaglevHash();
    maglev.build(makeFleet(7).servers);
    const counts = maglev.entriesPerServer();
    expect(counts.reduce((a, b) => a + b, 0)).toBe(65537);
    for (const c of counts) expect([Math.floor(65537 / 7), Math.ceil(65537 / 7)]).toContain(c);
  });
});
