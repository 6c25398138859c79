/**
 * Hash helpers shared by the model (scrambled client addresses) and hashing
 * balancers. MurmurHash3's 32-bit finaliser is a bijection on 32-bit integers
 * with full avalanche, which makes it both a good integer hash and a
 * permutation.
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3 (x86, 32-bit) of a string's UTF-16 code units. */
export function murmur3String(key: string, seed = 0): number {
  let h = seed >>> 0;
  const n = key.length;
  for (let i = 0; i < n; i++) {
    let k = key.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= n;
  return fmix32(h);
}

/** Dotted-quad form of an IPv4 address held as an unsigned 32-bit integer. */
export function formatIpv4(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}
