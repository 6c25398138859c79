import { startBackends } from '../backends.js';
import { clientAddresses, driveClients, type ClientOutcome, type ClientSpec } from '../clients.js';
import { Haproxy, haproxyVersion } from '../haproxy.js';
import { buildBalancer, buildFleet, clientSession, resolvePreset, type PredictServer } from '../predict.js';
import type { CalibrationCase, CaseResult } from '../types.js';
import { parseIPv4 } from '../../balancers/hashing/haproxy/hash.js';
import type { Fleet } from '../../model/fleet.js';
import type { Session } from '../../model/session.js';
import type { LoadBalancer } from '../../strategies/loadBalancer.js';
import { AGREE, perClient, presetText } from './haproxy.js';

/**
 * HAProxy 2.6 `cookie SERVERID insert indirect nocache` in front of
 * `balance roundrobin`, with a server that dies: what happens to the
 * clients whose cookie names it, with and without health checks, `option
 * redispatch` and `option persist`, against stickysim's `haproxy` preset
 * with the same options (src/strategies/systems/haproxyRetries.ts).
 *
 * Phases, one result each, every client on its own address with its own
 * cookie jar:
 *   `-bind`    every client's first request: balanced, and answered with a
 *              cookie naming the server that answered (real: the jar's
 *              value is the answering server);
 *   `-kill`    s3's backend killed. Without `check` haproxy never learns
 *              of it (every request to s3 is refused: its connection
 *              retries decide); with `check` the case waits for DOWN. Per
 *              client the outcome is compared with the preset's: served by
 *              its own server, served by another (redispatched), or failed
 *              (5xx) — and the time it took, in turn-arounds (min(timeout
 *              connect 2 s, 1 s) = 1 s each): agree within 0.4 s;
 *   `-after`   the same clients again: who was redispatched got a new
 *              cookie and stays on the server that took it; who failed kept
 *              the dead server's cookie (and fails again, or is
 *              redispatched again);
 *   `-recover` s3's backend back (with `check`, marked UP): clients still
 *              holding s3's cookie return to it, the others stay.
 * Which server a redispatch lands on depends on round robin's position,
 * which concurrent clients interleave; the outcome class does not, and is
 * what is compared (a deterministic case: ≥ 99.9% of clients must agree).
 * After each phase stickysim's sessions take the cookies the real clients
 * hold, so the next phase starts from the same bindings, and `-recover`
 * compares the answering server itself.
 */

const SERVERS = 4;
const DEAD = 2; // s3
/** `timeout connect 2s` (haproxy.ts's defaults): a turn-around is min(2 s, 1 s). */
const TURN_MS = 1000;
const TIME_TOLERANCE_MS = 400;
const CHECK = { interMs: 100, fall: 2, rise: 1 };
const SHOWN = 5;

export interface CookieVariant {
  /** Case name suffix after `haproxy-cookie`. */
  name: string;
  check: boolean;
  redispatch: boolean;
  persist: boolean;
  quick: boolean;
}

export const COOKIE_VARIANTS: CookieVariant[] = [
  { name: 'nocheck', check: false, redispatch: false, persist: false, quick: false },
  { name: 'nocheck-redispatch', check: false, redispatch: true, persist: false, quick: true },
  { name: 'check', check: true, redispatch: false, persist: false, quick: false },
  { name: 'check-persist', check: true, redispatch: false, persist: true, quick: false },
  { name: 'check-persist-redispatch', check: true, redispatch: true, persist: true, quick: false },
];

/** What became of one request. */
type Outcome = 'own' | 'moved' | 'failed';

interface Seen {
  outcome: Outcome;
  /** Who answered (null: failed). */
  server: string | null;
  /** Turn-arounds the request waited: measured (rounded from its time) or predicted. */
  turns: number;
  ms: number;
}

function presetOptions(v: CookieVariant): Record<string, unknown> {
  return {
    balance: 'roundrobin',
    cookie: '{}',
    timeoutConnect: '2s',
    ...(v.redispatch ? { redispatch: true } : {}),
    ...(v.persist ? { persist: true } : {}),
  };
}

