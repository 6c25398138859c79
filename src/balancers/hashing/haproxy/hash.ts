/**
 * HAProxy 2.6's hash functions and key derivation, bit for bit.
 *
 * Sources (haproxy/haproxy, tag v2.6.0; src/hash.c, include/haproxy/intops.h
 * and the hashing parts of src/backend.c are unchanged up to 2.6.12):
 * - src/hash.c: hash_sdbm, hash_djb2, hash_wt6, hash_crc32.
 * - include/haproxy/intops.h: __full_hash / full_hash (Bob Jenkins' 32-bit
 *   full-avalanche integer hash times 3221225473), the `avalanche` modifier
 *   and the key of a consistent-hash tree point.
 * - src/backend.c: gen_hash (picks the function), get_server_sh (`balance
 *   source`), get_server_hh (`balance hdr(name)`), get_server_ph
 *   (`balance url_param`).
 *
 * Everything works on unsigned 32-bit integers (`>>> 0`, `Math.imul`) and
 * imports nothing from Node: it runs in a browser too.
 */

/** `hash-type … <function>`: the four functions of HAProxy 2.6. */
export type HaproxyHashFunctionName = 'sdbm' | 'djb2' | 'wt6' | 'crc32';
export const HAPROXY_HASH_FUNCTIONS: readonly HaproxyHashFunctionName[] = ['sdbm', 'djb2', 'wt6', 'crc32'];

/** A byte hash over `bytes[0, len)`. */
export type ByteHash = (bytes: ArrayLike<number>, len?: number) => number;

/** src/hash.c hash_sdbm: hash = c + (hash << 6) + (hash << 16) − hash, from 0. */
export function sdbm(bytes: ArrayLike<number>, len = bytes.length): number {
  let h = 0;
  for (let i = 0; i < len; i++) h = (bytes[i]! + (h << 6) + (h << 16) - h) >>> 0;
  return h;
}

/** src/hash.c hash_djb2: hash = hash × 33 + c, from 5381 (the 8× unrolling changes nothing). */
export function djb2(bytes: ArrayLike<number>, len = bytes.length): number {
  let h = 5381;
  for (let i = 0; i < len; i++) h = (Math.imul(h, 33) + bytes[i]!) >>> 0;
  return h;
}

/** src/hash.c hash_wt6 (Willy Tarreau's 6-step rotate/xor hash). */
export function wt6(bytes: ArrayLike<number>, len = bytes.length): number {
  let h0 = 0xa53c965a;
  let h1 = 0x5ca6953a;
  let step0 = 6;
  let step1 = 18;
  for (let i = 0; i < len; i++) {
    let t = bytes[i]!;
    h0 = ~(h0 ^ t) >>> 0;
    h1 = ~(h1 + t) >>> 0;
    // C: (x << s) | (x >> (32 - s)); for s = 0 the C shift by 32 is undefined
    // but x86 masks it to 0, giving x | x = x, which is what this gives too.
    t = ((h1 << step0) | (h1 >>> ((32 - step0) & 31))) >>> 0;
    h1 = ((h0 << step1) | (h0 >>> ((32 - step1) & 31))) >>> 0;
    h0 = t;
    t = ((h0 >>> 16) ^ h1) & 0xffff;
    step0 = t & 0x1f;
    step1 = t >>> 11;
  }
  return (h0 ^ h1) >>> 0;
}

/** src/hash.c hash_crc32: the reflected CRC-32 (IEEE 802.3, poly 0xEDB88320), bitwise. */
export function crc32(bytes: ArrayLike<number>, len = bytes.length): number {
  let h = 0xffffffff;
  for (let i = 0; i < len; i++) {
    h ^= bytes[i]!;
    for (let bit = 0; bit < 8; bit++) h = (h >>> 1) ^ (h & 1 ? 0xedb88320 : 0);
  }
  return ~h >>> 0;
}

export const HAPROXY_BYTE_HASH: Readonly<Record<HaproxyHashFunctionName, ByteHash>> = { sdbm, djb2, wt6, crc32 };

/**
 * include/haproxy/intops.h __full_hash: Bob Jenkins' full-avalanche integer
 * hash, then × 3221225473 "to spread values all around the tree". A bijection
 * on 32-bit integers (every step is invertible).
 */
export function fullHash(a: number): number {
  a = (a + 0x7ed55d16 + (a << 12)) >>> 0;
  a = (a ^ 0xc761c23c ^ (a >>> 19)) >>> 0;
  a = (a + 0x165667b1 + (a << 5)) >>> 0;
  a = ((a + 0xd3a2646c) ^ (a << 9)) >>> 0;
  a = (a + 0xfd7046c5 + (a << 3)) >>> 0;
  a = (a ^ 0xb55a4f09 ^ (a >>> 16)) >>> 0;
  return Math.imul(a, 3221225473) >>> 0;
}

/**
 * A backend's `hash-type` as HAProxy 2.6 parses it (src/cfgparse-listen.c,
 * "hash-type"): `hash-type map-based|consistent [<function> [avalanche]]`.
 * With no function the function is sdbm, and `consistent` alone also turns
 * the avalanche on (map-based alone does not).
 */
export interface HaproxyHashType {
  method: 'map-based' | 'consistent';
  fn: HaproxyHashFunctionName;
  avalanche: boolean;
}

