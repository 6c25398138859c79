import { describe, expect, it } from 'vitest';
import { chashServerIsEligible, chashSlots, HaproxyChash } from '../../../src/balancers/hashing/haproxy/chash.js';
import { fullHash } from '../../../src/balancers/hashing/haproxy/hash.js';
import { Server } from '../../../src/model/server.js';

function servers(weights: number[], ids?: number[]): Server[] {
  return weights.map((w, i) => {
    const id = ids?.[i] ?? i;
    const s = new Server(id, `s${id + 1}`, 1, Infinity, 1800, Infinity);
    s.weight = w;
    return s;
  });
}

describe('HaproxyChash points (src/lb_chash.c chash_init_server_tree)', () => {
  it('16 points per unit of weight, keys full_hash(puid × 4096 + j)', () => {
    const t = new HaproxyChash();
    const ss = servers([1, 2, 1]);
    t.build(ss);
    expect(t.size).toBe(64);
    const { keys, owners } = t.points();
    // From HAProxy's logic in C: first two and last points.
    expect([keys[0], owners[0]]).toEqual([76442173, 2]);
    expect([keys[1], owners[1]]).toEqual([372321919, 2]);
    expect([keys[63], owners[63]]).toEqual([4113562117, 1]);
    const expected = new Set<number>();
    for (const [i, w] of [1, 2, 1].entries()) for (let j = 0; j < 16 * w; j++) expected.add(fullHash((i + 1) * 4096 + j));
    expect(new Set(keys)).toEqual(expected);
  });

  it('a server keeps its points whatever the others do (puid = id + 1)', () => {
    const a = new HaproxyChash();
    a.build(servers([1, 1, 1], [0, 1, 2]));
    const b = new HaproxyChash();
    b.build(servers([1, 1], [0, 2]));
    const ka = a.points();
    const kb = b.points();
    const s3a = [...ka.keys].filter((_, j) => ka.owners[j] === 2);
    const s3b = [...kb.keys].filter((_, j) => kb.owners[j] === 1);
    expect(s3b).toEqual(s3a);
  });
});

