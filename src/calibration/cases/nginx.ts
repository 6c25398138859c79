import { NginxConsistentHash } from '../../balancers/hashing/nginx/chash.js';
import { NginxHash } from '../../balancers/hashing/nginx/hash.js';
import { NginxIpHash, ipv4 } from '../../balancers/hashing/nginx/ipHash.js';
import { Server } from '../../model/server.js';
import { startBackends, type BackendPool } from '../backends.js';
import { clientAddresses, driveClients, type ClientSpec } from '../clients.js';
import { Nginx, nginxServerAddress, nginxVersion, type NginxMethod, type NginxServer } from '../nginx.js';
import type { Answer, CalibrationCase, CaseResult } from '../types.js';

/**
 * nginx 1.22 upstream selection against stickysim's reproduction
 * (src/balancers/hashing/nginx/): the same clients go through the real nginx
 * (one worker) and through NginxIpHash / NginxHash / NginxConsistentHash
 * built over the same configured servers, with the same failures; a phase
 * agrees when ≥ 99.9% of clients land on the server stickysim predicts.
 *
 * stickysim's balancer is one instance carried through the phases as nginx's
 * worker carries its peer state; a reload is a new instance. A killed backend
 * is not announced to either: nginx learns from the refused connection
 * (`proxy_next_upstream error`, max_fails=1, fail_timeout=10s), stickysim
 * from `route(key, now, refuses)`. Clients whose requests run concurrently
 * cannot change these outcomes: every attempt on a dead backend fails and
 * the re-hash walk continues the same way whoever marked it failed first.
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
   * Run the `restart` phases, which wait out fail_timeout (11 s) after a
   * killed backend comes back (default true).
   */
  recovery?: boolean;
}

/** What nginx hashes: the client's address (ip_hash), `$remote_addr`, or the X-Client-Id header. */
type Key = 'source' | 'remote-addr' | 'header';

interface Family {
  /** Case name prefix. */
  name: string;
  method: NginxMethod;
  key: Key;
  quick: boolean;
  /** `kill`: 8 servers, s3 killed (then restarted); `scale`: 8 → 9 by reload; `fallback`: round robin after the 21 probes. */
  plan: 'kill' | 'scale' | 'fallback';
}

const FAMILIES: Family[] = [
  { name: 'nginx-ip-hash', method: { kind: 'ip_hash' }, key: 'source', plan: 'kill', quick: true },
  { name: 'nginx-hash-remote-addr', method: { kind: 'hash', key: '$remote_addr' }, key: 'remote-addr', plan: 'kill', quick: false },
  { name: 'nginx-chash-client-id', method: { kind: 'hash', key: '$http_x_client_id', consistent: true }, key: 'header', plan: 'scale', quick: true },
  { name: 'nginx-chash-client-id-crash', method: { kind: 'hash', key: '$http_x_client_id', consistent: true }, key: 'header', plan: 'kill', quick: false },
  { name: 'nginx-ip-hash-fallback', method: { kind: 'ip_hash' }, key: 'source', plan: 'fallback', quick: true },
];

/** The simulator's servers for nginx's configured ones (id = configuration order). */
function simServers(servers: readonly NginxServer[]): Server[] {
  return servers.map((c, i) => {
    const s = new Server(i, c.name, 1, Infinity, 1800, Infinity);
    s.weight = c.weight ?? 1;
    return s;
  });
}

/** stickysim's nginx balancer for family `f` over the configured `servers`, fed each client's key. */
interface Predictor {
  /** The server for client `c`'s request at `now`, retried past refusing servers (undefined: a 502). */
  route(c: ClientSpec, now: number, refuses?: (s: Server) => boolean): Answer;
  /** The last request exhausted the 21 hash probes and went to round robin. */
  fellBack(): boolean;
}

