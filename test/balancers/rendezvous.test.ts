import { describe, expect, it } from 'vitest';
import { HASH_FUNCTIONS } from '../../src/balancers/hashing/functions.js';
import { RendezvousHash, rendezvousScore } from '../../src/balancers/hashing/rendezvous.js';
import { makeFleet } from '../helpers.js';

const h = HASH_FUNCTIONS.xxh64;

describe('rendezvous with two servers, scores computed directly', () => {
  /** −w / ln(u), u = (pair hash + ½) / 2^32: the weighted HRW score, written out. */
  const score = (key: number, name: string, w: number) => -w / Math.log((h.pair(key, h.str(name)) + 0.5) / 2 ** 32);

  it('the higher score wins, equal weights and 1:3', () => {
    const { servers } = makeFleet(2);
    const [s1, s2] = servers as [(typeof servers)[0], (typeof servers)[0]];
    const hrw = new RendezvousHash();
    for (const [w1, w2] of [[1, 1], [1, 3]] as const) {
      s1.weight = w1;
      s2.weight = w2;
      hrw.build(servers);
      let s2wins = 0;
      for (let key = 0; key < 2000; key++) {
        const k = h.int(key);
        const a = score(k, 's1', w1);
        const b = score(k, 's2', w2);
        expect(rendezvousScore(h, k, h.str('s1'), w1)).toBe(a);
        expect(hrw.pick(k)).toBe(a > b ? s1 : s2);
        if (b > a) s2wins++;
      }
      // P(s2 wins) = w2 / (w1 + w2) for this score.
      expect(s2wins / 2000).toBeCloseTo(w2 / (w1 + w2), 1);
    }
  });

  it('a key’s ranking of two servers does not depend on the other servers', () => {
    const { servers } = makeFleet(5);
    const two = new RendezvousHash();
    two.build(servers.slice(0, 2));
    const five = new RendezvousHash();
    five.build(servers);
    for (let key = 0; key < 5000; key++) {
      const k = h.int(key);
      const winner = five.pick(k)!;
      if (winner.id < 2) expect(two.pick(k)).toBe(winner);
    }
  });
});