/** One real request per client, classified against the server its cookie named. */
function observed(outcomes: readonly ClientOutcome[], cookieOf: readonly (string | undefined)[]): Seen[] {
  return outcomes.map((o, i) => {
    const server = o.server;
    const outcome: Outcome = server === null ? 'failed' : server === cookieOf[i] ? 'own' : 'moved';
    const ms = o.ms[o.ms.length - 1] ?? 0;
    return { outcome, server, turns: Math.round(ms / TURN_MS), ms };
  });
}

/** The preset's answer for each client's session, in turn, at `now`. */
function predicted(lb: LoadBalancer, fleet: Fleet, sessions: readonly Session[], now: number): Seen[] {
  return sessions.map((s) => {
    const bound = s.cookie;
    const server = lb.route(s, fleet, now);
    const turns = lb.lastTurns;
    if (server === undefined || !server.up) return { outcome: 'failed', server: null, turns, ms: turns * TURN_MS };
    lb.onResponse(s, server, now);
    return { outcome: server.id === bound ? 'own' : 'moved', server: server.name, turns, ms: turns * TURN_MS };
  });
}

function compare(name: string, what: string, system: string, real: readonly Seen[], sim: readonly Seen[], clients: readonly ClientSpec[], timed: boolean): CaseResult {
  let agree = 0;
  const bad: string[] = [];
  real.forEach((r, i) => {
    const p = sim[i]!;
    const ok = r.outcome === p.outcome && (!timed || Math.abs(r.ms - p.turns * TURN_MS) <= TIME_TOLERANCE_MS);
    if (ok) agree++;
    else if (bad.length < SHOWN) bad.push(`${clients[i]!.address}: real ${r.outcome} (${r.server ?? 'none'}, ${Math.round(r.ms)} ms), predicted ${p.outcome} (${p.server ?? 'none'}, ${p.turns} turns)`);
  });
  const count = (xs: readonly Seen[], o: Outcome) => xs.filter((x) => x.outcome === o).length;
  const tally = (xs: readonly Seen[]) => `${count(xs, 'own')} own, ${count(xs, 'moved')} moved, ${count(xs, 'failed')} failed`;
  const turnsOf = (xs: readonly Seen[]) => [...new Set(xs.filter((x) => x.outcome !== 'own').map((x) => x.turns))].sort().join('/');
  const share = agree / real.length;
  return {
    name,
    description: `${what}; real: ${tally(real)}${timed && turnsOf(real) ? ` (not own: ${turnsOf(real)} s)` : ''}; stickysim: ${tally(sim)}${timed && turnsOf(sim) ? ` (${turnsOf(sim)} turns)` : ''}`,
    system,
    kind: 'deterministic',
    clients: real.length,
    real: share,
    sim: 1,
    agree: share >= AGREE,
    detail: bad.length ? `${real.length - agree} of ${real.length} differ, e.g. ${bad.join('; ')}` : '',
  };
}

/** The server index a client's cookie jar names (`s3` → 2), −1 without a cookie. */
function jarCookie(c: ClientSpec): number {
  const v = c.jar!.get('SERVERID');
  return v === undefined ? -1 : Number(v.slice(1)) - 1;
}

/** stickysim's session for each client (ids from `first`): a browser that keeps cookies, holding its jar's cookie. */
function cookieSessions(clients: readonly ClientSpec[], first = 1): Session[] {
  return clients.map((c, i) => {
    const s: Session = { ...clientSession({ address: parseIPv4(c.address) }, first + i), acceptsCookies: true };
    s.hasCookie = true;
    s.cookie = jarCookie(c);
    return s;
  });
}

