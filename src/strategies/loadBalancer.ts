import { Miss, type Affinity } from '../affinity/types.js';
import type { Balancer } from '../balancers/types.js';
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';

/**
 * The flow of one request through the load balancer, as HAProxy does it:
 * 1. affinity lookup (stickiness short-circuits the algorithm);
 * 2. the balancer, for requests with no usable binding;
 * 3. the response hook (cookie insert sets the cookie; tables learn).
 * A binding to a server that is down is redispatched to the balancer (ALB,
 * Traefik, nginx; HAProxy with `option redispatch`) and rewritten by step 3.
 */
export class LoadBalancer {
  /**
   * Why the last `route` chose its server: the affinity's word (`cookie`,
   * `hash`), `balancer` (no stickiness), `fallback` (the request had no key)
   * or `redispatch` (its server was down).
   */
  lastVia = '';

  constructor(
    readonly affinity: Affinity | undefined,
    readonly balancer: Balancer,
  ) {}

  route(s: Session, fleet: Fleet): Server | undefined {
    const a = this.affinity;
    if (a !== undefined) {
      const id = a.lookup(s, fleet);
      if (id >= 0) {
        this.lastVia = a.via;
        return fleet.servers[id];
      }
      this.lastVia = id === Miss.pinnedDown ? 'redispatch' : 'fallback';
    } else {
      this.lastVia = 'balancer';
    }
    return this.balancer.pick(fleet);
  }

  onResponse(s: Session, server: Server): void {
    this.affinity?.onResponse?.(s, server);
  }
}
