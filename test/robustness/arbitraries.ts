import fc from 'fast-check';
import { STRATEGY_NAMES } from '../../src/strategies/registry.js';

/** How many cases each property runs: small in npm test, large in `npm run fuzz` (FUZZ_RUNS=10000). */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

/** Seconds, written as a number or as a string with a unit (the schema accepts both). */
const seconds = (max: number) =>
  fc.oneof(
    fc.double({ min: 0, max, noNaN: true }),
    fc.integer({ min: 0, max: Math.floor(max) }).map((s) => `${s}s`),
    fc.integer({ min: 0, max: Math.floor(max / 60) }).map((m) => `${m}m`),
    fc.integer({ min: 0, max: Math.floor(Math.min(max * 1000, 1e6)) }).map((ms) => `${ms}ms`),
  );
const small = (max: number) => fc.double({ min: 0, max, noNaN: true });
const prob = fc.double({ min: 0, max: 1, noNaN: true });

const timeDist = (max: number) =>
  fc.oneof(
    seconds(max).map((value) => ({ dist: 'constant', value })),
    seconds(max).map((mean) => ({ dist: 'exponential', mean })),
    fc.tuple(small(max), small(max)).map(([a, b]) => ({ dist: 'uniform', min: Math.min(a, b), max: Math.max(a, b) })),
    fc.tuple(small(max), small(4)).map(([mean, cv]) => ({ dist: 'lognormal', mean, cv })),
  );

const countDist = fc.oneof(
  fc.integer({ min: 0, max: 8 }).map((value) => ({ dist: 'constant', value })),
  small(8).map((mean) => ({ dist: 'geometric', mean })),
  small(8).map((mean) => ({ dist: 'poisson', mean })),
  fc.tuple(fc.nat(8), fc.nat(8)).map(([a, b]) => ({ dist: 'uniform', min: Math.min(a, b), max: Math.max(a, b) })),
);

/** Timeline operations, made valid by replaying them against the fleet's state (as the schema checks). */
const ops = fc.array(
  fc.record({
    at: prob,
    op: fc.constantFrom('crash', 'recover', 'remove', 'add', 'restart', 'deploy'),
    pick: fc.nat(),
    count: fc.integer({ min: 1, max: 3 }),
    drain: fc.boolean(),
  }),
  { maxLength: 6 },
);

function timeline(servers: number, duration: number, list: { at: number; op: string; pick: number; count: number; drain: boolean }[]) {
  const state: string[] = Array.from({ length: servers }, () => 'up');
  const events: Record<string, unknown>[] = [];
  for (const o of [...list].sort((a, b) => a.at - b.at)) {
    const at = Math.round(o.at * duration * 1000) / 1000;
    if (o.op === 'add') {
      for (let k = 0; k < o.count; k++) state.push('up');
      events.push({ at, event: 'add', count: o.count, ...(o.pick % 3 === 0 ? { workers: o.count, weight: o.count } : {}) });
      continue;
    }
    if (o.op === 'deploy') {
      events.push({ at, event: 'deploy', interval: 1 + (o.pick % 30), downtime: o.count, drain: o.drain, drainTimeout: 2 * o.count });
      continue;
    }
    const want = o.op === 'recover' ? ['down'] : o.op === 'crash' || o.op === 'restart' ? ['up'] : ['up', 'down'];
    const eligible = state.map((s, i) => [s, i] as const).filter(([s]) => want.includes(s));
    if (eligible.length === 0) continue;
    const i = eligible[o.pick % eligible.length]![1];
    if (o.op !== 'restart') state[i] = o.op === 'crash' ? 'down' : o.op === 'recover' ? 'up' : 'removed';
    const extra = o.op === 'restart' ? { downtime: o.count, drain: o.drain, drainTimeout: 3 } : o.op === 'remove' ? { drain: o.drain, drainTimeout: 5 } : {};
    events.push({ at, event: o.op, server: o.pick % 2 === 0 ? i + 1 : `s${i + 1}`, ...extra });
  }
  return events;
}