/** One variant's phases against a fresh haproxy and 4 backends. */
export async function runCookieVariant(v: CookieVariant, options: { clients?: number; seed?: number } = {}): Promise<CaseResult[]> {
  const n = options.clients ?? 400;
  const system = await haproxyVersion();
  const preset = resolvePreset('haproxy', { ...presetOptions(v), cookie: {} });
  const name = `haproxy-cookie-${v.name}`;
  const setting =
    `balance roundrobin, cookie SERVERID insert indirect nocache${v.check ? `, check inter ${CHECK.interMs}ms fall ${CHECK.fall} rise ${CHECK.rise}` : ', no check'}` +
    `${v.redispatch ? ', option redispatch' : ''}${v.persist ? ', option persist' : ''}, retries 3, timeout connect 2s vs preset ${presetText(presetOptions(v))}`;
  const addresses = clientAddresses(n, options.seed ?? 7);
  const clients: ClientSpec[] = addresses.map((address) => ({ address, jar: new Map() }));
  const pool = await startBackends(SERVERS);
  const results: CaseResult[] = [];
  let hap: Haproxy | undefined;
  try {
    hap = await Haproxy.start({
      balance: 'roundrobin',
      backendLines: ['cookie SERVERID insert indirect nocache', 'retries 3', ...(v.redispatch ? ['option redispatch'] : []), ...(v.persist ? ['option persist'] : [])],
      ...(v.check ? { check: CHECK } : {}),
      servers: pool.backends.map((b) => ({ name: b.name, port: b.port, cookie: b.name })),
    });
    if (v.check) for (let i = 1; i <= SERVERS; i++) await hap.waitStatus(`s${i}`, 'UP');
    const states = (dead: PredictServer['state']): PredictServer[] =>
      Array.from({ length: SERVERS }, (_, i) => ({ name: `s${i + 1}`, state: i === DEAD ? dead : 'up' }));

    // -bind: the cookie each client was given must name the server that answered it.
    const first = await driveClients(clients, { port: hap.port, concurrency: 32 });
    const cookieOf = clients.map((c) => c.jar!.get('SERVERID'));
    const bindOk = first.filter((o, i) => o.server !== null && o.server === cookieOf[i]).length;
    const per = Array.from({ length: SERVERS }, (_, i) => cookieOf.filter((c) => c === `s${i + 1}`).length);
    results.push({
      name: `${name}-bind`,
      description: `${setting}: every client's first request; the cookie set names the server that answered (clients per server s1…s4: ${per.join(' ')})`,
      system,
      kind: 'deterministic',
      clients: n,
      real: bindOk / n,
      sim: 1,
      agree: bindOk / n >= AGREE,
      detail: bindOk === n ? '' : `${n - bindOk} clients' cookie does not name the server that answered`,
    });

    // stickysim: the same fleet, one balancer carried through the phases, each client's session holding the cookie it was given.
    const lb = buildBalancer(preset);
    const fleet = buildFleet(states('up'));
    const sessions = cookieSessions(clients);
    // Where a redispatch lands is round robin's turn, which concurrent clients interleave: after each phase the
    // sessions take the cookies the real clients hold, so that the next phase starts from the same bindings.
    const syncCookies = () => clients.forEach((c, i) => (sessions[i]!.cookie = jarCookie(c)));
    const dead = fleet.servers[DEAD]!;

    // -kill
    await pool.backends[DEAD]!.kill();
    if (v.check) await hap.waitStatus('s3', 'DOWN');
    fleet.setAlive(dead, false, 1, v.check);
    let cookies = clients.map((c) => c.jar!.get('SERVERID'));
    const killReal = observed(await driveClients(clients, { port: hap.port, concurrency: 64 }), cookies);
    const killSim = predicted(lb, fleet, sessions, 1);
    const killWhat = v.check ? "s3's backend killed and marked DOWN by the check" : "s3's backend killed, haproxy not told (no check): every connection to it refused";
    results.push(compare(`${name}-kill`, `${setting}: ${killWhat}`, system, killReal, killSim, clients, true));
    syncCookies();

    // -after: the same requests again; cookies as the last answers left them.
    cookies = clients.map((c) => c.jar!.get('SERVERID'));
    const afterReal = observed(await driveClients(clients, { port: hap.port, concurrency: 64 }), cookies);
    const afterSim = predicted(lb, fleet, sessions, 2);
    results.push(compare(`${name}-after`, `${setting}: every client again, s3 still dead (a redispatched client's cookie was rewritten)`, system, afterReal, afterSim, clients, true));
    syncCookies();

    // -recover
    await pool.backends[DEAD]!.start();
    if (v.check) await hap.waitStatus('s3', 'UP');
    fleet.setAlive(dead, true, 3, true);
    cookies = clients.map((c) => c.jar!.get('SERVERID'));
    const backReal = observed(await driveClients(clients, { port: hap.port, concurrency: 64 }), cookies);
    const backSim = predicted(lb, fleet, sessions, 3);
    // Who answered must be the cookie's server again, exactly: compare servers, not only outcomes.
    const backSame = backReal.map((r, i) => ({ ...r, outcome: r.server === backSim[i]!.server ? r.outcome : ('mismatch' as Outcome) }));
    results.push(compare(`${name}-recover`, `${setting}: s3's backend back${v.check ? ' and marked UP' : ''}: clients holding s3's cookie return to it, the others stay`, system, backSame, backSim, clients, false));
  } finally {
    await hap?.stop();
    await pool.close();
  }
  return results;
}

