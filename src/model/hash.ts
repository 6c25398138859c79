/**
 * Hash helpers shared by the model (scrambled client addresses) and hashing
 * balancers. MurmurHash3's finaliser `fmix32` lives in the engine (its
 * counter-based uniforms are built on it) and is re-exported here.
 */
import { fmix32 } from '../engine/index.js';

export { fmix32 };

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
