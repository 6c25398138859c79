import { z } from 'zod';
import { duration, positive, probability } from '../model/units.js';
import { STRATEGIES, STRATEGY_NAMES } from '../strategies/registry.js';

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
]).meta({ description: 'A count distribution: constant, geometric (mean), poisson (mean) or uniform (min, max).' });

const rate = z.number().min(0).meta({ description: 'Sessions started per second.' });

const arrivals = z
  .union(
    [
      z.strictObject({ rate }),
      z.strictObject({
        schedule: z
          .array(z.strictObject({ at: duration, rate }))
          .min(1)
          .refine((steps) => steps[0]?.at === 0, { message: 'expected the first step at 0' })
          .refine((steps) => steps.every((s, i) => i === 0 || s.at > steps[i - 1]!.at), {
            message: 'expected steps in increasing order of `at`',
          }),
      }),
    ],
    { error: 'expected { rate: <sessions/s> } or { schedule: [{ at, rate }, …] }' },
  )
  .meta({ description: 'Poisson session arrivals at a constant rate or a piecewise-constant schedule.' });

const serverRef = z
  .union([z.number().int().min(1), z.string().regex(/^s\d+$/)], { error: 'expected a server number (1, 2, …) or name (s1, s2, …)' })
  .transform((v) => (typeof v === 'number' ? v : Number(v.slice(1))));

const timelineEvent = z.discriminatedUnion('event', [
  z.strictObject({ at: duration, event: z.literal('crash'), server: serverRef }),
  z.strictObject({ at: duration, event: z.literal('recover'), server: serverRef }),
  z.strictObject({ at: duration, event: z.literal('remove'), server: serverRef }),
  z.strictObject({ at: duration, event: z.literal('add'), count: z.number().int().min(1).default(1) }),
]);

const unboundedOr = (inner: z.ZodNumber, what: string) =>
  z
    .union([inner, z.literal('unbounded'), z.null()], { error: `expected ${what} or "unbounded"` })
    .transform((v) => (typeof v === 'number' ? v : Infinity));

const strategyEntry = z.union(
  [
    z.enum(STRATEGY_NAMES as [string, ...string[]]),
    z.discriminatedUnion(
      'name',
      STRATEGIES.map((d) =>
        d.options.extend({
          name: z.literal(d.name),
          label: z.string().regex(/^[A-Za-z0-9._-]+$/).optional().meta({ description: 'Name in results, for variants of one strategy.' }),
        }),
      ) as unknown as [z.ZodObject, ...z.ZodObject[]],
    ),
  ],
  { error: `expected a strategy name (${STRATEGY_NAMES.join(', ')}) or { name, …options }` },
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
      clients: z
        .strictObject({
          cookieAcceptance: probability.default(1),
          headerProbability: probability.default(1),
        })
        .default({ cookieAcceptance: 1, headerProbability: 1 }),
    }),
    fleet: z.strictObject({
      servers: z.number().int().min(1).max(100_000),
      workers: z.number().int().min(1).max(1_000_000).default(1),
      queueLimit: unboundedOr(z.number().int().min(0), 'a whole number ≥ 0').default(Infinity),
      sessionTtl: duration.default(1800),
      sessionCapacity: unboundedOr(z.number().int().min(1), 'a whole number ≥ 1').default(Infinity),
    }),
    timeline: z.array(timelineEvent).default([]),
    strategies: z.array(strategyEntry).min(1).default([...STRATEGY_NAMES]),
  })
  .superRefine((s, ctx) => {
    if (!(s.duration > 0)) ctx.addIssue({ code: 'custom', path: ['duration'], message: 'expected a duration > 0', input: s.duration });
    if (!(s.window > 0)) ctx.addIssue({ code: 'custom', path: ['window'], message: 'expected a duration > 0', input: s.window });
    if (s.warmup >= s.duration) ctx.addIssue({ code: 'custom', path: ['warmup'], message: `expected less than the duration (${s.duration}s)`, input: s.warmup });
    if (s.duration / s.window > 1_000_000)
      ctx.addIssue({ code: 'custom', path: ['window'], message: 'expected at most 1,000,000 windows in the duration', input: s.window });
    checkTimeline(s.fleet.servers, s.timeline, ctx);
  });

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioDoc = z.output<typeof scenarioSchema>;

/** Every crash / recover / remove must name a server that exists then, in a state it can leave. */
function checkTimeline(initial: number, timeline: ScenarioDoc['timeline'], ctx: z.RefinementCtx): void {
  const order = timeline.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  const state: ('up' | 'down' | 'removed')[] = Array.from({ length: initial }, () => 'up');
  for (const { e, i } of order) {
    if (e.event === 'add') {
      for (let k = 0; k < e.count; k++) state.push('up');
      continue;
    }
    const path = ['timeline', i, 'server'];
    const now = state[e.server - 1];
    if (now === undefined) {
      ctx.addIssue({ code: 'custom', path, message: `expected one of s1…s${state.length} (the servers at ${e.at}s)`, input: `s${e.server}` });
    } else if (now === 'removed') {
      ctx.addIssue({ code: 'custom', path, message: `s${e.server} was removed before ${e.at}s`, input: `s${e.server}` });
    } else if (e.event === 'crash' && now === 'down') {
      ctx.addIssue({ code: 'custom', path, message: `s${e.server} is already down at ${e.at}s`, input: `s${e.server}` });
    } else if (e.event === 'recover' && now === 'up') {
      ctx.addIssue({ code: 'custom', path, message: `s${e.server} is not down at ${e.at}s`, input: `s${e.server}` });
    } else {
      state[e.server - 1] = e.event === 'crash' ? 'down' : e.event === 'recover' ? 'up' : 'removed';
    }
  }
}
