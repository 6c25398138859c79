import { z } from 'zod';
import { duration, positive, probability } from '../model/units.js';
import { ALL_STRATEGIES, ALL_STRATEGY_NAMES, STRATEGY_NAMES, SYSTEM_NAMES } from '../strategies/registry.js';

const timeDist = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('constant'), value: duration }),
  z.strictObject({ dist: z.literal('exponential'), mean: duration }),
  z.strictObject({ dist: z.literal('uniform'), min: duration, max: duration }).refine((d) => d.min <= d.max, {
    message: 'expected min ≤ max',
    path: ['max'],
  }),
  z.strictObject({ dist: z.literal('lognormal'), mean: duration, cv: z.number().min(0) }),
]).meta({ description: 'A time distribution: constant, exponential (mean), uniform (min, max) or lognormal (mean, cv).' });

const count = z.number().int().min(0);
const countDist = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('constant'), value: count }),
  z.strictObject({ dist: z.literal('geometric'), mean: z.number().min(0) }),
  z.strictObject({ dist: z.literal('poisson'), mean: z.number().min(0).max(1e6) }),
  z.strictObject({ dist: z.literal('uniform'), min: count, max: count }).refine((d) => d.min <= d.max, {
    message: 'expected min ≤ max',
    path: ['max'],
  }),
  z.strictObject({ dist: z.literal('lognormal'), mean: z.number().min(0).max(1e6), cv: z.number().min(0).max(100) }),
]).meta({ description: 'A count distribution: constant, geometric (mean), poisson (mean), uniform (min, max) or lognormal (mean, cv; heavy-tailed).' });

const rate = z.number().min(0).meta({ description: 'Sessions started per second.' });

const rateSchedule = z
  .array(z.strictObject({ at: duration, rate }))
  .min(1)
  .refine((steps) => steps[0]?.at === 0, { message: 'expected the first step at 0' })
  .refine((steps) => steps.every((s, i) => i === 0 || s.at > steps[i - 1]!.at), {
    message: 'expected steps in increasing order of `at`',
  });

const modulation = {
  daily: z
    .strictObject({
      amplitude: z.number().min(0).max(1),
      period: duration.default(86400),
      peak: duration.default(14 * 3600),
    })
    .optional()
    .meta({ description: 'rate × (1 + amplitude·cos(2π(t − peak)/period)): a daily cycle busiest at `peak`.' }),
  bursts: z
    .array(z.strictObject({ at: duration, duration, factor: z.number().min(0) }))
    .optional()
    .meta({ description: 'Flash crowds: rate × factor during [at, at + duration).' }),
};

const arrivals = z
  .union(
    [
      z.strictObject({ rate, ...modulation }),
      z.strictObject({ schedule: rateSchedule, ...modulation }),
    ],
    { error: 'expected { rate: <sessions/s> } or { schedule: [{ at, rate }, …] }, optionally with daily and bursts' },
  )
  .meta({ description: 'Poisson session arrivals: a constant rate or a piecewise-constant schedule, optionally modulated.' });

