import type { Uniform } from '../engine/index.js';
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import { lighter } from './roundRobin.js';
import type { Balancer } from './types.js';

/**
 * Power of two choices: two distinct random available servers, the less
 * loaded per unit of weight wins (HAProxy `random(2)`, Envoy `LEAST_REQUEST`
 * with choice_count 2, nginx `random two least_conn`). Ties go to the first drawn.
 */
export class PowerOfTwo implements Balancer {
  readonly name = 'p2c';
  constructor(private readonly u: Uniform) {}

  pick(fleet: Fleet): Server | undefined {
    const list = fleet.available;
    const n = list.length;
    if (n === 0) return undefined;
    if (n === 1) return list[0];
    const i = Math.floor(this.u() * n);
    let j = Math.floor(this.u() * (n - 1));
    if (j >= i) j++;
    const a = list[i]!;
    const b = list[j]!;
    return lighter(b, a) ? b : a;
  }
}
