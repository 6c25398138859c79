import type { SimConfig } from '../model/config.js';
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { DrainOptions, HealthCheckSpec, ServerKind, TimelineEvent } from '../model/timeline.js';

/** Fleet changes scheduled on the engine; each carries the server's epoch when it can go stale. */
export type LifecycleAction =
  | { type: 'timeline'; event: TimelineEvent }
  | { type: 'noticed'; server: Server; epoch: number; healthy: boolean }
  | { type: 'drain-timeout'; server: Server; epoch: number }
  | { type: 'restarted'; server: Server; epoch: number; downtime: number }
  | { type: 'unmark'; server: Server }
  | { type: 'autoscale' }
  | { type: 'join'; kind: ServerKind }
  | { type: 'replace'; server: Server; opts: DrainOptions }
  | { type: 'store-up'; flush: boolean }
  | { type: 'probe' };

/** What the lifecycle needs from the running simulation. */
export interface LifecycleHost {
  readonly now: number;
  schedule(at: number, action: LifecycleAction): void;
  /** Fails every request in service or queued at `server` (it stops). */
  evacuate(server: Server): void;
  serverAdded(server: Server): void;
  serverRemoved(server: Server): void;
  /** The load balancer reloads: its in-memory state is lost (what survives is each part's to say). */
  reloadBalancer(): void;
  /**
   * How long an HTTP check sent to `server` now would wait before a worker
   * takes it (0 when one is free): the expected wait behind the requests
   * queued there.
   */
  probeWait(server: Server): number;
  /** The shared session store goes down or comes back (emptied with `flush`); a no-op without one. */
  sessionStore(up: boolean, flush: boolean): void;
  trace(event: string, server: string): void;
}

/**
 * How the fleet changes over a run: the scenario's timeline (crashes,
 * recoveries, scale-out and scale-in, drains, restarts, rolling deploys) and
 * an optional autoscaler, with the load balancer noticing crashes and
 * recoveries only through its health checks when those are modelled.
 */
export class Lifecycle {
  private lastScale = -Infinity;
  private pendingJoins = 0;
  private lastBusy = 0;
  private lastCapacity = 0;
  /** Downtime of the restart that follows each drain in progress. */
  private readonly drainDowntime = new Map<Server, number>();
  /** Passive checks: recent failure times per server. */
  private readonly failures = new Map<Server, number[]>();
  /** HTTP checks: consecutive results per server (positive: passes, negative: failures). */
  private readonly streak = new Map<Server, number>();

  constructor(
    private readonly fleet: Fleet,
    private readonly config: SimConfig['fleet'],
    private readonly host: LifecycleHost,
  ) {}

  start(timeline: readonly TimelineEvent[], duration: number): void {
    for (const event of timeline) if (event.at < duration) this.host.schedule(event.at, { type: 'timeline', event });
    const hc = this.config.healthCheck;
    if (hc?.type === 'active' && hc.probe === 'http') this.host.schedule(hc.interval, { type: 'probe' });
    const a = this.config.autoscale;
    if (a !== undefined) {
      this.snapshotCapacity();
      this.host.schedule(a.interval, { type: 'autoscale' });
    }
  }

  handle(a: LifecycleAction): void {
    switch (a.type) {
      case 'timeline':
        return this.timeline(a.event);
      case 'noticed':
        if (a.server.epoch === a.epoch) this.fleet.setHealthy(a.server, a.healthy);
        return;
      case 'drain-timeout':
        if (a.server.epoch === a.epoch && a.server.draining) this.finishDrain(a.server);
        return;
      case 'restarted':
        if (a.server.epoch === a.epoch) {
          this.host.trace('up', a.server.name);
          this.bringUp(a.server);
        }
        return;
      case 'unmark':
        // Passive checks: after fail_timeout the server is tried again, dead or not.
        if (!a.server.removed) this.fleet.setHealthy(a.server, true);
        return;
      case 'autoscale':
        return this.autoscale();
      case 'join':
        this.pendingJoins--;
        this.add(a.kind);
        return;
      case 'replace':
        return this.replace(a.server, a.opts);
      case 'probe':
        return this.probe();
      case 'store-up':
        this.host.trace(a.flush ? 'store up (empty)' : 'store up', '');
        return this.host.sessionStore(true, a.flush);
    }
  }

  private timeline(e: TimelineEvent): void {
    switch (e.event) {
      case 'add':
        for (let i = 0; i < e.count; i++) this.add(e);
        return;
      case 'deploy':
        return this.deploy(e);
      case 'scale':
        return this.scaleTo(e.servers, e);
      case 'reload':
        this.host.trace('reload', '');
        return this.host.reloadBalancer();
      case 'store-outage':
        this.host.trace('store down', '');
        this.host.sessionStore(false, false);
        this.host.schedule(this.host.now + e.duration, { type: 'store-up', flush: e.flush });
        return;
    }
    const server = this.fleet.servers[e.server - 1];
    if (server === undefined || server.removed) return;
    switch (e.event) {
      case 'crash':
        return this.crash(server);
      case 'recover':
        return this.recover(server);
      case 'remove':
        return e.drain && server.up ? this.startDrain(server, 'remove', e) : this.stop(server, 'remove', 0);
      case 'restart':
        if (!server.up || server.draining) return;
        return e.drain ? this.startDrain(server, 'restart', e, e.downtime) : this.stop(server, 'restart', e.downtime);
    }
  }

