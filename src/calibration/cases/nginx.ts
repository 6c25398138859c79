import { NginxIpHash } from '../../balancers/hashing/nginx/ipHash.js';
import { Server } from '../../model/server.js';
import { startBackends, type BackendPool } from '../backends.js';
import { driveClients, type ClientSpec } from '../clients.js';
import { Nginx, nginxServerAddress, nginxVersion, type NginxMethod, type NginxServer } from '../nginx.js';
import { Predictor, resolvePreset, type Preset, type PredictClient, type PredictServer } from '../predict.js';
import type { Answer, CalibrationCase, CaseResult } from '../types.js';
import { makeClients as haproxyClients } from './haproxy.js';

/**
 * nginx 1.22 upstream selection against stickysim's `nginx` preset
 * (src/strategies/systems/nginx.ts), as a scenario file configures it: each
 * family pairs the real `upstream` block (`ip_hash;`, `hash $remote_addr;`,
 * `hash $http_x_client_id consistent;`) with the preset options a user would
 * write for it (`{ system: nginx, ipHash: true }`), its `addresses` being the
 * backends' real `127.0.0.1:<port>` (what `hash … consistent` hashes). The
 * same clients go through the real nginx and through the preset's
 * LoadBalancer (predict.ts `Predictor`) over a Fleet brought through the
 * same events; a phase agrees when ≥ 99.9% of clients land on the server
 * stickysim predicts.
 *
 * nginx runs one worker (`worker_processes 1`), so one copy of the peer
 * state, and stickysim's balancer is one instance carried through the
 * phases as that worker carries it (the preset's UpstreamAffinity keeps the
 * passive-health state across requests); stickysim's requests are routed in
 * the order the real ones were sent, each at the whole second it was sent
 * (nginx compares `ngx_time()`, whole seconds). Fleet events:
 *   - a killed backend is `fleet.setAlive(s3, false, now, false)`: crashed,
 *     not noticed — nginx learns from the refused connection
 *     (`proxy_next_upstream error`, max_fails=1, fail_timeout), the preset
 *     from the failed attempt on a server that is not `up`;
 *   - its restart is `fleet.setAlive(s3, true, now, false)`;
 *   - a server added by a reload (8 → 9) is `fleet.add`: a membership change,
 *     a fresh upstream, as nginx's new worker;
 *   - the `down` parameter is a draining server (`state: 'drain'`).
 * Clients whose requests run concurrently cannot change these outcomes:
 * every attempt on a dead backend fails and the re-hash walk continues the
 * same way whoever marked it failed first; the one request whose outcome
 * depends on the order (the first after fail_timeout, which probes the
 * restarted backend) is sent alone.
 */

const HEADER = 'X-Client-Id';
/** Agreement threshold of a deterministic case. */
export const AGREE = 0.999;
const MISMATCHES_SHOWN = 5;
/** Requests in flight at once (the machine is shared: stay modest). */
const CONCURRENCY = 32;

export interface NginxCaseOptions {
  /** Clients per phase (default 4000). */
  clients?: number;
  /** Seed of the client addresses and ids. */
  seed?: number;
  /**
   * Run the `restart` phases, which wait out fail_timeout after a killed
   * backend comes back (default true).
   */
  recovery?: boolean;
}

export interface NginxFamily {
  /** Case name prefix. */
  name: string;
  /** The `upstream` block's method. */
  method: NginxMethod;
  /** The `nginx` preset's options a scenario file would give for it (`addresses` aside: the backends' own). */
  preset: Record<string, unknown>;
  /** What nginx hashes: the client's address (ip_hash, `$remote_addr`) or the X-Client-Id header. */
  key: 'source' | 'header';
  quick: boolean;
  /** `kill`: 8 servers, s3 killed (then restarted); `scale`: 8 → 9 by reload; `fallback`: round robin after the 21 probes. */
  plan: 'kill' | 'scale' | 'fallback';
  /** `fail_timeout=` on every server line and `failTimeout` in the preset (default: nginx's 10 s, not written). */
  failTimeout?: number;
}

