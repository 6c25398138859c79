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
}
