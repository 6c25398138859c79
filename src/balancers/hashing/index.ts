/** Hashing families (modulo, ring, maglev, rendezvous, bounded load) and the hash functions they use. */
export { BoundedLoadHash } from './bounded.js';
export { HASH_FAMILY_NAMES, makeHashFamily, type HashFamilyName, type HashFamilySpec } from './factory.js';
export {
  DEFAULT_HASH_FUNCTION, HASH_FUNCTION_NAMES, HASH_FUNCTIONS, hashFunction, type HashFunction, type HashFunctionName,
} from './functions.js';
export { MAGLEV_DEFAULT_TABLE_SIZE, MaglevHash } from './maglev.js';
export { ModuloHash } from './modulo.js';
export { RendezvousHash } from './rendezvous.js';
export { RingHash, type RingOptions } from './ring.js';
export type { HashFamily, ProbingHashFamily } from './types.js';
