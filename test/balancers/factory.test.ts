import { describe, expect, it } from 'vitest';
import { HashedAffinity } from '../../src/affinity/hashed.js';
import { clientIp } from '../../src/affinity/keys.js';
import { Miss } from '../../src/affinity/types.js';
import { BoundedLoadHash } from '../../src/balancers/hashing/bounded.js';
import { HASH_FAMILY_NAMES, makeHashFamily, type HashFamilySpec } from '../../src/balancers/hashing/factory.js';
import { HASH_FUNCTIONS } from '../../src/balancers/hashing/functions.js';
import { MaglevHash } from '../../src/balancers/hashing/maglev.js';
import { ModuloHash } from '../../src/balancers/hashing/modulo.js';
import { RendezvousHash } from '../../src/balancers/hashing/rendezvous.js';
import { RingHash } from '../../src/balancers/hashing/ring.js';
import { makeFleet, makeSession } from '../helpers.js';

describe('makeHashFamily', () => {
  it('builds each family, bounded when `bound` is set', () => {
    expect(makeHashFamily({ family: 'modulo' })).toBeInstanceOf(ModuloHash);
    expect(makeHashFamily({ family: 'rendezvous' })).toBeInstanceOf(RendezvousHash);
    const ring = makeHashFamily({ family: 'ring', vnodes: 16 });
    expect(ring).toBeInstanceOf(RingHash);
    expect((ring as RingHash).vnodes).toBe(16);
    const maglev = makeHashFamily({ family: 'maglev', tableSize: 251 });
    expect((maglev as MaglevHash).tableSize).toBe(251);
    const bounded = makeHashFamily({ family: 'maglev', bound: 1.25 });
    expect(bounded).toBeInstanceOf(BoundedLoadHash);
    expect(bounded.name).toBe('maglev-bounded');
    expect((bounded as BoundedLoadHash).factor).toBe(1.25);
    expect(makeHashFamily({ family: 'ring', bound: 2 }).name).toBe('ring-bounded');
    expect([...HASH_FAMILY_NAMES]).toEqual(['modulo', 'ring', 'maglev', 'rendezvous']);
  });

  it('defaults: ring 160 points per unit of weight, maglev 65537 entries', () => {
    const { servers } = makeFleet(2);
    const ring = makeHashFamily({ family: 'ring' }) as RingHash;
    ring.build(servers);
    expect(ring.size).toBe(320);
    expect((makeHashFamily({ family: 'maglev' }) as MaglevHash).tableSize).toBe(65537);
  });

  it('hashes ring points with the chosen function', () => {
    const { servers } = makeFleet(4);
    const picks = (spec: HashFamilySpec) => {
      const f = makeHashFamily(spec);
      f.build(servers);
      return Array.from({ length: 200 }, (_, k) => f.pick(HASH_FUNCTIONS.xxh64.int(k))!.name).join();
    };
    expect(picks({ family: 'ring', hash: 'xxh64' })).toBe(picks({ family: 'ring' }));
    expect(picks({ family: 'ring', hash: 'murmur3' })).not.toBe(picks({ family: 'ring' }));
    expect(picks({ family: 'maglev', hash: 'fnv1a' })).not.toBe(picks({ family: 'maglev' }));
    expect(picks({ family: 'rendezvous', hash: 'sdbm' })).not.toBe(picks({ family: 'rendezvous' }));
  });

  it('rejects bounded load over modulo or rendezvous, and options of another family', () => {
    expect(() => makeHashFamily({ family: 'modulo', bound: 1.25 })).toThrow(/needs a ring or maglev family.*modulo has none/);
    expect(() => makeHashFamily({ family: 'rendezvous', bound: 1.25 })).toThrow(/needs a ring or maglev family/);
    expect(() => makeHashFamily({ family: 'maglev', vnodes: 10 })).toThrow("option 'vnodes' applies to ring hashing, not maglev");
    expect(() => makeHashFamily({ family: 'ring', tableSize: 7 })).toThrow("option 'tableSize' applies to maglev hashing, not ring");
    expect(() => makeHashFamily({ family: 'modulo', minRing: 1024 })).toThrow(/'minRing' applies to ring/);
  });

  it('rejects bad values with the family’s own message', () => {
    expect(() => makeHashFamily({ family: 'maglev', tableSize: 1000 })).toThrow(/prime number, got 1000/);
    expect(() => makeHashFamily({ family: 'ring', vnodes: 0 })).toThrow(/vnodes must be a positive integer/);
    expect(() => makeHashFamily({ family: 'ring', minRing: -1 })).toThrow(/minRing must be a non-negative integer/);
    expect(() => makeHashFamily({ family: 'ring', bound: 0.5 })).toThrow(/factor must be a finite number ≥ 1/);
    expect(() => makeHashFamily({ family: 'cube' } as unknown as HashFamilySpec)).toThrow(/unknown hash family 'cube'/);
    expect(() => makeHashFamily({ family: 'ring', hash: 'md5' } as unknown as HashFamilySpec)).toThrow(/unknown hash function 'md5'/);
  });
});

describe('HashedAffinity hashes the key with its hash function', () => {
  it('xxh64 by default; another when given', () => {
    const fleet = makeFleet(5);
    const s = makeSession({ ip: 0x0a000001 });
    const byDefault = new HashedAffinity(clientIp, new ModuloHash());
    expect(byDefault.lookup(s, fleet)).toBe(HASH_FUNCTIONS.xxh64.int(0x0a000001) % 5);
    const fnv = new HashedAffinity(clientIp, new ModuloHash(), HASH_FUNCTIONS.fnv1a);
    expect(fnv.lookup(s, fleet)).toBe(HASH_FUNCTIONS.fnv1a.int(0x0a000001) % 5);
  });

  it('rebuilds the family when the fleet changes, and misses with no server up', () => {
    const fleet = makeFleet(3);
    const affinity = new HashedAffinity(clientIp, new ModuloHash());
    const s = makeSession({ ip: 77 });
    expect(affinity.lookup(s, fleet)).toBe(HASH_FUNCTIONS.xxh64.int(77) % 3);
    fleet.add(0);
    expect(affinity.lookup(s, fleet)).toBe(HASH_FUNCTIONS.xxh64.int(77) % 4);
    for (const server of fleet.servers) fleet.setUp(server, false, 0);
    expect(affinity.lookup(s, fleet)).toBe(Miss.pinnedDown);
  });
});
