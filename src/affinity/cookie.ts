import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';
import { Miss, type Affinity } from './types.js';

/**
 * Cookie insert: the balancer names the server in a cookie on the response
 * (HAProxy `cookie SRV insert`, nginx Plus `sticky cookie`, AWS ALB
 * duration-based stickiness, Envoy stateful session cookie). The binding is
 * stored by the client, so the balancer keeps no memory and the binding
 * survives fleet changes while its server lives. A client that refuses
 * cookies never presents one.
 */
export class CookieAffinity implements Affinity {
  readonly via = 'cookie';

  lookup(s: Session, fleet: Fleet): number {
    if (s.cookie < 0) return Miss.noKey;
    return fleet.servers[s.cookie]!.up ? s.cookie : Miss.pinnedDown;
  }

  /** Sets (or rewrites, after a redispatch) the cookie to the answering server. */
  onResponse(s: Session, server: Server): void {
    if (s.acceptsCookies) s.cookie = server.id;
  }
}