export const NGINX_FAMILIES: NginxFamily[] = [
  // fail_timeout=3s: the preset's failTimeout against nginx's, and a recovery that waits 4 s (the quick subset runs it).
  { name: 'nginx-ip-hash', method: { kind: 'ip_hash' }, preset: { ipHash: true, failTimeout: 3 }, key: 'source', plan: 'kill', failTimeout: 3, quick: true },
  { name: 'nginx-hash-remote-addr', method: { kind: 'hash', key: '$remote_addr' }, preset: { hash: '$remote_addr' }, key: 'source', plan: 'kill', quick: false },
  {
    name: 'nginx-chash-client-id',
    method: { kind: 'hash', key: '$http_x_client_id', consistent: true },
    preset: { hash: '$http_x_client_id', consistent: true },
    key: 'header',
    plan: 'scale',
    quick: true,
  },
  {
    name: 'nginx-chash-client-id-crash',
    method: { kind: 'hash', key: '$http_x_client_id', consistent: true },
    preset: { hash: '$http_x_client_id', consistent: true },
    key: 'header',
    plan: 'kill',
    quick: false,
  },
  { name: 'nginx-ip-hash-fallback', method: { kind: 'ip_hash' }, preset: { ipHash: true }, key: 'source', plan: 'fallback', quick: true },
];

/** The server killed by the `kill` plan (s3). */
export const KILLED = 's3';

/** The fallback plan's upstream: s1, s2 (weight 1) and s3 (weight 50, `down`), in stickysim's terms. */
export const FALLBACK_SERVERS: PredictServer[] = [{}, {}, { weight: 50, state: 'drain' }];

/** The preset for family `f` over servers written as `addresses` (s1, s2, … in configuration order). */
export function nginxPreset(f: Pick<NginxFamily, 'preset'>, addresses: readonly string[]): Preset {
  return resolvePreset('nginx', { ...f.preset, addresses: [...addresses] });
}

/** `{ system: nginx, ipHash: true }`, as a scenario file writes it (the addresses summarised). */
export function nginxPresetText(f: Pick<NginxFamily, 'preset'>): string {
  const entries = Object.entries(f.preset).map(([k, v]) => `${k}: ${String(v)}`);
  return `{ ${['system: nginx', ...entries, 'addresses: [the backends’ 127.0.0.1:port]'].join(', ')} }`;
}

/**
 * `n` clients from distinct addresses; header families each also send a
 * distinct decimal identifier (`identifierText(id)`, the text the preset's
 * `$http_x_client_id` stands for). `real` for the HTTP clients, `sim` for
 * the predictor.
 */
