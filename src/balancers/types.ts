import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';

/**
 * Chooses a server for a request that has no usable affinity. Returns
 * undefined only when no server is up.
 */
export interface Balancer {
  readonly name: string;
  pick(fleet: Fleet): Server | undefined;
}
