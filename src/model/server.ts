import type { Session } from './session.js';
import { SessionStore } from './sessionStore.js';

/**
 * A stateful server: `workers` requests in service at once, a FIFO queue of
 * at most `queueLimit` waiting requests, and a session store in memory.
 * It also keeps time integrals of busy workers and queue length, which the
 * metrics read and reset per window.
 */
export class Server {
  readonly store: SessionStore;
  /** Relative share of new work a weighted balancer or hash gives this server (HAProxy/nginx `weight`). */
  weight = 1;
  /** Really running: it serves requests and keeps its memory. */
  up = true;
  /** The load balancer believes it is up (lags `up` when health checks are modelled). */
  healthy = true;
  /** Takes only requests bound to it (by cookie, route or table), no new ones. */
  draining = false;
  /** Taken out of the fleet for good. */
  removed = false;
  /** When the server was started (joined the fleet): 0 for the initial fleet. */
  readonly startedAt: number;
  /** Bumped at every lifecycle change, so that stale scheduled changes can be recognised. */
  epoch = 0;
  /** While draining: what happens once drained (or timed out). */
  drainThen: 'remove' | 'restart' | undefined = undefined;
  /** Busy worker-seconds and up-seconds since the start (never reset; for autoscaling). */
  busyTotal = 0;
  upTotal = 0;
  /** Requests in service. */
  busy = 0;
  /** Sessions whose request is in service (unordered). */
  readonly inService: Session[] = [];

  // FIFO ring buffer of waiting requests (one per session).
  private ring: (Session | undefined)[] = new Array(16);
  private head = 0;
  private length = 0;

  // Time integrals since the last `takeIntegrals`.
  private lastChange = 0;
  private busyArea = 0;
  private queueArea = 0;
  private upTime = 0;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly workers: number,
    readonly queueLimit: number,
    ttl: number,
    capacity: number,
    now = 0,
  ) {
    this.store = new SessionStore(id, ttl, capacity);
    this.startedAt = now;
    this.lastChange = now;
  }

  get queued(): number {
    return this.length;
  }

  /** Requests in service or waiting: the "connections" of least-conn. */
  get inflight(): number {
    return this.busy + this.length;
  }

  /** Brings the integrals up to `now`; call before any change of state. */
  account(now: number): void {
    const dt = now - this.lastChange;
    if (dt > 0) {
      this.busyArea += this.busy * dt;
      this.busyTotal += this.busy * dt;
      this.queueArea += this.length * dt;
      if (this.up) {
        this.upTime += dt;
        this.upTotal += dt;
      }
      this.lastChange = now;
    }
  }

  /** Integrals since the last call (accounted up to `now`), then resets them. */
  takeIntegrals(now: number, out: { busy: number; queue: number; up: number }): void {
    this.account(now);
    out.busy = this.busyArea;
    out.queue = this.queueArea;
    out.up = this.upTime;
    this.busyArea = 0;
    this.queueArea = 0;
    this.upTime = 0;
  }

  startService(s: Session): void {
    this.busy++;
    this.inService.push(s);
  }

  endService(s: Session): void {
    this.busy--;
    const list = this.inService;
    const i = list.indexOf(s);
    const last = list.pop()!;
    if (i < list.length) list[i] = last;
  }

  enqueue(s: Session): void {
    if (this.length === this.ring.length) this.growRing();
    this.ring[(this.head + this.length) % this.ring.length] = s;
    this.length++;
  }

  dequeue(): Session | undefined {
    if (this.length === 0) return undefined;
    const s = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    this.length--;
    return s;
  }

  /** Empties service and queue (crash): returns the sessions whose requests were here. */
  evacuate(): Session[] {
    const out = this.inService.splice(0);
    for (let s = this.dequeue(); s !== undefined; s = this.dequeue()) out.push(s);
    this.busy = 0;
    return out;
  }

  private growRing(): void {
    const n = this.ring.length;
    const next: (Session | undefined)[] = new Array(n * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.ring[(this.head + i) % n];
    this.ring = next;
    this.head = 0;
  }
}
