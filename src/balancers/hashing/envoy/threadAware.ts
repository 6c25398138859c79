/**
 * Envoy's hashing load balancers as a cluster runs them (Envoy 1.36,
 * source/extensions/load_balancing_policies/common/thread_aware_lb_impl.cc):
 * `refresh()` normalizes the host weights of the hosts in use (healthy, or
 * all in panic) and builds a ring (RING_HASH) or a Maglev table (MAGLEV),
 * wrapped in the bounded-load balancer when `hash_balance_factor` is set;
 * `LoadBalancerImpl::chooseHost` looks the request's 64-bit hash up, or a
 * random 64-bit value when the request has no hash ("this effectively
 * becomes the random LB").
 */
import type { Uniform } from '../../../engine/index.js';
import type { Fleet } from '../../../model/fleet.js';
import type { Server } from '../../../model/server.js';
import { weightOf } from '../weights.js';
import { EnvoyBoundedLoadHashing } from './bounded.js';
import { ENVOY_DEFAULT_HEALTHY_PANIC_THRESHOLD, EnvoyHostSet } from './hostSet.js';
import { ENVOY_MAGLEV_DEFAULT_TABLE_SIZE, EnvoyMaglevTable } from './maglev.js';
import { EnvoyRingHash, type EnvoyRingOptions } from './ring.js';
import { normalizeHostWeights, type EnvoyHashingLb } from './weights.js';

export interface EnvoyHashingSpec {
  lbPolicy: 'RING_HASH' | 'MAGLEV';
  /** RING_HASH: minimum_ring_size, maximum_ring_size, hash_function. */
  ring?: EnvoyRingOptions;
  /** MAGLEV: table_size (prime). */
  tableSize?: number;
  /** consistent_hashing_lb_config.hash_balance_factor (percent ≥ 100), or undefined. */
  hashBalanceFactor?: number | undefined;
  /** healthy_panic_threshold (percent; default 50). */
  healthyPanicThreshold?: number;
  /** The host's hash key: its address "ip:port" (HashingLoadBalancer::hashKey). */
  address(server: Server): string;
}

export class EnvoyThreadAwareLb {
  private readonly set: EnvoyHostSet;
  private hosts: readonly Server[] = [];
  private lb: EnvoyHashingLb | undefined;
  private cluster: readonly Server[] = [];
  /** The ring or table of the current host set (no bounded wrapper). */
  current: EnvoyRingHash | EnvoyMaglevTable | undefined;

  constructor(private readonly spec: EnvoyHashingSpec) {
    this.set = new EnvoyHostSet(spec.healthyPanicThreshold ?? ENVOY_DEFAULT_HEALTHY_PANIC_THRESHOLD);
  }

  /** ThreadAwareLoadBalancerBase::refresh, when the fleet changed. */
  refresh(fleet: Fleet): void {
    if (!this.set.refresh(fleet)) return;
    const hosts = this.set.toUse.slice();
    const keys = hosts.map((h) => this.spec.address(h));
    const nw = normalizeHostWeights(hosts.map(weightOf));
    const inner =
      this.spec.lbPolicy === 'RING_HASH'
        ? new EnvoyRingHash(keys, nw.weights, nw.min, this.spec.ring)
        : new EnvoyMaglevTable(keys, nw.weights, nw.max, this.spec.tableSize ?? ENVOY_MAGLEV_DEFAULT_TABLE_SIZE);
    this.hosts = hosts;
    this.cluster = fleet.servers;
    this.current = inner;
    const factor = this.spec.hashBalanceFactor;
    this.lb =
      factor === undefined
        ? inner
        : new EnvoyBoundedLoadHashing(inner, nw.weights, factor, {
            active: (i) => this.hosts[i]!.inflight,
            overall: () => {
              // The cluster's upstream_rq_active: every request in flight to any of its servers.
              let total = 0;
              for (const s of this.cluster) total += s.inflight;
              return total;
            },
          });
  }

  /** chooseHost for a request whose hash policy gave the 64-bit hash (hi, lo). */
  chooseHost(fleet: Fleet, hi: number, lo: number): Server | undefined {
    this.refresh(fleet);
    const i = this.lb!.chooseHost(hi, lo);
    return i < 0 ? undefined : this.hosts[i];
  }

  /** chooseHost for a request without a hash: `random_.random()` as the hash. */
  chooseRandom(fleet: Fleet, u: Uniform): Server | undefined {
    const hi = Math.floor(u() * 4294967296) >>> 0;
    const lo = Math.floor(u() * 4294967296) >>> 0;
    return this.chooseHost(fleet, hi, lo);
  }

  /** The hosts in use, in host-set order (index = what the ring or table answers). */
  get hostsInUse(): readonly Server[] {
    return this.hosts;
  }
}
