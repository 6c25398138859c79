import { z } from 'zod';
import { CookieAffinity } from '../affinity/cookie.js';
import { HashedAffinity } from '../affinity/hashed.js';
import { clientHeader, clientIp } from '../affinity/keys.js';
import { ModuloHash } from '../balancers/hashing/modulo.js';
import { RingHash } from '../balancers/hashing/ring.js';
import { LeastConn } from '../balancers/leastConn.js';
import { PowerOfTwo } from '../balancers/p2c.js';
import { RandomBalancer } from '../balancers/random.js';
import { RoundRobin } from '../balancers/roundRobin.js';
import type { Balancer } from '../balancers/types.js';
import type { Uniform } from '../engine/index.js';
import { duration } from '../model/units.js';
import { LoadBalancer } from './loadBalancer.js';

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
  build(options: z.output<O>, ctx: BuildContext): StrategyInstance;
}

const balancer = z.enum(BALANCER_NAMES);
const vnodes = z.number().int().min(1).max(10_000);

function def<O extends z.ZodObject>(d: StrategyDef<O>): StrategyDef {
  return d as unknown as StrategyDef;
}

function plain(name: BalancerName, description: string): StrategyDef {
  return def({
    name,
    description,
    options: z.strictObject({}),
    build: (_o, ctx) => ({ lb: new LoadBalancer(undefined, makeBalancer(name, ctx.routing)) }),
  });
}

/**
 * Every strategy by name: a composition of affinity (key extractor + binding)
 * and balancer. A new combination is one entry here.
 */
export const STRATEGIES: readonly StrategyDef[] = [
  plain('round-robin', 'No stickiness: each up server in turn.'),
  plain('random', 'No stickiness: a uniformly random up server.'),
  plain('least-conn', 'No stickiness: the server with fewest requests in flight.'),
  plain('p2c', 'No stickiness: the less loaded of two random servers (power of two choices).'),
  def({
    name: 'cookie',
    description: 'LB-inserted cookie names the server; refusers and redispatches use the fallback balancer.',
    options: z.strictObject({ fallback: balancer.default('least-conn') }),
    build: (o, ctx) => ({ lb: new LoadBalancer(new CookieAffinity(), makeBalancer(o.fallback, ctx.routing)) }),
  }),
  def({
    name: 'ip-hash',
    description: 'Client IP hashed modulo the up servers (map-based): remaps most clients when the fleet changes.',
    options: z.strictObject({ fallback: balancer.default('round-robin') }),
    build: (o, ctx) => ({
      lb: new LoadBalancer(new HashedAffinity(clientIp, new ModuloHash()), makeBalancer(o.fallback, ctx.routing)),
    }),
  }),
  def({
    name: 'ip-ring',
    description: 'Client IP on a consistent-hash ring (ketama, virtual nodes): remaps ~1/N when the fleet changes.',
    options: z.strictObject({ vnodes: vnodes.default(160), fallback: balancer.default('round-robin') }),
    build: (o, ctx) => ({
      lb: new LoadBalancer(new HashedAffinity(clientIp, new RingHash(o.vnodes)), makeBalancer(o.fallback, ctx.routing)),
    }),
  }),
  def({
    name: 'header-ring',
    description: 'Client-id header on a consistent-hash ring; requests without it use the fallback balancer.',
    options: z.strictObject({ vnodes: vnodes.default(160), fallback: balancer.default('round-robin') }),
    build: (o, ctx) => ({
      lb: new LoadBalancer(
        new HashedAffinity(clientHeader, new RingHash(o.vnodes)),
        makeBalancer(o.fallback, ctx.routing),
      ),
    }),
  }),
  def({
    name: 'shared-store',
    description: 'Stateless servers, state in a shared store: no routing loss, each request pays the store latency.',
    options: z.strictObject({
      balancer: balancer.default('round-robin'),
      latency: duration.default(0.001),
    }),
    build: (o, ctx) => ({
      lb: new LoadBalancer(undefined, makeBalancer(o.balancer, ctx.routing)),
      sharedStore: { latency: o.latency },
    }),
  }),
];

export const STRATEGY_NAMES = STRATEGIES.map((s) => s.name);

export function findStrategy(name: string): StrategyDef | undefined {
  return STRATEGIES.find((s) => s.name === name);
}
