/**
 * `{ system: envoy, … }`: an Envoy 1.36 cluster configured by its own option
 * names, camelCased, with its defaults. REPRODUCED FROM ENVOY'S SOURCE, NOT
 * CALIBRATED: no live Envoy was available here (it is not in Debian's
 * packages), so unlike the HAProxy and nginx presets nothing was checked
 * client by client against a running binary. What was checked: the ring,
 * Maglev and bounded-load code against the concrete picks Envoy's own unit
 * tests assert (test/balancers/envoy/). Read from envoyproxy/envoy's
 * sources of the 1.36 line (stored copies, VERSION.txt 1.36.6); these code
 * paths are the same throughout 1.3x. The algorithms, file by file, are in
 * src/balancers/hashing/envoy/ (ring_hash_lb.cc, maglev_lb.cc,
 * thread_aware_lb_impl.cc, hash.h/hash.cc, hash_policy.cc, load_balancer_impl.cc,
 * round_robin_lb.h, random_lb.cc, least_request_lb.cc, edf_scheduler.h).
 *
 *     clusters:
 *     - name: app
 *       lb_policy: RING_HASH              # or ROUND_ROBIN (default), LEAST_REQUEST, RANDOM, MAGLEV
 *       ring_hash_lb_config: { minimum_ring_size: 1024, maximum_ring_size: 8388608, hash_function: XX_HASH }
 *       maglev_lb_config: { table_size: 65537 }
 *       least_request_lb_config: { choice_count: 2 }
 *       common_lb_config:
 *         healthy_panic_threshold: { value: 50 }
 *         consistent_hashing_lb_config: { hash_balance_factor: 150 }
 *       load_assignment: … 10.0.0.1:80, 10.0.0.2:80, …
 *     routes:
 *     - route:
 *         cluster: app
 *         hash_policy:
 *         - connection_properties: { source_ip: true }   # hashPolicy: sourceIp
 *         # - header: { header_name: X-Client-Id }       # hashPolicy: header
 *
 * The request hash is xxHash64 of the header's value (the client id in
 * decimal, identifierText) or of the client address as dotted quad; a
 * request without the header — or any request when no hashPolicy is set —
 * gets a random 64-bit hash, so it lands on a random host (weighted by ring
 * or table share). Hosts are hashed by their address ("10.0.0.{n}:80",
 * n = server id + 1). Envoy balances over the healthy hosts, or over all of
 * them in panic (< healthyPanicThreshold % healthy); it learns of a crash
 * from health checks, i.e. the scenario's view of `healthy`. A fleet change
 * rebuilds the ring or table (EDS update).
 *
 * Not modelled: the cookie hash policy (Envoy generates the cookie from the
 * client's address and port), use_hostname_for_hashing and `hash_key`
 * metadata, retries and retry host predicates, localities and priorities,
 * slow start, and EDF's random starting phase for unequal weights.
 */
import { z } from 'zod';
import { identifierText } from '../../affinity/keys.js';
import { Miss, type Affinity } from '../../affinity/types.js';
import {
  ENVOY_DEFAULT_HEALTHY_PANIC_THRESHOLD, ENVOY_DEFAULT_MAX_RING_SIZE, ENVOY_DEFAULT_MIN_RING_SIZE, ENVOY_MAGLEV_DEFAULT_TABLE_SIZE,
  ENVOY_MAGLEV_MAX_TABLE_SIZE, EnvoyLeastRequest, EnvoyRandom, EnvoyRoundRobin, EnvoyThreadAwareLb, isPrimeTableSize, ringSizeBoundsError,
  writeAscii, writeIpv4, xxHash64, type U64,
} from '../../balancers/hashing/envoy/index.js';
import type { Balancer } from '../../balancers/types.js';
import type { Uniform } from '../../engine/index.js';
import type { Fleet } from '../../model/fleet.js';
import type { Server } from '../../model/server.js';
import type { Session } from '../../model/session.js';
import { LoadBalancer } from '../loadBalancer.js';
import { def } from '../parts.js';

