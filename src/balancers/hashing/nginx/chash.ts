/**
 * nginx 1.22.1 `hash $key consistent`, ketama compatible with
 * Cache::Memcached::Fast (src/http/modules/ngx_http_upstream_hash_module.c).
 *
 * ```ts
 * const lb = new NginxConsistentHash(servers, { address: (s) => `127.0.0.1:${8000 + s.id}` });
 * const s = lb.route('client-42', now, refuses);               // undefined = 502
 * lb.begin(req, key); lb.get(req, now, isDown); lb.free(req, now, failed); // attempt by attempt
 * ```
 *
 * `address` is REQUIRED here: the server as written in its `server`
 * directive ("host:port", "unix:/path", "name"); the points are hashed from
 * it. Each configured server gets 160 points per unit of weight
 * (`down` ones included); the key (a string's UTF-8 bytes, or bytes) maps to
 * the first point at or after crc32(key), wrapping (the key: a string's
 * UTF-8 bytes, bytes, or a non-negative integer's decimal digits). Walking forward point by
 * point, the first point whose server has an eligible peer (not tried, not
 * down, not failed, not full) wins — among several peers with that same
 * server name, the smooth weighted round robin picks one. Each point passed
 * over counts as a rejected try; after 21 in one request, with a single
 * server, or with an empty key, the request goes to round robin. The point
 * index carries to the request's next attempt. See peers.ts for the shared API.
 */
import { CRC32_INIT, crc32, crc32Final, crc32UpdateByte, crc32UpdateString, crc32UpdateU32LE } from './crc32.js';
import { crcKey, setKey, type HashKey } from './hash.js';
import { NginxBalancer, peerChosen, peerUsable, type NginxRequest, type NginxServerLike, type NginxUpstreamOptions } from './peers.js';
import { getRoundRobinPeer } from './roundRobin.js';

/** Points per unit of weight (ngx_http_upstream_init_chash: `npoints = peer->weight * 160`). */
export const CHASH_POINTS_PER_WEIGHT = 160;

/**
 * The host and port parts ngx_http_upstream_init_chash hashes from a
 * server's name: "unix:" + path → the path and no port; otherwise the
 * trailing digits after the last ':' are the port when they reach a ':';
 * else the whole name is the host and there is no port.
 */
export function splitServerName(name: string): { host: string; port: string } {
  if (name.length >= 5 && name.slice(0, 5).toLowerCase() === 'unix:') return { host: name.slice(5), port: '' };
  for (let j = 0; j < name.length; j++) {
    const c = name.charCodeAt(name.length - j - 1);
    if (c === 0x3a /* ':' */) return { host: name.slice(0, name.length - j - 1), port: name.slice(name.length - j) };
    if (c < 0x30 || c > 0x39) break;
  }
  return { host: name, port: '' };
}

/**
 * The points of one server (ngx_http_upstream_init_chash): base =
 * crc32_update(HOST "\0" PORT); point j = crc32(base ‖ prev) where prev is
 * the previous point's value as 4 little-endian bytes (nginx copies the
 * uint32 through a union: its memory order, little-endian on x86 and arm64;
 * big-endian hosts write the same little-endian bytes explicitly), 0 for the
 * first point.
 */
export function serverPoints(name: string, count: number, out: number[] = []): number[] {
  const { host, port } = splitServerName(name);
  let base = crc32UpdateString(CRC32_INIT, host);
  base = crc32UpdateByte(base, 0);
  base = crc32UpdateString(base, port);
  let prev = 0;
  for (let j = 0; j < count; j++) {
    const hash = crc32Final(crc32UpdateU32LE(base, prev));
    out.push(hash);
    prev = hash;
  }
  return out;
}

export class NginxConsistentHash<S extends NginxServerLike> extends NginxBalancer<S, HashKey> {
  /** Sorted, distinct point values. */
  readonly points: Uint32Array;
  /** The server-name group of each point. */
  private readonly pointGroup: Uint32Array;
  /** Peer indices of each server name, in configuration order. */
  private readonly groups: Uint32Array[];