const strategy = fc.oneof(
  fc.constantFrom(...STRATEGY_NAMES),
  fc.record({ name: fc.constantFrom('ip-ring', 'header-ring'), vnodes: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ name: fc.constantFrom('cookie', 'ip-hash'), fallback: fc.constantFrom('round-robin', 'random', 'least-conn', 'p2c') }),
  fc.record({ name: fc.constant('shared-store'), latency: seconds(0.05) }),
  fc.record({
    name: fc.constantFrom('cookie', 'route', 'ip-table'),
    onDown: fc.constantFrom('redispatch', 'persist', 'strict'),
    onRecover: fc.constantFrom('stay', 'return'),
    retries: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ name: fc.constant('cookie'), maxIdle: seconds(60), maxLife: seconds(120), nocache: fc.boolean() }),
  fc.record({ name: fc.constant('table'), key: fc.constantFrom('ip', 'ip24', 'header', 'param'), expire: seconds(60), capacity: fc.integer({ min: 1, max: 20 }) }),
  fc.oneof(
    fc.record({ name: fc.constant('hash'), key: fc.constantFrom('ip', 'ip24', 'header', 'param'), family: fc.constantFrom('modulo', 'rendezvous') }),
    fc.record({ name: fc.constant('hash'), family: fc.constant('maglev'), tableSize: fc.constantFrom(251, 1009), bound: fc.double({ min: 1, max: 3, noNaN: true }) }),
    fc.record({ name: fc.constant('hash'), family: fc.constant('ring'), vnodes: fc.integer({ min: 1, max: 50 }), hash: fc.constantFrom('xxh64', 'murmur3', 'fnv1a', 'sdbm'), bound: fc.double({ min: 1, max: 3, noNaN: true }) }),
  ),
);

/** Client networks: any mix of per-client and per-request habits, NAT, /24 networks and mobility. */
const clients = fc.record(
  {
    cookieAcceptance: prob,
    cookieLoss: prob,
    headerProbability: prob,
    headerMissing: prob,
    paramProbability: prob,
    paramMissing: prob,
    routeKept: prob,
    routeLoss: prob,
    nat: fc.record({ fraction: prob, groups: fc.integer({ min: 1, max: 20 }), exponent: small(3), sharedCache: fc.boolean() }),
    subnets: fc.record({ count: fc.integer({ min: 1, max: 50 }), exponent: small(3) }),
    mobile: fc.record({ fraction: prob, ipChangesPerHour: small(120) }),
  },
  { requiredKeys: [] },
);

const healthCheck = fc.oneof(
  fc.record({ interval: fc.integer({ min: 1, max: 10 }), fall: fc.integer({ min: 1, max: 4 }), rise: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ type: fc.constant('passive'), maxFails: fc.integer({ min: 1, max: 3 }), failTimeout: fc.integer({ min: 1, max: 30 }) }),
);