export function nginxClients(f: Pick<NginxFamily, 'key'>, n: number, seed: number): { real: ClientSpec[]; sim: PredictClient[] } {
  return haproxyClients({ key: f.key }, n, seed);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

function who(c: ClientSpec): string {
  return c.headers?.[HEADER] !== undefined ? `${HEADER}: ${c.headers[HEADER]}` : c.address;
}

/** nginx's clock: whole seconds (`ngx_time()`). */
function seconds(ms = Date.now()): number {
  return Math.floor(ms / 1000);
}

/** A deterministic result: the share of clients whose real server is the predicted one. */
function compare(name: string, description: string, system: string, clients: readonly ClientSpec[], real: readonly Answer[], predicted: readonly Answer[], errors: readonly (string | undefined)[]): CaseResult {
  let match = 0;
  const bad: string[] = [];
  real.forEach((r, i) => {
    if (r === predicted[i]) match++;
    else if (bad.length < MISMATCHES_SHOWN) {
      const why = r === null ? ` (${errors[i] ?? 'failed'})` : '';
      bad.push(`${who(clients[i]!)}: nginx ${r ?? 'none'}${why}, stickysim ${predicted[i] ?? 'none (502)'}`);
    }
  });
  const n = clients.length;
  const share = match / n;
  return {
    name,
    description,
    system,
    kind: 'deterministic',
    clients: n,
    real: share,
    sim: 1,
    agree: share >= AGREE,
    detail: bad.length ? `${n - match} of ${n} differ, e.g. ${bad.join('; ')}` : '',
  };
}

/**
 * "Only they move": among the clients whose server before is still usable
 * (`kept(before)`), the share on the same server after — real against
 * stickysim's prediction of the same figure.
 */
function stayResult(name: string, description: string, system: string, before: readonly Answer[], after: readonly Answer[], predBefore: readonly Answer[], predAfter: readonly Answer[], allowed: (before: Answer, after: Answer) => boolean): CaseResult {
  const share = (b: readonly Answer[], a: readonly Answer[]) => {
    let ok = 0;
    b.forEach((x, i) => (ok += allowed(x, a[i]!) ? 1 : 0));
    return ok / b.length;
  };
  const real = share(before, after);
  const sim = share(predBefore, predAfter);
  const bad: string[] = [];
  before.forEach((x, i) => {
    if (!allowed(x, after[i]!) && bad.length < MISMATCHES_SHOWN) bad.push(`client #${i}: ${x ?? 'none'} → ${after[i] ?? 'none'}`);
  });
  return {
    name,
    description,
    system,
    kind: 'deterministic',
    clients: before.length,
    real,
    sim,
    agree: real >= AGREE && sim >= AGREE,
    detail: bad.length ? `e.g. ${bad.join('; ')}` : '',
  };
}

interface Drive {
  real: Answer[];
  errors: (string | undefined)[];
  /** When each client's request was sent, in whole seconds (nginx's clock). */
  at: number[];
}

/**
 * Every client's request, `concurrency` at a time, sent in index order; each
 * one's sending time kept, for the predictor to route it at the same second.
 */
async function drive(clients: readonly ClientSpec[], ngx: Nginx, concurrency = CONCURRENCY): Promise<Drive> {
  const n = clients.length;
  const out: Drive = { real: new Array<Answer>(n).fill(null), errors: new Array<string | undefined>(n), at: new Array<number>(n).fill(0) };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      out.at[i] = seconds();
      const [o] = await driveClients([clients[i]!], { port: ngx.port, concurrency: 1 });
      out.real[i] = o!.server;
      out.errors[i] = o!.error;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return out;
}

/** stickysim's answers for the requests of `d`, in the order and at the seconds they were sent. */
function predictAll(sim: Predictor, clients: readonly PredictClient[], d: Drive): Answer[] {
  return clients.map((c, i) => sim.route(c, d.at[i]!));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function configured(f: NginxFamily, pool: BackendPool, extra: Partial<NginxServer>[] = []): NginxServer[] {
  return pool.backends.map((b, i) => ({
    name: b.name,
    port: b.port,
    host: b.host,
    ...(f.failTimeout !== undefined ? { failTimeout: f.failTimeout } : {}),
    ...extra[i],
  }));
}

function setting(f: NginxFamily): string {
  const m = f.method;
  const method = m.kind === 'ip_hash' ? 'ip_hash' : m.kind === 'hash' ? `hash ${m.key}${m.consistent ? ' consistent' : ''}` : 'round robin';
  return `${method}${f.failTimeout !== undefined ? `, fail_timeout=${f.failTimeout}s` : ''} vs preset ${nginxPresetText(f)}`;
}

/** 8 servers; s3's backend killed; then (with `recovery`) restarted and fail_timeout waited out. */
async function runKill(f: NginxFamily, o: Required<NginxCaseOptions>, system: string): Promise<CaseResult[]> {
  const clients = nginxClients(f, o.clients, o.seed);
  const pool = await startBackends(8);
  const results: CaseResult[] = [];
  let ngx: Nginx | undefined;
  try {
    const servers = configured(f, pool);
    const sim = new Predictor(nginxPreset(f, servers.map(nginxServerAddress)), servers.map(() => ({})), { now: seconds() });
    ngx = await Nginx.start({ method: f.method, servers });
    const dead = pool.backends.findIndex((b) => b.name === KILLED);
    const failTimeout = f.failTimeout ?? 10;
    const what = `${setting(f)}, 8 servers`;

    const a = await drive(clients.real, ngx);
    const pa = predictAll(sim, clients.sim, a);
    results.push(compare(`${f.name}-8`, `${what}: every backend up`, system, clients.real, a.real, pa, a.errors));

    await pool.backends[dead]!.kill();
    sim.fleet.setAlive(sim.server(KILLED), false, seconds(), false);
    const killedAt = Date.now();
    const b = await drive(clients.real, ngx);
    const pb = predictAll(sim, clients.sim, b);
    const span = (Date.now() - killedAt) / 1000;
    const moved = b.real.filter((r, i) => r !== a.real[i]).length / o.clients;
    results.push(
      compare(
        `${f.name}-kill`,
        `${what}: ${KILLED}'s backend killed, nginx not told (passive health: the refused connection marks it failed for fail_timeout ${failTimeout} s, proxy_next_upstream retries; the phase took ${span.toFixed(1)} s); ${pct(moved)} of clients moved`,
        system,
        clients.real,
        b.real,
        pb,
        b.errors,
      ),
    );
    results.push(stayResult(`${f.name}-kill-only-dead-move`, `${what}: after ${KILLED}'s backend was killed, the share of clients not on ${KILLED} before that kept their server (only ${KILLED}'s clients move)`, system, a.real, b.real, pa, pb, (x, y) => x === KILLED || x === y));

    if (o.recovery) {
      await pool.backends[dead]!.start();
      sim.fleet.setAlive(sim.server(KILLED), true, seconds(), false);
      // At once, inside the window opened by the refused connection: nginx still counts s3 failed, so its
      // clients stay where they moved. One at a time: should the window close meanwhile, the first request
      // after it probes s3 alone, as stickysim routes it (each request at its own second).
      const back = clients.real.flatMap((_, i) => (a.real[i] === KILLED ? [i] : []));
      const early = await drive(back.map((i) => clients.real[i]!), ngx, 1);
      const pe = predictAll(sim, back.map((i) => clients.sim[i]!), early);
      const stayed = early.real.filter((r, k) => r === b.real[back[k]!]).length / Math.max(1, back.length);
      results.push(
        compare(
          `${f.name}-restart-early`,
          `${what}: ${KILLED}'s backend back, its ${back.length} clients at once, one at a time, inside fail_timeout (passive-health state kept across requests): ${pct(stayed)} of them stay where they moved`,
          system,
          back.map((i) => clients.real[i]!),
          early.real,
          pe,
          early.errors,
        ),
      );
      // Wait out the fail_timeout window opened by the last failure (whole seconds: one more).
      await sleep((failTimeout + 1) * 1000);
      // One request from a client of s3 first, alone: it probes s3 and its success resets the failure count.
      const first = pa.indexOf(KILLED);
      const probeClients = first >= 0 ? [clients.real[first]!] : [];
      const probe = await drive(probeClients, ngx, 1);
      const pp = first >= 0 ? predictAll(sim, [clients.sim[first]!], probe) : [];
      const c = await drive(clients.real, ngx);
      const pc = predictAll(sim, clients.sim, c);
      const r = compare(
        `${f.name}-restart`,
        `${what}: ${KILLED}'s backend back; after fail_timeout one client of ${KILLED} probes it alone (nginx ${probe.real[0] ?? 'none'}, stickysim ${pp[0] ?? 'none'}), then every client`,
        system,
        clients.real,
        c.real,
        pc,
        c.errors,
      );
      if (probe.real[0] !== pp[0]) {
        r.agree = false;
        r.detail = `the probe differs: ${who(probeClients[0]!)}: nginx ${probe.real[0] ?? 'none'}, stickysim ${pp[0] ?? 'none'}${r.detail ? `; ${r.detail}` : ''}`;
      }
      results.push(r);
    }
  } finally {
    await ngx?.stop();
    await pool.close();
  }
  return results;
}

/** 8 servers, then a 9th added by a reload (a fresh upstream). */
async function runScale(f: NginxFamily, o: Required<NginxCaseOptions>, system: string): Promise<CaseResult[]> {
  const clients = nginxClients(f, o.clients, o.seed);
  // s9's backend runs from the start (outside the upstream until the reload): the preset is given every server's address.
  const pool = await startBackends(9);
  const results: CaseResult[] = [];
  let ngx: Nginx | undefined;
  try {
    const nine = configured(f, pool);
    const eight = nine.slice(0, 8);
    const sim = new Predictor(nginxPreset(f, nine.map(nginxServerAddress)), eight.map(() => ({})), { now: seconds() });
    ngx = await Nginx.start({ method: f.method, servers: eight });
    const a = await drive(clients.real, ngx);
    const pa = predictAll(sim, clients.sim, a);
    results.push(compare(`${f.name}-8`, `${setting(f)}, 8 servers`, system, clients.real, a.real, pa, a.errors));

    await ngx.reload({ method: f.method, servers: nine });
    sim.fleet.add(seconds());
    const b = await drive(clients.real, ngx);
    const pb = predictAll(sim, clients.sim, b);
    const moved = b.real.filter((r, i) => r !== a.real[i]).length / o.clients;
    results.push(compare(`${f.name}-8to9`, `${setting(f)}: s9 added by a reload (8 → 9 servers; stickysim: fleet.add); ${pct(moved)} of clients moved`, system, clients.real, b.real, pb, b.errors));
    results.push(stayResult(`${f.name}-8to9-moves-only-to-s9`, `${setting(f)}: 8 → 9 servers, the share of clients that either kept their server or moved to s9`, system, a.real, b.real, pa, pb, (x, y) => x === y || y === 's9'));
  } finally {
    await ngx?.stop();
    await pool.close();
  }
  return results;
}

/** Clients (addresses) whose 21 ip_hash probes all land on a `down` server, by nginx's code (for the description only). */
function fallbackShare(clients: readonly PredictClient[]): number {
  const servers = FALLBACK_SERVERS.map((p, i) => {
    const s = new Server(i, `s${i + 1}`, 1, Infinity, 1800, Infinity);
    s.weight = p.weight ?? 1;
    return s;
  });
  const lb = new NginxIpHash(servers, { down: (s) => FALLBACK_SERVERS[s.id]!.state === 'drain' });
  let n = 0;
  for (const c of clients) {
    lb.route(c.address!, 0);
    if (lb.request.hashTries > 20) n++;
  }
  return n / clients.length;
}

/**
 * ip_hash over s1, s2 (weight 1) and s3 (weight 50, `down`): most clients'
 * probes keep landing on s3, and after 21 of them nginx goes to round
 * robin. Requests run one at a time, so the round robin's state advances in
 * the same order in nginx and in stickysim.
 */
async function runFallback(f: NginxFamily, o: Required<NginxCaseOptions>, system: string): Promise<CaseResult[]> {
  const n = Math.min(o.clients, 400);
  const clients = nginxClients(f, n, o.seed);
  const pool = await startBackends(3);
  let ngx: Nginx | undefined;
  try {
    const servers = configured(f, pool, FALLBACK_SERVERS.map((s) => ({ ...(s.weight !== undefined ? { weight: s.weight } : {}), ...(s.state === 'drain' ? { down: true } : {}) })));
    const sim = new Predictor(nginxPreset(f, servers.map(nginxServerAddress)), FALLBACK_SERVERS, { now: seconds() });
    ngx = await Nginx.start({ method: f.method, servers });
    const a = await drive(clients.real, ngx, 1);
    const pa = predictAll(sim, clients.sim, a);
    return [
      compare(
        `${f.name}-rr`,
        `${setting(f)} over s1, s2 (weight 1) and s3 (weight 50, down; stickysim: a draining server), one request at a time: ${pct(fallbackShare(clients.sim))} of clients exhaust the 21 probes and go to round robin`,
        system,
        clients.real,
        a.real,
        pa,
        a.errors,
      ),
    ];
  } finally {
    await ngx?.stop();
    await pool.close();
  }
}

export async function runNginxFamily(f: NginxFamily, options: NginxCaseOptions = {}): Promise<CaseResult[]> {
  const o: Required<NginxCaseOptions> = { clients: options.clients ?? 4000, seed: options.seed ?? 1, recovery: options.recovery ?? true };
  const system = await nginxVersion();
  switch (f.plan) {
    case 'kill':
      return runKill(f, o, system);
    case 'scale':
      return runScale(f, o, system);
    case 'fallback':
      return runFallback(f, o, system);
  }
}

/** The nginx cases, one per family (`quick` ones form the subset `npm test` runs). */
export function nginxCases(options: NginxCaseOptions = {}): CalibrationCase[] {
  return NGINX_FAMILIES.map((f) => ({
    name: f.name,
    system: 'nginx' as const,
    quick: f.quick,
    run: () => runNginxFamily(f, options),
  }));
}

export const NGINX_CASES: CalibrationCase[] = nginxCases();
