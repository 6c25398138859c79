/** Optional draining before a server leaves (ALB deregistration delay, HAProxy `set server … state drain`). */
export interface DrainOptions {
  drain: boolean;
  drainTimeout: number;
}

/** Size and weight of servers that join; the fleet template's where absent. */
export interface ServerKind {
  workers?: number;
  weight?: number;
}

/** A change to the fleet at a point in simulated time. Servers are numbered from 1 (s1, s2, …). */
export type TimelineEvent =
  | { at: number; event: 'crash'; server: number }
  | { at: number; event: 'recover'; server: number }
  | ({ at: number; event: 'remove'; server: number } & DrainOptions)
  | ({ at: number; event: 'add'; count: number } & ServerKind)
  | ({ at: number; event: 'restart'; server: number; downtime: number } & DrainOptions)
  | ({ at: number; event: 'deploy'; interval: number; downtime: number; identities: 'kept' | 'new' } & DrainOptions)
  | ({ at: number; event: 'scale'; servers: number } & DrainOptions)
  | { at: number; event: 'reload' }
  | { at: number; event: 'store-outage'; duration: number; flush: boolean };

/**
 * How the balancer learns that a server died or came back. Active: checks
 * `interval` apart, a change noticed at the `fall`-th (or `rise`-th) check.
 * Passive: `maxFails` failed requests within `failTimeout` mark the server
 * unavailable for `failTimeout`, after which it is tried again.
 */
export type HealthCheckSpec =
  | { type: 'active'; interval: number; fall: number; rise: number; probe?: 'tcp' | 'http'; timeout?: number }
  | { type: 'passive'; maxFails: number; failTimeout: number };

/** A utilization-target autoscaler (Kubernetes HPA formula). */
export interface AutoscaleSpec extends DrainOptions {
  target: number;
  min: number;
  max: number;
  interval: number;
  cooldown: number;
  tolerance: number;
  startup: number;
}

/** A short label for charts and traces: "crash s3", "+2 servers", "deploy", "scale to 6". */
export function describeEvent(e: TimelineEvent): string {
  switch (e.event) {
    case 'add':
      return `+${e.count} server${e.count === 1 ? '' : 's'}`;
    case 'deploy':
      return `rolling deploy${e.identities === 'new' ? ' (new pods)' : ''}${e.drain ? ' (drained)' : ''}`;
    case 'reload':
      return 'balancer reload';
    case 'store-outage':
      return `session store down${e.flush ? ' (flushed)' : ''}`;
    case 'scale':
      return `scale to ${e.servers}`;
    case 'remove':
    case 'restart':
      return `${e.event} s${e.server}${e.drain ? ' (drained)' : ''}`;
    default:
      return `${e.event} s${e.server}`;
  }
}
