import { createStreams, fmix32, Simulator } from '../engine/index.js';
import { Collector, FailReason, type Census } from '../metrics/collector.js';
import type { RunMetrics } from '../metrics/results.js';
import type { SimConfig } from '../model/config.js';
import { meanOf } from '../model/distributions.js';
import { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import { LOSS_CAUSE_NAMES, LossCause } from '../model/session.js';
import { MAX_RETRY_TURNS, type SessionRow } from '../model/sessionTable.js';
import { SessionStore } from '../model/sessionStore.js';
import { Workload } from '../model/workload.js';
import type { LoadBalancer } from '../strategies/loadBalancer.js';
import { placementSalt, type BuildContext, type StrategyInstance } from '../strategies/registry.js';
import { Lifecycle, type LifecycleAction } from './lifecycle.js';
import { TraceEmitter, type Tracer } from './trace.js';

const ARRIVAL = 0;
const SEND = 1;
const DONE = 2;
const DELIVER = 3;
const LIFECYCLE = 4;

type Payload = SessionRow | LifecycleAction | null;

const FAIL_NAMES = ['no-server', 'strict', 'undetected', 'crash', 'store'] as const;

/**
 * One run of one strategy: wires the workload, the fleet, the load balancer
 * and the metrics to the engine. The flow of a request:
 * client → load balancer (affinity, then balancer) → server (state check,
 * queue, service) → response hook → client thinks → next request.
 */
export class Simulation {
  private readonly sim = new Simulator<Payload>();
  private readonly fleet: Fleet;
  private readonly workload: Workload;
  /** The load balancer: one instance per replica (see BalancerReplicas), each with its own state. */
  private readonly lbs: LoadBalancer[];
  /** The replica routing the current request (set by `via`). */
  private lb: LoadBalancer;
  private readonly spread: 'ecmp' | 'client' | undefined;
  /** The balancer keeps something per session (connections) and is told when a session ends. */
  private readonly tracks: boolean;
  private readonly metrics: Collector;
  private readonly lifecycle: Lifecycle;
  private readonly shared: SessionStore | undefined;
  /** Mean service time of a request (seconds), for the expected wait of a health check in a queue. */
  private readonly meanService: number;
  /** The shared session store is unreachable (timeline store-outage). */
  private storeDown = false;
  private readonly storeLatency: number;
  private readonly trace: TraceEmitter | undefined;
  /** One retry turn of the load balancer's policy (its retryDelay), seconds: a request waits a whole number of them. */
  private readonly turn: number;

  constructor(
    private readonly config: SimConfig,
    strategy: (ctx: BuildContext) => StrategyInstance,
    seed: number,
    tracer?: Tracer,
  ) {
    this.trace = tracer ? new TraceEmitter(tracer) : undefined;
    const streams = createStreams(seed);
    this.workload = new Workload(config.workload, streams);
    const ctx = { routing: streams.routing, clients: config.workload.clients, placement: placementSalt(seed) };
    const instance = strategy(ctx);
    // Replicas share the configuration (the same placement, the same routing stream) and nothing else.
    this.lbs = [instance.lb];
    for (let k = 1; k < (config.balancers?.replicas ?? 1); k++) this.lbs.push(strategy(ctx).lb);
    this.lb = instance.lb;
    this.spread = this.lbs.length > 1 ? config.balancers!.spread : undefined;
    this.tracks = instance.lb.tracksSessions;
    this.turn = this.lb.policy.retryDelay;
    this.meanService = meanOf(config.workload.service);
    this.storeLatency = instance.sharedStore?.latency ?? 0;
    this.shared = instance.sharedStore ? new SessionStore(0, config.fleet.sessionTtl, Infinity) : undefined;
    this.metrics = new Collector({ warmup: config.warmup, duration: config.duration, window: config.window });
    this.fleet = new Fleet(config.fleet, config.fleet.initial);
    for (const s of this.fleet.servers) this.metrics.addServer(s);
    const sim = this.sim;
    const metrics = this.metrics;
    this.lifecycle = new Lifecycle(this.fleet, config.fleet, {
      get now() {
        return sim.now;
      },
      schedule: (at, action) => sim.schedule(at, LIFECYCLE, action),
      evacuate: (server) => this.evacuate(server),
      serverAdded: (server) => metrics.addServer(server, sim.now),
      serverRemoved: (server) => metrics.serverRemoved(server, sim.now),
      probeWait: (server) => (server.busy < server.workers ? 0 : ((server.queued + 1) / server.workers) * this.meanService),
      sessionStore: (up, flush) => {
        if (this.shared === undefined) return;
        this.storeDown = !up;
        if (up && flush) this.shared.clear(sim.now);
      },
      reloadBalancer: () => {
        for (const lb of this.lbs) lb.reload(sim.now);
      },
      trace: (event, server) => this.trace?.fleet(sim.now, event, server),
    });
    sim.setHandler((kind, payload) => this.handle(kind, payload));
  }

  run(): RunMetrics {
    const { duration, warmup, window } = this.config;
    const sim = this.sim;
    const first = this.workload.nextArrival(0, duration);
    if (first < duration) sim.scheduleSlot(first, ARRIVAL, null);
    this.lifecycle.start(this.config.timeline, duration);
    // Metric cuts, at every window boundary and at the end of the warm-up, each
    // closing [previous cut, t) before anything happens at t.
    const cuts: { t: number; windowEnd: boolean }[] = [];
    for (let k = 1; k * window < duration; k++) cuts.push({ t: k * window, windowEnd: true });
    if (warmup > 0 && warmup < duration && warmup % window !== 0) cuts.push({ t: warmup, windowEnd: false });
    cuts.sort((x, y) => x.t - y.t);
    for (const { t, windowEnd } of cuts) {
      sim.runBefore(t);
      this.cut(windowEnd);
    }
    sim.run(duration);
    this.cut(true);
    return this.metrics.finish(this.fleet.servers, this.census());
  }

  /**
   * Where the live sessions are at the end, read from the places themselves:
   * the engine's pending events (a session thinking has its next send
   * pending, one retrying its delivery, one in service its completion) and
   * the servers' queues. Every live session is in exactly one of them, so
   * their sum is the sessions alive — counted apart from the started and
   * ended counters, which the invariants hold it against.
   */
  private census(): Census {
    let thinking = 0;
    let retrying = 0;
    let inService = 0;
    this.sim.forEachPending((kind) => {
      if (kind === SEND) thinking++;
      else if (kind === DELIVER) retrying++;
      else if (kind === DONE) inService++;
    });
    let queued = 0;
    for (const s of this.fleet.servers) queued += s.queued;
    return { alive: thinking + retrying + inService + queued, retrying, inService };
  }

  /** Events handled; for benchmarks. */
  get eventsProcessed(): number {
    return this.sim.processed;
  }

  private handle(kind: number, payload: Payload): void {
    switch (kind) {
      case SEND:
        return this.send(payload as SessionRow);
      case DONE:
        return this.done(payload as SessionRow);
      case ARRIVAL:
        return this.arrival();
      case DELIVER: {
        const s = payload as SessionRow;
        return this.arrive(s, this.fleet.servers[s.at]!);
      }
      case LIFECYCLE:
        return this.lifecycle.handle(payload as LifecycleAction);
    }
  }

  private cut(windowEnd: boolean): void {
    const now = this.sim.now;
    if (windowEnd) for (const s of this.fleet.servers) if (s.draining) this.lifecycle.checkDrained(s);
    const all = { entries: 0, bytes: 0 };
    for (const lb of this.lbs) {
      const m = lb.memory(now);
      all.entries += m.entries;
      all.bytes += m.bytes;
    }
    this.metrics.lbMemory(all);
    this.metrics.cut(now, windowEnd);
  }

  private arrival(): void {
    const now = this.sim.now;
    const s = this.workload.create(now);
    this.metrics.sessionStarted();
    this.trace?.sessionStart(now, s);
    const next = this.workload.nextArrival(now, this.config.duration);
    if (next < this.config.duration) this.sim.scheduleSlot(next, ARRIVAL, null);
    this.send(s);
  }

  /** The client sends its next request to the load balancer. */
  private send(s: SessionRow): void {
    const now = this.sim.now;
    s.sentAt = now;
    s.retryTurns = 0;
    this.workload.network.prepare(s, now);
    this.metrics.requestSent();
    if (this.spread !== undefined) this.via(s);
    const server = this.lb.route(s, this.fleet, now);
    this.trace?.route(now, s, server?.name ?? null, this.lb.lastVia);
    if (server === undefined) this.unrouted(s);
    else if (this.lb.lastTurns > 0) this.delay(s, server, this.lb.lastTurns);
    else this.arrive(s, server);
  }

  /**
   * The replica that carries the current request of `s` (and its response):
   * by a hash of the client and, under ECMP, of the request too (each
   * request a new connection, a new source port) — computed, not stored, so
   * the response goes back through the replica that routed the request.
   */
  private via(s: SessionRow): void {
    const h = this.spread === 'ecmp' ? fmix32((s.key ^ Math.imul(s.next + 1, 0x9e3779b1)) >>> 0) : fmix32(s.key);
    this.lb = this.lbs[h % this.lbs.length]!;
  }

  /** No server for the request: no server available, or the policy is strict. */
  private unrouted(s: SessionRow): void {
    this.fail(s, this.lb.lastVia === 'strict' ? FailReason.strict : FailReason.noServer, null);
  }

  /**
   * The request reaches `server` after `turns` retry turns of the load
   * balancer (its persist policy, or its connection retries past a server
   * that refused). Meanwhile it is neither at a server nor done: it is
   * retrying, a state of its own (its delivery pending), which the
   * end-of-run census counts. The session keeps the count (a byte of its
   * flags, not a time): its arrival is sentAt + turns × turn, computed
   * exactly as scheduled here. When every attempt was refused, `server` is
   * the refusing one and the last attempt fails there (or is served, if it
   * came back meanwhile).
   */
  private delay(s: SessionRow, server: Server, turns: number): void {
    if (turns > MAX_RETRY_TURNS) throw new Error(`${turns} retry turns: at most ${MAX_RETRY_TURNS} fit a session's flags`);
    s.at = server.id;
    s.retryTurns = turns;
    this.sim.schedule(this.sim.now + turns * this.turn, DELIVER, s);
  }

  /** The request reaches its server: refused if the server is really down, else served, queued or dropped. */
  private arrive(s: SessionRow, server: Server): void {
    if (!server.up) {
      this.refused(s, server);
    } else if (this.storeDown) {
      // The application cannot read the session: an error, at once (its worker is not held).
      this.fail(s, FailReason.store, server);
    } else if (server.busy < server.workers) {
      this.land(s, server);
      this.start(s, server);
    } else if (server.queued < server.queueLimit) {
      this.land(s, server);
      server.account(this.sim.now);
      server.enqueue(s);
    } else {
      this.drop(s, server);
    }
  }

  /** Sent to a dead server the balancer still believed up: an error (and a passive health check's evidence). */
  private refused(s: SessionRow, server: Server): void {
    // A server known down that the policy insisted on (HAProxy `option persist` without redispatch) fails as strict.
    const insisted = !server.healthy && this.lb.policy.onDown === 'insist';
    this.fail(s, insisted ? FailReason.strict : FailReason.undetected, server);
    this.lifecycle.requestFailed(server);
  }

  /** The server's queue is full: the request is dropped. */
  private drop(s: SessionRow, server: Server): void {
    const now = this.sim.now;
    s.at = -1;
    this.metrics.requestDropped();
    this.trace?.dropped(now, s, server.name);
    this.advance(s);
  }

  private fail(s: SessionRow, reason: FailReason, server: Server | null): void {
    const now = this.sim.now;
    s.at = -1;
    s.completion = -1;
    this.metrics.requestFailed(reason);
    this.trace?.failed(now, s, server?.name ?? null, FAIL_NAMES[reason]);
    this.advance(s);
  }

  /**
   * The request is accepted by `server`: look up the session's state there.
   * A request of an established session that finds no state is a session
   * loss; a new state is created where it landed and the client carries on.
   */
  private land(s: SessionRow, server: Server): void {
    const now = this.sim.now;
    s.at = server.id;
    const store = this.shared ?? server.store;
    if (store.holds(s, now)) {
      store.touch(s, now);
      this.trace?.state(now, s, server.name, 'hit');
    } else {
      if (s.home >= 0) this.lost(s, store, server);
      else this.trace?.state(now, s, server.name, 'created');
      store.create(s, now); // the session's home is now this store
    }
    if (s.logout && s.next === s.requests - 1) store.remove(s);
  }

  /** An established session's request found no state where it landed: a loss, with its cause. */
  private lost(s: SessionRow, store: SessionStore, server: Server): void {
    const now = this.sim.now;
    const cause = this.lossCause(s, store.ttl, now);
    this.metrics.loss(s, cause, now);
    this.trace?.state(now, s, server.name, 'loss', LOSS_CAUSE_NAMES[cause]);
    s.dropCause = LossCause.none; // a session starts with none, and only an established one's state can be dropped
  }

  /** The first thing that happened to the state at home: dropped, expired, or neither (rerouted). */
  private lossCause(s: SessionRow, ttl: number, now: number): LossCause {
    if (s.dropCause !== LossCause.none) return s.dropCause;
    if (now - s.lastAccess > ttl) return LossCause.expired;
    return LossCause.rerouted;
  }

  private start(s: SessionRow, server: Server): void {
    const now = this.sim.now;
    server.account(now);
    server.startService(s);
    s.startedAt = now;
    s.completion = this.sim.schedule(now + this.workload.demand(s) + this.storeLatency, DONE, s);
  }

  private done(s: SessionRow): void {
    const now = this.sim.now;
    const server = this.fleet.servers[s.at]!;
    server.account(now);
    server.endService(s);
    s.at = -1;
    s.completion = -1;
    const sentAt = s.sentAt;
    // Latency from sending; the queue wait from reaching the server (a retry delay is not queueing).
    const retry = s.retryTurns > 0 ? s.retryTurns * this.turn : 0;
    const arrivedAt = retry > 0 ? sentAt + retry : sentAt;
    this.metrics.completedAt(server, now - sentAt, s.startedAt - arrivedAt, now, retry);
    this.trace?.complete(now, s, server.name, now - sentAt);
    if (this.spread !== undefined) this.via(s);
    this.lb.onResponse(s, server, now);
    const waiting = server.dequeue() as SessionRow | undefined;
    if (waiting !== undefined) this.start(waiting, server);
    this.advance(s);
    if (server.draining) this.lifecycle.checkDrained(server);
  }

  /** After a response (or an error), the client thinks, then sends its next request or ends. */
  private advance(s: SessionRow): void {
    s.next++;
    if (s.next < s.requests) {
      this.sim.schedule(this.sim.now + this.workload.think(s), SEND, s);
    } else {
      s.ended = true;
      if (this.tracks) for (const lb of this.lbs) lb.sessionEnded(s);
      this.metrics.sessionEnded();
      this.trace?.sessionEnd(this.sim.now, s);
      this.workload.release(s);
    }
  }

  /** The server stops: its requests in service or queued fail. */
  private evacuate(server: Server): void {
    server.account(this.sim.now);
    // Servers only ever hold this run's sessions.
    for (const s of server.evacuate() as SessionRow[]) {
      if (s.completion >= 0) this.sim.cancel(s.completion);
      this.fail(s, FailReason.crash, server);
    }
  }
}
