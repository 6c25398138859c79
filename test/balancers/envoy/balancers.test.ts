/**
 * Envoy's ROUND_ROBIN, RANDOM and LEAST_REQUEST (unweighted and EDF paths),
 * the healthy-panic host set, and the hash-policy texts.
 */
import { describe, expect, it } from 'vitest';
import {
  EdfScheduler, EnvoyLeastRequest, EnvoyRandom, EnvoyRoundRobin, isHostSetInPanic, toBigInt, writeAscii, writeIpv4, xxHash64, xxHash64Text,
} from '../../../src/balancers/hashing/envoy/index.js';
import { PowerOfTwo } from '../../../src/balancers/p2c.js';
import { Fleet } from '../../../src/model/fleet.js';
import { load, makeFleet } from '../../helpers.js';

/** A Uniform returning the given values in turn. */
const seq = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('Envoy LEAST_REQUEST (N_CHOICES, choice_count 2)', () => {
  it('draws with replacement and keeps the first unless a later draw has strictly fewer active requests', () => {
    const fleet = makeFleet(4);
    load(fleet, 0, 2);
    load(fleet, 1, 1);
    // Draws 0 then 0 again: Envoy may sample the same host twice (PowerOfTwo never does).
    expect(new EnvoyLeastRequest(seq(0.1, 0.1)).pick(fleet)!.id).toBe(0);
    expect(new PowerOfTwo(seq(0.1, 0.1)).pick(fleet)!.id).not.toBe(0);
    expect(new EnvoyLeastRequest(seq(0.1, 0.3)).pick(fleet)!.id).toBe(1); // 1 < 2
    expect(new EnvoyLeastRequest(seq(0.6, 0.9)).pick(fleet)!.id).toBe(2); // tie 0 = 0: the first drawn
    expect(new EnvoyLeastRequest(seq(0.3, 0.3, 0.6), 3).pick(fleet)!.id).toBe(2); // choice_count 3
  });

  it('unequal weights: EDF on weight / (active + 1)', () => {
    const fleet = new Fleet({ workers: 1, queueLimit: Infinity, sessionTtl: 1800, sessionCapacity: Infinity }, [{ weight: 1 }, { weight: 3 }]);
    const lr = new EnvoyLeastRequest(seq(0.5));
    // Deadlines 1/1 and 1/3: host 1 first; re-added at 1/3 + 1/3 = 2/3 (idle), then again at 1, tie with host 0 (added first) → host 0.
    expect([lr.pick(fleet)!.id, lr.pick(fleet)!.id, lr.pick(fleet)!.id, lr.pick(fleet)!.id]).toEqual([1, 1, 0, 1]);
  });
});

describe('Envoy ROUND_ROBIN and RANDOM', () => {
  it('round robin: hosts[rr_index++ % size], the index from a random seed and kept across host changes', () => {
    const fleet = makeFleet(4);
    const rr = new EnvoyRoundRobin(seq(0)); // seed_ 0 (a random 64-bit draw in Envoy)
    expect([0, 1, 2].map(() => rr.pick(fleet)!.id)).toEqual([0, 1, 2]);
    fleet.setUp(fleet.servers[3]!, false, 1);
    // index 3 % 3 hosts = host 0, then 4 % 3 = 1
    expect([0, 1].map(() => rr.pick(fleet)!.id)).toEqual([0, 1]);
    const seeded = new EnvoyRoundRobin(seq(0.5)); // seed 2^31: 2^31 % 4 = 0
    expect(seeded.pick(makeFleet(4))!.id).toBe(0);
  });

  it('weighted round robin: Envoy\'s EDF (weights 1 and 2 → 1 0 1 1 0 1 …)', () => {
    const fleet = new Fleet({ workers: 1, queueLimit: Infinity, sessionTtl: 1800, sessionCapacity: Infinity }, [{ weight: 1 }, { weight: 2 }]);
    const rr = new EnvoyRoundRobin(seq(0));
    expect(Array.from({ length: 6 }, () => rr.pick(fleet)!.id)).toEqual([1, 0, 1, 1, 0, 1]);
  });

  it('random ignores weights: hosts[random % size]', () => {
    const fleet = new Fleet({ workers: 1, queueLimit: Infinity, sessionTtl: 1800, sessionCapacity: Infinity }, [{ weight: 1 }, { weight: 9 }]);
    expect(new EnvoyRandom(seq(0.49)).pick(fleet)!.id).toBe(0);
    expect(new EnvoyRandom(seq(0.5)).pick(fleet)!.id).toBe(1);
  });

  it('the EDF scheduler breaks equal deadlines first-added first', () => {
    const edf = new EdfScheduler(3);
    edf.add(1, 7);
    edf.add(1, 8);
    edf.add(1, 9);
    expect(Array.from({ length: 6 }, () => edf.pickAndAdd(() => 1))).toEqual([7, 8, 9, 7, 8, 9]);
  });
});

describe('healthy panic', () => {
  it('below healthy_panic_threshold (50 %) healthy, Envoy balances over all hosts, dead ones included', () => {
    expect(isHostSetInPanic(8, 4, 50)).toBe(false); // exactly 50 %: not below
    expect(isHostSetInPanic(8, 3, 50)).toBe(true);
    expect(isHostSetInPanic(8, 0, 0)).toBe(false); // 0 disables panic
    const fleet = makeFleet(8);
    for (const s of fleet.servers.slice(0, 5)) fleet.setUp(s, false, 1);
    const picks = new Set(Array.from({ length: 8 }, (_, i) => new EnvoyRandom(seq(i / 8 + 0.01)).pick(fleet)!.id));
    expect(picks.size).toBe(8); // the 5 dead ones too
    const calm = new Set(Array.from({ length: 8 }, (_, i) => new EnvoyRandom(seq(i / 8 + 0.01), 0).pick(fleet)!.id));
    expect([...calm].sort()).toEqual([5, 6, 7]);
  });
});

describe('hash-policy texts', () => {
  it('source_ip hashes the dotted quad; header hashes its value; no allocation-free writer differs from the text', () => {
    const buf = new Uint8Array(64);
    const out = { hi: 0, lo: 0 };
    for (const ip of [0, 0x0a000001, 0xc0a80a64, 0xffffffff, 0x01020304]) {
      const len = writeIpv4(ip, buf);
      const text = `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
      expect(new TextDecoder().decode(buf.subarray(0, len))).toBe(text);
      expect(toBigInt(xxHash64(buf, len, 0, out))).toBe(toBigInt(xxHash64Text(text)));
    }
    const len = writeAscii('123456', buf);
    expect(toBigInt(xxHash64(buf, len, 0, out))).toBe(toBigInt(xxHash64Text('123456')));
  });
});
