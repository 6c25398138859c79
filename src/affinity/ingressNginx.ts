/**
 * ingress-nginx's Lua balancer (kubernetes/ingress-nginx, controller v1.15.1,
 * rootfs/etc/nginx/lua/): which endpoint a request goes to, and the session
 * cookie it sets. One instance is one backend (Service port) of one
 * controller. The implementations, picked as balancer.lua
 * `get_implementation` does (affinity cookie first, then upstream-hash-by,
 * then load-balance):
 *
 * - `round_robin` (balancer/round_robin.lua → resty.roundrobin): every
 *   endpoint weight 1 (util.get_nodes), so each in turn; after every change
 *   of the endpoint list (`reinit`) it starts after a random endpoint;
 * - `chash` (balancer/chash.lua): resty.chash of the `upstream-hash-by` text;
 * - `sticky_balanced` (balancer/sticky.lua + sticky_balanced.lua): the cookie
 *   holds a random key; the endpoint is resty.chash(key) over the current
 *   endpoints, so a change of the endpoint list moves the sessions whose key
 *   now hashes elsewhere. A request without a (valid) cookie gets a new key,
 *   up to 20 tries to avoid endpoints that failed during this request;
 * - `sticky_persistent` (sticky.lua + sticky_persistent.lua): the cookie
 *   names the endpoint (md5 of salt and address, util/nodemap.lua); while that
 *   endpoint is listed the session stays; when it is not (gone, not ready,
 *   terminating), or the request has no cookie, a uniformly random endpoint
 *   not failed in this request is picked and the cookie rewritten.
 *
 * sticky.lua `balance()`: use the cookie's endpoint unless there is none,
 * or a previous try of this request failed and `session-cookie-change-on-failure`
 * is true; otherwise pick a new one and set the cookie. The cookie is set only
 * then — never refreshed — so `Max-Age`/`Expires` count from that pick; without
 * them it is a browser-session cookie.
 *
 * The endpoints are the Service's ready ones (the controller skips endpoints
 * whose `ready` condition is false, internal/ingress/controller/endpointslices.go):
 * here the fleet's available servers. No endpoint: the backend has no
 * balancer and the controller answers 503 (the request fails).
 *
 * Retries: nginx passes a request to the next try on a connection error
 * (`proxy-next-upstream: error timeout`, `proxy-next-upstream-tries: 3`,
 * the controller's defaults), calling the Lua balancer again each time. A
 * server that is down refuses (the crash may not be noticed by readiness
 * yet); the request fails once its tries are spent. Retries cost no time
 * here (a refused connection fails fast).
 *
 * Not modelled: the controller's delay in seeing endpoint changes (the
 * Lua side syncs every second), several controller replicas, canaries.
 */
import type { Uniform } from '../engine/index.js';
import type { Fleet } from '../model/fleet.js';
import { fmix32 } from '../model/hash.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';
import { RestyChash } from '../balancers/hashing/restyChash.js';
import { Miss, type Affinity } from './types.js';

export type IngressImplementation = 'round_robin' | 'chash' | 'sticky_balanced' | 'sticky_persistent';

/** sticky_balanced.lua MAX_UPSTREAM_CHECKS_COUNT. */
export const MAX_UPSTREAM_CHECKS = 20;

export interface IngressNginxOptions {
  implementation: IngressImplementation;
  /** The endpoint as the controller lists it, "ip:port" (chash and sticky_balanced hash it). */
  address: (server: Server) => string;
  /** chash: the text of `upstream-hash-by` for a request ("" when the variable is empty). */
  hashKey?: (s: Session) => string;
  /** Seconds a cookie lives from when it is set (Max-Age, else Expires); Infinity: a session cookie. */
  cookieLife: number;
  /** `session-cookie-change-on-failure`. */
  changeOnFailure: boolean;
  /** `proxy-next-upstream-tries`. */
  tries: number;
  /** math.random: round robin's starting point, sticky_persistent's picks. */
  random: Uniform;
}

/**
 * The key sticky_balanced.lua writes in a new cookie, as a number (31 bits,
 * kept in the session's cookie slot; its text is the hexadecimal form).
 * ingress-nginx formats `ngx.now() + i`, the worker pid and `math.random(999999)`:
 * a fresh random key per try. Here it is a hash of the session's own random
 * key, the time (ms) and the try, so every strategy compared sees the same
 * draws (common random numbers).
 */
export function balancedCookieKey(sessionKey: number, now: number, attempt: number): number {
  const ms = Math.floor(now * 1000);
  const h = fmix32((sessionKey ^ fmix32((ms % 0x100000000) ^ Math.imul(attempt, 0x9e3779b9))) >>> 0);
  return h >>> 1;
}

export class IngressNginxAffinity implements Affinity {
  private word = 'balancer';
  private nodes: Server[] = [];
  private nodeKey = '';
  private version = -1;
  private chash: RestyChash | undefined;
  /** round robin: index in `nodes` of the last endpoint chosen. */
  private rrLast = 0;
  private readonly index = new Map<number, number>();

