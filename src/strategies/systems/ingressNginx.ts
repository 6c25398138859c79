/**
 * `{ system: ingress-nginx, … }`: the Kubernetes ingress-nginx controller
 * (kubernetes/ingress-nginx controller v1.15.1, commit dbb11b92, March 2026)
 * configured by its Ingress annotations, camelCased without the
 * `nginx.ingress.kubernetes.io/` prefix:
 *
 *     metadata:
 *       annotations:
 *         nginx.ingress.kubernetes.io/affinity: cookie              # → affinity
 *         nginx.ingress.kubernetes.io/affinity-mode: persistent     # → affinityMode (balanced)
 *         nginx.ingress.kubernetes.io/session-cookie-name: INGRESSCOOKIE
 *         nginx.ingress.kubernetes.io/session-cookie-max-age: "172800"
 *         nginx.ingress.kubernetes.io/session-cookie-change-on-failure: "false"
 *         nginx.ingress.kubernetes.io/upstream-hash-by: "$remote_addr"
 *         nginx.ingress.kubernetes.io/load-balance: round_robin
 *
 * Reproduced from its documentation (docs/user-guide/nginx-configuration/
 * annotations.md "Session Affinity", "Custom NGINX upstream hashing";
 * configmap.md load-balance, proxy-next-upstream-tries;
 * docs/examples/affinity/cookie/README.md) and source:
 * internal/ingress/annotations/sessionaffinity/main.go (names, defaults),
 * internal/ingress/controller/endpointslices.go (ready endpoints only),
 * rootfs/etc/nginx/lua/balancer.lua (which implementation), balancer/
 * round_robin.lua, chash.lua, sticky.lua, sticky_balanced.lua,
 * sticky_persistent.lua, util/nodemap.lua, util.lua; and lua-resty-balancer
 * v0.05 (the version its image builds): roundrobin.lua, chash.lua + chash.c,
 * reproduced point for point in balancers/hashing/restyChash.ts. What they
 * do is in affinity/ingressNginx.ts. Not calibrated against a live
 * controller.
 *
 * - `affinity: cookie` wins over `upstreamHashBy`, which wins over
 *   `loadBalance` (balancer.lua get_implementation): with either, the
 *   load-balance setting is not used.
 * - `affinityMode: balanced`: the cookie holds a random key hashed onto the
 *   current endpoints — scaling up moves the sessions whose key now lands on
 *   a new endpoint; `persistent`: the cookie names its endpoint, the session
 *   stays while it is listed.
 * - The cookie is set when an endpoint is picked for a request without a
 *   usable cookie, and not refreshed: `sessionCookieMaxAge` (Max-Age; or the
 *   legacy `sessionCookieExpires`, Expires = now + seconds; Max-Age wins when
 *   both are set, as browsers do) counts from then; neither: a session cookie.
 * - `upstreamHashBy`: resty.chash of the variable's text: the client address
 *   (as the controller sees it: no proxy in front), the X-Client-Id header or
 *   the `id` URL parameter (an absent one hashes "", one endpoint takes them
 *   all). `upstream-hash-by-subset` is not offered.
 * - `loadBalance: ewma` (Peak EWMA of response times kept in a shared dict)
 *   is not reproduced and is rejected where it would be used.
 * - Endpoints: the Service's ready endpoints (a terminating pod is not ready:
 *   nothing new goes to it, sticky requests included); they have no weights.
 */
import { z } from 'zod';
import { IngressNginxAffinity, type IngressImplementation } from '../../affinity/ingressNginx.js';
import { identifierText } from '../../affinity/keys.js';
import { ipv4String } from '../../balancers/hashing/nginx/index.js';
import { CyclicRoundRobin } from '../../balancers/unweighted.js';
import type { Server } from '../../model/server.js';
import type { Session } from '../../model/session.js';
import { LoadBalancer } from '../loadBalancer.js';
import { def } from '../parts.js';

const HASH_BY = ['$remote_addr', '$http_x_client_id', '$arg_id'] as const;
/** parser.BasicCharsRegex (internal/ingress/annotations/parser/validators.go). */
const BASIC_CHARS = /^[/\-._~a-zA-Z0-9:]+$/;

