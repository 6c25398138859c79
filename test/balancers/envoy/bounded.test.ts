/**
 * Envoy's bounded loads (hash_balance_factor): BoundedLoadHashingLoadBalancer
 * against Envoy's own unit tests
 * (test/extensions/load_balancing_policies/common/bounded_load_hlb_test.cc),
 * whose hashing balancer maps hash i to the i-th entry of a list, and
 * hand-computed hostOverloadFactor values.
 */
import { describe, expect, it } from 'vitest';
import {
  EnvoyBoundedLoadHashing, EnvoyThreadAwareLb, Mt19937, envoyHostOverloadFactor, type EnvoyHashingLb,
} from '../../../src/balancers/hashing/envoy/index.js';
import { load, makeFleet } from '../../helpers.js';

/** The tests' TestHashingLoadBalancer: `ring_.at(hash)`. */
const listLb = (ring: number[]): EnvoyHashingLb => ({ chooseHost: (_hi, lo) => ring[lo] ?? -1 });
/** Hosts "127.0.0.1<i>:90", equal weights 1/n. */
const equal = (n: number) => new Array<number>(n).fill(1 / n);
const address = (i: number) => `127.0.0.1${i}:90`;
/** getHostOverloadFactorPredicate: the listed hosts get factors 1.02, 1.03, …; the others 0.5. */
function predicate(addresses: string[]) {
  return (host: number) => {
    const at = addresses.indexOf(address(host));
    return at < 0 ? 0.5 : (100 + at + 2) / 100;
  };
}
const idle = { active: () => 0, overall: () => 0 };

describe('Envoy hash_balance_factor, as bounded_load_hlb_test.cc asserts it', () => {
  it('the probe order is std::mt19937 seeded with the hash: 5 hosts, seed 2 → 2 1 0 4 3; seed 6 → 4 0 2 3 1; seed 7 → 0 1 4 3 2', () => {
    const lb = new EnvoyBoundedLoadHashing(listLb([0, 1, 2, 3, 4]), equal(5), 1, idle);
    expect(lb.probeOrder(2)).toEqual([2, 1, 0, 4, 3]);
    expect(lb.probeOrder(6)).toEqual([4, 0, 2, 3, 1]);
    expect(lb.probeOrder(7)).toEqual([0, 1, 4, 3, 2]);
  });

  it('NoHosts, NoHostEverOverloaded', () => {
    expect(new EnvoyBoundedLoadHashing(listLb([]), [], 1, idle).chooseHost(0, 1)).toBe(-1);
    const lb = new EnvoyBoundedLoadHashing(listLb([0, 1, 2, 3, 4]), equal(5), 1, idle, predicate([]));
    expect([0, 1, 2, 3, 4].map((i) => lb.chooseHost(0, i))).toEqual([0, 1, 2, 3, 4]);
  });

  it('OneHostOverloaded: hash 2\'s host 127.0.0.12 is overloaded → 127.0.0.11, next in the order 2 1 0 4 3', () => {
    const lb = new EnvoyBoundedLoadHashing(listLb([0, 1, 2, 3, 4]), equal(5), 1, idle, predicate(['127.0.0.12:90']));
    expect(lb.chooseHost(0, 2)).toBe(1);
  });

  it('MultipleHostOverloaded: hosts 0, 1 and 2 overloaded → 127.0.0.14', () => {
    const lb = new EnvoyBoundedLoadHashing(listLb([0, 1, 2, 3, 4]), equal(5), 1, idle, predicate(['127.0.0.10:90', '127.0.0.11:90', '127.0.0.12:90']));
    expect(lb.chooseHost(0, 2)).toBe(4);
  });

  it('MultipleHashSameHostOverloaded: hashes 6 and 7 both hit overloaded host 3 and part: → 4 and → 0', () => {
    const ring = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4];
    const lb = new EnvoyBoundedLoadHashing(listLb(ring), equal(5), 1, idle, predicate(['127.0.0.13:90']));
    expect(lb.chooseHost(0, 6)).toBe(4);
    expect(lb.chooseHost(0, 7)).toBe(0);
  });

  it('AllHostsOverloaded: the least overloaded host (127.0.0.11 at 1.02) takes it', () => {
    const lb = new EnvoyBoundedLoadHashing(listLb([0, 1, 2]), equal(3), 1, idle, predicate(['127.0.0.11:90', '127.0.0.10:90', '127.0.0.12:90']));
    expect(lb.chooseHost(0, 0)).toBe(1);
  });

  it('ActualHostOverloaded: Envoy\'s own hostOverloadFactor, factor 1: host 2 with 2 active (cluster gauge 0) is over its 1 slot → host 1', () => {
    const active = [0, 0, 0, 0, 0];
    const lb = new EnvoyBoundedLoadHashing(listLb([0, 1, 2, 3, 4]), equal(5), 1, { active: (i) => active[i]!, overall: () => 0 });
    expect(lb.chooseHost(0, 2)).toBe(2);
    active[2] = 2;
    expect(lb.chooseHost(0, 2)).toBe(1);
  });
});

