import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';

/**
 * Chooses a server for a request that has no usable affinity. Returns
 * undefined only when no server is up.
 */
export interface Balancer {
  readonly name: string;
  /**
   * `now`: the simulated time of the request, which the load balancer passes
   * (a time-dependent balancer such as slow start needs it; others ignore it).
   */
  pick(fleet: Fleet, now?: number): Server | undefined;
}
