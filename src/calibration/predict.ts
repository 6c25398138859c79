import { stream, type Uniform } from '../engine/random.js';
import type { ClientSpec as WorkloadClients } from '../model/clients.js';
import { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import { placeholderSession, type Session } from '../model/session.js';
import type { LoadBalancer } from '../strategies/loadBalancer.js';
import { placementSalt, type StrategyDef } from '../strategies/parts.js';
import { findStrategy } from '../strategies/registry.js';

/**
 * stickysim's answer to a calibration case, computed the way a user's run
 * computes it: through a strategy preset (`findStrategy('haproxy')` with the
 * options a scenario file would give it), a real {@link Fleet} brought into
 * the phase's state with its own lifecycle methods, and `LoadBalancer.route`
 * on one {@link Session} per client. Nothing here calls a hashing algorithm
 * directly: what is calibrated is what users run.
 *
 *     const preset = resolvePreset('haproxy', { balance: 'source', hashType: 'consistent' });
 *     const servers = [...Array(8)].map(() => ({})).concat({ state: 'added' });   // s1…s8, s9 added
 *     predict(preset, servers, [{ address: 0x7f010203 }]);                      // ['s4'] (say)
 *
 * {@link closedLoop} runs the same preset through a small closed-loop
 * discrete-event process (N clients, each sending its next request when the
 * previous one is answered), with requests in flight counted on the servers,
 * for the statistical cases.
 */

/** A preset with its options parsed (defaults filled in) and cross-checked. */
export interface Preset {
  def: StrategyDef;
  /** The options as the preset's zod schema returns them. */
  options: Record<string, unknown>;
}

/**
 * The registry's definition `name` with `options` parsed by its own schema
 * and its cross-option `check`, as a scenario file's `{ system: name, … }`
 * is; throws with the reason when they are invalid.
 */
export function resolvePreset(name: string, options: Record<string, unknown> = {}): Preset {
  const def = findStrategy(name);
  if (def === undefined) throw new Error(`no strategy or system preset named "${name}"`);
  const parsed = def.options.safeParse(options);
  if (!parsed.success) throw new Error(`${name}: invalid options ${JSON.stringify(options)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const o = parsed.data as Record<string, unknown>;
  const problem = def.check?.(o);
  if (problem !== undefined) throw new Error(`${name}: ${problem}`);
  return { def, options: o };
}

/**
 * A configured server's state in a phase, as the balancer sees it:
 * - `up`: usable;
 * - `down`: its process died and the health check noticed (`fleet.setUp(false)`);
 * - `maint`: running but administratively out (HAProxy `set server … state maint`,
 *   a `disabled` server): the balancer's view only (`fleet.setHealthy(false)`);
 * - `removed`: taken out of the fleet for good (`fleet.remove`);
 * - `added`: joined after the start (`fleet.add`), usable. Added servers
 *   must come after every other one: a server's position in the
 *   configuration is its id (and HAProxy's puid), and the fleet appends.
 * - `drain`: running, but the operator gives it no new work
 *   (`fleet.setDraining(true)`): nginx's `down` parameter.
 */
export type ServerState = 'up' | 'down' | 'maint' | 'removed' | 'added' | 'drain';

export interface PredictServer {
  /** Must be `s<k>` for the k-th server when given (the fleet names servers so); a check, not a choice. */
  name?: string;
  /** `weight` (default 1). */
  weight?: number;
  state?: ServerState;
}

/**
 * A client: its source address (an unsigned 32-bit IPv4 value), and the
 * identifier it sends as header and URL parameter (`identifierText(id)`,
 * the decimal id), if any. A client without `id` sends neither.
 */
export interface PredictClient {
  address?: number;
  id?: number;
}

/** How the workload's clients behave, for presets whose build reads it (cookie insert): browsers that keep everything. */
export const CALIBRATION_CLIENTS: WorkloadClients = {
  cookieAcceptance: 1,
  cookieLoss: 0,
  headerProbability: 1,
  headerMissing: 0,
  paramProbability: 1,
  paramMissing: 0,
  routeKept: 1,
  routeLoss: 0,
};

/** Template of the calibration servers: one worker, no queue limit, sessions kept (unused by routing). */
const TEMPLATE = { workers: 1, queueLimit: Infinity, sessionTtl: 1800, sessionCapacity: Infinity };

/** The fleet in the phase's state: `servers[i]` is `s<i+1>`, id i. */
export function buildFleet(servers: readonly PredictServer[], now = 0): Fleet {
  const firstAdded = servers.findIndex((s) => s.state === 'added');
  if (firstAdded >= 0 && servers.slice(firstAdded).some((s) => s.state !== 'added')) {
    throw new Error(`added servers must come last (server ${firstAdded + 1} is added, a later one is not)`);
  }
  servers.forEach((s, i) => {
    if (s.name !== undefined && s.name !== `s${i + 1}`) throw new Error(`server ${i + 1} must be named s${i + 1}, not ${s.name}`);
  });
  const initial = firstAdded >= 0 ? servers.slice(0, firstAdded) : servers;
  const fleet = new Fleet(TEMPLATE, initial.map((s) => ({ weight: s.weight ?? 1 })));
  for (const s of servers.slice(initial.length)) fleet.add(now, { weight: s.weight ?? 1 });
  servers.forEach((s, i) => {
    const server = fleet.servers[i]!;
    if (s.state === 'down') fleet.setUp(server, false, now);
    else if (s.state === 'maint') fleet.setHealthy(server, false);
    else if (s.state === 'removed') fleet.remove(server, now);
    else if (s.state === 'drain') fleet.setDraining(server, true);
  });
  return fleet;
}

/** The preset's load balancer for one run of seed `seed` (its routing stream and placement salt). */
export function buildBalancer(preset: Preset, seed = 1): LoadBalancer {
  return preset.def.build(preset.options, { routing: stream(seed, 'routing'), clients: CALIBRATION_CLIENTS, placement: placementSalt(seed) }).lb;
}

/** A session standing for client `c`'s request (session id `id`, ≥ 1). */
export function clientSession(c: PredictClient, id: number): Session {
  const sends = c.id !== undefined;
  if (sends && (!Number.isInteger(c.id) || c.id! < 0)) throw new Error(`a client identifier is a whole number ≥ 0, got ${c.id}`);
  if (c.address !== undefined && (!Number.isInteger(c.address) || c.address < 0 || c.address > 0xffffffff)) {
    throw new Error(`a client address is an unsigned 32-bit value, got ${c.address}`);
  }
  return {
    ...placeholderSession(id),
    ip: c.address ?? 0,
    clientId: c.id ?? 0,
    sendsHeader: sends,
    hasHeader: sends,
    sendsParam: sends,
    hasParam: sends,
  };
}

/**
 * The server (name) stickysim routes each client's request to, or null when
 * the preset fails it: one fresh balancer and fleet per call, each client's
 * request in turn at time `now` (order matters only to stateful fallbacks,
 * such as round robin for a client without its header).
 */
export function predict(
  preset: Preset,
  servers: readonly PredictServer[],
  clients: readonly PredictClient[],
  options: { seed?: number; now?: number } = {},
): (string | null)[] {
  const now = options.now ?? 0;
  const fleet = buildFleet(servers, now);
  const lb = buildBalancer(preset, options.seed ?? 1);
  return clients.map((c, i) => {
    const s = clientSession(c, i + 1);
    const server = lb.route(s, fleet, now);
    if (server !== undefined) lb.onResponse(s, server, now);
    return server?.name ?? null;
  });
}

/**
 * One preset's balancer carried through a case's phases, as the real
 * balancer's one process carries its state (nginx's worker: passive health,
 * round robin) from request to request: one LoadBalancer over one Fleet,
 * which the caller brings from phase to phase with the fleet's own methods
 * (`fleet.setAlive(server, false, now, false)` for a crash nobody announced,
 * `fleet.add` for a server added by a reload). Requests must be routed in the
 * order the real run made them, each at its own time.
 *
 *     const p = new Predictor(resolvePreset('nginx', { ipHash: true }), eight);
 *     p.route({ address: 0x7f010203 }, t);                  // 's4' (say)
 *     p.fleet.setAlive(p.server('s3'), false, t, false);    // s3 crashed
 *     p.route({ address: 0x7f010203 }, t + 1);              // learned from the refused attempt
 *
 * `predict` is the same for one phase with a fresh balancer.
 */
export class Predictor {
  readonly fleet: Fleet;
  readonly lb: LoadBalancer;
  /** Requests routed so far (each is a session of its own, id 1, 2, …). */
  requests = 0;

  constructor(
    readonly preset: Preset,
    servers: readonly PredictServer[],
    options: { seed?: number; now?: number } = {},
  ) {
    this.fleet = buildFleet(servers, options.now ?? 0);
    this.lb = buildBalancer(preset, options.seed ?? 1);
  }

  /** The configured server named `name` (`s<k>`). */
  server(name: string): Server {
    const s = this.fleet.servers.find((x) => x.name === name);
    if (s === undefined) throw new Error(`no server ${name} (the fleet has ${this.fleet.servers.length})`);
    return s;
  }

  /** The server (name) client `c`'s request at `now` (seconds) goes to, or null when the preset fails it. */
  route(c: PredictClient, now: number): string | null {
    const s = clientSession(c, ++this.requests);
    const server = this.lb.route(s, this.fleet, now);
    if (server !== undefined) this.lb.onResponse(s, server, now);
    return server?.name ?? null;
  }
}

// ---------------------------------------------------------------------------
// Closed loop

/** The stream `closedLoop` draws its clients from (`stream(seed, WORKLOAD_STREAM)`). */
export const WORKLOAD_STREAM = 'calibration-workload';

export interface ClosedLoopOptions {
  preset: Preset;
  servers: readonly PredictServer[];
  /** Concurrent clients, each with at most one request in flight. */
  workers: number;
  /** Requests in all (the run stops once this many were sent). */
  requests: number;
  /** The client of the i-th request sent (0-based), drawn from `u` if random. */
  client(i: number, u: Uniform): PredictClient;
  /** Seconds request i (0-based, in the order sent) holds its server, from routing to the end of its response: HAProxy's `served` counts it meanwhile. */
  hold(u: Uniform, i: number): number;
  /** Seconds between the response to request i and the same worker's next request (default 0). */
  gap?(u: Uniform, i: number): number;
  /** Workers start at uniform times in [0, stagger) seconds (default 0). */
  stagger?: number;
  /** The run's seed: the preset's routing stream and the workload's draws. */
  seed: number;
}

export interface ClosedLoopResult {
  /** The server (name) of each request in the order sent; null when the preset failed it. */
  servers: (string | null)[];
  /** The client of each request. */
  clients: PredictClient[];
  /** Requests per configured server (index = id). */
  counts: number[];
  /** Largest number of requests in flight on one server at a routing decision. */
  maxInflight: number;
  /** Time-average of the requests in flight on all servers together, from the first request to the last event. */
  meanInflight: number;
}

/**
 * A closed-loop process: `workers` clients each send a request, wait for its
 * response (the server holds it `hold` seconds, during which it counts in
 * `server.inflight` through `startService`/`endService`, which is what the
 * preset's least-loaded choices read), wait `gap`, and send the next, until
 * `requests` were sent. Events in time order, ties by worker index.
 */
export function closedLoop(o: ClosedLoopOptions): ClosedLoopResult {
  if (!Number.isInteger(o.workers) || o.workers < 1) throw new Error(`workers must be a whole number ≥ 1, got ${o.workers}`);
  const fleet = buildFleet(o.servers);
  const lb = buildBalancer(o.preset, o.seed);
  const u = stream(o.seed, WORKLOAD_STREAM);
  const timing = stream(o.seed, 'calibration-timing');
  const n = o.workers;
  // Per worker: the time of its next event, and the request it holds (undefined: its next event is a send).
  const at = new Float64Array(n);
  const holding: ({ session: Session; server: Server; i: number } | undefined)[] = new Array(n).fill(undefined);
  for (let w = 0; w < n; w++) at[w] = (o.stagger ?? 0) * timing();
  const out: ClosedLoopResult = { servers: [], clients: [], counts: new Array(fleet.servers.length).fill(0), maxInflight: 0, meanInflight: 0 };
  let sent = 0;
  let active = n;
  // ∫ (requests in flight) dt, from the first send to the last response.
  let inflight = 0;
  let area = 0;
  let first = -1;
  let last = 0;
  while (active > 0) {
    let w = -1;
    for (let k = 0; k < n; k++) if (at[k]! < Infinity && (w < 0 || at[k]! < at[w]!)) w = k;
    const now = at[w]!;
    area += inflight * (now - last);
    last = now;
    const held = holding[w];
    if (held !== undefined) {
      inflight--;
      held.server.endService(held.session);
      lb.onResponse(held.session, held.server, now);
      holding[w] = undefined;
      at[w] = now + (o.gap?.(timing, held.i) ?? 0);
      continue;
    }
    if (sent >= o.requests) {
      at[w] = Infinity;
      active--;
      continue;
    }
    const i = sent++;
    const client = o.client(i, u);
    const session = clientSession(client, sent);
    const server = lb.route(session, fleet, now);
    out.clients.push(client);
    out.servers.push(server?.name ?? null);
    if (server === undefined) {
      at[w] = now + (o.gap?.(timing, i) ?? 0);
      continue;
    }
    out.maxInflight = Math.max(out.maxInflight, server.inflight);
    out.counts[server.id]!++;
    if (first < 0) first = now;
    inflight++;
    server.startService(session);
    holding[w] = { session, server, i };
    at[w] = now + o.hold(timing, i);
  }
  out.meanInflight = first >= 0 && last > first ? area / (last - first) : 0;
  return out;
}
