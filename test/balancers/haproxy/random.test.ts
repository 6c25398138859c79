import { describe, expect, it } from 'vitest';
import { stream, type Uniform } from '../../../src/engine/random.js';
import { HaproxyChash } from '../../../src/balancers/hashing/haproxy/chash.js';
import { getServerRnd, HaproxyRandom } from '../../../src/balancers/hashing/haproxy/random.js';
import { Server } from '../../../src/model/server.js';
import { makeFleet } from '../../helpers.js';

function servers(weights: number[]): Server[] {
  return weights.map((w, i) => {
    const s = new Server(i, `s${i + 1}`, 1, Infinity, 1800, Infinity);
    s.weight = w;
    return s;
  });
}

/** A Uniform that yields the given 32-bit keys in turn (as uint32(u) reads them back). */
function keys(...ks: number[]): Uniform {
  let i = 0;
  return () => (ks[i++ % ks.length]! + 0.5) / 4294967296;
}

describe('get_server_rnd (src/backend.c)', () => {
  const ss = servers([1, 1, 2, 1]);
  const tree = new HaproxyChash();
  tree.build(ss);
  // Two keys landing on two different servers.
  let ka = 0;
  let kb = 0;
  for (let k = 1; ; k += 7919) {
    if (tree.pick(k) === ss[0]) ka = k;
    if (tree.pick(k) === ss[2]) kb = k;
    if (ka && kb) break;
  }

  it('keeps the earlier draw only when the later one is strictly more loaded per weight', () => {
    const load = new Map<Server, number>([
      [ss[0]!, 2],
      [ss[2]!, 4],
    ]);
    const served = (s: Server) => load.get(s) ?? 0;
    // s1: 2 per weight 1; s3: 4 per weight 2 — a tie: 4 × 16 > 2 × 32 is false, so the later draw wins.
    expect(getServerRnd(tree, 2, keys(ka, kb), served)).toBe(ss[2]);
    expect(getServerRnd(tree, 2, keys(kb, ka), served)).toBe(ss[0]);
    load.set(ss[2]!, 5); // now s3 is more loaded per weight: 5 × 16 > 2 × 32
    expect(getServerRnd(tree, 2, keys(ka, kb), served)).toBe(ss[0]);
    expect(getServerRnd(tree, 2, keys(kb, ka), served)).toBe(ss[0]);
  });

  it('one draw is the key\'s server; draws may repeat a server', () => {
    expect(getServerRnd(tree, 1, keys(kb), () => 0)).toBe(ss[2]);
    expect(getServerRnd(tree, 3, keys(ka, ka, ka), () => 0)).toBe(ss[0]);
  });

  it('a full winner gives undefined (the request would queue in the backend)', () => {
    expect(getServerRnd(tree, 1, keys(ka), () => 0, undefined, 0, (s) => s === ss[0])).toBeUndefined();
  });

  it('one draw spreads in proportion to weight (16 points per unit)', () => {
    const u = stream(1, 'test');
    const counts = [0, 0, 0, 0];
    const N = 200_000;
    for (let i = 0; i < N; i++) counts[getServerRnd(tree, 1, u, () => 0)!.id]!++;
    const shares = counts.map((c) => c / N);
    // With only 16 points per unit the arcs are uneven; shares are near 0.2, 0.2, 0.4, 0.2 but not equal to them.
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(shares[2]!).toBeGreaterThan(0.25);
  });

  it('as a Balancer over a fleet, rebuilt when the fleet changes', () => {
    const fleet = makeFleet(4);
    const b = new HaproxyRandom(stream(2, 'routing'), 2);
    const hits = new Set<number>();
    for (let i = 0; i < 200; i++) hits.add(b.pick(fleet)!.id);
    expect(hits.size).toBe(4);
    expect(b.name).toBe('haproxy-random(2)');
  });
});