/** A valid scenario document, small enough to run in milliseconds. */
export const validDoc = fc
  .record({
    seed: fc.nat({ max: 2 ** 32 - 1 }),
    duration: fc.integer({ min: 1, max: 600 }),
    warmupFraction: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.9, noNaN: true })),
    windows: fc.integer({ min: 1, max: 40 }),
    arrivals: fc.oneof(
      small(2).map((rate) => ({ rate })),
      fc.array(fc.tuple(prob, small(2)), { minLength: 1, maxLength: 4 }).map((steps) => steps),
    ),
    requests: countDist,
    think: timeDist(30),
    service: timeDist(0.3),
    logoutProbability: prob,
    clients,
    daily: fc.option(fc.record({ amplitude: prob, period: fc.integer({ min: 10, max: 600 }), peak: fc.integer({ min: 0, max: 600 }) }), { nil: undefined }),
    bursts: fc.option(fc.array(fc.record({ at: prob, duration: fc.integer({ min: 1, max: 60 }), factor: small(5) }), { maxLength: 2 }), { nil: undefined }),
    healthCheck: fc.option(healthCheck, { nil: undefined }),
    autoscale: fc.option(fc.record({ target: fc.double({ min: 0.05, max: 1, noNaN: true }), max: fc.integer({ min: 1, max: 8 }), interval: fc.integer({ min: 1, max: 60 }), cooldown: fc.integer({ min: 0, max: 60 }), drain: fc.boolean() }), { nil: undefined }),
    servers: fc.integer({ min: 1, max: 6 }),
    workers: fc.integer({ min: 1, max: 4 }),
    queueLimit: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant('unbounded')),
    sessionTtl: seconds(600),
    sessionCapacity: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constant('unbounded')),
    ops,
    strategies: fc.uniqueArray(strategy, { minLength: 1, maxLength: 3, selector: (s) => (typeof s === 'string' ? s : s.name) }),
  })
  .map((g) => {
    let arrivals: unknown = g.arrivals;
    if (Array.isArray(g.arrivals)) {
      const steps = g.arrivals as [number, number][];
      const times = [...new Set(steps.map(([at]) => Math.round(at * g.duration)))].sort((a, b) => a - b);
      times[0] = 0;
      arrivals = { schedule: [...new Set(times)].map((at, i) => ({ at, rate: steps[i % steps.length]![1] })) };
    }
    const modulated = {
      ...(g.daily ? { daily: g.daily } : {}),
      ...(g.bursts ? { bursts: g.bursts.map((b) => ({ ...b, at: Math.round(b.at * g.duration) })) } : {}),
    };
    arrivals = { ...(arrivals as object), ...modulated };
    return {
      name: 'prop',
      seed: g.seed,
      duration: g.duration,
      warmup: Math.floor(g.warmupFraction * g.duration),
      window: g.duration / g.windows,
      workload: { arrivals, requests: g.requests, think: g.think, service: g.service, logoutProbability: g.logoutProbability, clients: g.clients },
      fleet: {
        servers: g.servers,
        workers: g.workers,
        queueLimit: g.queueLimit,
        sessionTtl: g.sessionTtl,
        sessionCapacity: g.sessionCapacity,
        ...(g.healthCheck ? { healthCheck: g.healthCheck } : {}),
        ...(g.autoscale ? { autoscale: { ...g.autoscale, min: 1 } } : {}),
      },
      timeline: timeline(g.servers, g.duration, g.ops),
      strategies: g.strategies,
    };
  });


/**
 * One mutation that makes a valid document invalid, and the field path the
 * error message must name (a mutation deep in a union may be reported at
 * its enclosing field, which `accept` lists).
 */
export interface Mutation {
  apply(doc: Record<string, any>): void;
  /** Field paths of which the message must name one. */
  accept: readonly string[];
}

