import { BoundedLoadHash } from './bounded.js';
import { DEFAULT_HASH_FUNCTION, hashFunction, type HashFunctionName } from './functions.js';
import { MaglevHash } from './maglev.js';
import { ModuloHash } from './modulo.js';
import { RendezvousHash } from './rendezvous.js';
import { RingHash } from './ring.js';
import type { HashFamily } from './types.js';

export const HASH_FAMILY_NAMES = ['modulo', 'ring', 'maglev', 'rendezvous'] as const;
export type HashFamilyName = (typeof HASH_FAMILY_NAMES)[number];

/** A hash family and its options, as a scenario would name them. */
export interface HashFamilySpec {
  family: HashFamilyName;
  /** Hash function for the family's own hashing (ring points, Maglev permutations, rendezvous pairs). Default xxh64. */
  hash?: HashFunctionName;
  /** ring: points per unit of weight (default 160, nginx; HAProxy uses 16). */
  vnodes?: number;
  /** ring: minimum total points, as Envoy's `minimum_ring_size` (default 0: off; Envoy 1024). */
  minRing?: number;
  /** maglev: prime table size (default 65537). */
  tableSize?: number;
  /** ring or maglev: bounded-load factor c ≥ 1 (e.g. 1.25; HAProxy `hash-balance-factor 125`). */
  bound?: number;
  /** ring, maglev, rendezvous: a salt mixed into the server hashing, so the placement is one draw of many; undefined: placement from the names alone. */
  salt?: number;
}

/** Which options apply to which family; anything else is rejected. */
const APPLIES: Record<Exclude<keyof HashFamilySpec, 'family' | 'hash' | 'salt'>, readonly HashFamilyName[]> = {
  vnodes: ['ring'],
  minRing: ['ring'],
  tableSize: ['maglev'],
  bound: ['ring', 'maglev'],
};

/** Builds the family a spec names; throws an Error naming the problem when the spec is inconsistent. */
export function makeHashFamily(spec: HashFamilySpec): HashFamily {
  if (!(HASH_FAMILY_NAMES as readonly string[]).includes(spec.family)) {
    throw new Error(`unknown hash family '${spec.family}' (expected one of ${HASH_FAMILY_NAMES.join(', ')})`);
  }
  for (const [option, families] of Object.entries(APPLIES)) {
    if (spec[option as keyof typeof APPLIES] !== undefined && !families.includes(spec.family)) {
      throw new Error(
        option === 'bound'
          ? `bounded load ('bound') needs a ring or maglev family: it walks their order of fallbacks; ${spec.family} has none`
          : `option '${option}' applies to ${families.join(' or ')} hashing, not ${spec.family}`,
      );
    }
  }
  const hash = hashFunction(spec.hash ?? DEFAULT_HASH_FUNCTION);
  switch (spec.family) {
    case 'modulo':
      return new ModuloHash();
    case 'rendezvous':
      return new RendezvousHash({ hash, salt: spec.salt });
    case 'ring': {
      const ring = new RingHash(spec.vnodes ?? 160, { hash, minRing: spec.minRing ?? 0, salt: spec.salt });
      return spec.bound === undefined ? ring : new BoundedLoadHash(ring, spec.bound);
    }
    case 'maglev': {
      const maglev = new MaglevHash(spec.tableSize, { hash, salt: spec.salt });
      return spec.bound === undefined ? maglev : new BoundedLoadHash(maglev, spec.bound);
    }
  }
}
