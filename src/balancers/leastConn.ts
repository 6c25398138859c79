import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Balancer } from './types.js';

/**
 * The up server with the fewest requests in service or queued (HAProxy
 * `leastconn`, nginx `least_conn`). Ties go round robin, as in both, so an
 * idle fleet is not piled onto its first server.
 */
export class LeastConn implements Balancer {
  readonly name = 'least-conn';
  private cursor = 0;

  pick(fleet: Fleet): Server | undefined {
    const up = fleet.up;
    const n = up.length;
    if (n === 0) return undefined;
    const start = this.cursor % n;
    let best = up[start]!;
    let bestLoad = best.inflight;
    for (let k = 1; k < n && bestLoad > 0; k++) {
      const s = up[(start + k) % n]!;
      const load = s.inflight;
      if (load < bestLoad) {
        best = s;
        bestLoad = load;
      }
    }
    this.cursor = start + 1;
    return best;
  }
}
