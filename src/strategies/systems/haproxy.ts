/**
 * `{ system: haproxy, … }`: HAProxy 2.6 configured by its own option names,
 * with its defaults. The deterministic parts are HAProxy's own algorithms
 * (src/balancers/hashing/haproxy/: lb_map.c, lb_chash.c, hash.c, backend.c),
 * checked client by client against a live HAProxy 2.6.12 (docs/CALIBRATION.md).
 *
 *     backend app
 *       balance source            # or roundrobin, leastconn, random(2), hdr(X-Client-Id), url_param id
 *       hash-type consistent sdbm avalanche
 *       hash-balance-factor 150
 *       cookie SERVERID insert indirect nocache maxidle 30m maxlife 8h
 *       stick-table type ip size 1m expire 30m
 *       stick on src
 *       option redispatch
 *       option persist
 *       retries 3
 *
 * A request carries its key first to the cookie or stick table (when set),
 * then to the `balance` algorithm; without a key for a hashing `balance`
 * (header or parameter absent) HAProxy uses round robin.
 */
import { z } from 'zod';
import { CookieAffinity } from '../../affinity/cookie.js';
import { HashedAffinity } from '../../affinity/hashed.js';
import { clientHeader, clientIp, clientParam, identifierText } from '../../affinity/keys.js';
import { TableAffinity } from '../../affinity/table.js';
import type { KeyExtractor } from '../../affinity/types.js';
import {
  HaproxyChash, HaproxyMapHash, HaproxyRandom, inflightServed, sourceKeyV4, stringKey, type HaproxyHashFunctionName,
} from '../../balancers/hashing/haproxy/index.js';
import type { HashFamily } from '../../balancers/hashing/types.js';
import { LeastConn } from '../../balancers/leastConn.js';
import { RoundRobin } from '../../balancers/roundRobin.js';
import type { Balancer } from '../../balancers/types.js';
import type { Uniform } from '../../engine/index.js';
import type { Server } from '../../model/server.js';
import { duration } from '../../model/units.js';
import { LoadBalancer, type DownPolicy } from '../loadBalancer.js';
import { HaproxyConnectRetry } from './haproxyRetries.js';
import { def, seconds } from '../parts.js';

const HASHING = ['source', 'hdr', 'url_param'] as const;

export const haproxyOptions = z.strictObject({
  version: z.literal('2.6').default('2.6').meta({ description: 'The HAProxy version reproduced (2.6, calibrated against 2.6.12).' }),
  balance: z.enum(['roundrobin', 'leastconn', 'random', ...HASHING]).default('roundrobin').meta({
    description: 'The `balance` algorithm. source: the client address; hdr: the identifier header; url_param: the identifier parameter.',
  }),
  draws: z.number().int().min(1).max(100).default(2).meta({ description: '`balance random(<draws>)`: the less loaded of this many draws (default 2).' }),
  hashType: z.enum(['map-based', 'consistent']).default('map-based').meta({ description: '`hash-type` method (HAProxy default map-based).' }),
  hashFunction: z.enum(['sdbm', 'djb2', 'wt6', 'crc32']).optional().meta({
    description: '`hash-type … <function>` for hdr and url_param (source hashes no string); not given: sdbm.',
  }),
  avalanche: z.boolean().optional().meta({
    description: '`hash-type … avalanche`: full_hash over the key. Not given: on for a bare `hash-type consistent` (no function named), off otherwise, as HAProxy parses it.',
  }),
  hashBalanceFactor: z.union([z.literal(0), z.number().int().min(100).max(65535)]).default(0).meta({
    description: '`hash-balance-factor` (percent, ≥ 100; 0: off): bounded loads, with hash-type consistent only.',
  }),
  cookie: z
    .strictObject({
      name: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('SERVERID'),
      nocache: z.boolean().default(false),
      maxidle: seconds(Infinity),
      maxlife: seconds(Infinity),
    })
    .optional()
    .meta({ description: '`cookie <name> insert indirect [nocache] [maxidle] [maxlife]`.' }),
  stickOnSrc: z
    .strictObject({
      expire: seconds(1800),
      size: z.number().int().min(1).default(1_000_000),
      peers: z.boolean().default(false).meta({
        description: '`stick-table … peers <section>` with the local peer: a reload hands the table to the new process (without: a reload empties it).',
      }),
    })
    .optional()
    .meta({ description: '`stick-table type ip size <size> expire <expire> [peers <section>]` + `stick on src`.' }),
  redispatch: z.boolean().default(false).meta({
    description: '`option redispatch`: a request refused by its server goes to another one on the last retry (at once when no cookie or table sent it, under a non-hash balance, or when the server is DOWN).',
  }),
  persist: z.boolean().default(false).meta({ description: '`option persist`: keep sending cookie or table clients to their server while a check holds it DOWN.' }),
  retries: z.number().int().min(0).max(100).default(3).meta({ description: '`retries` (default 3): connection attempts after the first before a 503.' }),
  timeoutConnect: duration.default(5).meta({
    description: '`timeout connect` (HAProxy sets none and warns; 5 s, the usual value): a retry to the same server waits min(this, 1 s) first (backend.c, the turn-around).',
  }),
});

export type HaproxyOptions = z.output<typeof haproxyOptions>;

/** `hash-type consistent` with `hash-balance-factor`: chash_get_server_hash with the eligibility test (lb_chash.c). */
class HaproxyBoundedChash implements HashFamily {
  readonly name = 'haproxy-chash-bounded';
  private readonly tree = new HaproxyChash();

  constructor(private readonly factor: number) {}