/** The hash-type that `hash-type <method> [fn [avalanche]]` gives (see {@link HaproxyHashType}). */
export function hashType(method: 'map-based' | 'consistent', fn?: HaproxyHashFunctionName, avalanche = false): HaproxyHashType {
  if (fn === undefined) return { method, fn: 'sdbm', avalanche: method === 'consistent' };
  return { method, fn, avalanche };
}

/**
 * Parses the arguments of a `hash-type` line as cfgparse-listen.c does
 * ("consistent", "map-based djb2", "consistent wt6 avalanche").
 */
export function parseHashType(args: string): HaproxyHashType {
  const [method, fn, mod, ...rest] = args.trim().split(/\s+/);
  if (method !== 'map-based' && method !== 'consistent') throw new Error(`hash-type only supports 'consistent' and 'map-based', got '${method}'`);
  if (fn === undefined) return hashType(method);
  if (!(HAPROXY_HASH_FUNCTIONS as readonly string[]).includes(fn)) throw new Error(`hash-type: unknown hash function '${fn}'`);
  if ((mod !== undefined && mod !== 'avalanche') || rest.length > 0) throw new Error(`hash-type: only 'avalanche' may follow the function`);
  return hashType(method, fn as HaproxyHashFunctionName, mod === 'avalanche');
}

/** The `hash-type` line that configures `t` (its canonical spelling). */
export function hashTypeLine(t: HaproxyHashType): string {
  return `hash-type ${t.method} ${t.fn}${t.avalanche ? ' avalanche' : ''}`;
}

/**
 * src/backend.c get_server_sh, IPv4: the key of `balance source` for an
 * address given as its 32-bit value (127.0.0.1 = 0x7f000001). The address
 * is XORed 32-bit big-endian word by word (one word for IPv4, so the key is
 * the address itself); the hash function of `hash-type` is not used, only
 * its `avalanche` modifier (full_hash).
 */
export function sourceKeyV4(addr: number, avalanche: boolean): number {
  return avalanche ? fullHash(addr >>> 0) : addr >>> 0;
}

/**
 * src/backend.c get_server_sh, IPv6: XOR of the four big-endian 32-bit words
 * of the 16-byte address, then full_hash with `avalanche`.
 */
export function sourceKeyV6(bytes: ArrayLike<number>, avalanche: boolean): number {
  if (bytes.length !== 16) throw new Error(`an IPv6 address has 16 bytes, got ${bytes.length}`);
  let h = 0;
  for (let l = 0; l < 16; l += 4) {
    h ^= (bytes[l]! << 24) | (bytes[l + 1]! << 16) | (bytes[l + 2]! << 8) | bytes[l + 3]!;
  }
  return avalanche ? fullHash(h >>> 0) : h >>> 0;
}

/** Dotted-quad IPv4 to its 32-bit value; throws on anything else. */
export function parseIPv4(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${s}`);
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`not an IPv4 address: ${s}`);
    v = v * 256 + Number(p);
  }
  return v >>> 0;
}

/** 32-bit value to dotted-quad IPv4. */
export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

// Strings are hashed from their char codes when ASCII (no copy), otherwise
// from their UTF-8 in one scratch buffer (no allocation once it has grown).
let scratch = new Uint8Array(256);
const encoder = new TextEncoder();

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The hash function `fn` over the UTF-8 bytes of `s`. */
export function hashString(fn: HaproxyHashFunctionName, s: string): number {
  if (isAscii(s)) {
    if (fn === 'sdbm') {
      let h = 0;
      for (let i = 0; i < s.length; i++) h = (s.charCodeAt(i) + (h << 6) + (h << 16) - h) >>> 0;
      return h;
    }
    if (fn === 'djb2') {
      let h = 5381;
      for (let i = 0; i < s.length; i++) h = (Math.imul(h, 33) + s.charCodeAt(i)) >>> 0;
      return h;
    }
    if (scratch.length < s.length) scratch = new Uint8Array(s.length * 2);
    for (let i = 0; i < s.length; i++) scratch[i] = s.charCodeAt(i);
    return HAPROXY_BYTE_HASH[fn](scratch, s.length);
  }
  if (scratch.length < s.length * 3) scratch = new Uint8Array(s.length * 3);
  const len = encoder.encodeInto(s, scratch).written;
  return HAPROXY_BYTE_HASH[fn](scratch, len);
}

/**
 * src/backend.c get_server_hh (`balance hdr(name)`) and get_server_ph
 * (`balance url_param`): gen_hash with the hash-type's function over the
 * value's bytes, then full_hash when `avalanche` is set. (hdr's
 * `use_domain_only` option is not reproduced.) HAProxy falls back to round
 * robin when the header or parameter is absent or empty; that is the caller's.
 */
export function stringKey(value: string, type: Pick<HaproxyHashType, 'fn' | 'avalanche'>): number {
  const h = hashString(type.fn, value);
  return type.avalanche ? fullHash(h) : h;
}

/** {@link stringKey} over raw bytes. */
export function bytesKey(bytes: ArrayLike<number>, type: Pick<HaproxyHashType, 'fn' | 'avalanche'>, len = bytes.length): number {
  const h = HAPROXY_BYTE_HASH[type.fn](bytes, len);
  return type.avalanche ? fullHash(h) : h;
}