const bad = (v: unknown[]) => fc.constantFrom(...v);
const mut = (accept: string, apply: (d: Record<string, any>) => void): Mutation => ({ apply, accept: [accept] });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  bad([0, -1, 1.5, 'many', null, true, 200_000, [], {}]).map((v) => mut('fleet.servers', (d) => void (d.fleet.servers = v))),
  bad([0, -2, 0.5, 'x', 2e6]).map((v) => mut('fleet.workers', (d) => void (d.fleet.workers = v))),
  bad([-1, 1.5, 'lots', 'infinite']).map((v) => mut('fleet.queueLimit', (d) => void (d.fleet.queueLimit = v))),
  bad([0, -1, 'soon', '5 parsecs', '', null, [], '-3s', 'NaN']).map((v) => mut('duration', (d) => void (d.duration = v))),
  bad(['x', -5]).map((v) => mut('warmup', (d) => void (d.warmup = v))),
  fc.constant(mut('warmup', (d) => void (d.warmup = d.duration))),
  bad([0, '0s', 'never', 1e-9]).map((v) => mut('window', (d) => void (d.window = v))),
  bad([-1, 1.5, 'x', 2 ** 32, null]).map((v) => mut('seed', (d) => void (d.seed = v))),
  bad([-1, 'fast', null, {}]).map((v) => mut('workload.arrivals', (d) => void (d.workload.arrivals = { rate: v }))),
  fc.constant(mut('workload.arrivals', (d) => void (d.workload.arrivals = { schedule: [{ at: 5, rate: 1 }] }))),
  bad([{ dist: 'gaussian', mean: 1 }, { dist: 'exponential' }, { dist: 'uniform', min: 3, max: 1 }, { dist: 'lognormal', mean: 1, cv: -1 }, 'fast', 5]).map((v) =>
    mut('workload.service', (d) => void (d.workload.service = v)),
  ),
  bad([{ dist: 'geometric', mean: -1 }, { dist: 'constant', value: 1.5 }, { dist: 'binomial' }]).map((v) => mut('workload.requests', (d) => void (d.workload.requests = v))),
  bad([-0.1, 1.5, 'half']).map((v) => mut('workload.logoutProbability', (d) => void (d.workload.logoutProbability = v))),
  bad([2, -1]).map((v) => mut('workload.clients.cookieAcceptance', (d) => void (d.workload.clients = { cookieAcceptance: v }))),
  fc.constantFrom('wrokers', 'server', 'ttl').map((k) => mut(`fleet.${k}`, (d) => void (d.fleet[k] = 1))),
  fc.constantFrom('seeds', 'durations', 'strategy').map((k) => mut(k, (d) => void (d[k] = 1))),
  fc.constantFrom('fleet', 'workload').map((k) => mut(k, (d) => void delete d[k])),
  fc.constant(mut('workload.arrivals', (d) => void delete d.workload.arrivals)),
  fc.constant(mut('timeline[0].server', (d) => void (d.timeline = [{ at: 1, event: 'crash', server: 999 }]))),
  fc.constant(mut('timeline[0]', (d) => void (d.timeline = [{ at: 1, event: 'explode', server: 1 }]))),
  fc.constant(mut('timeline[0]', (d) => void (d.timeline = [{ at: 'later', event: 'add' }]))),
  bad(['nope', 5, { name: 'ip-ring', vnodes: 0 }, { name: 'cookie', fallback: 'nope' }, { name: 'p2c', extra: 1 }]).map((v) => mut('strategies[0]', (d) => void (d.strategies = [v]))),
  fc.constant(mut('strategies', (d) => void (d.strategies = []))),
  fc.constant(mut('name', (d) => void (d.name = 'has spaces/slash'))),
);

// ------------------------------------------------------------ command lines

/**
 * Names in the command-line fuzzer's sandbox (test/robustness/properties.test.ts):
 * `s.yaml` a valid scenario, `bad.yaml` an invalid one, `someone/` a
 * directory of someone's files, `afile.txt` a file, `link` a symbolic link
 * to `someone/`, `ours/` a stickysim run's results. Paths are relative to
 * the sandbox, which is the current directory (`..` is its parent, also
 * watched).
 */
export const SANDBOX_PATHS = ['o', 'o/nested/deeper', 'someone', 'someone/data', 'afile.txt', 'afile.txt/sub', 'link', 'link/sub', '.', '..', 'ours', 'results', ''];

const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);

/** Each flag and values for it, good and bad (an empty list: a flag without a value). */
const FLAGS: Record<string, string[]> = {
  '--set': ['fleet.servers=2', 'fleet.servers=0', 'fleet.servers=1e9', 'duration=1e15', 'workload.arrivals.rate=.nan', 'workload.arrivals.rate=.inf', '=3', 'x', 'fleet.wrokers=1', 'window=1ms', 'strategies=[cookie, cookie]', 'timeline=[{at: 1m, event: crash, server: s9}]', 'fleet.workers=3'],
  '--seed': ['7', '-1', 'abc', '1e10'],
  '--duration': ['90s', '0', 'soon', '1e15', '-5m', '2m'],
  '--replications': ['1', '2', '0', '1.5', '1e9', 'many'],
  '--workers': ['1', '2', '0', '-1', '1000', 'x'],
  '--strategies': ['cookie', 'nope', 'cookie,p2c', ','],
  '--vary': ['fleet.servers=2,3', 'fleet.servers=0..2', 'seed=1,2', 'x', 'fleet.servers=1..1000000', 'window=1ms,1m', 'fleet.servers=2,2', 'fleet.workers=1..2'],
  '--slo': ['utilization_mean<=0.9', 'bogus', 'latency_p99_ms<=-1'],
  '--max-scenario-bytes': ['10', '0', '2000000', 'x'],
  '--batch-means': ['2', '1', '1000000'],
  '--baseline': ['cookie', 'nope', 'p2c'],
  '--shard': ['0/2', '1/2', '2/2', 'x'],
  '--strategy': ['cookie', 'nope'],
  '--session': ['1', 'first-lost', '0', 'x'],
  '--format': ['jsonl', 'mermaid', 'svg'],
  '--limit': ['5', '0'],
  '--out': SANDBOX_PATHS,
  '--force': [],
  '--quiet': [],
  '--json': [],
  '--yes': [],
};

