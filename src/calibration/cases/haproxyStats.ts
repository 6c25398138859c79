import { Agent, createServer, request, type AgentOptions, type Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { identifierText } from '../../affinity/keys.js';
import { stream, type Uniform } from '../../engine/random.js';
import { coefficientOfVariation, maxOverMean } from '../../metrics/formulas.js';
import { estimate } from '../../metrics/stats.js';
import { freePort, LOOPBACK } from '../backends.js';
import { clientAddresses } from '../clients.js';
import { Haproxy, haproxyVersion } from '../haproxy.js';
import { closedLoop, predict, resolvePreset, WORKLOAD_STREAM, type PredictClient, type PredictServer } from '../predict.js';
import type { CalibrationCase, CaseResult } from '../types.js';
import { presetText } from './haproxy.js';

/**
 * HAProxy 2.6 load-dependent balancing against stickysim's `haproxy` preset,
 * statistically. Both answers depend on how many requests each server holds
 * at each decision (HAProxy's `srv->served`), so each case is a process,
 * run once for real and R times in stickysim:
 *
 * - real: haproxy (one thread) in front of 8 backends that answer each
 *   request after a delay drawn uniformly from [delayMs₀, delayMs₁] (and say
 *   which in a header), driven by `workers` closed-loop clients (each sends
 *   its next request as soon as the previous one is answered, on its own
 *   keep-alive connection from its own 127.x.y.z address; haproxy balances
 *   every request anew) until `requests` were sent. The figure is computed
 *   from which backend answered each request. The delay is random rather
 *   than fixed so that the clients do not move in lockstep: Node's timers
 *   have millisecond granularity, and a fixed delay makes every response due
 *   in the same millisecond come back in one burst, a synchrony of the
 *   harness that no simulated workload has.
 * - stickysim: the same closed loop (predict.ts `closedLoop`) through the
 *   preset's LoadBalancer over a Fleet: a request counts in its server's
 *   `inflight` (what the preset reads for `served`) from its routing to the
 *   end of its hold. Hold times and client gaps are resampled from the real
 *   run's own measurements (see {@link timingModel}): the inputs are the real
 *   ones, the balancing is stickysim's. R replications with distinct seeds.
 *
 * The real figure is ONE run, so it is judged against the 95% prediction
 * interval for one run, mean ± t(R−1) · s · √(1 + 1/R) over the R
 * replications (Student t; `estimate` in src/metrics/stats.ts): where a
 * single run of stickysim's process falls 95% of the time. The 95%
 * confidence interval of stickysim's MEAN (mean ± t · s / √R) is narrower
 * by √(R + 1); a single real run falls outside it most of the time even when
 * the two processes are the same, so it is reported in the description but
 * does not decide.
 */

const SERVERS = 8;
const HEADER = 'X-Client-Id';

export interface StatCaseOptions {
  /** Requests of the real run and of each replication. */
  requests?: number;
  /** The first requests of a run, not measured (the start-up transient; default 2000). */
  warmup?: number;
  /** stickysim replications (default 30). */
  replications?: number;
  /** Closed-loop clients (default 32). */
  workers?: number;
  /** The backends' answer delay, uniform in [min, max] ms (default [10, 30]). */
  delayMs?: [number, number];
  /** Seed of the real run's workload and backend delays (replications use 1000 + r). */
  seed?: number;
}

/** What one run (real or simulated) produced: the server of each request and its client. */
interface Run {
  servers: (string | null)[];
  clients: PredictClient[];
}

/** A figure computed from a run. */
interface Figure {
  suffix: string;
  what: string;
  of(run: Run): number;
}

interface StatSpec {
  name: string;
  quick: boolean;
  /** Words for the description: the setting and the load. */
  what(): string;
  balance: string;
  hashType?: string;
  backendLines?: string[];
  preset: Record<string, unknown>;
  /** The client of the i-th request (0-based). */
  client(i: number, u: Uniform): PredictClient;
  figures: Figure[];
  defaults: Required<Omit<StatCaseOptions, 'seed'>>;
}

// ---------------------------------------------------------------------------
// The real side: delayed backends and closed-loop clients.

interface DelayedPool {
  ports: number[];
  close(): Promise<void>;
}

/**
 * `n` backends s1…sn on 127.0.0.1, each answering every request after a
 * delay drawn from `delay` (seconds) with `X-Server: <name>` and
 * `X-Delay: <the delay in µs>`.
 */
async function startDelayedBackends(n: number, delay: () => number): Promise<DelayedPool> {
  const servers: HttpServer[] = [];
  const sockets = new Set<Socket>();
  const ports: number[] = [];
  const close = async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };
  try {
    for (let i = 0; i < n; i++) {
      const name = `s${i + 1}`;
      const body = `${name}\n`;
      const server = createServer((req, res) => {
        req.resume();
        const d = delay();
        setTimeout(() => {
          res.writeHead(200, {
            'X-Server': name,
            'X-Delay': String(Math.round(d * 1e6)),
            'Content-Type': 'text/plain',
            'Content-Length': Buffer.byteLength(body),
          });
          res.end(body);
        }, d * 1000);
      });
      server.keepAliveTimeout = 30_000;
      server.on('connection', (s: Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      for (let attempt = 0; ; attempt++) {
        const port = await freePort();
        try {
          await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(port, LOOPBACK, () => {
              server.off('error', reject);
              resolve();
            });
          });
          ports.push(port);
          break;
        } catch (e) {
          if (attempt >= 5) throw e; // the port was taken between the probe and the listen
        }
      }
      servers.push(server);
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { ports, close };
}

interface RealRun extends Run {
  /** Of request i, in the order sent: its response time (send → end of response) and the backend's delay, seconds (NaN when it failed). */
  responseTimes: number[];
  delays: number[];
  /** After the response to request i: the pause before its client's next request, seconds (NaN for a client's last). */
  gaps: number[];
  failed: number;
  firstError: string | undefined;
  seconds: number;
}

/** `workers` closed-loop clients against `port` until `requests` were sent; request i carries `clients[i]`'s header. */
async function realClosedLoop(port: number, workers: number, clients: PredictClient[]): Promise<RealRun> {
  const requests = clients.length;
  const run: RealRun = {
    servers: new Array(requests).fill(null),
    clients,
    responseTimes: new Array(requests).fill(NaN),
    delays: new Array(requests).fill(NaN),
    gaps: new Array(requests).fill(NaN),
    failed: 0,
    firstError: undefined,
    seconds: 0,
  };
  // Each client keeps one connection (keep-alive) from its own address.
  const agents = clientAddresses(workers, 77).map((localAddress) => new Agent({ keepAlive: true, maxSockets: 1, localAddress } as AgentOptions));
  const one = (i: number, agent: Agent) =>
    new Promise<{ server: string | null; delay?: number; error?: string }>((resolve) => {
      const headers: Record<string, string> = {};
      const id = clients[i]!.id;
      if (id !== undefined) headers[HEADER] = identifierText(id);
      const req = request({ host: LOOPBACK, port, path: '/', agent, headers, timeout: 10000 }, (res) => {
        res.resume();
        res.on('end', () => {
          const name = res.headers['x-server'];
          if ((res.statusCode ?? 0) >= 500 || typeof name !== 'string') resolve({ server: null, error: `HTTP ${res.statusCode}` });
          else resolve({ server: name, delay: Number(res.headers['x-delay']) / 1e6 });
        });
        res.on('error', (e) => resolve({ server: null, error: e.message }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve({ server: null, error: e.message }));
      req.end();
    });
  let next = 0;
  const worker = async (agent: Agent) => {
    let last: number | undefined;
    let previous = -1;
    for (let i = next++; i < requests; i = next++) {
      const sent = performance.now();
      if (last !== undefined) run.gaps[previous] = (sent - last) / 1000;
      const r = await one(i, agent);
      last = performance.now();
      previous = i;
      run.servers[i] = r.server;
      if (r.server === null) {
        run.failed++;
        run.firstError ??= r.error;
      } else {
        run.responseTimes[i] = (last - sent) / 1000;
        run.delays[i] = r.delay!;
      }
    }
  };
  const started = performance.now();
  try {
    await Promise.all(agents.map(worker));
  } finally {
    for (const a of agents) a.destroy();
  }
  run.seconds = (performance.now() - started) / 1000;
  return run;
}

/** HAProxy's own timers of the backend's servers (`show stat`: averages over each server's last 1024 requests, ms). */
interface HaproxyTimers {
  /** Connect + response time (`ctime` + `rtime`), averaged over the servers weighted by their requests, seconds. */
  serverTime: number;
  /** Total stream time (`ttime`), likewise. */
  total: number;
}

async function haproxyTimers(hap: Haproxy): Promise<HaproxyTimers> {
  const lines = (await hap.command('show stat')).split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
  const col = (n: string) => header.indexOf(n);
  const [px, sv, stot, ctime, rtime, ttime] = ['pxname', 'svname', 'stot', 'ctime', 'rtime', 'ttime'].map(col);
  if ([px, sv, stot, ctime, rtime, ttime].some((c) => c! < 0)) throw new Error(`unexpected show stat output: ${lines[0]}`);
  let n = 0;
  let server = 0;
  let total = 0;
  for (const l of lines.slice(1)) {
    const f = l.split(',');
    if (f[px!] !== 'be' || f[sv!] === 'BACKEND') continue;
    const k = Math.min(1024, Number(f[stot!]));
    n += k;
    server += k * (Number(f[ctime!]) + Number(f[rtime!]));
    total += k * Number(f[ttime!]);
  }
  return { serverTime: n ? server / n / 1000 : NaN, total: n ? total / n / 1000 : NaN };
}

// ---------------------------------------------------------------------------
// stickysim's timing

/**
 * Draws for request i a value of a real request sent near it: one of the
 * real requests i − W … i + W (W = `window`, clipped to the run) that has a
 * value, at random. The real process drifts during a run (the client's and
 * backends' overheads shrink as Node warms up, other load on the machine
 * comes and goes), so values are resampled from the same stretch of the run.
 */
function windowed(xs: readonly number[], window: number): (u: Uniform, i: number) => number {
  const idx: number[] = [];
  xs.forEach((x, i) => {
    if (Number.isFinite(x)) idx.push(i);
  });
  if (idx.length === 0) return () => 0;
  // First position in idx with index ≥ k.
  const lower = (k: number) => {
    let lo = 0;
    let hi = idx.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (idx[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (u, i) => {
    let a = lower(i - window);
    let b = lower(i + window + 1);
    if (b - a < 1) [a, b] = [0, idx.length];
    return xs[idx[a + Math.floor(u() * (b - a))]!]!;
  };
}

function average(xs: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const x of xs) {
    if (!Number.isFinite(x)) continue;
    sum += x;
    n++;
  }
  return n === 0 ? NaN : sum / n;
}

function ms(x: number): string {
  return (x * 1000).toFixed(2);
}

/** Requests either side of a request whose timing stickysim may draw for it. */
const WINDOW = 250;

/**
 * stickysim's request timing, from the real run. A client's cycle is its
 * response time RT plus its gap before the next request; haproxy counts a
 * request on its server (`served`) only from the server's assignment to the
 * end of the response, not while the client's request travels to haproxy
 * nor while the client reads the answer. Each request's backend delay d is
 * wholly inside that time; its overhead RT − d is split: a share g is held
 * at the server, the rest is added to the client's gap, with g chosen so
 * that the mean hold equals haproxy's own mean connect + response time
 * (`ctime` + `rtime` of `show stat`, whole ms, over the last 1024 requests
 * per server): g = (H − d̄) / (R̄T − d̄), clamped to 0…1. Request i then
 * holds its server d + g·(RT − d) of a real request sent near it (within
 * {@link WINDOW} of i, see {@link windowed}), and its client waits
 * (1 − g)·(RT − d) of another plus the real gap of a third.
 */
function timingModel(real: RealRun, timers: HaproxyTimers): { hold: (u: Uniform, i: number) => number; gap: (u: Uniform, i: number) => number; text: string } {
  const rt = average(real.responseTimes);
  const d = average(real.delays);
  const h = timers.serverTime;
  const g = rt > d && Number.isFinite(h) ? Math.min(1, Math.max(0, (h - d) / (rt - d))) : 1;
  const over = real.responseTimes.map((x, i) => Math.max(0, x - real.delays[i]!));
  const holds = real.delays.map((x, i) => x + g * over[i]!);
  const outside = over.map((x) => (1 - g) * x);
  const hold = windowed(holds, WINDOW);
  const before = windowed(outside, WINDOW);
  const after = windowed(real.gaps, WINDOW);
  return {
    hold,
    gap: (u, i) => before(u, i) + after(u, i),
    text:
      `measured: backend delay mean ${ms(d)} ms, response time mean ${ms(rt)} ms, client gap mean ${ms(average(real.gaps))} ms, ` +
      `haproxy ctime + rtime ${ms(h)} ms (ttime ${ms(timers.total)} ms), so g = ${g.toFixed(3)} ` +
      `and a request holds its server ${ms(average(holds))} ms on average`,
  };
}

// ---------------------------------------------------------------------------
// Figures

/** Requests per server s1…s8 of a run. */
function counts(run: Run): number[] {
  const c = new Array<number>(SERVERS).fill(0);
  for (const s of run.servers) if (s !== null) c[Number(s.slice(1)) - 1]!++;
  return c;
}

const cvFigure: Figure = { suffix: 'cv', what: 'coefficient of variation of the requests per server', of: (r) => coefficientOfVariation(counts(r)) };
const maxMeanFigure: Figure = { suffix: 'max-mean', what: 'max/mean of the requests per server', of: (r) => maxOverMean(counts(r)) };

/** The share of requests not served by their key's own server. */
function spillFigure(home: (c: PredictClient) => string | null): Figure {
  return {
    suffix: 'spill',
    what: "share of requests not served by their key's own server (its server on the tree without the bound): the spill-over",
    of: (r) => {
      let spilled = 0;
      let answered = 0;
      r.servers.forEach((s, i) => {
        if (s === null) return;
        answered++;
        if (s !== home(r.clients[i]!)) spilled++;
      });
      return answered === 0 ? NaN : spilled / answered;
    },
  };
}

// ---------------------------------------------------------------------------
// The cases

const EIGHT: PredictServer[] = Array.from({ length: SERVERS }, (_, i) => ({ name: `s${i + 1}` }));

/** Hot identifiers and their shares of the requests; the rest goes uniformly to COLD other identifiers. */
const HOT: { id: number; share: number }[] = [
  { id: 4242, share: 0.3 },
  { id: 1707, share: 0.2 },
  { id: 90210, share: 0.12 },
  { id: 31337, share: 0.08 },
];
const COLD = 400;
const COLD_BASE = 100_000;

function skewedClient(_i: number, u: Uniform): PredictClient {
  let x = u();
  for (const h of HOT) {
    if (x < h.share) return { id: h.id };
    x -= h.share;
  }
  return { id: COLD_BASE + Math.floor(u() * COLD) };
}

/** Each key's own server: the plain tree (`hash-balance-factor` off), through the preset. */
function ownServers(): (c: PredictClient) => string | null {
  const plain = resolvePreset('haproxy', { balance: 'hdr', hashType: 'consistent' });
  const cache = new Map<number, string | null>();
  return (c) => {
    const id = c.id!;
    let s = cache.get(id);
    if (s === undefined) {
      s = predict(plain, EIGHT, [c])[0]!;
      cache.set(id, s);
    }
    return s;
  };
}

const DEFAULTS = { requests: 20000, warmup: 2000, replications: 30, workers: 32, delayMs: [10, 30] as [number, number] };

function specs(): StatSpec[] {
  const own = ownServers();
  const hotShare = HOT.reduce((a, h) => a + h.share, 0);
  return [
    {
      name: 'haproxy-random2',
      quick: true,
      what: () => 'balance random(2) over 8 servers of weight 1',
      balance: 'random(2)',
      preset: { balance: 'random', draws: 2 },
      client: () => ({}),
      figures: [cvFigure, maxMeanFigure],
      defaults: DEFAULTS,
    },
    {
      name: 'haproxy-hdr-bounded',
      quick: false,
      what: () =>
        `balance hdr(${HEADER}), hash-type consistent, hash-balance-factor 125 over 8 servers, skewed keys: ` +
        `${HOT.length} hot identifiers (${HOT.map((h) => `${h.id}: ${Math.round(h.share * 100)}%, own server ${own({ id: h.id })}`).join('; ')}) ` +
        `and ${COLD} cold ones (${COLD_BASE}…${COLD_BASE + COLD - 1}) sharing the other ${Math.round(100 * (1 - hotShare))}% uniformly`,
      balance: `hdr(${HEADER})`,
      hashType: 'hash-type consistent',
      backendLines: ['hash-balance-factor 125'],
      preset: { balance: 'hdr', hashType: 'consistent', hashBalanceFactor: 125 },
      client: skewedClient,
      figures: [spillFigure(own), maxMeanFigure],
      defaults: DEFAULTS,
    },
  ];
}

function fmt(x: number, digits = 4): string {
  return x.toFixed(digits);
}

/** Runs `spec` once for real and `replications` times in stickysim; one result per figure. */
export async function runStatCase(spec: StatSpec, options: StatCaseOptions = {}): Promise<CaseResult[]> {
  const o = { ...spec.defaults, ...options };
  const seed = options.seed ?? 1;
  const [dMin, dMax] = o.delayMs;
  if (!(dMin >= 0 && dMax >= dMin)) throw new Error(`delayMs: expected [min, max] with 0 ≤ min ≤ max, got [${dMin}, ${dMax}]`);
  if (!(Number.isInteger(o.warmup) && o.warmup >= 0 && o.warmup < o.requests)) throw new Error(`warmup: expected a whole number below requests (${o.requests}), got ${o.warmup}`);
  /** The measured part of a run: after the warm-up. */
  const measured = (r: Run): Run => ({ servers: r.servers.slice(o.warmup), clients: r.clients.slice(o.warmup) });
  const system = await haproxyVersion();
  const preset = resolvePreset('haproxy', spec.preset);
  // The real run's workload: the draws a replication of seed `seed` would make (closedLoop's workload stream).
  const u = stream(seed, WORKLOAD_STREAM);
  const clients = Array.from({ length: o.requests }, (_, i) => spec.client(i, u));
  const delayU = stream(seed, 'calibration-backend-delay');
  const pool = await startDelayedBackends(SERVERS, () => (dMin + (dMax - dMin) * delayU()) / 1000);
  let real: RealRun;
  let timers: HaproxyTimers;
  let hap: Haproxy | undefined;
  try {
    hap = await Haproxy.start({
      balance: spec.balance,
      ...(spec.hashType !== undefined ? { hashType: spec.hashType } : {}),
      ...(spec.backendLines !== undefined ? { backendLines: spec.backendLines } : {}),
      servers: pool.ports.map((port, i) => ({ name: `s${i + 1}`, port })),
    });
    real = await realClosedLoop(hap.port, o.workers, clients);
    timers = await haproxyTimers(hap);
  } finally {
    await hap?.stop();
    await pool.close();
  }
  if (real.failed > real.servers.length * 0.001) {
    throw new Error(`${real.failed} of ${real.servers.length} real requests failed (${real.firstError})`);
  }
  const timing = timingModel(real, timers);
  const sims = Array.from({ length: o.replications }, (_, r) =>
    closedLoop({ preset, servers: EIGHT, workers: o.workers, requests: o.requests, client: spec.client, hold: timing.hold, gap: timing.gap, stagger: 0.002, seed: 1000 + r + 1 }),
  );
  const simHeld = average(sims.map((s) => s.meanInflight));
  const realCounts = counts(measured(real)).join(' ');
  const simCounts = counts(real)
    .map((_, j) => Math.round(average(sims.map((s) => counts(measured(s))[j]!))))
    .join(' ');
  return spec.figures.map((fig) => {
    const value = fig.of(measured(real));
    const e = estimate(sims.map((s) => fig.of(measured(s))));
    const half = e.halfWidth * Math.sqrt(e.n + 1);
    const ci: [number, number] = [e.mean - half, e.mean + half];
    const agree = value >= ci[0] && value <= ci[1];
    const inMeanCi = Math.abs(value - e.mean) <= e.halfWidth;
    return {
      name: `${spec.name}-${fig.suffix}`,
      description:
        `${spec.what()} vs preset ${presetText(spec.preset)}; ${o.workers} closed-loop keep-alive clients, ${o.requests} requests ` +
        `(the first ${o.warmup} not measured), ` +
        `backends answering after a delay uniform in [${dMin}, ${dMax}] ms, ${fmt(real.seconds, 1)} s in all; figure: ${fig.what}. ` +
        `Timing: ${timing.text}; stickysim's servers held ${fmt(simHeld, 1)} requests on average. ` +
        `Requests per server s1…s8, real: ${realCounts}; stickysim (mean of ${o.replications}): ${simCounts}. ` +
        `stickysim: mean ${fmt(e.mean)}, sd ${fmt(e.sd)}; 95% CI of the mean [${fmt(e.mean - e.halfWidth)}, ${fmt(e.mean + e.halfWidth)}] ` +
        `(real ${inMeanCi ? 'inside' : 'outside'}); 95% prediction interval for one run [${fmt(ci[0])}, ${fmt(ci[1])}] (the table's interval, which decides).`,
      system,
      kind: 'statistical' as const,
      clients: o.workers,
      real: value,
      sim: e.mean,
      ci,
      agree,
      detail: agree
        ? ''
        : `real ${fmt(value)} outside stickysim's 95% interval for one run [${fmt(ci[0])}, ${fmt(ci[1])}] (mean ${fmt(e.mean)}, sd ${fmt(e.sd)}, ${e.n} replications)`,
    };
  });
}

/** The quick variant (what `npm test` and `--quick` run): 12000 requests, about 9 s. */
export const QUICK_STAT_OPTIONS: StatCaseOptions = { requests: 12000 };

/**
 * The statistical HAProxy cases; `options` override each case's defaults
 * (20000 requests, the first 2000 not measured, 30 replications, 32
 * clients, delays 10–30 ms). With `quick`, only the quick cases, in their
 * quick variant ({@link QUICK_STAT_OPTIONS}, then `options`).
 */
export function haproxyStatCases(options: StatCaseOptions = {}, quick = false): CalibrationCase[] {
  const o = quick ? { ...QUICK_STAT_OPTIONS, ...options } : options;
  return specs()
    .filter((spec) => !quick || spec.quick)
    .map((spec) => ({
      name: spec.name,
      system: 'haproxy' as const,
      quick: spec.quick,
      run: () => runStatCase(spec, o),
    }));
}

/** Every statistical HAProxy case, full size. */
export const HAPROXY_STAT_CASES: CalibrationCase[] = haproxyStatCases();
