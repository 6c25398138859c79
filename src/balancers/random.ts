import type { Uniform } from '../engine/index.js';
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Balancer } from './types.js';

/** A uniformly random up server (HAProxy `random(1)`). */
export class RandomBalancer implements Balancer {
  readonly name = 'random';
  constructor(private readonly u: Uniform) {}

  pick(fleet: Fleet): Server | undefined {
    const up = fleet.up;
    if (up.length === 0) return undefined;
    return up[Math.floor(this.u() * up.length)];
  }
}
