import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';
import { Miss, type Affinity } from './types.js';

export interface CookieOptions {
  /** Seconds a cookie stays valid without use; each use refreshes it (HAProxy `maxidle`, ALB). */
  maxIdle: number;
  /** Seconds a cookie stays valid from first issue, used or not (HAProxy `maxlife`). */
  maxLife: number;
  /** Mark responses that set the cookie uncacheable (HAProxy `cookie … insert nocache`). */
  nocache: boolean;
  /** Shared proxy caches in front of clients: they serve one cached Set-Cookie to the group's users. */
  sharedCache: boolean;
}

/**
 * Cookie insert: the balancer names the server in a cookie on the response
 * (HAProxy `cookie SRV insert`, nginx Plus `sticky cookie`, AWS ALB
 * duration-based stickiness, Envoy stateful session cookie). The binding is
 * stored by the client, so the balancer keeps no memory, and it survives
 * fleet changes while its server lives. A client that refuses cookies never
 * presents one; one that loses it on a request (cross-origin, SameSite) is
 * balanced afresh and gets a new cookie. Without lifetimes it is a browser-
 * session cookie, valid as long as the session.
 *
 * With `sharedCache` (and no `nocache`), a proxy that NATs a group of users
 * caches the first response carrying Set-Cookie and hands that cookie to
 * every user of the group that is issued one later: they all stick to the
 * same server.
 */
export class CookieAffinity implements Affinity {
  readonly via = 'cookie';
  boundTo = -1;
  private readonly cached = new Map<number, number>();

  constructor(private readonly opts: CookieOptions) {}

  lookup(s: Session, fleet: Fleet, now: number): number {
    if (!s.hasCookie || s.cookie < 0) return Miss.noKey;
    if (now - s.cookieUsed > this.opts.maxIdle || now - s.cookieIssued > this.opts.maxLife) {
      s.cookie = -1; // expired: the browser drops it
      return Miss.noKey;
    }
    s.cookieUsed = now;
    if (fleet.accepts(fleet.servers[s.cookie]!)) return s.cookie;
    this.boundTo = s.cookie;
    return Miss.pinnedDown;
  }

  /** Sets (or rewrites, after a redispatch) the cookie to the answering server. */
  onResponse(s: Session, server: Server, now: number): void {
    if (!s.rebind || !s.acceptsCookies) return;
    let id = server.id;
    if (this.opts.sharedCache && !this.opts.nocache && s.natGroup >= 0) {
      const hit = this.cached.get(s.natGroup);
      if (hit === undefined) this.cached.set(s.natGroup, id);
      else id = hit;
    }
    s.cookie = id;
    s.cookieIssued = now;
    s.cookieUsed = now;
  }
}
