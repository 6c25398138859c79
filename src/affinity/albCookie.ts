/**
 * AWS Application Load Balancer sticky sessions (target group attribute
 * `stickiness.enabled`, `stickiness.type` lb_cookie or app_cookie), from the
 * ALB user guide, "Sticky sessions for your Application Load Balancer" and
 * "Edit target group attributes":
 *
 * - the first request is routed by the target group's algorithm and the
 *   response carries a cookie naming the target (`AWSALB`, duration-based;
 *   `AWSALBAPP`, application-based, issued with the application's own session
 *   cookie, which stickysim's servers set on a session's first response);
 * - "the Application Load Balancer resets the expiry of the cookies it
 *   generates after every request": the cookie is stale `duration` seconds
 *   after the last response that carried it (lb_cookie:
 *   `stickiness.lb_cookie.duration_seconds`; app_cookie:
 *   `stickiness.app_cookie.duration_seconds`; the cookie's own 7-day Expires is
 *   reset too and never comes first, the duration being at most 7 days);
 * - a cookie that names a target that is deregistered or unhealthy: "the load
 *   balancer selects a new target and updates the cookie", and the session
 *   stays on the new target when the old one comes back. A deregistering
 *   (draining) target takes no new request either, sticky or not: that is the
 *   load balancer's `onDrain: move` policy (loadBalancer.ts).
 *
 * Why not cookie.ts: its `maxIdle` counts from the request that presented the
 * cookie, ALB from the response that reset it; ALB has no `maxLife`.
 * Clients behind a shared caching proxy get the first cached Set-Cookie of
 * their group, as with cookie.ts (ALB does not mark the response uncacheable).
 */
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';
import { Miss, type Affinity } from './types.js';

export interface AlbCookieOptions {
  /** Seconds a cookie stays valid after the last response that set it. */
  duration: number;
  /** Shared proxy caches in front of clients hand the group's first Set-Cookie to its later users. */
  sharedCache: boolean;
}

export class AlbCookieAffinity implements Affinity {
  readonly via = 'cookie';
  private readonly cached = new Map<number, number>();

  constructor(private readonly opts: AlbCookieOptions) {}

  lookup(s: Session, fleet: Fleet, now: number): number {
    if (!s.hasCookie || s.cookie < 0) return Miss.noKey;
    if (now - s.cookieUsed > this.opts.duration) {
      s.cookie = -1; // past its Expires: the browser no longer sends it
      return Miss.noKey;
    }
    return fleet.accepts(fleet.servers[s.cookie]!) ? s.cookie : Miss.pinnedDown;
  }

  /** Every response sets the cookie again: a new target after a (re)dispatch, and a new expiry in any case. */
  onResponse(s: Session, server: Server, now: number): void {
    if (!s.acceptsCookies) return;
    if (s.rebind) {
      let id = server.id;
      if (this.opts.sharedCache && s.natGroup >= 0) {
        const hit = this.cached.get(s.natGroup);
        if (hit === undefined) this.cached.set(s.natGroup, id);
        else id = hit;
      }
      s.cookie = id;
      s.cookieIssued = now;
    }
    s.cookieUsed = now;
  }
}