  private add(kind: ServerKind): Server {
    const server = this.fleet.add(this.host.now, kind);
    this.host.serverAdded(server);
    this.host.trace('add', server.name);
    return server;
  }

  /** The server dies; the balancer notices at once, or after `fall` failed health checks. */
  private crash(server: Server): void {
    if (!server.up) return;
    this.host.trace('crash', server.name);
    const then = server.drainThen;
    this.kill(server);
    const hc = this.config.healthCheck;
    this.fleet.setAlive(server, false, this.host.now, hc === undefined);
    if (hc?.type === 'active') this.notice(server, false, hc.fall);
    if (then === 'remove') this.stop(server, 'remove', 0);
  }

  private recover(server: Server): void {
    if (server.up) return;
    this.host.trace('recover', server.name);
    this.bringUp(server);
  }

  /** The server runs again with empty memory; the balancer sees it after `rise` good checks. */
  private bringUp(server: Server): void {
    server.epoch++;
    const hc = this.config.healthCheck;
    // Passive checks never learn of a recovery: a server marked down is retried after fail_timeout anyway.
    this.fleet.setAlive(server, true, this.host.now, hc?.type !== 'active');
    if (hc?.type === 'active') this.notice(server, true, hc.rise);
  }

  /**
   * A request to `server` failed because it is dead (the balancer did not know).
   * With passive checks, `maxFails` of them within `failTimeout` mark it down
   * for `failTimeout` (nginx).
   */
  requestFailed(server: Server): void {
    const hc = this.config.healthCheck;
    if (hc?.type !== 'passive' || !server.healthy) return;
    const now = this.host.now;
    const recent = (this.failures.get(server) ?? []).filter((t) => now - t < hc.failTimeout);
    recent.push(now);
    if (recent.length < hc.maxFails) {
      this.failures.set(server, recent);
      return;
    }
    this.failures.delete(server);
    this.fleet.setHealthy(server, false);
    this.host.trace('marked down', server.name);
    this.host.schedule(now + hc.failTimeout, { type: 'unmark', server });
  }

  /**
   * HTTP checks of every live server (`probe: http`): a check that would
   * wait past `timeout` in the server's queue fails. `fall` failures in a
   * row mark a server down though it is alive — its bound clients go
   * elsewhere and its queue drains — and `rise` passes mark it up again.
   * This is how overload turns into health-check failures, and one server's
   * clients into its neighbours' overload. A crashed server is left to the
   * crash's own detection (`notice`).
   */
  private probe(): void {
    const hc = this.config.healthCheck as Extract<HealthCheckSpec, { type: 'active' }>;
    const now = this.host.now;
    this.host.schedule(now + hc.interval, { type: 'probe' });
    const timeout = hc.timeout ?? hc.interval;
    for (const server of this.fleet.servers) {
      if (server.removed || !server.up) {
        this.streak.delete(server);
        continue;
      }
      const ok = this.host.probeWait(server) <= timeout;
      const before = this.streak.get(server) ?? 0;
      const streak = ok ? Math.max(before, 0) + 1 : Math.min(before, 0) - 1;
      this.streak.set(server, streak);
      if (server.healthy && streak <= -hc.fall) {
        this.fleet.setHealthy(server, false);
        this.host.trace('marked down (check timed out)', server.name);
      } else if (!server.healthy && streak >= hc.rise) {
        this.fleet.setHealthy(server, true);
        this.host.trace('marked up', server.name);
      }
    }
  }

  /** Schedules the health check that notices the server's new state: the `count`-th check from now. */
  private notice(server: Server, healthy: boolean, count: number): void {
    const hc = this.config.healthCheck as Extract<HealthCheckSpec, { type: 'active' }>;
    const now = this.host.now;
    // Each server's checks run on their own phase, interval apart.
    const phase = ((server.id * 0.6180339887498949) % 1) * hc.interval;
    const next = phase + (Math.floor((now - phase) / hc.interval) + 1) * hc.interval;
    this.host.schedule(next + (count - 1) * hc.interval, { type: 'noticed', server, epoch: server.epoch, healthy });
  }

  /** Requests in service or queued fail; memory (every session held) is lost. */
  private kill(server: Server): void {
    server.epoch++;
    server.draining = false;
    server.drainThen = undefined;
    this.host.evacuate(server);
    server.store.clear(this.host.now);
  }

