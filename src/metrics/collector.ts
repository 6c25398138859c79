import type { Server } from '../model/server.js';
import { LossCause, type Session } from '../model/session.js';
import { coefficientOfVariation, jainIndex, maxOverMean, mean } from './formulas.js';
import { LatencyHistogram } from './latency.js';
import type { Conservation, RunMetrics, ServerRow, Summary, WindowRow, WindowTotal } from './results.js';

/**
 * Where the run left its live sessions, read at the end from the places
 * themselves (the engine's pending events and the servers' queues), apart
 * from any count kept as events happened.
 */
export interface Census {
  /** Sessions alive: thinking, retrying, in service or queued. */
  alive: number;
  /** Requests waiting out retries (their delivery to a server pending). */
  retrying: number;
  /** Requests in service (their completion pending). */
  inService: number;
}

/** Why a request failed (it got an error, not a response). */
export const FailReason = {
  /** No server was available to the load balancer. */
  noServer: 0,
  /** Its bound server was unavailable and the policy is strict. */
  strict: 1,
  /** Sent to a dead server the balancer still believed up (health-check lag). */
  undetected: 2,
  /** In service or queued when its server stopped. */
  crash: 3,
  /** The shared session store was unreachable. */
  store: 4,
} as const;
export type FailReason = (typeof FailReason)[keyof typeof FailReason];

export interface CollectorOptions {
  warmup: number;
  duration: number;
  window: number;
}

/** Time integrals and counts of one server over some span. */
class Span {
  served = 0;
  busy = 0;
  queue = 0;
  up = 0;
  add(o: { busy: number; queue: number; up: number }): void {
    this.busy += o.busy;
    this.queue += o.queue;
    this.up += o.up;
  }
  reset(): void {
    this.served = 0;
    this.busy = 0;
    this.queue = 0;
    this.up = 0;
  }
}

class ServerAcc {
  readonly measured = new Span();
  readonly window = new Span();
  /** Requests served since the last cut (folded into the spans at each cut). */
  served = 0;
  heldSum = 0;
  heldSamples = 0;
  heldMax = 0;
  removedAt = Infinity;
  constructor(
    readonly server: Server,
    readonly addedAt: number,
  ) {}
}

/**
 * Collects what a run measures. The simulation reports events as they happen
 * and calls {@link cut} at every window boundary and at the end of warm-up;
 * anything before the warm-up ends is left out of the summary (time series
 * keep it, marked, so a warm-up can be judged).
 */
export class Collector {
  private readonly acc: ServerAcc[] = [];
  private readonly latency = new LatencyHistogram();
  private readonly windows: WindowRow[] = [];
  private readonly totals: WindowTotal[] = [];
  /** Counts of the current window (fleet-wide), reset at each window end. */
  private readonly win = { sent: 0, completed: 0, latency: 0, wait: 0, waited: 0, dropped: 0, failed: 0, losses: 0 };
  /**
   * Counts since the last cut. The simulation cuts at the end of the warm-up,
   * so a span lies wholly before or after it: each event is counted once,
   * here, and the span is added to the window, the run's totals and (when
   * measured) the summary at the cut.
   */
  private readonly span = { started: 0, ended: 0, sent: 0, completed: 0, waited: 0, dropped: 0, failed: 0, failedUndetected: 0 };
  private readonly tmp = { busy: 0, queue: 0, up: 0 };
  private lastCut = 0;
  private windowStart = 0;
  private windowIndex = 0;

  // measured window
  private sessions = 0;
  private lostSessions = 0;
  private requests = 0;
  private completed = 0;
  private waitSum = 0;
  private waited = 0;
  private retrySum = 0;
  private retried = 0;
  private dropped = 0;
  private failed = 0;
  private failedUndetected = 0;
  private lbEntriesMax = 0;
  private lbBytesMax = 0;
  private readonly losses = [0, 0, 0, 0, 0];

  // whole run
  private readonly total = { sent: 0, completed: 0, dropped: 0, failed: 0, started: 0, ended: 0 };

  constructor(private readonly opts: CollectorOptions) {}

  addServer(server: Server, now = 0): void {
    this.acc[server.id] = new ServerAcc(server, now);
  }

  serverRemoved(server: Server, now: number): void {
    this.acc[server.id]!.removedAt = now;
  }

  sessionStarted(): void {
    this.span.started++;
  }

  sessionEnded(): void {
    this.span.ended++;
  }

  requestSent(): void {
    this.span.sent++;
  }

  /**
   * A request completed on `server`, `latency` after it was sent, having
   * waited `wait` in the server's queue and, before reaching the server,
   * `retry` in retries (persist policy; 0 for almost every request). The
   * latency covers both, and the service.
   */
  completedAt(server: Server, latency: number, wait: number, now: number, retry = 0): void {
    this.acc[server.id]!.served++;
    const span = this.span;
    span.completed++;
    if (wait > 0) span.waited++;
    // Sums of times are added per request, in order, so that they do not depend on where the cuts fall.
    const w = this.win;
    w.latency += latency;
    w.wait += wait;
    if (now >= this.opts.warmup) {
      this.latency.add(latency);
      this.waitSum += wait;
      if (retry > 0) {
        this.retrySum += retry;
        this.retried++;
      }
    }
  }