const clients = z.strictObject({
  cookieAcceptance: probability.default(1).meta({ description: 'Share of clients that keep cookies (curl and many API clients do not).' }),
  cookieLoss: probability.default(0).meta({ description: 'Per request: the cookie is not sent (cross-origin without credentials, SameSite).' }),
  headerProbability: probability.default(1).meta({ description: 'Share of clients that send their identifier header.' }),
  headerMissing: probability.default(0).meta({ description: 'Per request: the header is absent.' }),
  paramProbability: probability.default(1).meta({ description: 'Share of clients that send their identifier as a URL parameter.' }),
  paramMissing: probability.default(0).meta({ description: 'Per request: the URL parameter is absent.' }),
  routeKept: probability.default(1).meta({ description: 'Share of clients whose route value (e.g. jvmRoute) survives proxies.' }),
  routeLoss: probability.default(0).meta({ description: 'Per request: the route value is stripped.' }),
  nat: z
    .strictObject({
      fraction: probability,
      groups: z.number().int().min(1).max(1_000_000).default(20),
      exponent: z.number().min(0).max(10).default(1.2),
      sharedCache: z.boolean().default(false).meta({ description: 'The proxy caches one Set-Cookie and serves it to its other users (HAProxy `nocache` case).' }),
    })
    .nullable().optional()
    .meta({ description: 'Clients behind NAT / proxies share one address per group; group sizes are heavy-tailed (Zipf).' }),
  subnets: z
    .strictObject({ count: z.number().int().min(1).max(16_777_216), exponent: z.number().min(0).max(10).default(1) })
    .nullable().optional()
    .meta({ description: 'Addresses come from this many /24 networks (Zipf popularity), so neighbours share a /24.' }),
  mobile: z
    .strictObject({ fraction: probability, ipChangesPerHour: z.number().min(0) })
    .nullable().optional()
    .meta({ description: 'A share of clients change address mid-session (Wi-Fi to cellular, ISP pools).' }),
  connection: z
    .strictObject({
      reuse: z.enum(['request', 'keepalive', 'session']).default('keepalive').meta({
        description: 'request: a new connection per request; keepalive: HTTP/1.1 keep-alive; session: one connection for the whole session (HTTP/2, gRPC, WebSocket).',
      }),
      idleTimeout: duration.default(75).meta({ description: 'keepalive: closed after this long without a request (nginx keepalive_timeout 75 s).' }),
      maxRequests: z.number().int().min(1).default(1000).meta({ description: 'keepalive: closed after this many requests (nginx keepalive_requests 1000).' }),
    })
    .nullable()
    .optional()
    .meta({ description: 'How clients reuse their connections; matters to layer-4 balancers (l4, kube-proxy), which route connections, not requests. Absent: a new connection per request.' }),
});

const serverRef = z
  .union([z.number().int().min(1), z.string().regex(/^s\d+$/)], { error: 'expected a server number (1, 2, …) or name (s1, s2, …)' })
  .transform((v) => (typeof v === 'number' ? v : Number(v.slice(1))));

const drainOptions = {
  drain: z.boolean().default(false).meta({ description: 'Take only requests bound to the server until its sessions end or the drain timeout.' }),
  drainTimeout: duration.default(300).meta({ description: 'Forced out after this long (AWS ALB deregistration delay: 300 s).' }),
};
const serverKind = {
  workers: z.number().int().min(1).max(1_000_000).optional(),
  weight: z.number().positive().max(1_000_000).optional(),
};

const timelineEvent = z.discriminatedUnion('event', [
  z.strictObject({ at: duration, event: z.literal('crash'), server: serverRef }),
  z.strictObject({ at: duration, event: z.literal('recover'), server: serverRef }),
  z.strictObject({ at: duration, event: z.literal('remove'), server: serverRef, ...drainOptions }),
  z.strictObject({ at: duration, event: z.literal('add'), count: z.number().int().min(1).max(100_000).default(1), ...serverKind }),
  z.strictObject({ at: duration, event: z.literal('restart'), server: serverRef, downtime: duration.default(30), ...drainOptions }),
  z.strictObject({
    at: duration,
    event: z.literal('deploy'),
    interval: duration.meta({ description: 'Between the starts of two servers\' restarts.' }),
    downtime: duration.default(30),
    identities: z.enum(['kept', 'new']).default('kept').meta({
      description:
        'kept: each server restarts under its own name and address (VMs, StatefulSets); new: each is replaced by a new server with a new name (a Kubernetes Deployment: new pods), which joins as the old one leaves (maxSurge 1, maxUnavailable 0).',
    }),
    ...drainOptions,
  }),
  z.strictObject({ at: duration, event: z.literal('scale'), servers: z.number().int().min(0).max(100_000), ...drainOptions }),
  z
    .strictObject({
      at: duration,
      event: z.literal('store-outage'),
      duration: duration.meta({ description: 'How long the shared session store is unreachable.' }),
      flush: z.boolean().default(false).meta({ description: 'It comes back empty (a Redis without persistence, restarted): every session it held is lost.' }),
    })
    .meta({
      description:
        'The shared session store (shared-store strategies) is unreachable: every request that needs it fails until it is back. Strategies that keep sessions in the servers do not notice.',
    }),
  z
    .strictObject({ at: duration, event: z.literal('reload') })
    .meta({
      description:
        "The load balancer reloads or restarts: what it held in memory is gone (stick tables, unless HAProxy peers carry them over; round-robin positions; nginx's passive-health marks). Cookies and hashes are unaffected: their state is in the client or the key.",
    }),
]);

