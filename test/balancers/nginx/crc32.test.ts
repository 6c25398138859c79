import { describe, expect, it } from 'vitest';
import {
  CRC32_INIT, CRC32_TABLE, crc32, crc32Final, crc32Update, crc32UpdateByte, crc32UpdateDecimal, crc32UpdateString, crc32UpdateU32LE,
} from '../../../src/balancers/hashing/nginx/crc32.js';

// Expected values from nginx 1.22.1's own ngx_crc32_long and ngx_crc32_table256,
// compiled with gcc (a throw-away oracle copying src/core/ngx_crc32.{c,h}).
describe('ngx_crc32', () => {
  it('has nginx\'s table', () => {
    expect(CRC32_TABLE[0]).toBe(0x00000000);
    expect(CRC32_TABLE[1]).toBe(0x77073096);
    expect(CRC32_TABLE[2]).toBe(0xee0e612c);
    expect(CRC32_TABLE[128]).toBe(0xedb88320);
    expect(CRC32_TABLE[255]).toBe(0x2d02ef8d);
  });

  it('matches ngx_crc32_long', () => {
    expect(crc32('')).toBe(0x00000000);
    expect(crc32('a')).toBe(0xe8b7be43);
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('127.0.0.1')).toBe(0xd7b7e7a8);
    expect(crc32('client-42')).toBe(0xc38302c7);
    // UTF-8 bytes: "héllo € 😀"
    expect(crc32('h\u00e9llo \u20ac \u{1f600}')).toBe(0xf0af6667);
    expect(crc32(new TextEncoder().encode('h\u00e9llo \u20ac \u{1f600}'))).toBe(0xf0af6667);
  });

  it('init / update / final compose like one pass', () => {
    let c = CRC32_INIT;
    c = crc32UpdateString(c, '1234');
    c = crc32Update(c, [0x35, 0x36]);
    c = crc32UpdateByte(c, 0x37);
    c = crc32UpdateDecimal(c, 89);
    expect(crc32Final(c)).toBe(0xcbf43926);
    expect(crc32Final(crc32UpdateDecimal(CRC32_INIT, 0))).toBe(crc32('0'));
    expect(crc32Final(crc32UpdateDecimal(CRC32_INIT, 1234567))).toBe(crc32('1234567'));
    expect(crc32Final(crc32UpdateU32LE(CRC32_INIT, 0x04030201))).toBe(crc32([1, 2, 3, 4]));
  });
});
