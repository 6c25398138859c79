/**
 * nginx's CRC-32 (src/core/ngx_crc32.h, ngx_crc32.c of nginx 1.22.1): the
 * reflected IEEE 802.3 CRC (polynomial 0xEDB88320, as zlib and PNG), table
 * driven, one byte at a time. The hash modules use it in three steps:
 *
 * ```ts
 * let crc = CRC32_INIT;                 // ngx_crc32_init(crc)
 * crc = crc32Update(crc, bytes);        // ngx_crc32_update(&crc, p, len), repeatable
 * crc = crc32Final(crc);                // ngx_crc32_final(crc)
 * crc32(bytes) === crc32Final(crc32Update(CRC32_INIT, bytes)); // ngx_crc32_long(p, len)
 * ```
 *
 * Strings are hashed as their UTF-8 bytes (an nginx variable is bytes; the
 * encoding is done on the fly, nothing is allocated). All values are unsigned
 * 32-bit numbers. Imports nothing: runs in a browser too.
 */

/**
 * ngx_crc32_table256 (ngx_crc32.c). nginx writes it out as a literal; this is
 * the same table computed from its polynomial (the tests compare entries with
 * the literal).
 */
export const CRC32_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** ngx_crc32_init (ngx_crc32.h): `crc = 0xffffffff`. */
export const CRC32_INIT = 0xffffffff;

/** ngx_crc32_final (ngx_crc32.h): `crc ^= 0xffffffff`. */
export function crc32Final(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}

/** ngx_crc32_update (ngx_crc32.h) over `bytes[start, end)`. */
export function crc32Update(crc: number, bytes: ArrayLike<number>, start = 0, end = bytes.length): number {
  const table = CRC32_TABLE;
  let c = crc >>> 0;
  for (let i = start; i < end; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

/** ngx_crc32_update over one byte. */
export function crc32UpdateByte(crc: number, byte: number): number {
  return (CRC32_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)) >>> 0;
}

/** ngx_crc32_update over the 4 bytes of `value` in little-endian order (the chash points' `prev_hash`, on x86). */
export function crc32UpdateU32LE(crc: number, value: number): number {
  crc = crc32UpdateByte(crc, value & 0xff);
  crc = crc32UpdateByte(crc, (value >>> 8) & 0xff);
  crc = crc32UpdateByte(crc, (value >>> 16) & 0xff);
  return crc32UpdateByte(crc, (value >>> 24) & 0xff);
}

/** ngx_crc32_update over the UTF-8 bytes of `s` (lone surrogates as U+FFFD, as TextEncoder does). */
export function crc32UpdateString(crc: number, s: string): number {
  const table = CRC32_TABLE;
  let c = crc >>> 0;
  for (let i = 0; i < s.length; i++) {
    let u = s.charCodeAt(i);
    if (u < 0x80) {
      c = table[(c ^ u) & 0xff]! ^ (c >>> 8);
      continue;
    }
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      } else u = 0xfffd;
    } else if (u >= 0xd800 && u <= 0xdfff) u = 0xfffd;
    if (u < 0x800) {
      c = table[(c ^ (0xc0 | (u >> 6))) & 0xff]! ^ (c >>> 8);
    } else if (u < 0x10000) {
      c = table[(c ^ (0xe0 | (u >> 12))) & 0xff]! ^ (c >>> 8);
      c = table[(c ^ (0x80 | ((u >> 6) & 0x3f))) & 0xff]! ^ (c >>> 8);
    } else {
      c = table[(c ^ (0xf0 | (u >> 18))) & 0xff]! ^ (c >>> 8);
      c = table[(c ^ (0x80 | ((u >> 12) & 0x3f))) & 0xff]! ^ (c >>> 8);
      c = table[(c ^ (0x80 | ((u >> 6) & 0x3f))) & 0xff]! ^ (c >>> 8);
    }
    c = table[(c ^ (0x80 | (u & 0x3f))) & 0xff]! ^ (c >>> 8);
  }
  return c >>> 0;
}

/** ngx_crc32_update over the decimal digits of a non-negative integer (`ngx_sprintf(buf, "%ui", n)`). */
export function crc32UpdateDecimal(crc: number, n: number): number {
  if (n >= 10) crc = crc32UpdateDecimal(crc, Math.floor(n / 10));
  return crc32UpdateByte(crc, 0x30 + (n % 10));
}

/** ngx_crc32_long (ngx_crc32.h): the whole CRC of a byte string or of a string's UTF-8 bytes. */
export function crc32(data: string | ArrayLike<number>): number {
  return crc32Final(typeof data === 'string' ? crc32UpdateString(CRC32_INIT, data) : crc32Update(CRC32_INIT, data));
}
