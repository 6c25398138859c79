import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import { lighter } from './roundRobin.js';
import type { Balancer } from './types.js';

/**
 * The available server with the fewest requests in service or queued, per
 * unit of weight (HAProxy `leastconn`, nginx `least_conn`). Ties go round
 * robin, as in both, so an idle fleet is not piled onto its first server.
 */
export class LeastConn implements Balancer {
  readonly name = 'least-conn';
  private cursor = 0;

  pick(fleet: Fleet, _now?: number, avoid?: Server): Server | undefined {
    const list = fleet.available;
    const n = list.length;
    if (n === 0) return undefined;
    let start = this.cursor % n;
    // `avoid` (a server that refused) is passed over unless it is the only one, as fwlc_get_next_server does.
    if (list[start] === avoid && n > 1) start = (start + 1) % n;
    let best = list[start]!;
    for (let k = 1; k < n && best.inflight > 0; k++) {
      const s = list[(start + k) % n]!;
      if (s !== avoid && lighter(s, best)) best = s;
    }
    this.cursor = start + 1;
    return best;
  }

  reload(): void {
    this.cursor = 0;
  }
}
