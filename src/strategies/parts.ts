/**
 * What every strategy definition is made of: the balancers by name, the
 * context a run gives a strategy, and the option pieces shared by the
 * registry's generic strategies and the real-system presets (systems/).
 */
import { z } from 'zod';
import { LeastConn } from '../balancers/leastConn.js';
import { PowerOfTwo } from '../balancers/p2c.js';
import { RandomBalancer } from '../balancers/random.js';
import { RoundRobin } from '../balancers/roundRobin.js';
import type { Balancer } from '../balancers/types.js';
import type { Uniform } from '../engine/index.js';
import type { ClientSpec } from '../model/clients.js';
import { fmix32 } from '../model/hash.js';
import { duration } from '../model/units.js';
import type { DownPolicy, LoadBalancer } from './loadBalancer.js';

export const BALANCER_NAMES = ['round-robin', 'random', 'least-conn', 'p2c'] as const;
export type BalancerName = (typeof BALANCER_NAMES)[number];

export function makeBalancer(name: BalancerName, routing: Uniform): Balancer {
  switch (name) {
    case 'round-robin':
      return new RoundRobin();
    case 'random':
      return new RandomBalancer(routing);
    case 'least-conn':
      return new LeastConn();
    case 'p2c':
      return new PowerOfTwo(routing);
  }
}

/** What a strategy needs from the run that builds it. */
export interface BuildContext {
  /** The routing random stream of this run. */
  routing: Uniform;
  /** How clients behave (shared proxy caches matter to cookie insert). */
  clients: ClientSpec;
  /**
   * This run's salt for hash placement (ring points, Maglev permutations,
   * rendezvous scores): with `placement: per-replication` each replication
   * draws its own placement, so confidence intervals include its variance.
   */
  placement: number;
}

/** The placement salt of a run: a function of its seed alone, independent of every random stream. */
export function placementSalt(seed: number): number {
  return fmix32((seed ^ 0x7a3c19e5) >>> 0);
}

/** A strategy ready to run: its load balancer, and whether state is shared. */
export interface StrategyInstance {
  lb: LoadBalancer;
  /** Session state lives in a shared store reached in `latency` seconds per request. */
  sharedStore?: { latency: number };
}

export interface StrategyDef<O extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly description: string;
  /** Its options, all with defaults; unknown keys are rejected. */
  readonly options: O;
  /** Checks that span several options; a one-line reason when they do not fit together. */
  check?(options: z.output<O>): string | undefined;
  build(options: z.output<O>, ctx: BuildContext): StrategyInstance;
}

export const balancer = z.enum(BALANCER_NAMES);
export const vnodes = z.number().int().min(1).max(10_000);
export const seconds = (d: number) => z.union([duration, z.literal('never')]).transform((v) => (v === 'never' ? Infinity : v)).default(d);

export function def<O extends z.ZodObject>(d: StrategyDef<O>): StrategyDef {
  return d as unknown as StrategyDef;
}

/** Options of every stored binding: what happens when its server is unavailable. */
export const policyOptions = {
  onDown: z.enum(['redispatch', 'persist', 'strict']).default('redispatch'),
  retries: z.number().int().min(0).max(100).default(3),
  retryDelay: duration.default(1),
  onRecover: z.enum(['stay', 'return']).default('stay'),
  onDrain: z.enum(['serve', 'move']).default('serve').meta({
    description: 'A draining server: serve (HAProxy drain: bound requests still go there) or move (AWS ALB deregistration, Kubernetes termination: nothing new goes there).',
  }),
};

export function policyOf(o: DownPolicy): DownPolicy {
  return { onDown: o.onDown, retries: o.retries, retryDelay: o.retryDelay, onRecover: o.onRecover, onDrain: o.onDrain ?? 'serve' };
}

