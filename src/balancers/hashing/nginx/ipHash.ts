/**
 * nginx 1.22.1 `ip_hash` (src/http/modules/ngx_http_upstream_ip_hash_module.c).
 *
 * ```ts
 * const lb = new NginxIpHash(servers);                       // ALL configured servers, configuration order
 * const s = lb.route(0x7f010203, now, refuses);          // client 127.1.2.3; undefined = 502
 * lb.begin(req, ip); lb.get(req, now, isDown); lb.free(req, now, failed); // attempt by attempt
 * ```
 *
 * The key is the client address: an IPv4 address as an unsigned 32-bit
 * number (first octet in the high byte), or the address bytes (4 for IPv4,
 * 16 for IPv6), or null for a client with no IP address (a UNIX socket).
 * IPv4 hashes its first 3 octets (the /24), IPv6 all 16 bytes.
 *
 * The hash starts at 89; each probe folds the address into it
 * (`hash = (hash × 113 + byte) mod 6271`) and walks the configured peers by
 * weight to `hash mod Σweight` — `down` and failed peers included, so the
 * mapping is stable while they are out. A probe landing on a peer that is
 * tried, down, failed or full is rejected and the next probe continues from
 * the same hash; after 21 rejected probes in one request (the first and 20
 * re-hashes), and always with a single server, the request goes to round
 * robin. The hash of the last accepted probe carries to the request's next
 * attempt. See peers.ts for the shared API and state.
 */
import { NginxBalancer, peerChosen, peerUsable, type NginxRequest, type NginxServerLike } from './peers.js';
import { getRoundRobinPeer } from './roundRobin.js';

/** A client address for ip_hash: IPv4 as a uint32, the address bytes (4 or 16), or null (no IP: hashes 3 zero bytes). */
export type IpHashKey = number | Uint8Array | null;

export class NginxIpHash<S extends NginxServerLike> extends NginxBalancer<S, IpHashKey> {
  /**
   * ngx_http_upstream_init_ip_hash_peer: 3 octets of an IPv4 address, 16
   * bytes of IPv6, 3 zero bytes otherwise (ngx_http_upstream_ip_hash_pseudo_addr);
   * hash = 89, tries = 0.
   */
  begin(req: NginxRequest, key: IpHashKey): void {
    req.reset(this.peers);
    const a = req.addr;
    if (typeof key === 'number') {
      a[0] = key >>> 24;
      a[1] = (key >>> 16) & 0xff;
      a[2] = (key >>> 8) & 0xff;
      req.addrLen = 3;
    } else if (key !== null && key.length === 16) {
      a.set(key);
      req.addrLen = 16;
    } else if (key !== null && key.length === 4) {
      a[0] = key[0]!;
      a[1] = key[1]!;
      a[2] = key[2]!;
      req.addrLen = 3;
    } else {
      a[0] = a[1] = a[2] = 0;
      req.addrLen = 3;
    }
    req.hash = 89;
    req.hashTries = 0;
  }

  /** ngx_http_upstream_get_ip_hash_peer. */
  get(req: NginxRequest, now: number, isDown?: (server: S) => boolean): S | undefined {
    const peers = this.peers;
    const t = Math.floor(now);
    const p = req.hashTries > 20 || peers.single ? getRoundRobinPeer(peers, req, t, isDown) : this.probe(req, t, isDown);
    if (p < 0) return undefined;
    req.attempts++;
    return peers.list[p]!.server;
  }

  /** The hash loop of ngx_http_upstream_get_ip_hash_peer; round robin after 21 rejected probes. */
  private probe(req: NginxRequest, t: number, isDown: ((server: S) => boolean) | undefined): number {
    const peers = this.peers;
    const a = req.addr;
    const len = req.addrLen;
    let hash = req.hash;
    for (;;) {
      for (let i = 0; i < len; i++) hash = (hash * 113 + a[i]!) % 6271;
      const p = peers.walk(hash % peers.totalWeight);
      if (!req.isTried(p) && peerUsable(peers.list[p]!, t, isDown)) {
        req.current = p;
        peerChosen(peers.list[p]!, t);
        req.setTried(p);
        req.hash = hash;
        return p;
      }
      if (++req.hashTries > 20) return getRoundRobinPeer(peers, req, t, isDown);
    }
  }
}

/** An IPv4 address "a.b.c.d" as the uint32 ip_hash takes. */
export function ipv4(address: string): number {
  const parts = address.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${address}`);
  let v = 0;
  for (const part of parts) {
    const n = Number(part);
    if (!/^\d{1,3}$/.test(part) || n > 255) throw new Error(`not an IPv4 address: ${address}`);
    v = v * 256 + n;
  }
  return v >>> 0;
}

/** The dotted form of a uint32 IPv4 address (what `$remote_addr` holds). */
export function ipv4String(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}
