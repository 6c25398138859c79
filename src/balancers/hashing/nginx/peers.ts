/**
 * The state nginx 1.22.1 keeps for an `upstream` block and for one request's
 * attempts, shared by its balancers (round robin, ip_hash, hash, hash
 * consistent): src/http/ngx_http_upstream_round_robin.{c,h}.
 *
 * API (every balancer in this directory, see `NginxBalancer`):
 *
 * ```ts
 * const lb = new NginxIpHash(servers, { maxFails: 1, failTimeout: 10 }); // one `upstream` block (one worker's copy)
 * const s = lb.route(clientIp, now, (s) => !s.up);                        // one request, retried as `proxy_next_upstream error`
 * const t = lb.pick(clientIp, now, (s) => s.draining);                    // one request whose first attempt succeeds
 * // or attempt by attempt, with a request state of your own (no allocation per request):
 * const req = new NginxRequest(servers.length);
 * lb.begin(req, key); const s = lb.get(req, now, isDown); … lb.free(req, now, failed); // get again after a failure
 * ```
 *
 * Every method returns the chosen server object (undefined: no live
 * upstream, a 502). `route`, `pick`, `get` and `free` allocate nothing.
 *
 * - `servers`: ALL configured servers, in configuration order, each with an
 *   `id` and an integer `weight` ≥ 1 (the `weight=` parameter); the
 *   simulator's `Server` fits. The array index is the peer index (the
 *   `tried` bit); `id` is only carried. nginx walks the configured list
 *   including the servers it believes down, so a server that is down stays in
 *   the list; a fleet change is a reload, which in nginx builds a new upstream
 *   with fresh state: build a new balancer.
 * - `now` is in seconds; it is floored, as nginx compares `ngx_time()`
 *   (whole seconds).
 * - `isDown(server)`: servers the balancer treats as the `down` parameter
 *   (skipped wherever nginx tests `peer->down`). Crashed servers nginx does
 *   not know about are modelled instead by `refuses` in `route` (or
 *   `free(req, now, true)`): nginx learns from the failed attempt (passive
 *   health: `max_fails` within `fail_timeout`).
 * - Backup servers (`backup`, round robin only) and slow_start (commercial)
 *   are not modelled. One balancer is one worker's view: without a `zone`,
 *   each nginx worker keeps its own counters.
 *
 * Imports nothing from Node: runs in a browser too.
 */

/** What a configured server must have: an identity and its `weight=` (an integer ≥ 1). */
export interface NginxServerLike {
  readonly id: number;
  readonly weight: number;
}

export interface NginxUpstreamOptions<S> {
  /**
   * The server's address as written in the `server` directive, "host:port"
   * (`127.0.0.1:8081`). `hash … consistent` hashes it into the ring points;
   * the other methods ignore it. Default `server${id}`.
   */
  address?: (server: S) => string;
  /** `max_fails=` (default 1; 0 disables passive health). */
  maxFails?: number | ((server: S) => number);
  /** `fail_timeout=` in seconds (default 10). */
  failTimeout?: number | ((server: S) => number);
  /** `max_conns=` (default 0: unlimited). Counts attempts between `get` and `free`. */
  maxConns?: number | ((server: S) => number);
  /** The `down` parameter in the configuration (counts against `peers->tries`). */
  down?: (server: S) => boolean;
}

/** A predicate for servers to treat as `down` at this moment. */
export type IsDown<S> = ((server: S) => boolean) | undefined;

/**
 * ngx_http_upstream_rr_peer_t (ngx_http_upstream_round_robin.h): one
 * configured server and the balancer's mutable state for it.
 */
export class NginxPeer<S> {
  currentWeight = 0;
  effectiveWeight: number;
  /** Failed attempts counted since the last reset (passive health). */
  fails = 0;
  /** Time (s) of the last failure. */
  accessed = 0;
  /** Time (s) the current fail_timeout window started (last failure, or a probe after the window). */
  checked = 0;
  /** Attempts in progress (between get and free). */
  conns = 0;

  constructor(
    readonly index: number,
    readonly server: S,
    /** `peer->server`: the address as written in the `server` directive. */
    readonly name: string,
    readonly weight: number,
    readonly maxFails: number,
    readonly failTimeout: number,
    readonly maxConns: number,
    readonly down: boolean,
  ) {
    this.effectiveWeight = weight;
  }
}

/**
 * Passive health, the test in ngx_http_upstream_get_peer (and in each hash
 * module's get function): the peer is skipped while it has failed
 * `max_fails` times and its window (`checked` + `fail_timeout`) is open.
 * `now` in whole seconds.
 */
export function peerFailed(peer: NginxPeer<unknown>, now: number): boolean {
  return peer.maxFails !== 0 && peer.fails >= peer.maxFails && now - peer.checked <= peer.failTimeout;
}

/**
 * Every test nginx applies before choosing a peer, in its order (tried is
 * tested by the caller): `down`, failed (max_fails/fail_timeout), max_conns.
 */