export const ingressNginxOptions = z.strictObject({
  version: z.literal('1.15').default('1.15').meta({ description: 'The ingress-nginx controller version reproduced (v1.15.1).' }),
  affinity: z.enum(['none', 'cookie']).default('none').meta({ description: '`affinity`: cookie (the only type ingress-nginx has) or none (the default).' }),
  affinityMode: z.enum(['balanced', 'persistent']).optional().meta({ description: '`affinity-mode`: balanced (default) or persistent.' }),
  sessionCookieName: z.string().regex(BASIC_CHARS).optional().meta({ description: '`session-cookie-name` (default INGRESSCOOKIE); names the cookie, changes no routing.' }),
  sessionCookieMaxAge: z.number().int().min(1).optional().meta({ description: '`session-cookie-max-age`: seconds from when the cookie is set (default none: a session cookie).' }),
  sessionCookieExpires: z.number().int().min(1).optional().meta({ description: '`session-cookie-expires`: legacy Expires = now + seconds (Max-Age wins when both are set).' }),
  sessionCookieChangeOnFailure: z.boolean().optional().meta({
    description: '`session-cookie-change-on-failure` (default false): after a failed try, pick a new endpoint and rewrite the cookie instead of trying the cookie\'s again.',
  }),
  upstreamHashBy: z.enum(HASH_BY).optional().meta({
    description: '`upstream-hash-by`: consistent hashing (resty.chash) of the client address, the X-Client-Id header or the `id` URL parameter.',
  }),
  loadBalance: z.enum(['round_robin', 'ewma']).default('round_robin').meta({ description: '`load-balance` (default round_robin; ewma is not reproduced).' }),
  proxyNextUpstreamTries: z.number().int().min(1).max(100).default(3).meta({
    description: 'ConfigMap `proxy-next-upstream-tries` (default 3): tries of a request whose connection fails.',
  }),
  addresses: z
    .string()
    .regex(/^[^\s]*\{n\}[^\s]*:\d+$/, 'expected an ip:port template with {n}, e.g. "10.244.0.{n}:8080"')
    .default('10.244.0.{n}:8080')
    .meta({ description: 'The endpoints as the controller lists them, {n} = 1, 2, …: resty.chash hashes this text.' }),
});

export type IngressNginxOptions = z.output<typeof ingressNginxOptions>;

export function checkIngressNginx(o: IngressNginxOptions): string | undefined {
  const cookieOnly = (
    [
      ['affinityMode', o.affinityMode],
      ['sessionCookieName', o.sessionCookieName],
      ['sessionCookieMaxAge', o.sessionCookieMaxAge],
      ['sessionCookieExpires', o.sessionCookieExpires],
      ['sessionCookieChangeOnFailure', o.sessionCookieChangeOnFailure],
    ] as const
  ).find(([, v]) => v !== undefined);
  if (o.affinity === 'none' && cookieOnly !== undefined) return `${cookieOnly[0]} applies with affinity: cookie`;
  if (o.affinity === 'cookie' && o.upstreamHashBy !== undefined) {
    return 'affinity: cookie and upstreamHashBy together: ingress-nginx uses the cookie and ignores upstream-hash-by; set one';
  }
  if (o.loadBalance === 'ewma' && o.affinity === 'none' && o.upstreamHashBy === undefined) {
    return 'loadBalance: ewma (Peak EWMA of response times, balancer/ewma.lua) is not reproduced; use round_robin';
  }
  return undefined;
}

export function ingressImplementation(o: Pick<IngressNginxOptions, 'affinity' | 'affinityMode' | 'upstreamHashBy'>): IngressImplementation {
  if (o.affinity === 'cookie') return o.affinityMode === 'persistent' ? 'sticky_persistent' : 'sticky_balanced';
  return o.upstreamHashBy !== undefined ? 'chash' : 'round_robin';
}

/** The text of `upstream-hash-by` for a request; "" when the variable is empty (nginx then hashes ""). */
function hashKey(by: (typeof HASH_BY)[number]): (s: Session) => string {
  if (by === '$remote_addr') return (s) => ipv4String(s.ip);
  if (by === '$http_x_client_id') return (s) => (s.hasHeader ? identifierText(s.clientId) : '');
  return (s) => (s.hasParam ? identifierText(s.clientId) : '');
}

export const ingressNginxPreset = def({
  name: 'ingress-nginx',
  description: 'Kubernetes ingress-nginx v1.15 by its annotations: affinity cookie (balanced or persistent), upstream-hash-by, round robin.',
  options: ingressNginxOptions,
  check: checkIngressNginx,
  build: (o, ctx) => {
    const address = (server: Server) => o.addresses.replace('{n}', String(server.id + 1));
    const affinity = new IngressNginxAffinity({
      implementation: ingressImplementation(o),
      address,
      hashKey: o.upstreamHashBy === undefined ? undefined : hashKey(o.upstreamHashBy),
      cookieLife: o.sessionCookieMaxAge ?? o.sessionCookieExpires ?? Infinity,
      changeOnFailure: o.sessionCookieChangeOnFailure ?? false,
      tries: o.proxyNextUpstreamTries,
      random: ctx.routing,
    });
    // The balancer is asked only when there is no endpoint at all (503): it finds none either.
    return { lb: new LoadBalancer(affinity, new CyclicRoundRobin()) };
  },
});
