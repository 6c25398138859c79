/**
 * Which hosts an Envoy load balancer uses (Envoy 1.36,
 * source/extensions/load_balancing_policies/common/load_balancer_impl.cc,
 * LoadBalancerBase::isHostSetInPanic): the healthy hosts, unless fewer than
 * `healthy_panic_threshold` percent of the hosts are healthy (default 50);
 * then, in panic, ALL hosts, the unhealthy ones included — requests sent to
 * a dead one fail. A threshold of 0 turns panic off.
 *
 * Mapping to the simulator: the cluster's hosts are the fleet's members not
 * draining (a draining server is one taken out of service discovery, as with
 * `ignore_health_on_host_removal`); healthy ones are `fleet.available` (the
 * balancer's view, which the scenario's health checks make lag or not). One
 * priority, one locality, no degraded hosts.
 */
import type { Fleet } from '../../../model/fleet.js';
import type { Server } from '../../../model/server.js';

/** `common_lb_config.healthy_panic_threshold` default (percent). */
export const ENVOY_DEFAULT_HEALTHY_PANIC_THRESHOLD = 50;

/** isHostSetInPanic for one priority without degraded or excluded hosts. */
export function isHostSetInPanic(hosts: number, healthy: number, healthyPanicThreshold: number): boolean {
  const threshold = Math.min(100, healthyPanicThreshold);
  const healthyPercent = hosts === 0 ? 0.0 : (100.0 * healthy) / hosts;
  return healthyPercent < threshold;
}

/** The host set of one cluster (one priority), refreshed when the fleet changes. */
export class EnvoyHostSet {
  hosts: readonly Server[] = [];
  healthy: readonly Server[] = [];
  panic = false;
  private version = -1;
  private fleet: Fleet | undefined;

  constructor(readonly healthyPanicThreshold = ENVOY_DEFAULT_HEALTHY_PANIC_THRESHOLD) {}

  /** Re-reads the fleet when it changed; true if it did. */
  refresh(fleet: Fleet): boolean {
    if (fleet === this.fleet && fleet.version === this.version) return false;
    this.fleet = fleet;
    this.version = fleet.version;
    this.hosts = fleet.servers.filter((s) => !s.removed && !s.draining);
    this.healthy = fleet.available;
    this.panic = isHostSetInPanic(this.hosts.length, this.healthy.length, this.healthyPanicThreshold);
    return true;
  }

  /** The hosts to balance over: the healthy ones, or all of them in panic. */
  get toUse(): readonly Server[] {
    return this.panic ? this.hosts : this.healthy;
  }
}

/** hostWeightsAreEqual (load_balancer_impl.cc). */
export function hostWeightsAreEqual(hosts: readonly Server[]): boolean {
  const w = hosts[0]?.weight;
  return hosts.every((h) => h.weight === w);
}
