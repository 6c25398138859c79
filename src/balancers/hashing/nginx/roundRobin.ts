/**
 * nginx 1.22.1's smooth weighted round robin, the default method of an
 * `upstream` block and the fall-back of every hash method
 * (src/http/ngx_http_upstream_round_robin.c).
 *
 * ```ts
 * const rr = new NginxRoundRobin(servers);            // servers in configuration order
 * const s = rr.route(undefined, now, refuses);    // one request; or begin/get/free per attempt
 * ```
 *
 * Each choice adds every eligible peer's effective weight to its current
 * weight, takes the peer with the highest current weight (the first on a
 * tie) and subtracts the total from it: weights 5,1,1 give a a b a c a a.
 * Eligible: not tried by this request, not `down`, not failed (max_fails
 * within fail_timeout), under max_conns. See peers.ts for the API and the
 * per-peer state.
 */
import { NginxBalancer, peerChosen, peerUsable, type IsDown, type NginxPeers, type NginxRequest, type NginxServerLike } from './peers.js';

/**
 * ngx_http_upstream_get_peer (ngx_http_upstream_round_robin.c): the smooth
 * weighted choice among eligible peers; marks it tried and current. Returns
 * its index, or -1 when no peer is eligible. `now` in whole seconds.
 */
export function getPeer<S extends NginxServerLike>(peers: NginxPeers<S>, req: NginxRequest, now: number, isDown: IsDown<S>): number {
  const list = peers.list;
  let best = -1;
  let bestWeight = 0;
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    if (req.isTried(i)) continue;
    const peer = list[i]!;
    if (!peerUsable(peer, now, isDown)) continue;
    peer.currentWeight += peer.effectiveWeight;
    total += peer.effectiveWeight;
    if (peer.effectiveWeight < peer.weight) peer.effectiveWeight++;
    if (best < 0 || peer.currentWeight > bestWeight) {
      best = i;
      bestWeight = peer.currentWeight;
    }
  }
  if (best < 0) return -1;
  const peer = list[best]!;
  req.current = best;
  req.setTried(best);
  peer.currentWeight -= total;
  // ngx_http_upstream_get_peer updates `checked`; ngx_http_upstream_get_round_robin_peer counts the connection.
  peerChosen(peer, now);
  return best;
}

/**
 * ngx_http_upstream_get_round_robin_peer (ngx_http_upstream_round_robin.c):
 * with a single peer, that peer unless it is `down` or at max_conns (its
 * failures are not looked at, nor is it marked tried); otherwise
 * ngx_http_upstream_get_peer. Returns the peer's index or -1 (NGX_BUSY;
 * backup servers are not modelled).
 */
export function getRoundRobinPeer<S extends NginxServerLike>(peers: NginxPeers<S>, req: NginxRequest, now: number, isDown: IsDown<S>): number {
  if (peers.single) {
    const peer = peers.list[0]!;
    if (peer.down || (isDown !== undefined && isDown(peer.server))) return -1;
    if (peer.maxConns !== 0 && peer.conns >= peer.maxConns) return -1;
    req.current = 0;
    peer.conns++;
    return 0;
  }
  return getPeer(peers, req, now, isDown);
}

/** The round-robin method itself (an `upstream` block with no balancing directive). */
export class NginxRoundRobin<S extends NginxServerLike> extends NginxBalancer<S, unknown> {
  /** ngx_http_upstream_init_round_robin_peer. The key is ignored. */
  begin(req: NginxRequest, _key?: unknown): void {
    req.reset(this.peers);
  }

  get(req: NginxRequest, now: number, isDown?: (server: S) => boolean): S | undefined {
    const p = getRoundRobinPeer(this.peers, req, Math.floor(now), isDown);
    if (p < 0) return undefined;
    req.attempts++;
    return this.peers.list[p]!.server;
  }
}
