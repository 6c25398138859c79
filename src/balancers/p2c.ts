import type { Uniform } from '../engine/index.js';
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Balancer } from './types.js';

/**
 * Power of two choices: two distinct random up servers, the less loaded wins
 * (HAProxy `random(2)`, Envoy `LEAST_REQUEST` with choice_count 2, nginx
 * `random two least_conn`). Ties go to the first drawn.
 */
export class PowerOfTwo implements Balancer {
  readonly name = 'p2c';
  constructor(private readonly u: Uniform) {}

  pick(fleet: Fleet): Server | undefined {
    const up = fleet.up;
    const n = up.length;
    if (n === 0) return undefined;
    if (n === 1) return up[0];
    const i = Math.floor(this.u() * n);
    let j = Math.floor(this.u() * (n - 1));
    if (j >= i) j++;
    const a = up[i]!;
    const b = up[j]!;
    return b.inflight < a.inflight ? b : a;
  }
}
