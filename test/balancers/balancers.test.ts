import { describe, expect, it } from 'vitest';
import { LeastConn } from '../../src/balancers/leastConn.js';
import { PowerOfTwo } from '../../src/balancers/p2c.js';
import { RandomBalancer } from '../../src/balancers/random.js';
import { RoundRobin } from '../../src/balancers/roundRobin.js';
import { stream } from '../../src/engine/random.js';
import { load, makeFleet } from '../helpers.js';

const names = (xs: ({ name: string } | undefined)[]) => xs.map((x) => x?.name);

describe('round-robin', () => {
  it('takes each up server in turn and skips down ones', () => {
    const fleet = makeFleet(3);
    const rr = new RoundRobin();
    expect(names([rr.pick(fleet), rr.pick(fleet), rr.pick(fleet), rr.pick(fleet)])).toEqual(['s1', 's2', 's3', 's1']);
    fleet.setUp(fleet.servers[1]!, false, 0);
    expect(names([rr.pick(fleet), rr.pick(fleet), rr.pick(fleet)])).toEqual(['s3', 's1', 's3']);
  });

  it('returns nothing when no server is up', () => {
    const fleet = makeFleet(1);
    fleet.setUp(fleet.servers[0]!, false, 0);
    expect(new RoundRobin().pick(fleet)).toBeUndefined();
  });
});

describe('least-conn', () => {
  it('picks the server with fewest requests in flight', () => {
    const fleet = makeFleet(3);
    load(fleet, 0, 3);
    load(fleet, 1, 1);
    load(fleet, 2, 2);
    expect(new LeastConn().pick(fleet)?.name).toBe('s2');
  });

  it('breaks ties round robin, so an idle fleet is not piled onto s1', () => {
    const fleet = makeFleet(3);
    const lc = new LeastConn();
    expect(names([lc.pick(fleet), lc.pick(fleet), lc.pick(fleet), lc.pick(fleet)])).toEqual(['s1', 's2', 's3', 's1']);
    load(fleet, 1, 1); // s2 busy: ties between s1 and s3 alternate
    expect(names([lc.pick(fleet), lc.pick(fleet), lc.pick(fleet)])).toEqual(['s3', 's3', 's1']);
  });
});

describe('random', () => {
  it('is uniform over up servers', () => {
    const fleet = makeFleet(4);
    const b = new RandomBalancer(stream(1, 'routing'));
    const counts = new Map<string, number>();
    for (let i = 0; i < 40_000; i++) {
      const n = b.pick(fleet)!.name;
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    for (const c of counts.values()) expect(Math.abs(c / 10_000 - 1)).toBeLessThan(0.05);
    expect(counts.size).toBe(4);
  });
});

describe('p2c', () => {
  it('never picks the most loaded of several when two are compared', () => {
    const fleet = makeFleet(3);
    load(fleet, 0, 5);
    const b = new PowerOfTwo(stream(2, 'routing'));
    // s1 is the worst: it only wins if both draws were s1, which p2c prevents (distinct choices).
    for (let i = 0; i < 1000; i++) expect(b.pick(fleet)!.name).not.toBe('s1');
  });

  it('picks the less loaded of its two choices, with two servers always the lighter', () => {
    const fleet = makeFleet(2);
    load(fleet, 1, 1);
    const b = new PowerOfTwo(stream(3, 'routing'));
    for (let i = 0; i < 100; i++) expect(b.pick(fleet)!.name).toBe('s1');
  });

  it('spreads evenly over an idle fleet', () => {
    const fleet = makeFleet(4);
    const b = new PowerOfTwo(stream(4, 'routing'));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[b.pick(fleet)!.id]!++;
    for (const c of counts) expect(Math.abs(c / 10_000 - 1)).toBeLessThan(0.05);
  });
});