  requestDropped(): void {
    this.span.dropped++;
  }

  requestFailed(reason: FailReason): void {
    this.span.failed++;
    if (reason === FailReason.undetected) this.span.failedUndetected++;
  }

  /** A sample of the load balancer's affinity memory (stick-table entries). */
  lbMemory(m: { entries: number; bytes: number }): void {
    if (m.entries > this.lbEntriesMax) this.lbEntriesMax = m.entries;
    if (m.bytes > this.lbBytesMax) this.lbBytesMax = m.bytes;
  }

  /** A request of `s` landed where its state was not. */
  loss(s: Session, cause: LossCause, now: number): void {
    if (now >= this.opts.warmup) this.losses[cause]!++;
    if (cause !== LossCause.expired) this.win.losses++;
    if (cause !== LossCause.expired && !s.lost) {
      s.lost = true;
      if (s.start >= this.opts.warmup) this.lostSessions++;
    }
  }

  /**
   * Closes the span since the last cut; at a window boundary (or the end)
   * also writes the window's rows and samples the sessions each server holds.
   */
  cut(now: number, windowEnd: boolean): void {
    const measuredSpan = this.lastCut >= this.opts.warmup;
    for (const a of this.acc) {
      a.server.takeIntegrals(now, this.tmp);
      a.window.add(this.tmp);
      a.window.served += a.served;
      if (measuredSpan) {
        a.measured.add(this.tmp);
        a.measured.served += a.served;
      }
      a.served = 0;
    }
    this.foldSpan(measuredSpan);
    this.lastCut = now;
    if (!windowEnd) return;

    const start = this.windowStart;
    const len = now - start;
    const measured = start >= this.opts.warmup;
    this.pushTotal(start, now, measured);
    for (const a of this.acc) {
      // Rows only for servers in the fleet during the window: added before its end, not removed before its start.
      if (a.removedAt <= start || a.addedAt >= now) continue;
      const s = a.server;
      s.store.purgeExpired(now);
      const held = s.store.size;
      if (now > this.opts.warmup) {
        a.heldSum += held;
        a.heldSamples++;
        if (held > a.heldMax) a.heldMax = held;
      }
      const w = a.window;
      this.windows.push({
        window: this.windowIndex,
        start_s: start,
        end_s: now,
        measured,
        server: s.name,
        requests: w.served,
        utilization: len > 0 ? w.busy / (s.workers * len) : 0,
        queue_mean: len > 0 ? w.queue / len : 0,
        sessions_held: held,
        up: len > 0 ? w.up / len : 0,
      });
    }
    for (const a of this.acc) a.window.reset();
    this.windowStart = now;
    this.windowIndex++;
  }

  /** Adds the counts since the last cut to the window, the run and (when measured) the summary. */
  private foldSpan(measured: boolean): void {
    const { span, win, total } = this;
    win.sent += span.sent;
    win.completed += span.completed;
    win.waited += span.waited;
    win.dropped += span.dropped;
    win.failed += span.failed;
    total.started += span.started;
    total.ended += span.ended;
    total.sent += span.sent;
    total.completed += span.completed;
    total.dropped += span.dropped;
    total.failed += span.failed;
    if (measured) {
      this.sessions += span.started;
      this.requests += span.sent;
      this.completed += span.completed;
      this.waited += span.waited;
      this.dropped += span.dropped;
      this.failed += span.failed;
      this.failedUndetected += span.failedUndetected;
    }
    span.started = span.ended = span.sent = span.completed = span.waited = 0;
    span.dropped = span.failed = span.failedUndetected = 0;
  }

  /** The fleet totals of the window [start, end), from the counters and the servers' window spans. */
  private pushTotal(start: number, end: number, measured: boolean): void {
    let busy = 0;
    let queue = 0;
    let capacity = 0;
    for (const a of this.acc) {
      busy += a.window.busy;
      queue += a.window.queue;
      capacity += a.window.up * a.server.workers;
    }
    const w = this.win;
    this.totals.push({
      window: this.windowIndex,
      start_s: start,
      end_s: end,
      measured,
      sent: w.sent,
      completed: w.completed,
      latency_sum: w.latency,
      wait_sum: w.wait,
      waited: w.waited,
      dropped: w.dropped,
      failed: w.failed,
      routing_losses: w.losses,
      busy,
      queue,
      capacity,
    });
    w.sent = w.completed = w.latency = w.wait = w.waited = w.dropped = w.failed = w.losses = 0;
  }

