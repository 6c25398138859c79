import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Balancer } from './types.js';

/** Each up server in turn (HAProxy `roundrobin`, nginx default with equal weights). */
export class RoundRobin implements Balancer {
  readonly name = 'round-robin';
  private cursor = 0;

  pick(fleet: Fleet): Server | undefined {
    const up = fleet.up;
    if (up.length === 0) return undefined;
    if (this.cursor >= up.length) this.cursor = 0;
    return up[this.cursor++];
  }
}
