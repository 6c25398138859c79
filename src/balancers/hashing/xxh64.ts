/**
 * XXH64 (Yann Collet's xxHash, 64-bit variant) in plain 32-bit arithmetic:
 * every 64-bit value is a pair of unsigned 32-bit halves, so no BigInt and no
 * allocation on any path. Envoy hashes ring points, Maglev permutations and
 * request keys with XXH64 (`HashUtil::xxHash64`), which makes it the natural
 * default here. Checked against the reference implementation (xxhash-wasm) in
 * test/balancers/hashFunctions.test.ts.
 */

// The five 64-bit primes of XXH64, as [high, low] halves.
const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

// Result registers of the 64-bit helpers below: each helper leaves its result
// in R = [high, low] instead of returning an object. A typed array rather than
// two module variables, so storing a 32-bit value never boxes a number.
const R = new Uint32Array(2);

/** (R[0]!, R[1]!) = low 64 bits of a × b. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  // al × bl needs all 64 bits: split into 16-bit limbs so partial products stay exact.
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  R[1] = ((mid << 16) | (p00 & 0xffff)) >>> 0;
  // The cross terms only reach the high half, so their low 32 bits (imul) suffice.
  R[0] = (carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** (R[0]!, R[1]!) = a + b mod 2^64. */
function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  R[1] = lo >>> 0;
  R[0] = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** (R[0]!, R[1]!) = a rotated left by r, 0 < r < 32. */
function rotl(ah: number, al: number, r: number): void {
  R[0] = ((ah << r) | (al >>> (32 - r))) >>> 0;
  R[1] = ((al << r) | (ah >>> (32 - r))) >>> 0;
}

/** (R[0]!, R[1]!) = XXH64 round: rotl(acc + input × P2, 31) × P1. */
function round(acch: number, accl: number, inh: number, inl: number): void {
  mul(inh, inl, P2H, P2L);
  add(acch, accl, R[0]!, R[1]!);
  rotl(R[0]!, R[1]!, 31);
  mul(R[0]!, R[1]!, P1H, P1L);
}

/** (R[0]!, R[1]!) = (acc ^ round(0, v)) × P1 + P4: folds an accumulator into the digest. */
function mergeRound(acch: number, accl: number, vh: number, vl: number): void {
  round(0, 0, vh, vl);
  mul((acch ^ R[0]!) >>> 0, (accl ^ R[1]!) >>> 0, P1H, P1L);
  add(R[0]!, R[1]!, P4H, P4L);
}

/** (R[0]!, R[1]!) = the final avalanche of (h, l). */
function avalanche(h: number, l: number): void {
  l = (l ^ (h >>> 1)) >>> 0; // ^= >> 33
  mul(h, l, P2H, P2L);
  h = R[0]!;
  l = (R[1]! ^ ((R[1]! >>> 29) | (R[0]! << 3))) >>> 0; // ^= >> 29
  h = (h ^ (h >>> 29)) >>> 0;
  mul(h, l, P3H, P3L);
  R[1] = (R[1]! ^ R[0]!) >>> 0; // ^= >> 32
}

function read32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** Byte swap: the little-endian reading of a big-endian 32-bit word. */
export function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** A 64-bit value as unsigned 32-bit halves. */
export interface U64 {
  hi: number;
  lo: number;
}

/**
 * XXH64 of `bytes[0, len)` with a 32-bit `seed` (XXH64 seeds are 64-bit; the
 * high half is 0 here). Returns the upper 32 bits of the digest; `out`, when
 * given, receives all 64.
 */
