import { createStreams, Simulator } from '../engine/index.js';
import { Collector } from '../metrics/collector.js';
import type { RunMetrics } from '../metrics/results.js';
import type { SimConfig } from '../model/config.js';
import { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import { LOSS_CAUSE_NAMES, LossCause, type Session } from '../model/session.js';
import { SessionStore } from '../model/sessionStore.js';
import type { TimelineEvent } from '../model/timeline.js';
import { Workload } from '../model/workload.js';
import type { LoadBalancer } from '../strategies/loadBalancer.js';
import type { StrategyInstance } from '../strategies/registry.js';
import type { Tracer } from './trace.js';

const ARRIVAL = 0;
const SEND = 1;
const DONE = 2;
const FLEET = 3;
const CUT = 4;

type Payload = Session | TimelineEvent | boolean | null;

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
  private readonly lb: LoadBalancer;
  private readonly metrics: Collector;
  private readonly shared: SessionStore | undefined;
  private readonly storeLatency: number;
  private nextStateId = 0;

  constructor(
    private readonly config: SimConfig,
    strategy: (ctx: { routing: () => number }) => StrategyInstance,
    seed: number,
    private readonly tracer?: Tracer,
  ) {
    const streams = createStreams(seed);
    this.workload = new Workload(config.workload, streams);
    const instance = strategy({ routing: streams.routing });
    this.lb = instance.lb;
    this.storeLatency = instance.sharedStore?.latency ?? 0;
    this.shared = instance.sharedStore
      ? new SessionStore(config.fleet.sessionTtl, Infinity)
      : undefined;
    this.metrics = new Collector({ warmup: config.warmup, duration: config.duration, window: config.window });
    this.fleet = new Fleet(config.fleet, config.fleet.servers);
    for (const s of this.fleet.servers) this.metrics.addServer(s);
    this.sim.setHandler((kind, payload) => this.handle(kind, payload));
  }

  run(): RunMetrics {
    const { duration, warmup, window } = this.config;
    const sim = this.sim;
    const first = this.workload.nextArrival(0);
    if (first < duration) sim.schedule(first, ARRIVAL, null);
    for (const e of this.config.timeline) if (e.at < duration) sim.schedule(e.at, FLEET, e);
    // Metric cuts: every window boundary, and the end of the warm-up.
    for (let k = 1; k * window < duration; k++) sim.schedule(k * window, CUT, true);
    if (warmup > 0 && warmup < duration && warmup % window !== 0) sim.schedule(warmup, CUT, false);
    sim.run(duration);
    this.metrics.cut(duration, true);
    return this.metrics.finish(this.fleet.servers);
  }

  /** Events handled; for benchmarks. */
  get eventsProcessed(): number {
    return this.sim.processed;
  }

  private handle(kind: number, payload: Payload): void {
    switch (kind) {
      case SEND:
        return this.send(payload as Session);
      case DONE:
        return this.done(payload as Session);
      case ARRIVAL:
        return this.arrival();
      case FLEET:
        return this.fleetEvent(payload as TimelineEvent);
      case CUT:
        return this.metrics.cut(this.sim.now, payload as boolean);
    }
  }

  private arrival(): void {
    const now = this.sim.now;
    const s = this.workload.create(now);
    this.metrics.sessionStarted(s);
    this.tracer?.({ t: now, type: 'session-start', session: s });
    const next = this.workload.nextArrival(now);
    if (next < this.config.duration) this.sim.schedule(next, ARRIVAL, null);
    this.send(s);
  }

  /** The client sends its next request to the load balancer. */
  private send(s: Session): void {
    const now = this.sim.now;
    s.sentAt = now;
    this.metrics.requestSent(now);
    const server = this.lb.route(s, this.fleet);
    this.tracer?.({ t: now, type: 'route', session: s.id, request: s.next, server: server?.name ?? null, via: this.lb.lastVia });
    if (server === undefined) {
      this.metrics.failedAt(now);
      this.tracer?.({ t: now, type: 'failed', session: s.id, request: s.next, server: null });
      return this.advance(s);
    }
    if (server.busy < server.workers) {
      this.land(s, server);
      this.start(s, server);
    } else if (server.queued < server.queueLimit) {
      this.land(s, server);
      server.account(now);
      server.enqueue(s);
    } else {
      this.metrics.droppedAt(now);
      this.tracer?.({ t: now, type: 'dropped', session: s.id, request: s.next, server: server.name });
      this.advance(s);
    }
  }

  /**
   * The request is accepted by `server`: look up the session's state there.
   * A request of an established session that finds no state is a session
   * loss; a new state is created where it landed and the client carries on.
   */
  private land(s: Session, server: Server): void {
    const now = this.sim.now;
    s.at = server.id;
    const store = this.shared ?? server.store;
    const homeId = this.shared ? 0 : server.id;
    if (s.home === homeId && store.holds(s, now)) {
      store.touch(s, now);
      this.tracer?.({ t: now, type: 'state', session: s.id, request: s.next, server: server.name, outcome: 'hit' });
    } else {
      if (s.home >= 0) {
        const cause = this.lossCause(s, store.ttl, now);
        this.metrics.loss(s, cause, now);
        this.tracer?.({
          t: now, type: 'state', session: s.id, request: s.next, server: server.name, outcome: 'loss', cause: LOSS_CAUSE_NAMES[cause],
        });
      } else {
        this.tracer?.({ t: now, type: 'state', session: s.id, request: s.next, server: server.name, outcome: 'created' });
      }
      s.stateId = ++this.nextStateId;
      s.home = homeId;
      s.dropCause = LossCause.none;
      store.create(s, now);
    }
    if (s.logout && s.next === s.demands.length - 1) store.remove(s);
  }

  /** The first thing that happened to the state at home: dropped, expired, or neither (rerouted). */
  private lossCause(s: Session, ttl: number, now: number): LossCause {
    if (s.dropCause !== LossCause.none) return s.dropCause;
    if (now - s.lastAccess > ttl) return LossCause.expired;
    return LossCause.rerouted;
  }

  private start(s: Session, server: Server): void {
    const now = this.sim.now;
    server.account(now);
    server.startService(s);
    s.startedAt = now;
    s.completion = this.sim.schedule(now + s.demands[s.next]! + this.storeLatency, DONE, s);
  }

  private done(s: Session): void {
    const now = this.sim.now;
    const server = this.fleet.servers[s.at]!;
    server.account(now);
    server.endService(s);
    s.at = -1;
    s.completion = -1;
    this.metrics.completedAt(server, now - s.sentAt, s.startedAt - s.sentAt, now);
    this.tracer?.({ t: now, type: 'complete', session: s.id, request: s.next, server: server.name, latency: now - s.sentAt });
    this.lb.onResponse(s, server);
    const waiting = server.dequeue();
    if (waiting !== undefined) this.start(waiting, server);
    this.advance(s);
  }

  /** After a response (or an error), the client thinks, then sends its next request or ends. */
  private advance(s: Session): void {
    s.next++;
    if (s.next < s.demands.length) {
      this.sim.schedule(this.sim.now + s.thinks[s.next - 1]!, SEND, s);
    } else {
      s.ended = true;
      this.metrics.sessionEnded();
      this.tracer?.({ t: this.sim.now, type: 'session-end', session: s.id, logout: s.logout });
    }
  }

  private fleetEvent(e: TimelineEvent): void {
    const now = this.sim.now;
    if (e.event === 'add') {
      for (let i = 0; i < e.count; i++) {
        const server = this.fleet.add(now);
        this.metrics.addServer(server, now);
        this.tracer?.({ t: now, type: 'fleet', event: 'add', server: server.name });
      }
      return;
    }
    const server = this.fleet.servers[e.server - 1];
    if (server === undefined || server.removed) return;
    this.tracer?.({ t: now, type: 'fleet', event: e.event, server: server.name });
    if (e.event === 'recover') {
      this.fleet.setUp(server, true, now);
      return;
    }
    // crash or remove: requests in service or queued fail, memory is lost.
    if (!server.up && e.event === 'crash') return;
    server.account(now);
    for (const s of server.evacuate()) {
      if (s.completion >= 0) this.sim.cancel(s.completion);
      s.completion = -1;
      s.at = -1;
      this.metrics.failedAt(now);
      this.tracer?.({ t: now, type: 'failed', session: s.id, request: s.next, server: server.name });
      this.advance(s);
    }
    server.store.clear(now);
    if (e.event === 'remove') {
      this.fleet.remove(server, now);
      this.metrics.serverRemoved(server, now);
    } else {
      this.fleet.setUp(server, false, now);
    }
  }
}
