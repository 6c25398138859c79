import type { ServerTemplate } from './fleet.js';
import type { TimelineEvent } from './timeline.js';
import type { WorkloadSpec } from './workload.js';

/** A scenario resolved to numbers (seconds) for one run. */
export interface SimConfig {
  duration: number;
  warmup: number;
  window: number;
  workload: WorkloadSpec;
  fleet: ServerTemplate & { servers: number };
  timeline: readonly TimelineEvent[];
}
