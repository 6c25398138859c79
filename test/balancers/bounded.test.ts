import { describe, expect, it } from 'vitest';
import { BoundedLoadHash } from '../../src/balancers/hashing/bounded.js';
import { HASH_FUNCTIONS } from '../../src/balancers/hashing/functions.js';
import { MaglevHash, populateMaglev } from '../../src/balancers/hashing/maglev.js';
import { RingHash } from '../../src/balancers/hashing/ring.js';
import type { HashFamily, ProbingHashFamily } from '../../src/balancers/hashing/types.js';
import { stream, type Uniform } from '../../src/engine/random.js';
import type { Server } from '../../src/model/server.js';
import { makeFleet, makeSession } from '../helpers.js';

const h = HASH_FUNCTIONS.xxh64;

/** Every server `probe` offers for `hash`, when it accepts none. */
function offered(family: ProbingHashFamily, hash: number): string[] {
  const names: string[] = [];
  const got = family.probe(hash, (s) => {
    names.push(s.name);
    return false;
  });
  expect(got).toBeUndefined();
  return names;
}

describe('probing order', () => {
  it('ring: the distinct servers met walking clockwise from the key, worked out from the points', () => {
    const { servers } = makeFleet(3);
    const ring = new RingHash(4);
    ring.build(servers);
    // The same ring by hand: 12 points `${name}-${v}`, sorted.
    const points = servers
      .flatMap((s) => [0, 1, 2, 3].map((v) => ({ at: h.str(`${s.name}-${v}`), name: s.name })))
      .sort((a, b) => a.at - b.at);
    for (let key = 0; key < 300; key++) {
      const hash = h.int(key);
      const start = points.findIndex((p) => p.at >= hash);
      const walk = [...points.slice(Math.max(start, 0)), ...points.slice(0, Math.max(start, 0))];
      const expected = [...new Set(walk.map((p) => p.name))];
      expect(offered(ring, hash)).toEqual(expected);
      expect(ring.pick(hash)!.name).toBe(expected[0]);
    }
  });

  it('maglev: the distinct servers met reading the table forward from hash % M', () => {
    const { servers } = makeFleet(4);
    const m = 13;
    const table = populateMaglev(
      m,
      servers.map((s) => h.str(s.name, 0) % m),
      servers.map((s) => (h.str(s.name, 1) % (m - 1)) + 1),
      [1, 1, 1, 1],
    );
    const maglev = new MaglevHash(m);
    maglev.build(servers);
    for (let hash = 0; hash < m; hash++) {
      const forward = [...table.slice(hash), ...table.slice(0, hash)].map((i) => servers[i]!.name);
      expect(offered(maglev, hash)).toEqual([...new Set(forward)]);
    }
  });
});

