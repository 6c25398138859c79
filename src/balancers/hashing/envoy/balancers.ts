/**
 * Envoy's non-hashing load balancers (Envoy 1.36,
 * source/extensions/load_balancing_policies/{round_robin,random,least_request}/,
 * common/load_balancer_impl.cc EdfLoadBalancerBase::chooseHostOnce), over
 * the healthy hosts or, in panic, all hosts (hostSet.ts).
 *
 * - ROUND_ROBIN, equal weights (RoundRobinLoadBalancer::unweightedHostPick):
 *   `hosts[rr_index++ % hosts.size()]`, the index starting at a random seed
 *   and surviving host-set changes (the generic RoundRobin restarts at 0 and
 *   wraps its cursor instead).
 * - RANDOM (RandomLoadBalancer::peekOrChoose): `hosts[random % size]`,
 *   weights IGNORED (the generic RandomBalancer draws ∝ weight).
 * - LEAST_REQUEST, equal weights (unweightedHostPickNChoices, choice_count 2
 *   by default): `choice_count` independent draws WITH replacement, the
 *   first drawn kept unless a later one has strictly fewer active requests.
 *   The generic PowerOfTwo draws two DISTINCT servers (ties also to the
 *   first), so it is not Envoy's; this is.
 * - unequal weights: EDF scheduling (edf.ts) with the host's weight
 *   (ROUND_ROBIN) or weight / (active + 1) (LEAST_REQUEST,
 *   active_request_bias 1.0), rebuilt at every host-set change.
 * Envoy's `random()` is a 64-bit draw; here the run's routing stream.
 */
import type { Uniform } from '../../../engine/index.js';
import type { Fleet } from '../../../model/fleet.js';
import type { Server } from '../../../model/server.js';
import type { Balancer } from '../../types.js';
import { EdfScheduler } from './edf.js';
import { ENVOY_DEFAULT_HEALTHY_PANIC_THRESHOLD, EnvoyHostSet, hostWeightsAreEqual } from './hostSet.js';

/** An EDF schedule over `hosts` (EdfLoadBalancerBase::refresh), or undefined when weights are equal or there is at most one host. */
function schedule(hosts: readonly Server[], weight: (s: Server) => number): EdfScheduler | undefined {
  if (hostWeightsAreEqual(hosts) || hosts.length <= 1) return undefined;
  const edf = new EdfScheduler(hosts.length);
  hosts.forEach((h, i) => edf.add(weight(h), i));
  return edf;
}

/** Envoy ROUND_ROBIN. */
export class EnvoyRoundRobin implements Balancer {
  readonly name = 'envoy-round-robin';
  private readonly set: EnvoyHostSet;
  /** rr_indexes_ of the healthy and the all-hosts sources; both start at seed_. */
  private readonly rr = [-1, -1];
  private edf: EdfScheduler | undefined;
  private readonly weight = (i: number) => this.set.toUse[i]!.weight;

  constructor(
    private readonly u: Uniform,
    healthyPanicThreshold = ENVOY_DEFAULT_HEALTHY_PANIC_THRESHOLD,
  ) {
    this.set = new EnvoyHostSet(healthyPanicThreshold);
  }

  pick(fleet: Fleet): Server | undefined {
    if (this.set.refresh(fleet)) this.edf = schedule(this.set.toUse, (s) => s.weight);
    const hosts = this.set.toUse;
    if (hosts.length === 0) return undefined;
    if (this.edf !== undefined) return hosts[this.edf.pickAndAdd(this.weight)];
    if (this.rr[0]! < 0) this.rr[0] = this.rr[1] = Math.floor(this.u() * 4294967296); // seed_ = random_.random()
    const source = this.set.panic ? 1 : 0;
    return hosts[this.rr[source]!++ % hosts.length];
  }
}

/** Envoy RANDOM: uniform over the hosts, whatever their weights. */
export class EnvoyRandom implements Balancer {
  readonly name = 'envoy-random';
  private readonly set: EnvoyHostSet;

  constructor(
    private readonly u: Uniform,
    healthyPanicThreshold = ENVOY_DEFAULT_HEALTHY_PANIC_THRESHOLD,
  ) {
    this.set = new EnvoyHostSet(healthyPanicThreshold);
  }

  pick(fleet: Fleet): Server | undefined {
    this.set.refresh(fleet);
    const hosts = this.set.toUse;
    return hosts.length === 0 ? undefined : hosts[Math.floor(this.u() * hosts.length)];
  }
}

/** Envoy LEAST_REQUEST (selection_method N_CHOICES, the default). */
export class EnvoyLeastRequest implements Balancer {
  readonly name = 'envoy-least-request';
  private readonly set: EnvoyHostSet;
  private edf: EdfScheduler | undefined;
  /** LeastRequestLoadBalancer::hostWeight with active_request_bias 1.0: weight / (rq_active + 1). */
  private readonly dynamicWeight = (i: number) => {
    const h = this.set.toUse[i]!;
    return h.weight / (h.inflight + 1);
  };

  constructor(
    private readonly u: Uniform,
    readonly choiceCount = 2,
    healthyPanicThreshold = ENVOY_DEFAULT_HEALTHY_PANIC_THRESHOLD,
  ) {
    if (!Number.isInteger(choiceCount) || choiceCount < 2) throw new Error(`choice_count must be an integer ≥ 2, got ${choiceCount}`);
    this.set = new EnvoyHostSet(healthyPanicThreshold);
  }

  pick(fleet: Fleet): Server | undefined {
    if (this.set.refresh(fleet)) this.edf = schedule(this.set.toUse, (s) => s.weight / (s.inflight + 1));
    const hosts = this.set.toUse;
    const n = hosts.length;
    if (n === 0) return undefined;
    if (this.edf !== undefined) return hosts[this.edf.pickAndAdd(this.dynamicWeight)];
    let candidate: Server | undefined;
    for (let c = 0; c < this.choiceCount; c++) {
      const sampled = hosts[Math.floor(this.u() * n)]!;
      if (candidate === undefined || sampled.inflight < candidate.inflight) candidate = sampled;
    }
    return candidate;
  }
}