  constructor(servers: readonly S[], options: NginxUpstreamOptions<S> & { address: (server: S) => string }) {
    super(servers, options);
    const list = this.peers.list;
    // Peers sharing a `server` name (one name resolving to several addresses) form one group.
    const groupOf = new Map<string, number>();
    const members: number[][] = [];
    const hashes: number[] = [];
    const owner: number[] = [];
    for (const peer of list) {
      let g = groupOf.get(peer.name);
      if (g === undefined) {
        g = members.length;
        groupOf.set(peer.name, g);
        members.push([]);
      }
      members[g]!.push(peer.index);
      const from = hashes.length;
      serverPoints(peer.name, peer.weight * CHASH_POINTS_PER_WEIGHT, hashes);
      for (let j = from; j < hashes.length; j++) owner.push(g);
    }
    this.groups = members.map((m) => Uint32Array.from(m));
    // ngx_qsort (glibc qsort: a merge sort, stable, on Debian 12's glibc 2.36) by value, then
    // duplicates dropped keeping the first of each run: on equal values the server configured first wins.
    const order = hashes.map((_, i) => i).sort((a, b) => hashes[a]! - hashes[b]! || a - b);
    const keep: number[] = [];
    for (const i of order) if (keep.length === 0 || hashes[keep[keep.length - 1]!] !== hashes[i]) keep.push(i);
    this.points = Uint32Array.from(keep, (i) => hashes[i]!);
    this.pointGroup = Uint32Array.from(keep, (i) => owner[i]!);
  }

  /** ngx_http_upstream_find_chash_point: index of the first point ≥ hash (may be points.length: the walk wraps). */
  findPoint(hash: number): number {
    const pts = this.points;
    let i = 0;
    let j = pts.length;
    while (i < j) {
      const k = (i + j) >>> 1;
      if (hash > pts[k]!) i = k + 1;
      else if (hash < pts[k]!) j = k;
      else return k;
    }
    return i;
  }

  /** ngx_http_upstream_init_chash_peer: the key's point, from crc32(key). */
  begin(req: NginxRequest, key: HashKey): void {
    req.reset(this.peers);
    setKey(req, key);
    req.hash = this.findPoint(crc32Final(crcKey(CRC32_INIT, req)));
  }

  /** ngx_http_upstream_get_chash_peer. */
  get(req: NginxRequest, now: number, isDown?: (server: S) => boolean): S | undefined {
    const peers = this.peers;
    const t = Math.floor(now);
    const p = req.hashTries > 20 || peers.single || req.keyEmpty ? getRoundRobinPeer(peers, req, t, isDown) : this.walk(req, t, isDown);
    if (p < 0) return undefined;
    req.attempts++;
    return peers.list[p]!.server;
  }

  /** The point walk of ngx_http_upstream_get_chash_peer; round robin after 21 points passed over. */
  private walk(req: NginxRequest, t: number, isDown: ((server: S) => boolean) | undefined): number {
    const list = this.peers.list;
    const n = this.points.length;
    for (;;) {
      const group = this.groups[this.pointGroup[req.hash % n]!]!;
      let best = -1;
      let bestWeight = 0;
      let total = 0;
      for (let k = 0; k < group.length; k++) {
        const i = group[k]!;
        if (req.isTried(i)) continue;
        const peer = list[i]!;
        if (!peerUsable(peer, t, isDown)) continue;
        peer.currentWeight += peer.effectiveWeight;
        total += peer.effectiveWeight;
        if (peer.effectiveWeight < peer.weight) peer.effectiveWeight++;
        if (best < 0 || peer.currentWeight > bestWeight) {
          best = i;
          bestWeight = peer.currentWeight;
        }
      }
      if (best >= 0) {
        const peer = list[best]!;
        peer.currentWeight -= total;
        req.current = best;
        peerChosen(peer, t);
        req.setTried(best);
        return best;
      }
      req.hash = (req.hash + 1) >>> 0;
      if (++req.hashTries > 20) return getRoundRobinPeer(this.peers, req, t, isDown);
    }
  }

  /** The server a key maps to with every peer eligible (the first peer of its point's server name; no state changes). */
  owner(key: HashKey): S {
    const point = this.findPoint(crc32(typeof key === 'number' ? String(key) : key)) % this.points.length;
    return this.peers.list[this.groups[this.pointGroup[point]!]![0]!]!.server;
  }
}