const LB_POLICIES = ['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'RING_HASH', 'MAGLEV'] as const;
const HASHING: readonly string[] = ['RING_HASH', 'MAGLEV'];

export const envoyOptions = z.strictObject({
  version: z.literal('1.36').default('1.36').meta({ description: 'The Envoy version reproduced (1.36, from source; not calibrated against a live Envoy).' }),
  lbPolicy: z.enum(LB_POLICIES).default('ROUND_ROBIN').meta({ description: "The cluster's `lb_policy` (default ROUND_ROBIN)." }),
  hashPolicy: z.enum(['sourceIp', 'header']).optional().meta({
    description:
      "The route's `hash_policy`, for RING_HASH and MAGLEV: `connection_properties: { source_ip: true }` or `header: { header_name: X-Client-Id }`. Absent: no hash policy, every request hashes a random number (as random as RANDOM).",
  }),
  choiceCount: z.number().int().min(2).max(100).optional().meta({ description: 'LEAST_REQUEST `choice_count` (default 2: power of two choices).' }),
  minimumRingSize: z.number().int().min(1).max(ENVOY_DEFAULT_MAX_RING_SIZE).optional().meta({ description: 'RING_HASH `minimum_ring_size` (default 1024).' }),
  maximumRingSize: z.number().int().min(1).max(ENVOY_DEFAULT_MAX_RING_SIZE).optional().meta({ description: 'RING_HASH `maximum_ring_size` (default 8388608).' }),
  hashFunction: z.enum(['XX_HASH', 'MURMUR_HASH_2']).optional().meta({ description: 'RING_HASH `hash_function` for the ring points (default XX_HASH).' }),
  tableSize: z.number().int().min(2).max(ENVOY_MAGLEV_MAX_TABLE_SIZE).optional().meta({ description: 'MAGLEV `table_size`, a prime (default 65537).' }),
  hashBalanceFactor: z.number().int().min(100).max(4294967295).optional().meta({
    description: '`consistent_hashing_lb_config.hash_balance_factor` (percent ≥ 100; absent: off): bounded loads for RING_HASH and MAGLEV.',
  }),
  healthyPanicThreshold: z.number().int().min(0).max(100).default(ENVOY_DEFAULT_HEALTHY_PANIC_THRESHOLD).meta({
    description: '`common_lb_config.healthy_panic_threshold` percent, whole (Envoy rounds it; default 50; 0: never panic): below it Envoy balances over all hosts, unhealthy ones included.',
  }),
  addresses: z
    .string()
    .regex(/^[^\s]*\{n\}[^\s]*:\d+$/, 'expected a host:port template with {n}, e.g. "10.0.0.{n}:80"')
    .default('10.0.0.{n}:80')
    .meta({ description: "The endpoints' addresses, {n} = 1, 2, …: RING_HASH and MAGLEV hash this text." }),
});

export type EnvoyOptions = z.output<typeof envoyOptions>;

export function checkEnvoy(o: EnvoyOptions): string | undefined {
  const hashing = HASHING.includes(o.lbPolicy);
  if (o.hashPolicy !== undefined && !hashing) return `hashPolicy applies to lbPolicy RING_HASH or MAGLEV, not ${o.lbPolicy} (Envoy would ignore it)`;
  if (o.hashBalanceFactor !== undefined && !hashing) return `hashBalanceFactor applies to lbPolicy RING_HASH or MAGLEV, not ${o.lbPolicy}`;
  if (o.choiceCount !== undefined && o.lbPolicy !== 'LEAST_REQUEST') return `choiceCount applies to lbPolicy LEAST_REQUEST, not ${o.lbPolicy}`;
  const ringOptions = (['minimumRingSize', 'maximumRingSize', 'hashFunction'] as const).filter((k) => o[k] !== undefined);
  if (ringOptions.length > 0 && o.lbPolicy !== 'RING_HASH') return `${ringOptions.join(' and ')} apply to lbPolicy RING_HASH, not ${o.lbPolicy}`;
  if (o.tableSize !== undefined && o.lbPolicy !== 'MAGLEV') return `tableSize applies to lbPolicy MAGLEV, not ${o.lbPolicy}`;
  const bounds = ringSizeBoundsError(o.minimumRingSize ?? ENVOY_DEFAULT_MIN_RING_SIZE, o.maximumRingSize ?? ENVOY_DEFAULT_MAX_RING_SIZE);
  if (bounds !== undefined) return bounds;
  if (o.tableSize !== undefined && !isPrimeTableSize(o.tableSize)) return 'The table size of maglev must be prime number';
  return undefined;
}

// Scratch for the request's hash input: a dotted quad (≤ 15 bytes) or the client id in decimal.
const KEY = new Uint8Array(64);
const HASH: U64 = { hi: 0, lo: 0 };

/**
 * The route's hash policy (hash_policy.cc): IpHashMethod hashes the client
 * address as text, HeaderHashMethod the header's value (one value: the
 * span overload of xxHash64 streams it, the same digest as hashing it
 * alone). A single policy: generateHash's rotate-and-XOR reduces to that
 * hash. Requests without the header have no hash (Miss.noKey).
 */
class EnvoyHashPolicyAffinity implements Affinity {
  readonly via = 'hash';

  constructor(
    private readonly lb: EnvoyThreadAwareLb,
    private readonly policy: 'sourceIp' | 'header',
  ) {}

  lookup(s: Session, fleet: Fleet): number {
    let len: number;
    if (this.policy === 'sourceIp') len = writeIpv4(s.ip, KEY);
    else if (s.hasHeader) len = writeAscii(identifierText(s.clientId), KEY);
    else return Miss.noKey;
    xxHash64(KEY, len, 0, HASH);
    const server = this.lb.chooseHost(fleet, HASH.hi, HASH.lo);
    return server === undefined ? Miss.pinnedDown : server.id;
  }
}

/** A request without a hash: LoadBalancerImpl::chooseHost hashes `random_.random()` (here the routing stream). */
class EnvoyRandomHash implements Balancer {
  readonly name = 'envoy-random-hash';

  constructor(
    private readonly lb: EnvoyThreadAwareLb,
    private readonly u: Uniform,
  ) {}

  pick(fleet: Fleet): Server | undefined {
    return this.lb.chooseRandom(fleet, this.u);
  }
}

export const envoyPreset = def({
  name: 'envoy',
  description:
    'Envoy 1.36 by its own options (from source, not calibrated): lbPolicy ROUND_ROBIN (default), LEAST_REQUEST, RANDOM, RING_HASH, MAGLEV; hashPolicy sourceIp or header; hashBalanceFactor.',
  options: envoyOptions,
  check: checkEnvoy,
  build: (o, ctx) => {
    const panic = o.healthyPanicThreshold;
    if (o.lbPolicy === 'ROUND_ROBIN') return { lb: new LoadBalancer(undefined, new EnvoyRoundRobin(ctx.routing, panic)) };
    if (o.lbPolicy === 'RANDOM') return { lb: new LoadBalancer(undefined, new EnvoyRandom(ctx.routing, panic)) };
    if (o.lbPolicy === 'LEAST_REQUEST') return { lb: new LoadBalancer(undefined, new EnvoyLeastRequest(ctx.routing, o.choiceCount ?? 2, panic)) };
    const lb = new EnvoyThreadAwareLb({
      lbPolicy: o.lbPolicy,
      ring: { minimumRingSize: o.minimumRingSize ?? ENVOY_DEFAULT_MIN_RING_SIZE, maximumRingSize: o.maximumRingSize ?? ENVOY_DEFAULT_MAX_RING_SIZE, hashFunction: o.hashFunction ?? 'XX_HASH' },
      tableSize: o.tableSize ?? ENVOY_MAGLEV_DEFAULT_TABLE_SIZE,
      hashBalanceFactor: o.hashBalanceFactor,
      healthyPanicThreshold: panic,
      address: (server) => o.addresses.replace('{n}', String(server.id + 1)),
    });
    const random = new EnvoyRandomHash(lb, ctx.routing);
    // No hash policy: every request takes the random path. An empty host set answers no host: the request fails (503).
    const affinity = o.hashPolicy === undefined ? undefined : new EnvoyHashPolicyAffinity(lb, o.hashPolicy);
    return { lb: new LoadBalancer(affinity, random) };
  },
});