  constructor(private readonly opts: IngressNginxOptions) {}

  /** Why the last request went where it did: `cookie`, `hash`, `balancer`, `fallback` (no cookie) or `redispatch` (its endpoint gone, or failed with change-on-failure). */
  get via(): string {
    return this.word;
  }

  /** The endpoints the balancer holds now (for tests). */
  get endpoints(): readonly Server[] {
    return this.nodes;
  }

  lookup(s: Session, fleet: Fleet, now: number): number {
    this.sync(fleet);
    if (this.nodes.length === 0) {
      this.word = 'balancer';
      return Miss.noKey; // no endpoints: 503, the load balancer finds no server either
    }
    const o = this.opts;
    if (o.implementation === 'round_robin' || o.implementation === 'chash') {
      let server: Server | undefined;
      for (let t = 0; t < o.tries; t++) {
        server = o.implementation === 'round_robin' ? this.nextRoundRobin() : this.nodes[this.chash!.find(o.hashKey!(s))]!;
        if (server.up) break;
      }
      this.word = o.implementation === 'round_robin' ? 'balancer' : 'hash';
      return server!.id;
    }
    return this.sticky(s, now);
  }

  /** sticky.lua `balance()`, once per try of the request. */
  private sticky(s: Session, now: number): number {
    const o = this.opts;
    if (s.hasCookie && s.cookie >= 0 && now - s.cookieIssued > o.cookieLife) s.cookie = -1; // expired: not sent
    const key = s.hasCookie && s.cookie >= 0 ? s.cookie : -1; // the request's cookie, as sent
    let failed: Set<number> | undefined; // upstreams that failed earlier tries of this request
    let server: Server | undefined;
    for (let t = 0; t < o.tries; t++) {
      const fromCookie = key < 0 ? undefined : this.find(key);
      if (fromCookie !== undefined && !(failed !== undefined && o.changeOnFailure)) {
        server = fromCookie;
        this.word = 'cookie';
      } else {
        const picked = this.pickNew(s, now, failed);
        if (picked === undefined) break; // no peer: nginx fails the request
        server = picked.server;
        this.word = key < 0 ? 'fallback' : 'redispatch';
        if (s.acceptsCookies) {
          s.cookie = picked.key;
          s.cookieIssued = now;
          s.cookieUsed = now;
        }
      }
      if (server.up) break;
      (failed ??= new Set()).add(server.id);
    }
    return server === undefined ? Miss.noKey : server.id;
  }

  /** `self.instance:find(key)`: chash of the key (balanced), the endpoint it names if listed (persistent). */
  private find(key: number): Server | undefined {
    if (this.opts.implementation === 'sticky_balanced') return this.nodes[this.chash!.find(key.toString(16))];
    const i = this.index.get(key);
    return i === undefined ? undefined : this.nodes[i];
  }

  /** `pick_new_upstream(failed_upstreams)`. */
  private pickNew(s: Session, now: number, failed: ReadonlySet<number> | undefined): { server: Server; key: number } | undefined {
    if (this.opts.implementation === 'sticky_balanced') {
      for (let i = 1; i <= MAX_UPSTREAM_CHECKS; i++) {
        const key = balancedCookieKey(s.key, now, i);
        const server = this.nodes[this.chash!.find(key.toString(16))]!;
        if (failed === undefined || !failed.has(server.id)) return { server, key };
      }
      return undefined;
    }
    // nodemap random_except: uniform over the endpoints not failed in this request
    const valid = failed === undefined ? this.nodes : this.nodes.filter((n) => !failed.has(n.id));
    if (valid.length === 0) return undefined;
    const server = valid[Math.floor(this.opts.random() * valid.length)]!;
    return { server, key: server.id };
  }

  /** resty.roundrobin `find` with all weights 1: the endpoint after the last one, cyclically. */
  private nextRoundRobin(): Server {
    this.rrLast = (this.rrLast + 1) % this.nodes.length;
    return this.nodes[this.rrLast]!;
  }

  /** balancer/resty.lua `sync`: a changed endpoint list reinitialises the instance. */
  private sync(fleet: Fleet): void {
    if (fleet.version === this.version) return;
    this.version = fleet.version;
    const nodes = fleet.available;
    const key = nodes.map((s) => s.id).join(',');
    if (key === this.nodeKey) return;
    this.nodeKey = key;
    this.nodes = nodes.slice();
    this.index.clear();
    this.nodes.forEach((s, i) => this.index.set(s.id, i));
    const impl = this.opts.implementation;
    if (impl === 'chash' || impl === 'sticky_balanced') this.chash = new RestyChash(this.nodes.map(this.opts.address));
    // resty.roundrobin reinit: last_id = a random node (math.random(count)); the next find takes the one after it.
    if (impl === 'round_robin') this.rrLast = Math.floor(this.opts.random() * this.nodes.length);
  }
}
