import { describe, expect, it } from 'vitest';
import {
  crc32,
  djb2,
  formatIPv4,
  fullHash,
  hashString,
  hashType,
  hashTypeLine,
  parseHashType,
  parseIPv4,
  sdbm,
  sourceKeyV4,
  sourceKeyV6,
  stringKey,
  wt6,
} from '../../../src/balancers/hashing/haproxy/hash.js';

/**
 * Expected values come from HAProxy v2.6's own src/hash.c and
 * include/haproxy/intops.h __full_hash, compiled with gcc -O2 on x86_64
 * (the functions copied verbatim, called on these byte strings).
 */
const STRINGS = ['', 'a', 'abc', 'client-000123', 'The quick brown fox jumps over the lazy dog', 'été', '0123456789abcdefg'];
const C_ORACLE: Record<string, number[]> = {
  sdbm: [0, 97, 807794786, 2701810788, 2359783795, 2918081268, 1353364767],
  djb2: [5381, 177670, 193485963, 660214423, 885799134, 371613105, 1980257230],
  wt6: [4187620192, 1900802597, 2483038440, 2562278544, 3840389189, 424615331, 1986640218],
  crc32: [0, 3904355907, 891568578, 3186284120, 1095738169, 1154575572, 3194797712],
};
const BYTE_FNS = { sdbm, djb2, wt6, crc32 } as const;

describe('HAProxy hash functions (src/hash.c)', () => {
  for (const [name, expected] of Object.entries(C_ORACLE)) {
    it(`${name} matches HAProxy's C on bytes and on strings`, () => {
      const fn = BYTE_FNS[name as keyof typeof BYTE_FNS];
      STRINGS.forEach((s, i) => {
        const bytes = new TextEncoder().encode(s);
        expect(fn(bytes), `${name}(${JSON.stringify(s)})`).toBe(expected[i]);
        expect(hashString(name as keyof typeof BYTE_FNS, s)).toBe(expected[i]);
      });
    });
  }

  it('sdbm by hand: "ab" = 98 + 97 × 65599', () => {
    expect(sdbm([97, 98])).toBe((98 + 97 * 65599) >>> 0);
    expect(djb2([97, 98])).toBe(((5381 * 33 + 97) * 33 + 98) >>> 0);
  });

  it('crc32 is the standard CRC-32 (check value of "123456789" = 0xCBF43926)', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('respects len', () => {
    const b = new TextEncoder().encode('abcdef');
    expect(sdbm(b, 3)).toBe(C_ORACLE.sdbm![2]);
    expect(crc32(b, 3)).toBe(C_ORACLE.crc32![2]);
  });
});

describe('full_hash (include/haproxy/intops.h)', () => {
  it('matches HAProxy C', () => {
    const cases: [number, number][] = [
      [0, 2874071335],
      [1, 881230262],
      [2, 3798448204],
      [4096, 1237450891],
      [4097, 2761370759],
      [4111, 906145652],
      [8192, 1079705203],
      [0x7f000001, 2317047883],
      [0xffffffff, 2120532354],
      [0x7f2a0b0c, 231722318],
    ];
    for (const [a, h] of cases) expect(fullHash(a), `full_hash(${a})`).toBe(h);
  });

  it('is a bijection on a sample (no two of 200k inputs collide)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200_000; i++) seen.add(fullHash(i * 4096 + (i % 4096)));
    expect(seen.size).toBe(200_000);
  });
});

describe('key derivation (src/backend.c)', () => {
  it('balance source, IPv4: the address itself, or full_hash of it with avalanche', () => {
    const ip = parseIPv4('127.42.11.12');
    expect(ip).toBe(0x7f2a0b0c);
    expect(formatIPv4(ip)).toBe('127.42.11.12');
    expect(sourceKeyV4(ip, false)).toBe(0x7f2a0b0c);
    expect(sourceKeyV4(ip, true)).toBe(231722318);
  });

  it('balance source, IPv6: XOR of the four big-endian words', () => {
    const b = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78];
    const x = (0x20010db8 ^ 0x00000001 ^ 0 ^ 0x12345678) >>> 0;
    expect(sourceKeyV6(b, false)).toBe(x);
    expect(sourceKeyV6(b, true)).toBe(fullHash(x));
  });

  it('parseIPv4 rejects junk', () => {
    expect(() => parseIPv4('1.2.3')).toThrow();
    expect(() => parseIPv4('1.2.3.256')).toThrow();
  });

  it('hash-type defaults as cfgparse-listen.c parses them', () => {
    expect(hashType('consistent')).toEqual({ method: 'consistent', fn: 'sdbm', avalanche: true });
    expect(hashType('map-based')).toEqual({ method: 'map-based', fn: 'sdbm', avalanche: false });
    expect(hashType('consistent', 'sdbm')).toEqual({ method: 'consistent', fn: 'sdbm', avalanche: false });
    expect(hashTypeLine(hashType('consistent', 'wt6', true))).toBe('hash-type consistent wt6 avalanche');
    expect(parseHashType('consistent')).toEqual(hashType('consistent'));
    expect(parseHashType('map-based crc32 avalanche')).toEqual({ method: 'map-based', fn: 'crc32', avalanche: true });
    expect(() => parseHashType('avalanche')).toThrow();
    expect(() => parseHashType('consistent md5')).toThrow();
  });

  it('hdr / url_param key: gen_hash then optional full_hash', () => {
    expect(stringKey('client-000123', { fn: 'sdbm', avalanche: false })).toBe(2701810788);
    expect(stringKey('client-000123', { fn: 'sdbm', avalanche: true })).toBe(fullHash(2701810788));
    expect(stringKey('client-000123', { fn: 'crc32', avalanche: false })).toBe(3186284120);
  });
});
