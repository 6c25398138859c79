import { z } from 'zod';
import { CookieAffinity } from '../affinity/cookie.js';
import { HashedAffinity } from '../affinity/hashed.js';
import { KEY_EXTRACTORS, KEY_NAMES } from '../affinity/keys.js';
import { RouteAffinity } from '../affinity/route.js';
import { TableAffinity } from '../affinity/table.js';
import { ConnectionAffinity, PER_REQUEST } from '../affinity/connection.js';
import {
  HASH_FAMILY_NAMES, HASH_FUNCTION_NAMES, hashFunction, makeHashFamily, type HashFamilyName, type HashFamilySpec, type HashFunctionName,
} from '../balancers/hashing/index.js';
import { duration } from '../model/units.js';
import { LoadBalancer } from './loadBalancer.js';
import {
  balancer, def, makeBalancer, policyOf, policyOptions, seconds, vnodes, type BalancerName, type StrategyDef,
} from './parts.js';
import { awsAlbPreset } from './systems/awsAlb.js';
import { envoyPreset } from './systems/envoy.js';
import { haproxyPreset } from './systems/haproxy.js';
import { ingressNginxPreset } from './systems/ingressNginx.js';
import { kubeProxyPreset } from './systems/kubeProxy.js';
import { nginxPreset } from './systems/nginx.js';

export {
  BALANCER_NAMES, makeBalancer, placementSalt, type BalancerName, type BuildContext, type StrategyDef, type StrategyInstance,
} from './parts.js';

function plain(name: BalancerName, description: string): StrategyDef {
  return def({
    name,
    description,
    options: z.strictObject({}),
    build: (_o, ctx) => ({ lb: new LoadBalancer(undefined, makeBalancer(name, ctx.routing)) }),
  });
}

export const HASH_FAMILIES = HASH_FAMILY_NAMES;

interface HashPreset {
  key: (typeof KEY_NAMES)[number];
  family: HashFamilyName;
  bound?: number;
}

/** The family options a strategy's options name (only those set). */
function familySpec(
  o: { family: HashFamilyName; hash: HashFunctionName; vnodes?: number; minRing?: number; tableSize?: number; bound?: number; placement?: 'per-replication' | 'fixed' },
  salt?: number,
): HashFamilySpec {
  const spec: HashFamilySpec = { family: o.family, hash: o.hash };
  if (salt !== undefined && o.placement !== 'fixed' && o.family !== 'modulo') spec.salt = salt;
  if (o.vnodes !== undefined) spec.vnodes = o.vnodes;
  if (o.minRing !== undefined) spec.minRing = o.minRing;
  if (o.tableSize !== undefined) spec.tableSize = o.tableSize;
  if (o.bound !== undefined) spec.bound = o.bound;
  return spec;
}

