/**
 * Balancers of systems that have no per-server weight (AWS ALB targets,
 * Kubernetes endpoints): a scenario's `weight` is ignored, every target
 * counts once. The generic balancers (roundRobin.ts, leastConn.ts,
 * random.ts) honour weights and are the same as these when all weights are
 * equal. Each balances over a list of targets, by default the available
 * servers; a system can widen it (AWS ALB fails open, see awsAlb.ts).
 */
import type { Uniform } from '../engine/index.js';
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Balancer } from './types.js';

/** The servers a balancer may give a new request to. */
export type Targets = (fleet: Fleet) => readonly Server[];

/** The available servers: healthy, not draining, not removed. */
export const availableTargets: Targets = (fleet) => fleet.available;

/** Each target in turn, in fleet order (AWS ALB `round_robin`: "evenly … in a sequential order"). */
export class CyclicRoundRobin implements Balancer {
  readonly name = 'round-robin';
  private cursor = 0;

  constructor(private readonly targets: Targets = availableTargets) {}

  pick(fleet: Fleet): Server | undefined {
    const list = this.targets(fleet);
    if (list.length === 0) return undefined;
    if (this.cursor >= list.length) this.cursor = 0;
    return list[this.cursor++];
  }
}

/**
 * The target with the fewest requests in flight (AWS ALB
 * `least_outstanding_requests`: "the lowest number of in progress
 * requests"). AWS does not say how ties break; here round robin, as
 * leastConn.ts, so an idle fleet is not piled onto its first target.
 */
export class LeastOutstanding implements Balancer {
  readonly name = 'least-outstanding';
  private cursor = 0;

  constructor(private readonly targets: Targets = availableTargets) {}

  pick(fleet: Fleet): Server | undefined {
    const list = this.targets(fleet);
    const n = list.length;
    if (n === 0) return undefined;
    const start = this.cursor % n;
    let best = list[start]!;
    for (let k = 1; k < n && best.inflight > 0; k++) {
      const s = list[(start + k) % n]!;
      if (s.inflight < best.inflight) best = s;
    }
    this.cursor = start + 1;
    return best;
  }
}

/** A uniformly random target (AWS ALB `weighted_random` without anomaly mitigation: "evenly … in a random order"). */
export class UniformRandom implements Balancer {
  readonly name = 'random';

  constructor(
    private readonly u: Uniform,
    private readonly targets: Targets = availableTargets,
  ) {}

  pick(fleet: Fleet): Server | undefined {
    const list = this.targets(fleet);
    return list.length === 0 ? undefined : list[Math.floor(this.u() * list.length)];
  }
}