export function peerUsable<S>(peer: NginxPeer<S>, now: number, isDown: IsDown<S>): boolean {
  if (peer.down || (isDown !== undefined && isDown(peer.server))) return false;
  if (peerFailed(peer, now)) return false;
  if (peer.maxConns !== 0 && peer.conns >= peer.maxConns) return false;
  return true;
}

/**
 * What a chosen peer records (the tail of ngx_http_upstream_get_peer and of
 * the hash modules' get functions): one more connection, and a new
 * fail_timeout window if the last one has closed — so after `fail_timeout`,
 * one attempt goes to a failed peer and the next ones skip it again until
 * that attempt succeeds (then `free` resets `fails`).
 */
export function peerChosen(peer: NginxPeer<unknown>, now: number): void {
  peer.conns++;
  if (now - peer.checked > peer.failTimeout) peer.checked = now;
}

/**
 * ngx_http_upstream_rr_peers_t (ngx_http_upstream_round_robin.c,
 * ngx_http_upstream_init_round_robin): the configured servers as peers, in
 * configuration order, and their totals.
 */
export class NginxPeers<S extends NginxServerLike> {
  readonly list: NginxPeer<S>[];
  /** Σ weights over all peers (`down` ones included). */
  readonly totalWeight: number;
  /** Peers not configured `down`: a request's attempt budget (`peers->tries`). */
  readonly tries: number;
  /** One peer only (`peers->single`): every method goes straight to round robin, and failures are not counted. */
  readonly single: boolean;
  /** Some weight differs from 1 (`peers->weighted`). */
  readonly weighted: boolean;
  /** cumulative[p] = Σ weights of peers before p; length n + 1 (for the weighted walk by binary search). */
  private readonly cumulative: Float64Array;

  constructor(servers: readonly S[], options: NginxUpstreamOptions<S> = {}) {
    if (servers.length === 0) throw new Error('nginx: no servers in upstream');
    const opt = <T>(v: T | ((s: S) => T) | undefined, s: S, dflt: T): T =>
      v === undefined ? dflt : typeof v === 'function' ? (v as (s: S) => T)(s) : v;
    this.list = servers.map((s, i) => {
      const w = s.weight;
      if (!Number.isInteger(w) || w < 1) throw new Error(`nginx: weight must be an integer ≥ 1, got ${w} for server ${s.id}`);
      const maxFails = opt(options.maxFails, s, 1);
      const failTimeout = opt(options.failTimeout, s, 10);
      const maxConns = opt(options.maxConns, s, 0);
      const name = options.address ? options.address(s) : `server${s.id}`;
      return new NginxPeer(i, s, name, w, maxFails, failTimeout, maxConns, options.down ? options.down(s) : false);
    });
    this.cumulative = new Float64Array(servers.length + 1);
    let total = 0;
    this.list.forEach((p, i) => {
      total += p.weight;
      this.cumulative[i + 1] = total;
    });
    this.totalWeight = total;
    this.tries = this.list.filter((p) => !p.down).length;
    this.single = servers.length === 1;
    this.weighted = total !== servers.length;
  }