/** A derived binding: a key hashed onto the available servers by a family, with a chosen hash function. */
function hashed(name: string, description: string, d: HashPreset): StrategyDef {
  return def({
    name,
    description,
    options: z.strictObject({
      key: z.enum(KEY_NAMES as [string, ...string[]]).default(d.key),
      family: z.enum(HASH_FAMILY_NAMES).default(d.family),
      hash: z.enum(HASH_FUNCTION_NAMES).default('xxh64').meta({ description: 'Hash function for keys and for the family (xxh64 default).' }),
      vnodes: vnodes.optional().meta({ description: 'ring: points per unit of weight (default 160, nginx; HAProxy 16).' }),
      minRing: z.number().int().min(1).max(10_000_000).optional().meta({ description: 'ring: minimum total points (Envoy minimum_ring_size 1024).' }),
      tableSize: z.number().int().min(2).max(10_000_019).optional().meta({ description: 'maglev: prime table size (default 65537).' }),
      bound: (d.bound === undefined ? z.number().min(1).optional() : z.number().min(1).default(d.bound)).meta({
        description: 'ring or maglev: bounded load, no server above ⌈bound × average in-flight⌉ (HAProxy hash-balance-factor/100).',
      }),
      placement: z.enum(['per-replication', 'fixed']).optional().meta({
        description: 'ring, maglev or rendezvous: where servers land is drawn anew for each replication (default), so confidence intervals include placement; fixed: one placement from the server names alone.',
      }),
      fallback: balancer.default('round-robin'),
    }),
    check: (o) => {
      try {
        makeHashFamily(familySpec(o));
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
    build: (o, ctx) => ({
      lb: new LoadBalancer(
        new HashedAffinity(KEY_EXTRACTORS[o.key as keyof typeof KEY_EXTRACTORS], makeHashFamily(familySpec(o, ctx.placement)), hashFunction(o.hash)),
        makeBalancer(o.fallback, ctx.routing),
      ),
    }),
  });
}

/** An LB-side stick table keyed on the client address or identifier. */
function table(name: string, description: string, d: { key: (typeof KEY_NAMES)[number]; expire: number }): StrategyDef {
  return def({
    name,
    description,
    options: z.strictObject({
      key: z.enum(KEY_NAMES as [string, ...string[]]).default(d.key),
      expire: seconds(d.expire),
      capacity: z.union([z.number().int().min(1), z.literal('unbounded')]).transform((v) => (v === 'unbounded' ? Infinity : v)).default(Infinity),
      entryBytes: z.number().int().min(0).default(64),
      peers: z.boolean().default(false).meta({ description: 'The table survives a reload of the balancer (HAProxy `peers` with the local peer); default: a reload empties it.' }),
      // HAProxy balances what the table does not know with the backend's `balance`, roundrobin by default.
      fallback: balancer.default('round-robin'),
      ...policyOptions,
    }),
    build: (o, ctx) => ({
      lb: new LoadBalancer(
        new TableAffinity(KEY_EXTRACTORS[o.key as keyof typeof KEY_EXTRACTORS], o),
        makeBalancer(o.fallback, ctx.routing),
        policyOf(o),
      ),
    }),
  });
}

/**
 * Every strategy by name: a composition of affinity (key extractor + binding)
 * and balancer, with the policy for an unavailable bound server. A new
 * combination is one entry here; scenario files can also set any option.
 */
export const STRATEGIES: readonly StrategyDef[] = [
  plain('round-robin', 'No stickiness: each up server in turn.'),
  plain('random', 'No stickiness: a uniformly random up server.'),
  plain('least-conn', 'No stickiness: the server with fewest requests in flight.'),
  plain('p2c', 'No stickiness: the less loaded of two random servers (power of two choices).'),
  def({
    name: 'cookie',
    description: 'LB-inserted cookie names the server; refusers and redispatches use the fallback balancer.',
    options: z.strictObject({
      // HAProxy balances requests without a valid cookie with the backend's `balance`: roundrobin unless set.
      fallback: balancer.default('round-robin'),
      maxIdle: seconds(Infinity),
      maxLife: seconds(Infinity),
      nocache: z.boolean().default(false),
      ...policyOptions,
    }),
    build: (o, ctx) => ({
      lb: new LoadBalancer(
        new CookieAffinity({ maxIdle: o.maxIdle, maxLife: o.maxLife, nocache: o.nocache, sharedCache: ctx.clients.nat?.sharedCache ?? false }),
        makeBalancer(o.fallback, ctx.routing),
        policyOf(o),
      ),
    }),
  }),
  def({
    name: 'route',
    description: 'The server names itself in a value the client echoes (Tomcat jvmRoute); works without cookies.',
    // Apache mod_proxy_balancer's default lbmethod (byrequests) is a weighted round robin.
    options: z.strictObject({ fallback: balancer.default('round-robin'), ...policyOptions }),
    build: (o, ctx) => ({ lb: new LoadBalancer(new RouteAffinity(), makeBalancer(o.fallback, ctx.routing), policyOf(o)) }),
  }),
  hashed('ip-hash', 'Client IP hashed modulo the available servers (map-based): remaps most clients when the fleet changes.', { key: 'ip', family: 'modulo' }),
  hashed('ip24-hash', 'First three octets of the client IP, modulo the servers (nginx ip_hash): a /24 shares a server.', { key: 'ip24', family: 'modulo' }),
  hashed('ip-ring', 'Client IP on a consistent-hash ring (ketama, virtual nodes): remaps ~1/N when the fleet changes.', { key: 'ip', family: 'ring' }),
  hashed('ip-maglev', 'Client IP on a Maglev table (65537 entries): even spread, near-minimal remapping.', { key: 'ip', family: 'maglev' }),
  hashed('ip-rendezvous', 'Client IP by rendezvous (highest random weight) hashing: minimal remapping, O(N) per request.', { key: 'ip', family: 'rendezvous' }),
  hashed('ip-ring-bounded', 'Client IP on a ring with bounded load (factor 1.25): no server above 1.25 × the average in flight.', { key: 'ip', family: 'ring', bound: 1.25 }),
  hashed('header-ring', 'Client-id header on a consistent-hash ring; requests without it use the fallback balancer.', { key: 'header', family: 'ring' }),
  hashed('hash', 'Any key (ip, ip24, header, param) on any family (modulo, ring, maglev, rendezvous, bounded).', { key: 'ip', family: 'ring' }),
  table('ip-table', 'LB-side stick table on the client IP (HAProxy stick on src; Kubernetes ClientIP affinity, 3 h).', { key: 'ip', expire: 10800 }),
  table('table', 'LB-side stick table on any key (ip, ip24, header, param), with expiry and capacity.', { key: 'header', expire: 1800 }),
  def({
    name: 'l4',
    description: 'Layer 4: a server per connection (AWS NLB, HAProxy mode tcp, IPVS); every request on it follows. Clients reuse connections per workload.clients.connection.',
    options: z.strictObject({
      balancer: balancer.default('round-robin'),
      maxConnectionAge: seconds(Infinity).meta({
        description: 'Close a connection this long after it opened, so that the client reconnects and is balanced again (Envoy max_connection_duration, gRPC MAX_CONNECTION_AGE); default never.',
      }),
    }),
    build: (o, ctx) => ({
      lb: new LoadBalancer(new ConnectionAffinity(ctx.clients.connection ?? PER_REQUEST, o.maxConnectionAge), makeBalancer(o.balancer, ctx.routing)),
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

/**
 * The generic strategies, by name: what a scenario runs when it names none
 * (but `l4`, which with the default clients — a new connection per request —
 * is its balancer again).
 */
export const STRATEGY_NAMES = STRATEGIES.map((s) => s.name).filter((n) => n !== 'l4');

/**
 * Real systems configured by their own option names (`{ system: haproxy,
 * balance: source, hashType: consistent }`), with that system's defaults and
 * algorithms. Each lives in systems/.
 */
export const SYSTEM_PRESETS: readonly StrategyDef[] = [haproxyPreset, nginxPreset, envoyPreset, awsAlbPreset, kubeProxyPreset, ingressNginxPreset];
export const SYSTEM_NAMES = SYSTEM_PRESETS.map((s) => s.name);

/** Every definition a scenario may name: the generic strategies, then the systems. */
export const ALL_STRATEGIES: readonly StrategyDef[] = [...STRATEGIES, ...SYSTEM_PRESETS];
export const ALL_STRATEGY_NAMES = ALL_STRATEGIES.map((s) => s.name);

export function findStrategy(name: string): StrategyDef | undefined {
  return ALL_STRATEGIES.find((s) => s.name === name);
}