  build(servers: readonly Server[]): void {
    this.tree.build(servers);
  }

  pick(hash: number): Server | undefined {
    return this.tree.lookup(hash, undefined, this.factor, inflightServed);
  }

  pickAvoiding(hash: number, avoid: Server): Server | undefined {
    return this.tree.lookup(hash, avoid, this.factor, inflightServed);
  }
}

/**
 * The hash function and modifier in force, as cfgparse-listen.c reads
 * `hash-type`: the function defaults to sdbm, and a bare `hash-type
 * consistent` (no function named) also turns on `avalanche`.
 */
export function hashTypeOf(o: Pick<HaproxyOptions, 'hashType' | 'hashFunction' | 'avalanche'>): { fn: HaproxyHashFunctionName; avalanche: boolean } {
  return { fn: o.hashFunction ?? 'sdbm', avalanche: o.avalanche ?? (o.hashType === 'consistent' && o.hashFunction === undefined) };
}

/** How HAProxy turns a request's key into the 32-bit key its map or tree looks up (backend.c get_server_sh / get_server_hh / get_server_ph). */
function keyDerivation(o: HaproxyOptions): { extractor: KeyExtractor; position: { int(key: number): number } } {
  const type = hashTypeOf(o);
  if (o.balance === 'source') return { extractor: clientIp, position: { int: (ip) => sourceKeyV4(ip, type.avalanche) } };
  const position = { int: (id: number) => stringKey(identifierText(id), type) };
  return { extractor: o.balance === 'hdr' ? clientHeader : clientParam, position };
}

function plainBalancer(o: HaproxyOptions, routing: Uniform): Balancer {
  if (o.balance === 'leastconn') return new LeastConn();
  if (o.balance === 'random') return new HaproxyRandom(routing, o.draws);
  return new RoundRobin();
}

/**
 * What HAProxy does when a cookie or table names a server that a check has
 * marked DOWN: ignore the binding and balance, rewriting it (its default), or
 * with `option persist` send the request there anyway (`insist`), where the
 * connection retries decide (HaproxyConnectRetry: with `option redispatch`
 * the first refusal redispatches, the server not being RUNNING; without, it
 * fails after `retries` turn-arounds).
 */
function downPolicy(o: HaproxyOptions): DownPolicy {
  return { onDown: o.persist ? 'insist' : 'redispatch', retries: o.retries, retryDelay: o.timeoutConnect > 0 ? Math.min(o.timeoutConnect, 1) : 1, onRecover: 'stay' };
}

/** backend.c back_handle_st_cer and stream_choose_redispatch for this backend: see haproxyRetries.ts. */
function connectRetry(o: HaproxyOptions): HaproxyConnectRetry {
  return new HaproxyConnectRetry({ retries: o.retries, redispatch: o.redispatch, hashing: (HASHING as readonly string[]).includes(o.balance) });
}

export function checkHaproxy(o: HaproxyOptions): string | undefined {
  const hashing = (HASHING as readonly string[]).includes(o.balance);
  if (o.hashBalanceFactor !== 0 && o.hashType !== 'consistent') return 'hashBalanceFactor applies with hashType: consistent only (HAProxy ignores it for map-based)';
  if (o.hashBalanceFactor !== 0 && !hashing) return `hashBalanceFactor applies to hashing (balance source, hdr or url_param), not balance ${o.balance}`;
  if (o.cookie !== undefined && o.stickOnSrc !== undefined) return 'cookie and stickOnSrc together are not modelled: choose one binding';
  if ((o.cookie !== undefined || o.stickOnSrc !== undefined) && hashing) {
    return `a cookie or stick table in front of balance ${o.balance} is not modelled yet: use balance roundrobin, leastconn or random behind it`;
  }
  return undefined;
}

export const haproxyPreset = def({
  name: 'haproxy',
  description: 'HAProxy 2.6 by its own options: balance (source, hdr, url_param, roundrobin, leastconn, random), hash-type, cookie insert, stick on src.',
  options: haproxyOptions,
  check: checkHaproxy,
  build: (o, ctx) => {
    if ((HASHING as readonly string[]).includes(o.balance)) {
      const { extractor, position } = keyDerivation(o);
      const family: HashFamily =
        o.hashType === 'map-based' ? new HaproxyMapHash() : o.hashBalanceFactor !== 0 ? new HaproxyBoundedChash(o.hashBalanceFactor) : new HaproxyChash();
      // No key (header or parameter absent): round robin, as HAProxy does.
      return { lb: new LoadBalancer(new HashedAffinity(extractor, family, position), new RoundRobin(), downPolicy(o), connectRetry(o)) };
    }
    const balancer = plainBalancer(o, ctx.routing);
    if (o.cookie !== undefined) {
      const c = o.cookie;
      const cookie = new CookieAffinity({ maxIdle: c.maxidle, maxLife: c.maxlife, nocache: c.nocache, sharedCache: ctx.clients.nat?.sharedCache ?? false });
      return { lb: new LoadBalancer(cookie, balancer, downPolicy(o), connectRetry(o)) };
    }
    if (o.stickOnSrc !== undefined) {
      const t = o.stickOnSrc;
      // An IPv4 stick-table entry with server_id: about 50 bytes of key and data, plus the tree node.
      const table = new TableAffinity(clientIp, { expire: t.expire, capacity: t.size, entryBytes: 64, peers: t.peers });
      return { lb: new LoadBalancer(table, balancer, downPolicy(o), connectRetry(o)) };
    }
    return { lb: new LoadBalancer(undefined, balancer, downPolicy(o), connectRetry(o)) };
  },
});