export function xxh64(bytes: Uint8Array, len = bytes.length, seed = 0, out?: U64): number {
  let p = 0;
  let hh: number;
  let hl: number;
  if (len >= 32) {
    // Four lanes over 32-byte stripes.
    add(0, seed >>> 0, P1H, P1L);
    add(R[0]!, R[1]!, P2H, P2L);
    let v1h = R[0]!, v1l = R[1]!;
    add(0, seed >>> 0, P2H, P2L);
    let v2h = R[0]!, v2l = R[1]!;
    let v3h = 0, v3l = seed >>> 0;
    add(0, seed >>> 0, 0x61c8864e, 0x7a143579); // seed − P1 = seed + (2^64 − P1)
    let v4h = R[0]!, v4l = R[1]!;
    while (p + 32 <= len) {
      round(v1h, v1l, read32(bytes, p + 4), read32(bytes, p));
      v1h = R[0]!; v1l = R[1]!;
      round(v2h, v2l, read32(bytes, p + 12), read32(bytes, p + 8));
      v2h = R[0]!; v2l = R[1]!;
      round(v3h, v3l, read32(bytes, p + 20), read32(bytes, p + 16));
      v3h = R[0]!; v3l = R[1]!;
      round(v4h, v4l, read32(bytes, p + 28), read32(bytes, p + 24));
      v4h = R[0]!; v4l = R[1]!;
      p += 32;
    }
    rotl(v1h, v1l, 1);
    hh = R[0]!; hl = R[1]!;
    rotl(v2h, v2l, 7);
    add(hh, hl, R[0]!, R[1]!);
    hh = R[0]!; hl = R[1]!;
    rotl(v3h, v3l, 12);
    add(hh, hl, R[0]!, R[1]!);
    hh = R[0]!; hl = R[1]!;
    rotl(v4h, v4l, 18);
    add(hh, hl, R[0]!, R[1]!);
    mergeRound(R[0]!, R[1]!, v1h, v1l);
    mergeRound(R[0]!, R[1]!, v2h, v2l);
    mergeRound(R[0]!, R[1]!, v3h, v3l);
    mergeRound(R[0]!, R[1]!, v4h, v4l);
  } else {
    add(0, seed >>> 0, P5H, P5L);
  }
  add(R[0]!, R[1]!, 0, len);
  hh = R[0]!; hl = R[1]!;
  for (; p + 8 <= len; p += 8) {
    round(0, 0, read32(bytes, p + 4), read32(bytes, p));
    rotl((hh ^ R[0]!) >>> 0, (hl ^ R[1]!) >>> 0, 27);
    mul(R[0]!, R[1]!, P1H, P1L);
    add(R[0]!, R[1]!, P4H, P4L);
    hh = R[0]!; hl = R[1]!;
  }
  if (p + 4 <= len) {
    mul(0, read32(bytes, p), P1H, P1L);
    rotl((hh ^ R[0]!) >>> 0, (hl ^ R[1]!) >>> 0, 23);
    mul(R[0]!, R[1]!, P2H, P2L);
    add(R[0]!, R[1]!, P3H, P3L);
    hh = R[0]!; hl = R[1]!;
    p += 4;
  }
  for (; p < len; p++) {
    mul(0, bytes[p]!, P5H, P5L);
    rotl((hh ^ R[0]!) >>> 0, (hl ^ R[1]!) >>> 0, 11);
    mul(R[0]!, R[1]!, P1H, P1L);
    hh = R[0]!; hl = R[1]!;
  }
  avalanche(hh, hl);
  if (out !== undefined) {
    out.hi = R[0]!;
    out.lo = R[1]!;
  }
  return R[0]!;
}

// The fast paths below keep both halves in local variables as int32 bit
// patterns and compute carries by unsigned comparison: no stores through R and
// fewer large doubles to truncate, about twice as fast as the general path.

/** High 32 bits of the unsigned 64-bit product a × b of two 32-bit patterns. */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** High half of the low 64 bits of (h, l) × (bh, bl); the low half is Math.imul(l, bl). */
function mulHigh(h: number, l: number, bh: number, bl: number): number {
  return (mulHi32(l, bl) + Math.imul(h, bl) + Math.imul(l, bh)) | 0;
}

/** The carry out of a 32-bit addition whose wrapped sum is `sum` and one addend `b`. */
function carry(sum: number, b: number): number {
  return sum >>> 0 < b >>> 0 ? 1 : 0;
}

/** Upper 32 bits of avalanche(h, l). */
function avalancheHigh(h: number, l: number): number {
  l ^= h >>> 1; // ^= >> 33
  let t = mulHigh(h, l, P2H, P2L);
  l = Math.imul(l, P2L);
  h = t ^ (t >>> 29); // ^= >> 29
  l ^= (l >>> 29) | (t << 3);
  return mulHigh(h, l, P3H, P3L) >>> 0; // the final ^= >> 32 changes only the low half
}

/**
 * Upper 32 bits of XXH64 (seed 0) of the 4 bytes of `key` in network
 * (big-endian) order: `xxh64` specialised to one 4-byte tail, for the hot path.
 */
export function xxh64Int(key: number): number {
  // h = (P5 + 4) ^ (k × P1)
  const k = bswap32(key);
  let h = P5H ^ mulHigh(0, k, P1H, P1L);
  let l = (P5L + 4) ^ Math.imul(k, P1L);
  // h = rotl(h, 23) × P2 + P3
  const t = (h << 23) | (l >>> 9);
  l = (l << 23) | (h >>> 9);
  h = mulHigh(t, l, P2H, P2L);
  l = (Math.imul(l, P2L) + P3L) | 0;
  h = (h + P3H + carry(l, P3L)) | 0;
  return avalancheHigh(h, l);
}

/**
 * Upper 32 bits of XXH64 (seed 0) of 8 bytes: `a` then `b`, each big-endian
 * (`xxh64` specialised to one 8-byte tail).
 */
export function xxh64Pair(a: number, b: number): number {
  // k = round(0, input) = rotl(input × P2, 31) × P1, input read little-endian
  let l = bswap32(a);
  let h = mulHigh(bswap32(b), l, P2H, P2L);
  l = Math.imul(l, P2L);
  let t = (h << 31) | (l >>> 1);
  l = (l << 31) | (h >>> 1);
  h = mulHigh(t, l, P1H, P1L);
  l = Math.imul(l, P1L);
  // h = (P5 + 8) ^ k, then rotl(h, 27) × P1 + P4
  h ^= P5H;
  l ^= P5L + 8;
  t = (h << 27) | (l >>> 5);
  l = (l << 27) | (h >>> 5);
  h = mulHigh(t, l, P1H, P1L);
  l = (Math.imul(l, P1L) + P4L) | 0;
  h = (h + P4H + carry(l, P4L)) | 0;
  return avalancheHigh(h, l);
}