  /**
   * The peer a value `w` in [0, totalWeight) falls on when walking the peers
   * by weight (`while (w >= peer->weight) { w -= peer->weight; peer = peer->next; }`
   * in the ip_hash and hash modules).
   */
  walk(w: number): number {
    if (!this.weighted) return w;
    const c = this.cumulative;
    let lo = 0;
    let hi = this.list.length - 1;
    // The last p with c[p] <= w.
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (c[mid]! <= w) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * One request's state across its attempts: ngx_http_upstream_rr_peer_data_t
 * (`tried`, `current`), `pc->tries`, and the hash modules' fields
 * (ngx_http_upstream_ip_hash_peer_data_t, ngx_http_upstream_hash_peer_data_t).
 * Reusable: `begin` resets it, so a balancer needs no allocation per request.
 */
export class NginxRequest {
  /** Bitmap of the peers already tried by this request. */
  tried: Uint32Array;
  /** Index of the peer of the attempt in progress, -1 when none. */
  current = -1;
  /** `pc->tries`: attempts left (0: the next failure ends the request with 502). */
  tries = 0;
  /** Attempts made (get calls that returned a peer). */
  attempts = 0;
  /** ip_hash, hash: rejected hash values so far (`iphp->tries`, `hp->tries`); > 20 → round robin. */
  hashTries = 0;
  /** ip_hash: the hash carried between attempts; hash: Σ of the rehashes; consistent: the point index. */
  hash = 0;
  /** hash: `hp->rehash`, the next rehash counter. */
  rehash = 0;
  /** ip_hash: the address bytes it hashes, `addrLen` of them (3 for IPv4, 16 for IPv6). */
  readonly addr = new Uint8Array(16);
  addrLen = 0;
  /** hash, consistent: the key (a string's UTF-8 bytes, bytes, or a number's decimal digits, when ≥ 0), and whether it is empty. */
  keyString = '';
  keyBytes: Uint8Array | undefined = undefined;
  keyNumber = -1;
  keyEmpty = true;

  constructor(peers = 0) {
    this.tried = new Uint32Array(Math.max(1, Math.ceil(peers / 32)));
  }

  /** ngx_http_upstream_init_round_robin_peer: nothing tried, `tries` = peers not `down`. */
  reset(peers: NginxPeers<NginxServerLike>): void {
    const words = Math.max(1, Math.ceil(peers.list.length / 32));
    if (this.tried.length < words) this.tried = new Uint32Array(words);
    else this.tried.fill(0);
    this.current = -1;
    this.tries = peers.tries;
    this.attempts = 0;
    this.hashTries = 0;
    this.hash = 0;
    this.rehash = 0;
    this.addrLen = 0;
    this.keyString = '';
    this.keyBytes = undefined;
    this.keyNumber = -1;
    this.keyEmpty = true;
  }

  isTried(p: number): boolean {
    return (this.tried[p >>> 5]! & (1 << (p & 31))) !== 0;
  }

  setTried(p: number): void {
    this.tried[p >>> 5]! |= 1 << (p & 31);
  }
}

/**
 * ngx_http_upstream_free_round_robin_peer (ngx_http_upstream_round_robin.c):
 * the end of an attempt. A failure counts one more fail, restarts the
 * window and lowers the peer's effective weight by weight / max_fails
 * (round robin then brings it back one unit per selection round); a
 * success resets `fails` only if a new window has started since the last
 * failure (`accessed < checked`). With a single peer nothing is counted and
 * the request gets no further attempt.
 */
export function freePeer<S extends NginxServerLike>(peers: NginxPeers<S>, req: NginxRequest, now: number, failed: boolean): void {
  if (req.current < 0) return;
  const peer = peers.list[req.current]!;
  req.current = -1;
  if (peers.single) {
    peer.conns--;
    req.tries = 0;
    return;
  }
  if (failed) {
    peer.fails++;
    peer.accessed = now;
    peer.checked = now;
    if (peer.maxFails !== 0) peer.effectiveWeight -= Math.trunc(peer.weight / peer.maxFails);
    if (peer.effectiveWeight < 0) peer.effectiveWeight = 0;
  } else if (peer.accessed < peer.checked) {
    peer.fails = 0;
  }
  peer.conns--;
  if (req.tries > 0) req.tries--;
}

/**
 * One `upstream` block with its balancing method. `K` is the key the method
 * hashes (nothing for round robin).
 */
export abstract class NginxBalancer<S extends NginxServerLike, K> {
  readonly peers: NginxPeers<S>;
  /** The request state `route` reuses. */
  readonly request: NginxRequest;

  constructor(servers: readonly S[], options: NginxUpstreamOptions<S> = {}) {
    this.peers = new NginxPeers(servers, options);
    this.request = new NginxRequest(servers.length);
  }

  /** The method's init_peer function: starts a request for `key` in `req`. */
  abstract begin(req: NginxRequest, key: K): void;

  /** The method's get_peer function: the server for the next attempt, or undefined (NGX_BUSY: "no live upstreams", 502). */
  abstract get(req: NginxRequest, now: number, isDown?: (server: S) => boolean): S | undefined;

  /** ngx_http_upstream_free_round_robin_peer: ends the attempt `get` started. */
  free(req: NginxRequest, now: number, failed: boolean): void {
    freePeer(this.peers, req, Math.floor(now), failed);
  }

  /**
   * The server of a request whose first attempt succeeds (begin, get, free
   * as a success): `route(key, now, undefined, isDown)`. Undefined: a 502.
   */
  pick(key: K, now: number, isDown?: (server: S) => boolean): S | undefined {
    return this.route(key, now, undefined, isDown);
  }

  /**
   * One whole request: attempts until a server does not refuse, as
   * ngx_http_upstream_next does with `proxy_next_upstream error` (the
   * default): each server for which `refuses(server)` is true (crashed,
   * refusing connections) is a failed attempt that nginx learns from
   * (passive health) before trying the next peer. The request gives up
   * (undefined: a 502) when `get` finds no peer or its attempt budget
   * (`pc->tries`) is spent. `isDown` as in `get`. Attempts made:
   * `this.request.attempts`. Allocates nothing.
   */
  route(key: K, now: number, refuses?: (server: S) => boolean, isDown?: (server: S) => boolean): S | undefined {
    const req = this.request;
    this.begin(req, key);
    for (;;) {
      const s = this.get(req, now, isDown);
      if (s === undefined) return undefined;
      if (refuses !== undefined && refuses(s)) {
        this.free(req, now, true);
        if (req.tries === 0) return undefined;
        continue;
      }
      this.free(req, now, false);
      return s;
    }
  }
}
