import type { ServerTemplate } from './fleet.js';
import type { AutoscaleSpec, HealthCheckSpec, ServerKind, TimelineEvent } from './timeline.js';
import type { WorkloadSpec } from './workload.js';

/** A scenario resolved to numbers (seconds) for one run. */
export interface SimConfig {
  duration: number;
  warmup: number;
  window: number;
  workload: WorkloadSpec;
  fleet: ServerTemplate & {
    /** The servers at time 0, each its size and weight (template values where absent). */
    initial: ServerKind[];
    healthCheck?: HealthCheckSpec;
    autoscale?: AutoscaleSpec;
  };
  timeline: readonly TimelineEvent[];
  /** Load-balancer replicas, each with its own state (absent: one). */
  balancers?: BalancerReplicas;
}

/**
 * K instances of the load balancer, each with its own memory (round-robin
 * turn, stick table, passive-health marks), in front of the same servers:
 * - `ecmp`: each request is a new connection, spread by a flow hash of its
 *   5-tuple (a router's ECMP, a cloud L4 balancer in front of HAProxy or
 *   ingress pods): a client's requests land on any replica;
 * - `client`: each client stays on one replica (DNS round robin with the
 *   answer cached, or one keep-alive connection for the whole session).
 */
export interface BalancerReplicas {
  replicas: number;
  spread: 'ecmp' | 'client';
}
