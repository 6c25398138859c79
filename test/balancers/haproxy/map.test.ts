import { describe, expect, it } from 'vitest';
import { HaproxyMapHash, recalcServerMap } from '../../../src/balancers/hashing/haproxy/map.js';
import { Server } from '../../../src/model/server.js';

function servers(weights: number[]): Server[] {
  return weights.map((w, i) => {
    const s = new Server(i, `s${i + 1}`, 1, Infinity, 1800, Infinity);
    s.weight = w;
    return s;
  });
}

/** Expected maps from src/lb_map.c recalc_server_map compiled with gcc (logic copied verbatim). */
describe('recalc_server_map (src/lb_map.c)', () => {
  it('equal weights: the servers in order', () => {
    expect([...recalcServerMap([1, 1, 1, 1])]).toEqual([0, 1, 2, 3]);
  });

  it('weights 1, 2, 3 (by hand and C): [0, 2, 1, 2, 1, 2]', () => {
    // o0: wscore 1,2,3 → v 1,1,1 → s0 (first), s0 → −5
    // o1: −4,4,6 → v 0,1,2 → s2 → 0;  o2: −3,6,3 → v 0,2,1 → s1 → 0
    // o3: −2,2,6 → s2 → 0;  o4: −1,4,3 → v 0,1,1 → s1 → −2;  o5: 0,−2,6 → s2
    expect([...recalcServerMap([1, 2, 3])]).toEqual([0, 2, 1, 2, 1, 2]);
  });

  it('weights 3, 1, 2, 5 (C)', () => {
    expect([...recalcServerMap([3, 1, 2, 5])]).toEqual([0, 1, 3, 0, 3, 2, 3, 0, 3, 2, 3]);
  });
});

describe('HaproxyMapHash', () => {
  it('equal weights: server = usable[key % N] in configuration order', () => {
    const all = servers([1, 1, 1, 1, 1, 1, 1, 1]);
    const usable = all.filter((s) => s.id !== 2); // s3 down
    const m = new HaproxyMapHash();
    m.build(usable);
    expect([...m.table()]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const key of [0, 1, 6, 7, 0x7f000001, 0xffffffff]) expect(m.pick(key)).toBe(usable[key % 7]);
  });

  it('weights are divided by their GCD (wmult), fixed at config time when given', () => {
    const all = servers([2, 4, 4]);
    const usable = all.slice(1);
    const own = new HaproxyMapHash();
    own.build(usable); // GCD 4 → eweights 1, 1
    expect([...own.table()]).toEqual([0, 1]);
    const cfg = new HaproxyMapHash({ wmult: 2 });
    cfg.build(usable); // eweights 2, 2 → [1, 2, 1, 2] in C's numbering of all three
    expect([...cfg.table()]).toEqual([0, 1, 0, 1]);
    expect(cfg.pick(5)).toBe(usable[1]);
  });

  it('rejects weights HAProxy does not accept', () => {
    expect(() => new HaproxyMapHash().build(servers([1.5]))).toThrow(/whole numbers/);
    expect(() => new HaproxyMapHash().build(servers([257]))).toThrow(/whole numbers/);
  });

  it('is empty over no servers', () => {
    const m = new HaproxyMapHash();
    m.build([]);
    expect(m.pick(3)).toBeUndefined();
  });
});