const SCENARIO_FLAGS = ['--set', '--seed', '--duration', '--max-scenario-bytes'];
/** The flags each command takes (`--yes` left out of run, sweep and plan: it would let an absurd size run). */
const TAKES: Record<string, string[]> = {
  run: [...SCENARIO_FLAGS, '--strategies', '--replications', '--baseline', '--batch-means', '--out', '--force', '--workers', '--json', '--quiet'],
  sweep: [...SCENARIO_FLAGS, '--vary', '--strategies', '--replications', '--out', '--force', '--shard', '--workers', '--quiet'],
  plan: [...SCENARIO_FLAGS, '--vary', '--slo', '--strategies', '--replications', '--out', '--force', '--workers', '--quiet'],
  validate: SCENARIO_FLAGS,
  trace: [...SCENARIO_FLAGS, '--strategy', '--session', '--format', '--limit'],
  report: ['--quiet'],
  merge: ['--out', '--force', '--quiet'],
};

/** A flag of `command` (now and then one it does not take, or one unknown to all), with a value. */
const flagOf = (command: string): fc.Arbitrary<string[]> =>
  fc
    .tuple(fc.nat(99), fc.constantFrom(...TAKES[command]!), fc.constantFrom(...Object.keys(FLAGS)), fc.nat())
    .map(([odds, own, any, v]) => {
      if (odds < 3) return ['--frobnicate'];
      const name = odds < 10 ? any : own;
      if (name === '--yes' && ['run', 'sweep', 'plan'].includes(command)) return ['--quiet'];
      const values = FLAGS[name]!;
      return values.length === 0 ? [name] : [name, values[v % values.length]!];
    });

/** A command line: a command, its positional arguments from the sandbox, flags in any order. */
export const commandLine: fc.Arbitrary<string[]> = fc
  .record({
    command: pick('run', 'run', 'sweep', 'sweep', 'plan', 'validate', 'trace', 'report', 'merge'),
    scenario: pick('s.yaml', 's.yaml', 's.yaml', 's.yaml', 'bad.yaml', 'missing.yaml', 'afile.txt', 'someone', 'link', '/dev/zero'),
    dirs: fc.array(pick('ours', 'ours', 'someone', 'missing', 'afile.txt', 'link', '.', 'o'), { minLength: 1, maxLength: 2 }),
    // Mostly the arguments that make the command valid, so that it gets as far as writing.
    base: fc.nat(3),
  })
  .chain(({ command, scenario, dirs, base }) =>
    fc.array(flagOf(command), { maxLength: 4 }).map((flags) => {
      const positional = command === 'report' ? dirs.slice(0, 1) : command === 'merge' ? dirs : [scenario];
      const valid: Record<string, string[]> = {
        run: ['--workers', '1'],
        sweep: ['--vary', 'fleet.servers=2,3', '--workers', '1'],
        plan: ['--vary', 'fleet.servers=1..3', '--slo', 'utilization_mean<=0.9', '--replications', '2', '--workers', '1'],
        trace: ['--strategy', 'cookie'],
      };
      return [command, ...positional, ...(base > 0 ? (valid[command] ?? []) : []), ...flags.flat()];
    }),
  );
