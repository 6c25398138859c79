import { fmix32 } from '../../model/hash.js';
import { bswap32, xxh64, xxh64Int, xxh64Pair } from './xxh64.js';

/**
 * The hash functions a hashing family may use, by name. Each maps bytes to an
 * unsigned 32-bit position (on a ring, in a table, or mod N). A 32-bit key
 * (IPv4 address, /24 prefix, client id) is hashed as its 4 bytes in network
 * (big-endian) order, as HAProxy hashes a source address; strings (server
 * names, ring point names) as their UTF-8 bytes.
 *
 * - `xxh64`: XXH64, seed 0, position = upper 32 bits of the digest. The default:
 *   a strong 64-bit hash, Envoy's hash for ring points, Maglev and keys.
 * - `murmur3`: MurmurHash3 x86_32 (Austin Appleby), widely used (Cassandra,
 *   Guava, Kafka's partitioner uses its sibling murmur2).
 * - `fnv1a`: 32-bit FNV-1a. Fast and weak: poor avalanche, so it shows how a
 *   bad hash skews the spread (Traefik's HRW uses its 64-bit form).
 * - `sdbm`: HAProxy's default `hash-type … sdbm` (hash = c + hash × 65599).
 *   Weak too; HAProxy offers the `avalanche` modifier to compensate.
 */
export const HASH_FUNCTION_NAMES = ['xxh64', 'murmur3', 'fnv1a', 'sdbm'] as const;
export type HashFunctionName = (typeof HASH_FUNCTION_NAMES)[number];
export const DEFAULT_HASH_FUNCTION: HashFunctionName = 'xxh64';

export interface HashFunction {
  readonly name: HashFunctionName;
  /** Position of a 32-bit key, hashed as 4 big-endian bytes (no buffer is allocated: the hot path). */
  int(key: number): number;
  /** Position of two 32-bit values hashed as 8 bytes, `a` then `b`, big-endian (key × server for rendezvous). */
  pair(a: number, b: number): number;
  /** Position of a string's UTF-8 bytes. `seed` gives an independent function of the same family. */
  str(s: string, seed?: number): number;
  /** Position of `bytes[0, len)`. */
  bytes(bytes: Uint8Array, len?: number, seed?: number): number;
}

// Scratch space for the encodings: hashing never allocates once it has grown.
let scratch = new Uint8Array(64);
const scratchView = () => new DataView(scratch.buffer);
let view = scratchView();
const encoder = new TextEncoder();

function encode(s: string): number {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  if (scratch.length < s.length * 3) {
    scratch = new Uint8Array(s.length * 3);
    view = scratchView();
  }
  return encoder.encodeInto(s, scratch).written;
}

/** A function given by its byte form; the integer forms go through a scratch buffer. */
function fromBytes(name: HashFunctionName, bytes: (b: Uint8Array, len: number, seed: number) => number): HashFunction {
  return {
    name,
    bytes: (b, len = b.length, seed = 0) => bytes(b, len, seed),
    str(s, seed = 0) {
      const len = encode(s); // may replace `scratch`, so first
      return bytes(scratch, len, seed);
    },
    int(key) {
      view.setUint32(0, key);
      return bytes(scratch, 4, 0);
    },
    pair(a, b) {
      view.setUint32(0, a);
      view.setUint32(4, b);
      return bytes(scratch, 8, 0);
    },
  };
}

/** MurmurHash3 x86_32 of `b[0, len)`. */
export function murmur3(b: Uint8Array, len = b.length, seed = 0): number {
  let h = seed >>> 0;
  const blocks = len & ~3;
  for (let p = 0; p < blocks; p += 4) {
    h = murmurBlock(h, b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24));
  }
  // The 1–3 tail bytes, little-endian, mixed like a block but without the rotation of h.
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    for (let i = tail - 1; i >= 0; i--) k = (k << 8) | b[blocks + i]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  return murmurFinal(h, len);
}

function murmurBlock(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function murmurFinal(h: number, len: number): number {
  return fmix32((h ^ len) >>> 0);
}

/** 32-bit FNV-1a of `b[0, len)`; a seed is XORed into the offset basis. */
export function fnv1a(b: Uint8Array, len = b.length, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let p = 0; p < len; p++) h = Math.imul(h ^ b[p]!, 0x01000193);
  return h >>> 0;
}

/** sdbm of `b[0, len)` as in HAProxy's hash.c (unsigned bytes); a seed is the initial value. */
export function sdbm(b: Uint8Array, len = b.length, seed = 0): number {
  let h = seed >>> 0;
  // c + (h << 6) + (h << 16) − h = c + h × 65599
  for (let p = 0; p < len; p++) h = (Math.imul(h, 65599) + b[p]!) | 0;
  return h >>> 0;
}

const xxh64Function: HashFunction = {
  ...fromBytes('xxh64', xxh64),
  int: xxh64Int,
  pair: xxh64Pair,
};

const murmur3Function: HashFunction = {
  ...fromBytes('murmur3', murmur3),
  // One 4-byte block of the big-endian key, read little-endian as MurmurHash3 does.
  int: (key) => murmurFinal(murmurBlock(0, bswap32(key)), 4),
  pair: (a, b) => murmurFinal(murmurBlock(murmurBlock(0, bswap32(a)), bswap32(b)), 8),
};

export const HASH_FUNCTIONS: Readonly<Record<HashFunctionName, HashFunction>> = {
  xxh64: xxh64Function,
  murmur3: murmur3Function,
  fnv1a: fromBytes('fnv1a', fnv1a),
  sdbm: fromBytes('sdbm', sdbm),
};

/** The hash function of that name (the default, XXH64, when none is given). */
export function hashFunction(name: HashFunctionName = DEFAULT_HASH_FUNCTION): HashFunction {
  const f = HASH_FUNCTIONS[name];
  if (f === undefined) {
    throw new Error(`unknown hash function '${String(name)}' (expected one of ${HASH_FUNCTION_NAMES.join(', ')})`);
  }
  return f;
}
