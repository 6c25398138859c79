/**
 * `{ system: nginx, … }`: open-source nginx 1.22 configured by its own
 * directives, with its defaults. Every method is nginx's own code path
 * (src/balancers/hashing/nginx/: ngx_http_upstream_round_robin.c,
 * ngx_http_upstream_ip_hash_module.c, ngx_http_upstream_hash_module.c),
 * checked client by client against a live nginx 1.22.1 (docs/CALIBRATION.md).
 *
 *     upstream app {
 *         ip_hash;                                # or: hash $remote_addr;  hash $http_x_client_id consistent;  least_conn;
 *         server 10.0.0.1:80 max_fails=1 fail_timeout=10s;
 *         …
 *     }
 *
 * nginx walks ALL configured servers, the dead ones included: a crashed
 * server's clients are re-hashed (up to 20 times, then round robin) and only
 * they move; nginx learns of the crash from a failed connection (passive
 * health, `max_fails` within `fail_timeout`). Adding or removing a server is
 * a reload: a new upstream, every hash taken over the new list.
 *
 * `addresses` is how the `server` lines write the servers, which `hash …
 * consistent` hashes: a template (`10.0.0.{n}:80`) or, when the ports or
 * hosts follow no pattern, the list of every server's "host:port" in
 * configuration order (`['127.0.0.1:20417', '127.0.0.1:23051', …]`).
 */
import { z } from 'zod';
import { identifierText } from '../../affinity/keys.js';
import { UpstreamAffinity, type Upstream } from '../../affinity/upstream.js';
import { ipv4String, NginxConsistentHash, NginxHash, NginxIpHash, NginxRoundRobin } from '../../balancers/hashing/nginx/index.js';
import { LeastConn } from '../../balancers/leastConn.js';
import { RoundRobin } from '../../balancers/roundRobin.js';
import type { Server } from '../../model/server.js';
import type { Session } from '../../model/session.js';
import { duration } from '../../model/units.js';
import { DEFAULT_POLICY, LoadBalancer } from '../loadBalancer.js';
import { def } from '../parts.js';

const HASH_KEYS = ['$remote_addr', '$http_x_client_id', '$arg_id'] as const;

export const nginxOptions = z.strictObject({
  version: z.literal('1.22').default('1.22').meta({ description: 'The nginx version reproduced (1.22, calibrated against 1.22.1).' }),
  ipHash: z.boolean().default(false).meta({ description: '`ip_hash;`: the first three octets of the client address.' }),
  hash: z.enum(HASH_KEYS).optional().meta({ description: '`hash <key>;`: the client address, the X-Client-Id header or the id URL parameter, as text.' }),
  consistent: z.boolean().default(false).meta({ description: '`hash <key> consistent;`: ketama, 160 points per unit of weight.' }),
  leastConn: z.boolean().default(false).meta({ description: '`least_conn;` (not sticky).' }),
  maxFails: z.number().int().min(0).max(1000).default(1).meta({ description: '`max_fails=` (default 1; 0: never marked failed).' }),
  failTimeout: duration.default(10).meta({ description: '`fail_timeout=` (default 10 s).' }),
  addresses: z
    .union([
      z.string().regex(/^[^\s]*\{n\}[^\s]*:\d+$/, 'expected a host:port template with {n}, e.g. "10.0.0.{n}:80"'),
      z.array(z.string().regex(/^[^\s{}]+:\d+$/, 'expected "host:port", e.g. "127.0.0.1:8081"')).min(1),
    ])
    .default('10.0.0.{n}:80')
    .meta({
      description:
        'How the servers are written in the `server` lines: a template, {n} = 1, 2, … ("10.0.0.{n}:80"), or the list of "host:port" of s1, s2, … in order (every server the run will have): `hash … consistent` hashes this text.',
    }),
});

export type NginxOptions = z.output<typeof nginxOptions>;

export function checkNginx(o: NginxOptions): string | undefined {
  const methods = [o.ipHash && 'ipHash', o.hash !== undefined && 'hash', o.leastConn && 'leastConn'].filter(Boolean);
  if (methods.length > 1) return `${methods.join(' and ')} are different balancing methods: nginx takes one per upstream`;
  if (o.consistent && o.hash === undefined) return 'consistent applies to hash (hash <key> consistent)';
  return undefined;
}

/** The text nginx hashes for `hash <key>`; empty when the request lacks it (nginx then uses round robin). */
function keyText(key: (typeof HASH_KEYS)[number]): (s: Session) => string {
  if (key === '$remote_addr') return (s) => ipv4String(s.ip);
  if (key === '$http_x_client_id') return (s) => (s.hasHeader ? identifierText(s.clientId) : '');
  return (s) => (s.hasParam ? identifierText(s.clientId) : '');
}

/**
 * The text of server `s<id+1>`'s `server` line: the template with {n}
 * replaced, or the list's entry (an error naming the server when the list
 * is shorter than the fleet has grown).
 */
export function serverAddress(addresses: string | readonly string[]): (server: Server) => string {
  if (typeof addresses === 'string') return (server) => addresses.replace('{n}', String(server.id + 1));
  return (server) => {
    const a = addresses[server.id];
    if (a === undefined) throw new Error(`nginx: addresses lists ${addresses.length} servers, none for s${server.id + 1}`);
    return a;
  };
}

/** The upstream block for the configured servers (built anew at every reload). */
function upstream(o: NginxOptions): (configured: readonly Server[]) => Upstream {
  const peers = { maxFails: o.maxFails, failTimeout: o.failTimeout };
  if (o.ipHash) {
    return (configured) => {
      const lb = new NginxIpHash(configured, peers);
      return { route: (s, now, refuses, isDown) => lb.route(s.ip, now, refuses, isDown) };
    };
  }
  if (o.hash !== undefined) {
    const text = keyText(o.hash);
    if (o.consistent) {
      const address = serverAddress(o.addresses);
      return (configured) => {
        const lb = new NginxConsistentHash(configured, { ...peers, address });
        return { route: (s, now, refuses, isDown) => lb.route(text(s), now, refuses, isDown) };
      };
    }
    return (configured) => {
      const lb = new NginxHash(configured, peers);
      return { route: (s, now, refuses, isDown) => lb.route(text(s), now, refuses, isDown) };
    };
  }
  return (configured) => {
    const lb = new NginxRoundRobin(configured, peers);
    return { route: (_s, now, refuses, isDown) => lb.route(undefined, now, refuses, isDown) };
  };
}

export const nginxPreset = def({
  name: 'nginx',
  description: 'nginx 1.22 by its own directives: round robin (default), ip_hash, hash $key [consistent], least_conn; max_fails, fail_timeout.',
  options: nginxOptions,
  check: checkNginx,
  build: (o) => {
    if (o.leastConn) return { lb: new LoadBalancer(undefined, new LeastConn()) };
    const via = o.ipHash || o.hash !== undefined ? 'hash' : 'balancer';
    // No live upstream: nginx answers 502; the request fails (strict), it is never sent elsewhere.
    return { lb: new LoadBalancer(new UpstreamAffinity(via, upstream(o)), new RoundRobin(), { ...DEFAULT_POLICY, onDown: 'strict' }) };
  },
});