describe('chash_get_server_hash', () => {
  it('matches HAProxy logic compiled in C on fixed keys', () => {
    const t = new HaproxyChash();
    const ss = servers([1, 2, 1]);
    t.build(ss);
    const hashes = [0, 1, 0xffffffff, 0x7f000001, 123456789, 2000000000, 3000000000, 4000000000, fullHash(0x7f010203), fullHash(0x7f0a0b0c)];
    expect(hashes.map((h) => t.pick(h)!.id)).toEqual([2, 2, 2, 1, 2, 1, 1, 0, 1, 2]);
  });

  it('nearest point on either side; a tie goes to the lower point; an exact hit to that point', () => {
    const t = new HaproxyChash();
    t.build(servers([1, 1, 1, 1]));
    const { keys, owners } = t.points();
    const n = keys.length;
    let checked = 0;
    for (let j = 1; j < n; j++) {
      const lo = keys[j - 1]!;
      const hi = keys[j]!;
      if (owners[j - 1] === owners[j] || hi - lo < 4) continue;
      expect(t.pick(hi)!.id).toBe(owners[j]); // exact: dn = 0
      expect(t.pick(lo)!.id).toBe(owners[j - 1]); // exact hit on lo (as next of itself)
      expect(t.pick(lo + 1)!.id).toBe(owners[j - 1]);
      expect(t.pick(hi - 1)!.id).toBe(owners[j]);
      if ((hi - lo) % 2 === 0) {
        expect(t.pick(lo + (hi - lo) / 2)!.id).toBe(owners[j - 1]); // dp = dn → prev
        expect(t.pick(lo + (hi - lo) / 2 + 1)!.id).toBe(owners[j]);
      } else {
        expect(t.pick(lo + (hi - lo - 1) / 2)!.id).toBe(owners[j - 1]);
        expect(t.pick(lo + (hi - lo + 1) / 2)!.id).toBe(owners[j]);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
    // Wrapping: between the last and the first point.
    const last = keys[n - 1]!;
    const first = keys[0]!;
    const gap = (first + 2 ** 32 - last) % 2 ** 32;
    expect(t.pick((last + Math.floor(gap / 2)) >>> 0)!.id).toBe(owners[n - 1]);
    expect(t.pick((last + Math.floor(gap / 2) + 1) >>> 0)!.id).toBe(owners[0]);
  });

  it('probe offers distinct servers from the located point upwards', () => {
    const t = new HaproxyChash();
    const ss = servers([1, 1, 1, 1, 1]);
    t.build(ss);
    const offered: number[] = [];
    const r = t.probe(123456789, (s) => {
      offered.push(s.id);
      return false;
    });
    expect(r).toBeUndefined();
    expect(offered[0]).toBe(t.pick(123456789)!.id);
    expect(new Set(offered).size).toBe(5);
    expect(offered.length).toBe(5);
    const want = offered[2]!;
    expect(t.probe(123456789, (s) => s.id === want)!.id).toBe(want);
  });

  it('lookup: avoid walks upwards; nobody eligible ends on the highest point', () => {
    const t = new HaproxyChash();
    const ss = servers([1, 1, 1]);
    t.build(ss);
    const h = 987654321;
    const first = t.pick(h)!;
    const walked = t.lookup(h, first)!;
    expect(walked).not.toBe(first);
    expect(walked).toBe(t.probe(h, (s) => s !== first));
    // Everybody far over its slots: HAProxy gives up after two wraps with the highest point's server.
    const served = () => 1000;
    expect(t.lookup(h, undefined, 125, served, 0)).toBe(t.lastServer());
  });
});

describe('chash_server_is_eligible (hash-balance-factor)', () => {
  it('by hand: weights 1,1,2,1, served 3,1,4,1, factor 125', () => {
    // tot_slots = ((9 + 1) × 125 + 99) / 100 = 13; tot_weight = 80 (eweights 16,16,32,16)
    // per weight 13 / 80 = 0, remainder 13
    // s1: (16×13)/80 − 0 = 2 → 3 < 2 no;  s2: (32×13)/80 − 2 = 3 → yes
    // s3: (64×13)/80 − 5 = 5 → 4 < 5 yes;  s4: (80×13)/80 − 10 = 3 → yes
    expect(chashServerIsEligible(3, 9, 16, 0, 80, 125)).toBe(false);
    expect(chashServerIsEligible(1, 9, 16, 16, 80, 125)).toBe(true);
    expect(chashServerIsEligible(4, 9, 32, 32, 80, 125)).toBe(true);
    expect(chashServerIsEligible(1, 9, 16, 64, 80, 125)).toBe(true);
    expect(chashSlots([1, 1, 2, 1], [3, 1, 4, 1], 125)).toEqual([false, true, true, true]);
  });

  it('matches HAProxy C on a grid of loads and factors', () => {
    const W = [1, 1, 2, 1];
    const loads = [
      [0, 0, 0, 0],
      [3, 1, 4, 1],
      [5, 0, 0, 0],
      [2, 2, 3, 1],
      [10, 7, 20, 6],
    ];
    const expected: Record<number, number[][]> = {
      125: [[1, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1], [0, 0, 1, 1], [1, 1, 1, 1]],
      150: [[1, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1], [1, 1, 1, 1]],
      101: [[1, 1, 1, 1], [0, 1, 0, 1], [0, 1, 1, 1], [0, 0, 1, 1], [0, 1, 0, 1]],
      200: [[1, 1, 1, 1], [1, 1, 1, 1], [0, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]],
    };
    for (const [f, rows] of Object.entries(expected)) {
      rows.forEach((row, c) => expect(chashSlots(W, loads[c]!, Number(f)).map(Number), `f=${f} c=${c}`).toEqual(row));
    }
  });

  it('a server always gets at least one slot', () => {
    expect(chashServerIsEligible(0, 0, 16, 0, 1600, 125)).toBe(true);
    expect(chashServerIsEligible(1, 0, 16, 0, 1600, 125)).toBe(false);
  });
});