describe('hostOverloadFactor, by hand', () => {
  it('total_slots = ((overall + 1) × factor + 99) / 100 in integers; slots = max(ceil(total × w), 1); active / slots', () => {
    // overall 9, factor 125: (10 × 125 + 99) / 100 = 13 slots; w 1/4 → ceil(3.25) = 4.
    expect(envoyHostOverloadFactor(4, 9, 0.25, 125)).toBe(1); // at its slots: still eligible (≤ 1)
    expect(envoyHostOverloadFactor(5, 9, 0.25, 125)).toBe(1.25);
    // overall 0, factor 150: (150 + 99) / 100 = 2; w 1/8 → ceil(0.25) = 1 slot.
    expect(envoyHostOverloadFactor(1, 0, 1 / 8, 150)).toBe(1);
    expect(envoyHostOverloadFactor(2, 0, 1 / 8, 150)).toBe(2);
    // overall 99, factor 100: (100 × 100 + 99) / 100 = 100; w 1/3 → ceil(33.33…) = 34.
    expect(envoyHostOverloadFactor(34, 99, 1 / 3, 100)).toBe(1);
    expect(envoyHostOverloadFactor(35, 99, 1 / 3, 100)).toBeCloseTo(35 / 34, 12);
  });

  it('on a real ring: 4 servers, factor 150, the hashed server overloaded → the first eligible host in mt19937 order', () => {
    const fleet = makeFleet(4);
    const lb = new EnvoyThreadAwareLb({ lbPolicy: 'RING_HASH', hashBalanceFactor: 150, address: (s) => `10.0.0.${s.id + 1}:80` });
    const plain = new EnvoyThreadAwareLb({ lbPolicy: 'RING_HASH', address: (s) => `10.0.0.${s.id + 1}:80` });
    const [hi, lo] = [0x12345678, 0x9abcdef0];
    const home = plain.chooseHost(fleet, hi, lo)!;
    expect(lb.chooseHost(fleet, hi, lo)).toBe(home);
    // 3 in flight at home, none elsewhere: total_slots = (4 × 150 + 99) / 100 = 6; slots = ceil(6 / 4) = 2 < 3.
    load(fleet, home.id, 3);
    const order = new EnvoyBoundedLoadHashing(listLb([0, 1, 2, 3]), equal(4), 150, idle).probeOrder(lo).filter((i) => i !== home.id);
    expect(lb.chooseHost(fleet, hi, lo)!.id).toBe(order[0]);
    // Every server at 3: total_slots = (13 × 150 + 99) / 100 = 20, slots = ceil(20 / 4) = 5 ≥ 3: home is eligible again.
    for (const s of fleet.servers) if (s !== home) load(fleet, s.id, 3);
    expect(lb.chooseHost(fleet, hi, lo)).toBe(home);
  });
});

describe('std::mt19937', () => {
  it('the C++ standard\'s check value: the 10000th output of the default-seeded engine is 4123659995', () => {
    const mt = new Mt19937();
    let x = 0;
    for (let i = 0; i < 10000; i++) x = mt.next();
    expect(x).toBe(4123659995);
  });

  it('seeding keeps the low 32 bits, reseeding restarts the sequence', () => {
    const a = new Mt19937(7);
    const first = [a.next(), a.next()];
    a.seed(7);
    expect([a.next(), a.next()]).toEqual(first);
  });
});
