import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';
import { Miss, type Affinity } from './types.js';

/**
 * A route the server writes into what the client echoes back — the `jvmRoute`
 * suffix Tomcat appends to the session id, read by Apache `mod_proxy_balancer`
 * (`stickysession=JSESSIONID|jsessionid`) or mod_jk, or a `route` URL
 * parameter. It is a stored binding that works for API and mobile clients
 * that keep no cookies. The server names itself in every response (a new
 * session id after a loss names its new server), so it is always rewritten.
 * Clients or proxies that strip it fall back to the balancer.
 */
export class RouteAffinity implements Affinity {
  readonly via = 'route';

  lookup(s: Session, fleet: Fleet): number {
    if (!s.hasRoute || s.route < 0) return Miss.noKey;
    return fleet.accepts(fleet.servers[s.route]!) ? s.route : Miss.pinnedDown;
  }

  onResponse(s: Session, server: Server): void {
    if (s.keepsRoute) s.route = server.id;
  }
}