function predictor(f: Family, servers: readonly NginxServer[]): Predictor {
  const sim = simServers(servers);
  const options = { down: (s: Server) => servers[s.id]!.down === true };
  const name = (s: Server | undefined): Answer => s?.name ?? null;
  const m = f.method;
  if (m.kind === 'ip_hash') {
    const lb = new NginxIpHash(sim, options);
    return { route: (c, now, refuses) => name(lb.route(ipv4(c.address), now, refuses)), fellBack: () => lb.request.hashTries > 20 };
  }
  if (m.kind !== 'hash') throw new Error(`no nginx case for ${m.kind}`);
  const lb = m.consistent ? new NginxConsistentHash(sim, { ...options, address: (s) => nginxServerAddress(servers[s.id]!) }) : new NginxHash(sim, options);
  // The key nginx evaluates: `$remote_addr` is the client's address, `$http_x_client_id` the header.
  const key = (c: ClientSpec) => (f.key === 'header' ? c.headers![HEADER]! : c.address);
  return { route: (c, now, refuses) => name(lb.route(key(c), now, refuses)), fellBack: () => lb.request.hashTries > 20 };
}

function makeClients(f: Family, n: number, seed: number): ClientSpec[] {
  const addresses = clientAddresses(n, seed);
  if (f.key !== 'header') return addresses.map((address) => ({ address }));
  return addresses.map((address, i) => ({ address, headers: { [HEADER]: `client-${seed}-${i.toString(36)}` } }));
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

function who(f: Family, c: ClientSpec): string {
  return f.key === 'header' ? `${HEADER}: ${c.headers![HEADER]}` : c.address;
}

/** A deterministic result: the share of clients whose real server is the predicted one. */
function compare(f: Family, name: string, description: string, system: string, clients: readonly ClientSpec[], real: readonly Answer[], predicted: readonly Answer[], errors: readonly (string | undefined)[]): CaseResult {
  let match = 0;
  const bad: string[] = [];
  real.forEach((r, i) => {
    if (r === predicted[i]) match++;
    else if (bad.length < MISMATCHES_SHOWN) {
      const why = r === null ? ` (${errors[i] ?? 'failed'})` : '';
      bad.push(`${who(f, clients[i]!)}: nginx ${r ?? 'none'}${why}, stickysim ${predicted[i] ?? 'none (502)'}`);
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

async function drive(clients: readonly ClientSpec[], ngx: Nginx, concurrency = CONCURRENCY) {
  const outcomes = await driveClients(clients, { port: ngx.port, concurrency });
  return { real: outcomes.map((o) => o.server), errors: outcomes.map((o) => o.error) };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function configured(pool: BackendPool, extra: Partial<NginxServer>[] = []): NginxServer[] {
  return pool.backends.map((b, i) => ({ name: b.name, port: b.port, host: b.host, ...extra[i] }));
}

function setting(f: Family): string {
  const m = f.method;
  return m.kind === 'ip_hash' ? 'ip_hash' : m.kind === 'hash' ? `hash ${m.key}${m.consistent ? ' consistent' : ''}` : 'round robin';
}

/** 8 servers; s3's backend killed; then (with `recovery`) restarted and fail_timeout waited out. */
async function runKill(f: Family, o: Required<NginxCaseOptions>, system: string): Promise<CaseResult[]> {
  const clients = makeClients(f, o.clients, o.seed);
  const pool = await startBackends(8);
  const results: CaseResult[] = [];
  let ngx: Nginx | undefined;
  try {
    const servers = configured(pool);
    ngx = await Nginx.start({ method: f.method, servers });
    const lb = predictor(f, servers);
    const dead = 2; // s3
    const what = `${setting(f)}, 8 servers`;

    const a = await drive(clients, ngx);
    const pa = clients.map((c) => lb.route(c, 0));
    results.push(compare(f, `${f.name}-8`, `${what}: every backend up`, system, clients, a.real, pa, a.errors));

    await pool.backends[dead]!.kill();
    const b = await drive(clients, ngx);
    const pb = clients.map((c) => lb.route(c, 0, (s) => s.id === dead));
    const moved = b.real.filter((r, i) => r !== a.real[i]).length / o.clients;
    results.push(compare(f, `${f.name}-kill`, `${what}: s3's backend killed, nginx not told (passive health: the refused connection marks it failed, proxy_next_upstream retries); ${pct(moved)} of clients moved`, system, clients, b.real, pb, b.errors));
    results.push(stayResult(`${f.name}-kill-only-dead-move`, `${what}: after s3's backend was killed, the share of clients not on s3 before that kept their server (only s3's clients move)`, system, a.real, b.real, pa, pb, (x, y) => x === 's3' || x === y));

    if (o.recovery) {
      await pool.backends[dead]!.start();
      // Wait out the fail_timeout window (10 s) opened by the last failure.
      await sleep(11_000);
      // One request from a client of s3 first, alone: it probes s3 and its success resets the failure count.
      const first = pa.indexOf('s3');
      const probe = first >= 0 ? await drive([clients[first]!], ngx, 1) : { real: [], errors: [] };
      const pp = first >= 0 ? [lb.route(clients[first]!, 1000)] : [];
      const c = await drive(clients, ngx);
      const pc = clients.map((c) => lb.route(c, 1000));
      results.push(compare(f, `${f.name}-restart`, `${what}: s3's backend back; after fail_timeout one client of s3 probes it (nginx ${probe.real[0] ?? 'none'}, stickysim ${pp[0] ?? 'none'}), then every client`, system, clients, c.real, pc, c.errors));
    }
  } finally {
    await ngx?.stop();
    await pool.close();
  }
  return results;
}

/** 8 servers, then a 9th added by a reload (a fresh upstream). */
async function runScale(f: Family, o: Required<NginxCaseOptions>, system: string): Promise<CaseResult[]> {
  const clients = makeClients(f, o.clients, o.seed);
  const pool = await startBackends(8);
  const results: CaseResult[] = [];
  let ngx: Nginx | undefined;
  try {
    const eight = configured(pool);
    ngx = await Nginx.start({ method: f.method, servers: eight });
    const lb8 = predictor(f, eight);
    const a = await drive(clients, ngx);
    const pa = clients.map((c) => lb8.route(c, 0));
    results.push(compare(f, `${f.name}-8`, `${setting(f)}, 8 servers`, system, clients, a.real, pa, a.errors));

    await pool.add();
    const nine = configured(pool);
    await ngx.reload({ method: f.method, servers: nine });
    const lb9 = predictor(f, nine);
    const b = await drive(clients, ngx);
    const pb = clients.map((c) => lb9.route(c, 0));
    const moved = b.real.filter((r, i) => r !== a.real[i]).length / o.clients;
    results.push(compare(f, `${f.name}-8to9`, `${setting(f)}: s9 added by a reload (8 → 9 servers); ${pct(moved)} of clients moved`, system, clients, b.real, pb, b.errors));
    results.push(stayResult(`${f.name}-8to9-moves-only-to-s9`, `${setting(f)}: 8 → 9 servers, the share of clients that either kept their server or moved to s9`, system, a.real, b.real, pa, pb, (x, y) => x === y || y === 's9'));
  } finally {
    await ngx?.stop();
    await pool.close();
  }
  return results;
}

/**
 * ip_hash over s1, s2 (weight 1) and s3 (weight 50, `down`): most clients'
 * probes keep landing on s3, and after 21 of them nginx goes to round
 * robin. Requests run one at a time, so the round robin's state advances in
 * the same order in nginx and in stickysim.
 */
async function runFallback(f: Family, o: Required<NginxCaseOptions>, system: string): Promise<CaseResult[]> {
  const n = Math.min(o.clients, 400);
  const clients = makeClients(f, n, o.seed);
  const pool = await startBackends(3);
  let ngx: Nginx | undefined;
  try {
    const servers = configured(pool, [{}, {}, { weight: 50, down: true }]);
    ngx = await Nginx.start({ method: f.method, servers });
    const lb = predictor(f, servers);
    const a = await drive(clients, ngx, 1);
    let fallbacks = 0;
    const pa = clients.map((c) => {
      const s = lb.route(c, 0);
      if (lb.fellBack()) fallbacks++;
      return s;
    });
    return [
      compare(f, `${f.name}-rr`, `${setting(f)} over s1, s2 (weight 1) and s3 (weight 50, down), one request at a time: ${pct(fallbacks / n)} of clients exhaust the 21 probes and go to round robin`, system, clients, a.real, pa, a.errors),
    ];
  } finally {
    await ngx?.stop();
    await pool.close();
  }
}

export async function runNginxFamily(f: Family, options: NginxCaseOptions = {}): Promise<CaseResult[]> {
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
  return FAMILIES.map((f) => ({
    name: f.name,
    system: 'nginx' as const,
    quick: f.quick,
    run: () => runNginxFamily(f, options),
  }));
}

export const NGINX_CASES: CalibrationCase[] = nginxCases();
