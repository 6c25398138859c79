import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import xxhash, { type XXHashAPI } from 'xxhash-wasm';
import { stream, uint32 } from '../../src/engine/random.js';
import { HASH_FUNCTION_NAMES, HASH_FUNCTIONS, hashFunction, type HashFunctionName } from '../../src/balancers/hashing/functions.js';
import { xxh64, type U64 } from '../../src/balancers/hashing/xxh64.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** The bytes the key forms hash: big-endian 32-bit words. */
function be(...words: number[]): Uint8Array {
  const b = new Uint8Array(words.length * 4);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w));
  return b;
}

describe('xxh64 against the reference implementation (xxhash-wasm)', () => {
  let ref: XXHashAPI;
  beforeAll(async () => {
    ref = await xxhash();
  });
  const rnd = stream(7, 'xxh64');
  const digest = (bytes: Uint8Array, seed: number): bigint => {
    const out: U64 = { hi: 0, lo: 0 };
    const top = xxh64(bytes, bytes.length, seed, out);
    expect(top).toBe(out.hi);
    return (BigInt(out.hi) << 32n) | BigInt(out.lo);
  };

  it('matches h64Raw on random inputs of every length 0–40, seed 0 and random seeds', () => {
    for (let len = 0; len <= 40; len++) {
      for (let t = 0; t < 40; t++) {
        const bytes = Uint8Array.from({ length: len }, () => uint32(rnd) & 255);
        const seed = t < 20 ? 0 : uint32(rnd);
        expect(digest(bytes, seed)).toBe(ref.h64Raw(bytes, BigInt(seed)));
      }
    }
  });

  it('matches on longer inputs: several 32-byte stripes and every tail', () => {
    for (let len = 41; len <= 200; len++) {
      const bytes = Uint8Array.from({ length: len }, () => uint32(rnd) & 255);
      expect(digest(bytes, 0)).toBe(ref.h64Raw(bytes, 0n));
    }
  });

  it('hashes only the first len bytes of a longer buffer', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => i * 7);
    expect(digest(bytes.subarray(0, 13), 0)).toBe(ref.h64Raw(bytes.subarray(0, 13), 0n));
    expect(xxh64(bytes, 13)).toBe(Number(ref.h64Raw(bytes.subarray(0, 13)) >> 32n));
  });

  it('int: the upper 32 bits of XXH64 of the key as 4 big-endian bytes', () => {
    const keys = [0, 1, 255, 256, 0x0a000001, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff];
    for (let i = 0; i < 5000; i++) keys.push(uint32(rnd));
    const int = HASH_FUNCTIONS.xxh64.int;
    for (const k of keys) expect(int(k)).toBe(Number(ref.h64Raw(be(k)) >> 32n));
  });

  it('pair: the upper 32 bits of XXH64 of two big-endian words', () => {
    const pair = HASH_FUNCTIONS.xxh64.pair;
    for (let i = 0; i < 2000; i++) {
      const a = uint32(rnd);
      const b = uint32(rnd);
      expect(pair(a, b)).toBe(Number(ref.h64Raw(be(a, b)) >> 32n));
    }
  });

  it('str: UTF-8 bytes, with a seed', () => {
    const { str } = HASH_FUNCTIONS.xxh64;
    for (const s of ['', 's1', 's12-159', 'héllo wörld', '日本語のサーバー', '🙂 emoji', 'x'.repeat(300)]) {
      expect(str(s)).toBe(Number(ref.h64(s) >> 32n));
      expect(str(s, 1)).toBe(Number(ref.h64(s, 1n) >> 32n));
    }
  });
});

describe('published test vectors', () => {
  it('murmur3 (x86_32)', () => {
    const { str } = HASH_FUNCTIONS.murmur3;
    expect(str('', 0)).toBe(0);
    expect(str('', 1)).toBe(0x514e28b7);
    expect(str('', 0xffffffff)).toBe(0x81f16f39);
    expect(str('abc')).toBe(0xb3dd93fa);
    expect(str('hello')).toBe(0x248bfa47);
    expect(str('aaaa', 0x9747b28c)).toBe(0x5a97808a);
    expect(str('Hello, world!', 0x9747b28c)).toBe(0x24884cba);
    expect(str('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
  });

  it('fnv1a (32-bit)', () => {
    const { str } = HASH_FUNCTIONS.fnv1a;
    expect(str('')).toBe(0x811c9dc5);
    expect(str('a')).toBe(0xe40c292c);
    expect(str('foobar')).toBe(0xbf9cf968);
  });

  it('sdbm (HAProxy hash.c), worked by hand: hash = c + hash × 65599', () => {
    const { str, bytes } = HASH_FUNCTIONS.sdbm;
    expect(str('a')).toBe(97);
    expect(str('ab')).toBe(98 + 97 * 65599); // 6363201
    // Bytes are unsigned (0xff is 255, not −1) and the arithmetic wraps at 2^32.
    expect(bytes(Uint8Array.of(0xff))).toBe(255);
    expect(bytes(Uint8Array.of(0xff, 0xff, 0xff))).toBe(Number((255n * 65599n * 65599n + 255n * 65599n + 255n) % 2n ** 32n));
  });
});

describe('every hash function', () => {
  // Textbook definitions in BigInt, independent of the Math.imul arithmetic.
  const refFnv1a = (b: Uint8Array) => Number(b.reduce((h, c) => ((h ^ BigInt(c)) * 0x01000193n) % 2n ** 32n, 0x811c9dc5n));
  const refSdbm = (b: Uint8Array) => Number(b.reduce((h, c) => (BigInt(c) + h * 65599n) % 2n ** 32n, 0n));

  it('fnv1a and sdbm agree with BigInt definitions on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        expect(HASH_FUNCTIONS.fnv1a.bytes(b)).toBe(refFnv1a(b));
        expect(HASH_FUNCTIONS.sdbm.bytes(b)).toBe(refSdbm(b));
      }),
    );
  });

  it.each(HASH_FUNCTION_NAMES)('%s: int and pair are its byte form of big-endian words; results are uint32', (name: HashFunctionName) => {
    const f = hashFunction(name);
    expect(f.name).toBe(name);
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (a, b) => {
        const i = f.int(a);
        expect(i).toBe(f.bytes(be(a)));
        expect(f.pair(a, b)).toBe(f.bytes(be(a, b)));
        expect(Number.isInteger(i) && i >= 0 && i <= 0xffffffff).toBe(true);
      }),
    );
    expect(f.str('s1-0')).toBe(f.bytes(utf8('s1-0')));
    expect(f.str('s1-0', 1)).not.toBe(f.str('s1-0'));
  });

  it('the default is xxh64, and an unknown name is an error', () => {
    expect(hashFunction()).toBe(HASH_FUNCTIONS.xxh64);
    expect(() => hashFunction('md5' as HashFunctionName)).toThrow(/unknown hash function 'md5'.*xxh64, murmur3, fnv1a, sdbm/);
  });
});