export function haproxyCookieCases(options: { clients?: number } = {}): CalibrationCase[] {
  return [
    ...COOKIE_VARIANTS.map((v) => ({
      name: `haproxy-cookie-${v.name}`,
      system: 'haproxy' as const,
      quick: v.quick,
      run: () => runCookieVariant(v, options),
    })),
    { name: 'haproxy-cookie-drain', system: 'haproxy' as const, quick: false, run: () => runCookieDrain(options) },
  ];
}

/**
 * `set server be/s2 state drain` (weight 0: HAProxy's drain) under cookie
 * insert: clients whose cookie names s2 are still sent there, new clients
 * never are — the preset's `onDrain: serve`. Phases: `-bind` as above;
 * `-drain` every client again (own server for all, s2's included); `-new`
 * as many new clients without cookies (none lands on s2, every one served).
 */
export async function runCookieDrain(options: { clients?: number; seed?: number } = {}): Promise<CaseResult[]> {
  const n = options.clients ?? 400;
  const system = await haproxyVersion();
  const preset = resolvePreset('haproxy', { balance: 'roundrobin', cookie: {} });
  const setting = `balance roundrobin, cookie SERVERID insert indirect nocache, s2 set to drain vs preset ${presetText({ balance: 'roundrobin', cookie: '{}' })}`;
  const clients: ClientSpec[] = clientAddresses(n, options.seed ?? 13).map((address) => ({ address, jar: new Map() }));
  const fresh: ClientSpec[] = clientAddresses(2 * n, options.seed ?? 13).slice(n).map((address) => ({ address, jar: new Map() }));
  const pool = await startBackends(SERVERS);
  const results: CaseResult[] = [];
  let hap: Haproxy | undefined;
  try {
    hap = await Haproxy.start({
      balance: 'roundrobin',
      backendLines: ['cookie SERVERID insert indirect nocache'],
      servers: pool.backends.map((b) => ({ name: b.name, port: b.port, cookie: b.name })),
    });
    await driveClients(clients, { port: hap.port, concurrency: 32 });
    const cookies = clients.map((c) => c.jar!.get('SERVERID'));
    await hap.setState('s2', 'drain');
    const lb = buildBalancer(preset);
    const fleet = buildFleet(Array.from({ length: SERVERS }, (_, i) => ({ name: `s${i + 1}`, state: i === 1 ? ('drain' as const) : ('up' as const) })));
    const sessions = cookieSessions(clients);
    const drainReal = observed(await driveClients(clients, { port: hap.port, concurrency: 32 }), cookies);
    const drainSim = predicted(lb, fleet, sessions, 1);
    const onS2 = cookies.filter((c) => c === 's2').length;
    results.push(compare('haproxy-cookie-drain-drain', `${setting}: every client again; the ${onS2} clients of s2 still go to s2`, system, drainReal, drainSim, clients, false));
    // New clients: each must be served, and not by the draining s2 (round robin's exact turn aside).
    const newReal = (await driveClients(fresh, { port: hap.port, concurrency: 32 })).map((o) => o.server);
    const newSim = cookieSessions(fresh, n + 1).map((s) => lb.route(s, fleet, 2)?.name ?? null);
    const avoided = (x: string | null) => (x !== null && x !== 's2' ? 'another server' : 's2 or none');
    const per = (xs: readonly (string | null)[]) => Array.from({ length: SERVERS }, (_, k) => xs.filter((x) => x === `s${k + 1}`).length).join(' ');
    results.push(
      perClient(
        'haproxy-cookie-drain-new',
        `${setting}: ${fresh.length} new clients without cookies: none is sent to the draining s2 (per server s1…s4, real: ${per(newReal)}; stickysim: ${per(newSim)})`,
        system,
        newReal.map(avoided),
        newSim.map(avoided),
        fresh,
      ),
    );
  } finally {
    await hap?.stop();
    await pool.close();
  }
  return results;
}
