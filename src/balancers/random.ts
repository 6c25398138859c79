import type { Uniform } from '../engine/index.js';
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Balancer } from './types.js';

/** A random available server, with probability ∝ weight (HAProxy `random(1)`, nginx `random`). */
export class RandomBalancer implements Balancer {
  readonly name = 'random';
  constructor(private readonly u: Uniform) {}

  pick(fleet: Fleet): Server | undefined {
    return pickRandom(fleet.available, this.u, fleet.evenWeights);
  }
}

export function pickRandom(list: readonly Server[], u: Uniform, evenWeights: boolean): Server | undefined {
  if (list.length === 0) return undefined;
  if (evenWeights) return list[Math.floor(u() * list.length)];
  let total = 0;
  for (const s of list) total += s.weight;
  let x = u() * total;
  for (const s of list) {
    x -= s.weight;
    if (x < 0) return s;
  }
  return list[list.length - 1];
}
