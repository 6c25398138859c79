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
   * `avoid`: a server that just refused this request, to be passed over when
   * another is available (HAProxy's `srvtoavoid`, backend.c assign_server:
   * a redispatch goes elsewhere); balancers that cannot avoid may ignore it.
   */
  pick(fleet: Fleet, now?: number, avoid?: Server): Server | undefined;
  /** The load balancer reloads: its position (round robin's turn) starts again. Absent: it keeps none. */
  reload?(): void;
}
