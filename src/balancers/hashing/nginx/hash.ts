/**
 * nginx 1.22.1 `hash $key` without `consistent`
 * (src/http/modules/ngx_http_upstream_hash_module.c,
 * ngx_http_upstream_get_hash_peer). Compatible with Cache::Memcached.
 *
 * ```ts
 * const lb = new NginxHash(servers);                              // ALL configured servers, configuration order
 * const s = lb.route('127.1.2.3', now, refuses);              // `hash $remote_addr`; undefined = 502
 * lb.begin(req, key); lb.get(req, now, isDown); lb.free(req, now, failed); // attempt by attempt
 * ```
 *
 * The key is the evaluated key expression: a string (hashed as its UTF-8
 * bytes), bytes, or a non-negative integer (hashed as its decimal digits). Probe k (k = 0, 1, …, continuing across the request's
 * attempts) computes `crc32([k] key)` — the decimal k prepended from the
 * second probe on — and adds `(crc >> 16) & 0x7fff` to a running sum; the
 * peer is the sum mod Σweight, walking all configured peers by weight. A
 * probe on a peer that is tried, down, failed or full is rejected; after 21
 * rejected probes in one request, with a single server, or with an empty
 * key, the request goes to round robin. See peers.ts for the shared API.
 */
import { CRC32_INIT, crc32Final, crc32Update, crc32UpdateDecimal, crc32UpdateString } from './crc32.js';
import { NginxBalancer, peerChosen, peerUsable, type NginxRequest, type NginxServerLike } from './peers.js';
import { getRoundRobinPeer } from './roundRobin.js';

/**
 * The evaluated key: a string (its UTF-8 bytes), bytes, or a non-negative
 * integer standing for its decimal digits (a numeric client id in a
 * header: `12345` hashes as "12345", without building the string).
 */
export type HashKey = string | Uint8Array | number;

/** Stores the key in the request (ngx_http_complex_value into `hp->key`). */
export function setKey(req: NginxRequest, key: HashKey): void {
  req.keyString = '';
  req.keyBytes = undefined;
  req.keyNumber = -1;
  if (typeof key === 'number') {
    if (!Number.isSafeInteger(key) || key < 0) throw new Error(`nginx hash: a numeric key must be a non-negative integer, got ${key}`);
    req.keyNumber = key;
    req.keyEmpty = false;
    return;
  }
  if (typeof key === 'string') req.keyString = key;
  else req.keyBytes = key;
  req.keyEmpty = key.length === 0;
}

/** crc32 of the request's key, continuing `crc` (without final). */
export function crcKey(crc: number, req: NginxRequest): number {
  if (req.keyNumber >= 0) return crc32UpdateDecimal(crc, req.keyNumber);
  return req.keyBytes !== undefined ? crc32Update(crc, req.keyBytes) : crc32UpdateString(crc, req.keyString);
}

/**
 * One probe's hash (the loop body of ngx_http_upstream_get_hash_peer):
 * `(crc32([rehash] key) >> 16) & 0x7fff`, the decimal rehash counter omitted
 * when it is 0.
 */
export function rehashValue(key: HashKey, rehash: number): number {
  let crc = CRC32_INIT;
  if (rehash > 0) crc = crc32UpdateDecimal(crc, rehash);
  if (typeof key === 'number') crc = crc32UpdateDecimal(crc, key);
  else crc = typeof key === 'string' ? crc32UpdateString(crc, key) : crc32Update(crc, key);
  return (crc32Final(crc) >>> 16) & 0x7fff;
}

export class NginxHash<S extends NginxServerLike> extends NginxBalancer<S, HashKey> {
  /** ngx_http_upstream_init_hash_peer: tries = rehash = hash = 0. */
  begin(req: NginxRequest, key: HashKey): void {
    req.reset(this.peers);
    setKey(req, key);
  }

  /** ngx_http_upstream_get_hash_peer. */
  get(req: NginxRequest, now: number, isDown?: (server: S) => boolean): S | undefined {
    const peers = this.peers;
    const t = Math.floor(now);
    const p = req.hashTries > 20 || peers.single || req.keyEmpty ? getRoundRobinPeer(peers, req, t, isDown) : this.probe(req, t, isDown);
    if (p < 0) return undefined;
    req.attempts++;
    return peers.list[p]!.server;
  }

  /** The hash loop of ngx_http_upstream_get_hash_peer; round robin after 21 rejected probes. */
  private probe(req: NginxRequest, t: number, isDown: ((server: S) => boolean) | undefined): number {
    const peers = this.peers;
    for (;;) {
      let crc = CRC32_INIT;
      if (req.rehash > 0) crc = crc32UpdateDecimal(crc, req.rehash);
      crc = crc32Final(crcKey(crc, req));
      req.hash = (req.hash + ((crc >>> 16) & 0x7fff)) >>> 0;
      req.rehash++;
      const p = peers.walk(req.hash % peers.totalWeight);
      if (!req.isTried(p) && peerUsable(peers.list[p]!, t, isDown)) {
        req.current = p;
        peerChosen(peers.list[p]!, t);
        req.setTried(p);
        return p;
      }
      if (++req.hashTries > 20) return getRoundRobinPeer(peers, req, t, isDown);
    }
  }
}