const serverGroup = z.strictObject({
  count: z.number().int().min(1).max(100_000),
  workers: z.number().int().min(1).max(1_000_000).optional(),
  weight: z.number().positive().max(1_000_000).optional(),
});

const healthCheck = z
  .union(
    [
      z
        .strictObject({
          type: z.literal('active').default('active'),
          interval: duration.default(2),
          fall: z.number().int().min(1).default(3),
          rise: z.number().int().min(1).default(2),
          probe: z.enum(['tcp', 'http']).default('tcp').meta({
            description:
              "tcp: a connect, answered by the server's kernel, blind to overload (HAProxy's plain `check`); http: a request served like any other (`option httpchk`, a Kubernetes readiness probe): it waits in the server's queue and fails past `timeout`, so a saturated server is marked down",
          }),
          timeout: duration.optional().meta({ description: 'http: a check waiting longer fails (HAProxy `timeout check`; default: the interval, as HAProxy uses `inter`).' }),
        })
        .meta({ description: 'Active checks (HAProxy `inter`/`fall`/`rise`): a crash is noticed at the `fall`-th failed check.' }),
      z
        .strictObject({
          type: z.literal('passive'),
          maxFails: z.number().int().min(1).default(1),
          failTimeout: duration.default(10),
        })
        .meta({ description: 'Passive checks (nginx `max_fails`/`fail_timeout`): `maxFails` failed requests within `failTimeout` mark a server unavailable for `failTimeout`.' }),
    ],
    { error: 'expected { interval, fall, rise } (active) or { type: passive, maxFails, failTimeout }' },
  );

const autoscale = z
  .strictObject({
    target: z.number().gt(0).max(1).meta({ description: 'Target mean utilization of the servers.' }),
    min: z.number().int().min(1).default(1),
    max: z.number().int().min(1).max(100_000),
    interval: duration.default(60),
    cooldown: duration.default(300),
    tolerance: z.number().min(0).max(1).default(0.1),
    startup: duration.default(0).meta({ description: 'Time from the decision until a new server takes requests.' }),
    ...drainOptions,
  })
  .refine((a) => a.min <= a.max, { message: 'expected min ≤ max', path: ['max'] })
  .meta({ description: 'Kubernetes-HPA-like autoscaler: every interval, desired = ⌈n × utilization / target⌉.' });



const unboundedOr = (inner: z.ZodNumber, what: string) =>
  z
    .union([inner, z.literal('unbounded'), z.null()], { error: `expected ${what} or "unbounded"` })
    .transform((v) => (typeof v === 'number' ? v : Infinity));

/** `{ system: haproxy, … }` is `{ name: haproxy, … }`: a real system named as such. */
function systemAsName(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !('system' in v) || 'name' in v) return v;
  const { system, ...rest } = v as Record<string, unknown>;
  return { name: system, ...rest };
}

const strategyEntry = z.union(
  [
    z.enum(ALL_STRATEGY_NAMES as [string, ...string[]]),
    z.preprocess(systemAsName, z.discriminatedUnion(
      'name',
      ALL_STRATEGIES.map((d) =>
        d.options.extend({
          name: z.literal(d.name),
          label: z.string().regex(/^[A-Za-z0-9._-]+$/).optional().meta({ description: 'Name in results, for variants of one strategy.' }),
        }),
      ) as unknown as [z.ZodObject, ...z.ZodObject[]],
    )),
  ],
  { error: `expected a strategy name (${STRATEGY_NAMES.join(', ')}), { name, …options } or { system: ${SYSTEM_NAMES.join(' | ')}, …its options }` },
);

