/**
 * Envoy's hash functions and the texts it hashes (Envoy 1.36).
 *
 * - `HashUtil::xxHash64(input, seed = 0)` (source/common/common/hash.h):
 *   XXH64 of the bytes. Envoy hashes ring points, Maglev permutations and
 *   request keys with it. Here a 64-bit value is a pair of unsigned 32-bit
 *   halves (`U64`), computed by the repository's XXH64 (../xxh64.ts), so no
 *   BigInt and no allocation on the request path.
 * - `MurmurHash::murmurHash2(key, seed = STD_HASH_SEED)`
 *   (source/common/common/hash.cc): libstdc++'s 64-bit `_Hash_bytes`, the
 *   ring's optional `hash_function: MURMUR_HASH_2`. Used only when building
 *   a ring, so BigInt is fine.
 */
import { xxh64, type U64 } from '../xxh64.js';

export type { U64 } from '../xxh64.js';

/** HashUtil::xxHash64 of `bytes[0, len)` with `seed` (Envoy uses 0, and 1 for Maglev's skip): the 64-bit digest into `out`. */
export function xxHash64(bytes: Uint8Array, len: number, seed: number, out: U64): U64 {
  xxh64(bytes, len, seed, out);
  return out;
}

const encoder = new TextEncoder();

/** HashUtil::xxHash64 of a string's bytes (build time: allocates). */
export function xxHash64Text(text: string, seed = 0): U64 {
  const bytes = encoder.encode(text);
  return xxHash64(bytes, bytes.length, seed, { hi: 0, lo: 0 });
}

/** A 64-bit value as a BigInt (tests and diagnostics). */
export function toBigInt(h: U64): bigint {
  return (BigInt(h.hi) << 32n) | BigInt(h.lo);
}

/** A BigInt below 2^64 as halves. */
export function fromBigInt(v: bigint): U64 {
  return { hi: Number((v >> 32n) & 0xffffffffn), lo: Number(v & 0xffffffffn) };
}

/**
 * (hi × 2^32 + lo) mod m, exactly, in doubles: uint64_t `%` as Envoy takes
 * it for Maglev (`hash % table_size_`). Needs m ≤ 2^32 (Maglev tables are at
 * most 5,000,011 entries).
 */
export function mod64(hi: number, lo: number, m: number): number {
  return ((((hi % m) * 65536) % m) * 65536 + lo) % m;
}

/** libstdc++'s and Envoy's seed for MURMUR_HASH_2 (`MurmurHash::STD_HASH_SEED`). */
export const STD_HASH_SEED = 0xc70f6907n;
const MUL = 0xc6a4a7935bd1e995n;
const MASK64 = 0xffffffffffffffffn;

const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);

function loadLE(b: Uint8Array, p: number, n: number): bigint {
  // unaligned_load (8 bytes) and load_bytes (n < 8) on a little-endian machine.
  let r = 0n;
  for (let i = n - 1; i >= 0; i--) r = (r << 8n) | BigInt(b[p + i]!);
  return r;
}

/** MurmurHash::murmurHash2 (source/common/common/hash.cc), 64-bit, of `bytes`. */
export function murmurHash2(bytes: Uint8Array, seed: bigint = STD_HASH_SEED): bigint {
  const len = bytes.length;
  const aligned = len & ~7;
  let hash = (seed ^ (BigInt(len) * MUL)) & MASK64;
  for (let p = 0; p < aligned; p += 8) {
    const data = (shiftMix((loadLE(bytes, p, 8) * MUL) & MASK64) * MUL) & MASK64;
    hash ^= data;
    hash = (hash * MUL) & MASK64;
  }
  if ((len & 7) !== 0) {
    hash ^= loadLE(bytes, aligned, len & 7);
    hash = (hash * MUL) & MASK64;
  }
  hash = (shiftMix(hash) * MUL) & MASK64;
  return shiftMix(hash);
}

/** MurmurHash::murmurHash2 of a string's bytes. */
export function murmurHash2Text(text: string, seed: bigint = STD_HASH_SEED): U64 {
  return fromBigInt(murmurHash2(encoder.encode(text), seed));
}

/**
 * Writes an IPv4 address as Envoy's `Ip::addressAsString()` gives it (dotted
 * quad, no port: what `connection_properties: { source_ip: true }` hashes)
 * into `buf` (≥ 15 bytes); returns the length. No allocation.
 */
export function writeIpv4(ip: number, buf: Uint8Array): number {
  let p = 0;
  for (let shift = 24; shift >= 0; shift -= 8) {
    const octet = (ip >>> shift) & 0xff;
    if (octet >= 100) buf[p++] = 48 + Math.floor(octet / 100);
    if (octet >= 10) buf[p++] = 48 + (Math.floor(octet / 10) % 10);
    buf[p++] = 48 + (octet % 10);
    if (shift > 0) buf[p++] = 46; // '.'
  }
  return p;
}

/** Writes an ASCII string's bytes into `buf` (long enough); returns the length. */
export function writeAscii(text: string, buf: Uint8Array): number {
  const n = text.length;
  for (let i = 0; i < n; i++) buf[i] = text.charCodeAt(i) & 0xff;
  return n;
}