  /** Deregistered and stopped (the balancer knows at once): for good, or to restart after `downtime`. */
  private stop(server: Server, then: 'remove' | 'restart', downtime: number): void {
    const now = this.host.now;
    this.host.trace(then === 'remove' ? 'remove' : 'restart', server.name);
    this.kill(server);
    if (then === 'remove') {
      this.fleet.remove(server, now);
      this.host.serverRemoved(server);
    } else {
      this.fleet.setAlive(server, false, now, true);
      this.host.schedule(now + downtime, { type: 'restarted', server, epoch: server.epoch, downtime });
    }
  }

  /**
   * Drain: the server takes only requests bound to it until it holds no
   * session and no request, or until the timeout forces it out.
   */
  private startDrain(server: Server, then: 'remove' | 'restart', opts: DrainOptions, downtime = 0): void {
    this.host.trace('drain', server.name);
    server.drainThen = then;
    this.drainDowntime.set(server, downtime);
    this.fleet.setDraining(server, true);
    this.host.schedule(this.host.now + opts.drainTimeout, { type: 'drain-timeout', server, epoch: server.epoch });
    this.checkDrained(server);
  }

  /** Called when a draining server may have emptied (a response, a window boundary). */
  checkDrained(server: Server): void {
    if (!server.draining || server.inflight > 0) return;
    server.store.purgeExpired(this.host.now);
    if (server.store.size === 0) this.finishDrain(server);
  }

  private finishDrain(server: Server): void {
    const then = server.drainThen ?? 'remove';
    this.fleet.setDraining(server, false);
    this.stop(server, then, this.drainDowntime.get(server) ?? 0);
    this.drainDowntime.delete(server);
  }

  /**
   * Every server in turn, `interval` apart: restarted under its own name
   * (drained first if asked), or, with new identities, replaced — a new
   * server of the same size joins and the old one leaves (drained first if
   * asked), as a Kubernetes Deployment rolls pods with maxSurge 1 and
   * maxUnavailable 0.
   */
  private deploy(e: Extract<TimelineEvent, { event: 'deploy' }>): void {
    const now = this.host.now;
    this.host.trace('deploy', '');
    this.fleet.members
      .filter((s) => s.up)
      .forEach((s, k) => {
        const at = now + k * e.interval;
        if (e.identities === 'new') this.host.schedule(at, { type: 'replace', server: s, opts: e });
        else this.host.schedule(at, { type: 'timeline', event: { at, event: 'restart', server: s.id + 1, downtime: e.downtime, drain: e.drain, drainTimeout: e.drainTimeout } });
      });
  }

  /** A new server (new name, new id) takes `old`'s place: it joins, then `old` leaves. */
  private replace(old: Server, opts: DrainOptions): void {
    if (old.removed || old.draining) return;
    this.add({ workers: old.workers, weight: old.weight });
    if (opts.drain && old.up) this.startDrain(old, 'remove', opts);
    else this.stop(old, 'remove', 0);
  }

  /** Adds servers or removes the newest ones until the fleet has `target` members. */
  private scaleTo(target: number, opts: DrainOptions): void {
    const members = this.fleet.members.filter((s) => !s.draining);
    for (let n = members.length; n < target; n++) this.add({});
    for (const server of members.slice(target).reverse()) {
      if (opts.drain && server.up) this.startDrain(server, 'remove', opts);
      else this.stop(server, 'remove', 0);
    }
  }

  private snapshotCapacity(): void {
    let busy = 0;
    let capacity = 0;
    for (const s of this.fleet.servers) {
      s.account(this.host.now);
      busy += s.busyTotal;
      capacity += s.upTotal * s.workers;
    }
    this.lastBusy = busy;
    this.lastCapacity = capacity;
  }

  /**
   * Kubernetes HPA: desired = ⌈n × utilization / target⌉ (no change within the
   * tolerance), clamped to [min, max], at most one change per cooldown.
   */
  private autoscale(): void {
    const a = this.config.autoscale!;
    const now = this.host.now;
    const prevBusy = this.lastBusy;
    const prevCapacity = this.lastCapacity;
    this.snapshotCapacity();
    this.host.schedule(now + a.interval, { type: 'autoscale' });
    const capacity = this.lastCapacity - prevCapacity;
    if (capacity <= 0) return;
    const utilization = (this.lastBusy - prevBusy) / capacity;
    const serving = this.fleet.members.filter((s) => !s.draining).length + this.pendingJoins;
    let desired = Math.abs(utilization / a.target - 1) <= a.tolerance ? serving : Math.ceil((serving * utilization) / a.target);
    desired = Math.min(a.max, Math.max(a.min, desired));
    if (desired === serving || now - this.lastScale < a.cooldown) return;
    this.lastScale = now;
    this.host.trace(`autoscale ${serving}→${desired}`, '');
    if (desired > serving) {
      for (let i = serving; i < desired; i++) {
        this.pendingJoins++;
        this.host.schedule(now + a.startup, { type: 'join', kind: {} });
      }
    } else {
      this.scaleTo(desired - this.pendingJoins, a);
    }
  }
}