/** A request stream over keys with Zipf(1.2) popularity: a few very hot keys. */
function zipfKeys(rng: Uniform, keys: number, s = 1.2): () => number {
  const cdf: number[] = [];
  let acc = 0;
  for (let i = 1; i <= keys; i++) cdf.push((acc += i ** -s));
  return () => {
    const u = rng() * acc;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/**
 * Routes `requests` requests of a hot-key stream with `family`, keeping about
 * `inFlight` of them in flight (each arrival beyond that completes a random
 * in-flight request). Calls `check` with the chosen server and the in-flight
 * total before each request joins its server; returns the peak in-flight
 * count of any server.
 */
function run(
  family: HashFamily,
  on: Server[],
  check: (s: Server, total: number) => void,
  inFlight = 64,
  requests = 20_000,
): number {
  family.build(on);
  const rng = stream(42, 'bounded-load');
  const nextKey = zipfKeys(rng, 2000);
  const session = makeSession();
  const live: Server[] = [];
  let peak = 0;
  for (let r = 0; r < requests; r++) {
    const s = family.pick(h.int(nextKey()))!;
    check(s, live.length);
    s.enqueue(session);
    live.push(s);
    peak = Math.max(peak, s.inflight);
    if (live.length > inFlight) {
      const i = Math.floor(rng() * live.length);
      live[i]!.dequeue();
      live[i] = live[live.length - 1]!;
      live.pop();
    }
  }
  return peak;
}

describe('bounded load (c = 1.25) on a hot-key stream', () => {
  for (const [name, inner] of [
    ['ring', () => new RingHash(160)],
    ['maglev', () => new MaglevHash()],
  ] as const) {
    it(`${name}: no server ever reaches past ⌈c × (in flight + 1) / N⌉, and the peak is far below plain ${name}'s`, () => {
      const bounded = new BoundedLoadHash(inner(), 1.25);
      let checked = 0;
      const boundedPeak = run(bounded, makeFleet(8).servers, (s, total) => {
        const bound = bounded.bound(s);
        expect(bound).toBe(Math.ceil((1.25 * (total + 1)) / 8));
        expect(s.inflight).toBeLessThan(bound);
        checked++;
      });
      expect(checked).toBe(20_000);
      const plainPeak = run(inner(), makeFleet(8).servers, () => {});
      expect(boundedPeak).toBeLessThanOrEqual(Math.ceil((1.25 * 65) / 8)); // 11
      expect(plainPeak).toBeGreaterThan(1.5 * boundedPeak);
    });
  }

  it('weighted: a server may hold ⌈c × (in flight + 1) × w / Σw⌉', () => {
    const { servers } = makeFleet(4);
    [1, 1, 2, 4].forEach((w, i) => (servers[i]!.weight = w));
    const bounded = new BoundedLoadHash(new RingHash(160), 1.25);
    const peak = run(bounded, servers, (s, total) => {
      expect(s.inflight).toBeLessThan(Math.ceil((1.25 * (total + 1) * s.weight) / 8));
    });
    expect(peak).toBeLessThanOrEqual(Math.ceil((1.25 * 65 * 4) / 8)); // 41, for s4
  });

  it('with every server idle it picks exactly as the inner family', () => {
    const { servers } = makeFleet(6);
    const ring = new RingHash(160);
    const bounded = new BoundedLoadHash(new RingHash(160), 1.25);
    ring.build(servers);
    bounded.build(servers);
    for (let k = 0; k < 20_000; k++) expect(bounded.pick(h.int(k))).toBe(ring.pick(h.int(k)));
  });

  it('a key whose server is at its bound goes to the next server in the inner order', () => {
    const { servers } = makeFleet(4);
    const ring = new RingHash(160);
    ring.build(servers);
    const bounded = new BoundedLoadHash(new RingHash(160), 1.25);
    bounded.build(servers);
    const hash = h.int(12345);
    const [first, second, third] = offered(ring, hash).map((n) => servers.find((s) => s.name === n)!);
    const session = makeSession();
    // 3 in flight on `first`: the bound is ⌈1.25 × 4 / 4⌉ = 2, so it is full.
    for (let i = 0; i < 3; i++) first!.enqueue(session);
    expect(bounded.bound(first!)).toBe(2);
    expect(bounded.pick(hash)).toBe(second);
    // `second` at 2 of ⌈1.25 × 6 / 4⌉ = 2: full too, so the third.
    second!.enqueue(session);
    second!.enqueue(session);
    expect(bounded.pick(hash)).toBe(third);
  });

  it('takes a factor ≥ 1 only, and its name says what it wraps', () => {
    expect(() => new BoundedLoadHash(new RingHash(), 0.9)).toThrow(/factor must be a finite number ≥ 1, got 0.9/);
    expect(() => new BoundedLoadHash(new RingHash(), Number.NaN)).toThrow(/≥ 1/);
    expect(new BoundedLoadHash(new MaglevHash(), 1.25).name).toBe('maglev-bounded');
    const empty = new BoundedLoadHash(new RingHash(), 1.25);
    empty.build([]);
    expect(empty.pick(1)).toBeUndefined();
  });
});