export const scenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, ".", "_" or "-"').optional(),
    description: z.string().default(''),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
    duration: duration.default(3600),
    warmup: duration.default(0),
    window: duration.default(60),
    workload: z.strictObject({
      arrivals,
      requests: countDist.default({ dist: 'geometric', mean: 9 }).meta({ description: 'Requests after the login request.' }),
      think: timeDist.default({ dist: 'exponential', mean: 10 }).meta({ description: 'Pause before each request after the first.' }),
      service: timeDist.default({ dist: 'exponential', mean: 0.05 }).meta({ description: 'Service demand of one request.' }),
      logoutProbability: probability.default(0.5),
      clients: clients.default(clients.parse({})),
    }),
    fleet: z.strictObject({
      servers: z
        .union([z.number().int().min(1).max(100_000), z.array(serverGroup).min(1)], {
          error: 'expected a server count or a list of groups [{ count, workers?, weight? }]',
        })
        .meta({ description: 'How many servers, or groups of servers of different size and weight.' }),
      workers: z.number().int().min(1).max(1_000_000).default(1),
      queueLimit: unboundedOr(z.number().int().min(0), 'a whole number ≥ 0').default(Infinity),
      sessionTtl: duration.default(1800),
      sessionCapacity: unboundedOr(z.number().int().min(1), 'a whole number ≥ 1').default(Infinity),
      weight: z.number().positive().max(1_000_000).default(1),
      healthCheck: healthCheck.nullable().optional(),
      autoscale: autoscale.nullable().optional(),
    }),
    timeline: z.array(timelineEvent).default([]),
    balancers: z
      .strictObject({
        replicas: z.number().int().min(1).max(1000).default(1).meta({ description: 'Load-balancer instances, each with its own state (stick table, round-robin turn, passive-health marks).' }),
        spread: z.enum(['ecmp', 'client']).default('ecmp').meta({
          description: "ecmp: each request a new connection, spread by a flow hash (a client's requests land on any replica); client: each client stays on one replica (DNS cached, or one connection per session).",
        }),
      })
      .optional()
      .meta({ description: 'Several load balancers in front of the same servers (ECMP, DNS round robin, ingress replicas); absent: one.' }),
    strategies: z.array(strategyEntry).min(1).default([...STRATEGY_NAMES]),
  })
  .superRefine((s, ctx) => {
    if (!(s.duration > 0)) ctx.addIssue({ code: 'custom', path: ['duration'], message: 'expected a duration > 0', input: s.duration });
    if (!(s.window > 0)) ctx.addIssue({ code: 'custom', path: ['window'], message: 'expected a duration > 0', input: s.window });
    if (s.warmup >= s.duration) {
      // About both fields: blamed on whichever of the two a --set (or --duration) changed.
      ctx.addIssue({ code: 'custom', path: ['warmup'], params: { related: [['duration']] }, message: `expected less than the duration (${s.duration}s)`, input: s.warmup });
    }
    if (s.duration / s.window > MAX_WINDOWS) {
      // About both fields: reported at the duration, and blamed on whichever of the two a --set changed.
      const windows = s.duration / s.window;
      ctx.addIssue({
        code: 'custom',
        path: ['duration'],
        params: { related: [['window']] },
        message: `expected at most ${MAX_WINDOWS.toLocaleString('en-US')} windows, got ${windows < 1e7 ? Math.ceil(windows).toLocaleString('en-US') : windows.toExponential(1).replace('e+', 'e')}: a duration of ${seconds(s.duration)} in windows of ${seconds(s.window)}; shorten the duration or lengthen the window`,
      });
    }
    checkTimeline(s.fleet.servers, s.timeline, ctx);
  });

/** Most windows a run may have (each is a row per server in the time series). */
export const MAX_WINDOWS = 1_000_000;

/** Most servers a fleet may ever reach (initially, added, scaled to), as the schema checks it. */
export const MAX_FLEET = 1_000_000;