  /**
   * The run's results. `census` says where the live sessions are at the end
   * (see {@link Census}); the conservation laws hold it against the counters.
   */
  finish(servers: readonly Server[], census: Census): RunMetrics {
    const { warmup, duration } = this.opts;
    const span = duration - warmup;
    const rows: ServerRow[] = [];
    let busyArea = 0;
    let queueArea = 0;
    for (const a of this.acc) {
      const m = a.measured;
      busyArea += m.busy;
      queueArea += m.queue;
      if (m.up <= 0) continue;
      rows.push({
        server: a.server.name,
        workers: a.server.workers,
        requests: m.served,
        up_time_s: m.up,
        busy_time_s: m.busy,
        request_rate: m.served / m.up,
        utilization: m.busy / (a.server.workers * m.up),
        queue_mean: span > 0 ? m.queue / span : 0,
        sessions_held_mean: a.heldSamples > 0 ? a.heldSum / a.heldSamples : 0,
        sessions_held_max: a.heldMax,
      });
    }
    const rates = rows.map((r) => r.request_rate);
    const utils = rows.map((r) => r.utilization);
    const lat = this.latency;
    const routingLosses = this.losses[LossCause.rerouted]! + this.losses[LossCause.serverLost]! + this.losses[LossCause.evicted]!;
    const summary: Summary = {
      sessions: this.sessions,
      requests: this.requests,
      completed: this.completed,
      lost_sessions: this.lostSessions,
      session_loss_rate: this.sessions > 0 ? this.lostSessions / this.sessions : 0,
      loss_rerouted: this.losses[LossCause.rerouted]!,
      loss_server_lost: this.losses[LossCause.serverLost]!,
      loss_evicted: this.losses[LossCause.evicted]!,
      expired: this.losses[LossCause.expired]!,
      losses_per_1k_requests: this.requests > 0 ? (1000 * routingLosses) / this.requests : 0,
      dropped: this.dropped,
      failed: this.failed,
      failed_undetected: this.failedUndetected,
      throughput_rps: span > 0 ? this.completed / span : 0,
      imbalance_max_mean: maxOverMean(rates),
      imbalance_cov: coefficientOfVariation(rates),
      jain_index: jainIndex(rates),
      windowed_max_mean: this.windowedMaxMean(),
      utilization_mean: mean(utils),
      utilization_max: utils.length > 0 ? Math.max(...utils) : 0,
      queue_mean: span > 0 ? queueArea / span : 0,
      in_system_mean: span > 0 ? (busyArea + queueArea) / span : 0,
      sessions_held_max: rows.reduce((m, r) => Math.max(m, r.sessions_held_max), 0),
      lb_entries_max: this.lbEntriesMax,
      lb_memory_bytes_max: this.lbBytesMax,
      latency_mean_ms: lat.mean * 1000,
      latency_p50_ms: lat.quantile(0.5) * 1000,
      latency_p95_ms: lat.quantile(0.95) * 1000,
      latency_p99_ms: lat.quantile(0.99) * 1000,
      wait_mean_ms: this.completed > 0 ? (1000 * this.waitSum) / this.completed : 0,
      wait_probability: this.completed > 0 ? this.waited / this.completed : 0,
      retry_delay_mean_ms: this.completed > 0 ? (1000 * this.retrySum) / this.completed : 0,
      retry_probability: this.completed > 0 ? this.retried / this.completed : 0,
    };
    // The counters above were kept as events happened; the states at the end are read from where
    // they are (the servers, the engine's pending events), so that the invariants compare
    // independent counts.
    let inFlight = 0;
    let busy = 0;
    for (const s of servers) {
      inFlight += s.inflight;
      busy += s.busy;
    }
    const t = this.total;
    const conservation: Conservation = {
      requestsSent: t.sent,
      requestsCompleted: t.completed,
      requestsDropped: t.dropped,
      requestsFailed: t.failed,
      requestsInFlight: inFlight,
      requestsRetrying: census.retrying,
      requestsInService: census.inService,
      workersBusy: busy,
      sessionsStarted: t.started,
      sessionsEnded: t.ended,
      sessionsActive: census.alive,
    };
    return { summary, servers: rows, windows: this.windows, windowTotals: this.totals, conservation };
  }

  /**
   * Mean over measured windows (those starting at or after the warm-up; if
   * none, those ending after it) of max/mean request rate across the servers
   * up in that window. Windows with no requests are skipped.
   */
  private windowedMaxMean(): number {
    const byWindow = new Map<number, number[]>();
    const full = this.windows.some((w) => w.measured);
    for (const w of this.windows) {
      if (full ? !w.measured : w.end_s <= this.opts.warmup) continue;
      if (w.up <= 0) continue;
      const rate = w.requests / (w.up * (w.end_s - w.start_s));
      let list = byWindow.get(w.window);
      if (list === undefined) byWindow.set(w.window, (list = []));
      list.push(rate);
    }
    const ratios: number[] = [];
    for (const rates of byWindow.values()) {
      if (rates.some((r) => r > 0)) ratios.push(maxOverMean(rates));
    }
    return ratios.length > 0 ? mean(ratios) : 1;
  }
}