/** "1e15s (3.2e7 years)", "3600s": seconds as given, with years for the absurd. */
function seconds(s: number): string {
  const given = s < 1e7 ? `${+s.toPrecision(6)}s` : `${s.toExponential(1).replace('e+', 'e')}s`;
  return s >= 365.25 * 86400 * 100 ? `${given} (${(s / (365.25 * 86400)).toExponential(1).replace('e+', 'e')} years)` : given;
}

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioDoc = z.output<typeof scenarioSchema>;

/** The number of servers a `fleet.servers` value starts with. */
export function initialServerCount(servers: number | { count: number }[]): number {
  return typeof servers === 'number' ? servers : servers.reduce((n, g) => n + g.count, 0);
}

/**
 * Every event naming a server must name one that exists then, in a state it
 * can leave. Deploys and scaling change the fleet as the run goes, so they are
 * followed here too (scale-in takes the newest servers first, as at run time).
 */
function checkTimeline(servers: number | { count: number }[], timeline: ScenarioDoc['timeline'], ctx: z.RefinementCtx): void {
  // Refinements run even when a field failed its own check (`servers: 1e9` is too big, and still here):
  // follow the fleet only when it stays within bounds, so that a bad value never builds a billion states.
  const initial = Array.isArray(servers) ? servers.reduce((n, g) => n + (Number.isFinite(g?.count) ? g.count : 0), 0) : servers;
  if (!Number.isInteger(initial) || initial < 0 || initial > MAX_FLEET) {
    if (Array.isArray(servers) && Number.isInteger(initial)) {
      ctx.addIssue({ code: 'custom', path: ['fleet', 'servers'], message: `expected at most ${MAX_FLEET.toLocaleString('en-US')} servers in all, got ${initial.toLocaleString('en-US')}` });
    }
    return;
  }
  let most = initial;
  for (const [i, e] of timeline.entries()) {
    // A deploy with new identities replaces every server by a new one: as many servers again, in all.
    most += e.event === 'add' ? e.count : e.event === 'scale' ? e.servers : e.event === 'deploy' && e.identities === 'new' ? most : 0;
    if (most > MAX_FLEET) {
      ctx.addIssue({ code: 'custom', path: ['timeline', i], message: `the fleet could reach ${most.toLocaleString('en-US')} servers here, more than ${MAX_FLEET.toLocaleString('en-US')}` });
      return;
    }
  }
  const order = timeline.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  const state: ('up' | 'down' | 'removed')[] = Array.from({ length: initialServerCount(servers) }, () => 'up');
  const live = () => state.filter((x) => x !== 'removed').length;
  for (const { e, i } of order) {
    if (e.event === 'add') {
      for (let k = 0; k < e.count; k++) state.push('up');
      continue;
    }
    if (e.event === 'deploy' || e.event === 'reload' || e.event === 'store-outage') continue;
    if (e.event === 'scale') {
      for (let n = live(); n < e.servers; n++) state.push('up');
      for (let k = state.length - 1, n = live(); k >= 0 && n > e.servers; k--) {
        if (state[k] !== 'removed') {
          state[k] = 'removed';
          n--;
        }
      }
      continue;
    }
    const path = ['timeline', i, 'server'];
    const now = state[e.server - 1];
    const name = `s${e.server}`;
    if (now === undefined) {
      ctx.addIssue({ code: 'custom', path, message: `expected one of s1…s${state.length} (the servers at ${e.at}s)`, input: name });
    } else if (now === 'removed') {
      ctx.addIssue({ code: 'custom', path, message: `${name} was removed before ${e.at}s`, input: name });
    } else if ((e.event === 'crash' || e.event === 'restart') && now === 'down') {
      ctx.addIssue({ code: 'custom', path, message: `${name} is already down at ${e.at}s`, input: name });
    } else if (e.event === 'recover' && now === 'up') {
      ctx.addIssue({ code: 'custom', path, message: `${name} is not down at ${e.at}s`, input: name });
    } else if (e.event !== 'restart') {
      state[e.server - 1] = e.event === 'crash' ? 'down' : e.event === 'recover' ? 'up' : 'removed';
    }
  }
}
