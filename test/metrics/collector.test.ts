import { describe, expect, it } from 'vitest';
import { Collector } from '../../src/metrics/collector.js';
import { Server } from '../../src/model/server.js';
import { LossCause } from '../../src/model/session.js';
import { makeSession } from '../helpers.js';

/**
 * A hand-driven run: warm-up 10 s, duration 30 s, windows of 10 s.
 * Server A (1 worker) serves [12, 17] and [18, 19]; server B (2 workers) serves [15, 25].
 */
function handRun() {
  const c = new Collector({ warmup: 10, duration: 30, window: 10 });
  const a = new Server(0, 'A', 1, Infinity, 1800, Infinity);
  const b = new Server(1, 'B', 2, Infinity, 1800, Infinity);
  c.addServer(a);
  c.addServer(b);
  const serve = (srv: Server, from: number, to: number, sentAt: number) => {
    const s = makeSession();
    srv.account(from);
    srv.startService(s);
    return () => {
      srv.account(to);
      srv.endService(s);
      c.completedAt(srv, to - sentAt, from - sentAt, to);
    };
  };
  const warm = makeSession({ start: 5 });
  c.sessionStarted(); // at 5, in the warm-up: not counted in the summary
  c.cut(10, true);
  for (let i = 0; i < 4; i++) c.requestSent(); // at 11
  const s2 = makeSession({ start: 12 });
  const s3 = makeSession({ start: 12 });
  c.sessionStarted();
  c.sessionStarted();
  const endA1 = serve(a, 12, 17, 12);
  a.store.create(s2, 12);
  c.loss(s2, LossCause.rerouted, 13);
  c.loss(s2, LossCause.rerouted, 14);
  const endB = serve(b, 15, 25, 15);
  c.loss(warm, LossCause.serverLost, 15);
  c.loss(s3, LossCause.expired, 16);
  endA1();
  const endA2 = serve(a, 18, 19, 18);
  endA2();
  c.cut(20, true);
  endB();
  c.sessionEnded();
  c.cut(30, true);
  // Where the sessions are at the end: two alive (started 3, ended 1), none retrying or in service.
  return c.finish([a, b], { alive: 2, retrying: 0, inService: 0 });
}

describe('Collector (hand-computed run)', () => {
  const m = handRun();

  it('per-server utilisation, rate and sessions held', () => {
    expect(m.servers).toEqual([
      { server: 'A', workers: 1, requests: 2, up_time_s: 20, busy_time_s: 6, request_rate: 0.1, utilization: 6 / 20, queue_mean: 0, sessions_held_mean: 1, sessions_held_max: 1 },
      { server: 'B', workers: 2, requests: 1, up_time_s: 20, busy_time_s: 10, request_rate: 0.05, utilization: 10 / 40, queue_mean: 0, sessions_held_mean: 0, sessions_held_max: 0 },
    ]);
  });

  it('imbalance of rates 0.1 and 0.05: max/mean 4/3, CoV 1/3, Jain 0.9; windows 2 and 2', () => {
    expect(m.summary.imbalance_max_mean).toBeCloseTo(4 / 3, 12);
    expect(m.summary.imbalance_cov).toBeCloseTo(1 / 3, 12);
    expect(m.summary.jain_index).toBeCloseTo(0.9, 12);
    expect(m.summary.windowed_max_mean).toBe(2);
  });

  it('session loss: rate counts sessions started after warm-up, causes count events', () => {
    const s = m.summary;
    expect([s.sessions, s.lost_sessions, s.session_loss_rate]).toEqual([2, 1, 0.5]);
    expect([s.loss_rerouted, s.loss_server_lost, s.loss_evicted, s.expired]).toEqual([2, 1, 0, 1]);
    expect(s.requests).toBe(4);
    expect(s.losses_per_1k_requests).toBe(750);
  });

  it('throughput, utilisation and latency', () => {
    const s = m.summary;
    expect(s.completed).toBe(3);
    expect(s.throughput_rps).toBe(3 / 20);
    expect(s.utilization_mean).toBeCloseTo(0.275, 12);
    expect(s.utilization_max).toBeCloseTo(0.3, 12);
    expect(s.latency_mean_ms).toBeCloseTo(16000 / 3, 9);
    // Latencies 1, 5 and 10 s. Quantile q is at rank q·(n − 1), interpolated between neighbours:
    // p50 is the middle one, p99 is at rank 1.98, 98% of the way from 5 to 10 s.
    expect(Math.abs(s.latency_p50_ms - 5000) / 5000).toBeLessThan(1 / 1024);
    expect(Math.abs(s.latency_p99_ms - 9900) / 9900).toBeLessThan(1 / 1024);
  });

  it('time series: one row per server per window, warm-up marked', () => {
    expect(m.windows.map((w) => [w.window, w.server, w.measured, w.requests, w.utilization])).toEqual([
      [0, 'A', false, 0, 0],
      [0, 'B', false, 0, 0],
      [1, 'A', true, 2, 0.6],
      [1, 'B', true, 0, 0.25],
      [2, 'A', true, 0, 0],
      [2, 'B', true, 1, 0.25],
    ]);
  });

  it('no queue: no wait; in-system time average is the busy area over the span', () => {
    expect([m.summary.wait_mean_ms, m.summary.wait_probability, m.summary.queue_mean]).toEqual([0, 0, 0]);
    expect(m.summary.in_system_mean).toBeCloseTo((6 + 10) / 20, 12);
  });

  it('window totals: fleet sums per window', () => {
    expect(m.windowTotals.map((w) => [w.window, w.measured, w.sent, w.completed, w.latency_sum, w.routing_losses, w.busy, w.capacity])).toEqual([
      [0, false, 0, 0, 0, 0, 0, 30],
      [1, true, 4, 2, 6, 3, 6 + 5, 30],
      [2, true, 0, 1, 10, 0, 5, 30],
    ]);
  });

  it('conservation counts', () => {
    expect(m.conservation).toEqual({
      requestsSent: 4, requestsCompleted: 3, requestsDropped: 0, requestsFailed: 0, requestsInFlight: 0, requestsRetrying: 0, requestsInService: 0, workersBusy: 0,
      sessionsStarted: 3, sessionsEnded: 1, sessionsActive: 2,
    });
  });
});

describe('Collector: waits, queue and Little\'s law on a hand example', () => {
  // One server, one worker, 10 s, no warm-up. Request 1: sent 1, served [1, 4].
  // Request 2: sent 2, queued [2, 4], served [4, 6]. Waits 0 and 2 s; latencies 3 and 4 s.
  const c = new Collector({ warmup: 0, duration: 10, window: 10 });
  const a = new Server(0, 'A', 1, Infinity, 1800, Infinity);
  c.addServer(a);
  const r1 = makeSession();
  const r2 = makeSession();
  c.requestSent();
  a.account(1);
  a.startService(r1);
  c.requestSent();
  a.account(2);
  a.enqueue(r2);
  a.account(4);
  a.endService(r1);
  c.completedAt(a, 3, 0, 4);
  a.dequeue();
  a.startService(r2);
  a.account(6);
  a.endService(r2);
  c.completedAt(a, 4, 2, 6);
  c.cut(10, true);
  const s = c.finish([a], { alive: 0, retrying: 0, inService: 0 }).summary;

  it('Wq = 1 s, P(wait) = 1/2, Lq = 2/10, L = (5 + 2)/10', () => {
    expect([s.wait_mean_ms, s.wait_probability, s.queue_mean, s.in_system_mean]).toEqual([1000, 0.5, 0.2, 0.7]);
  });

  it('Little: L = λW and Lq = λWq exactly when the system is empty at both ends', () => {
    const lambda = s.throughput_rps;
    expect(lambda).toBe(0.2);
    expect(s.in_system_mean).toBeCloseTo((lambda * s.latency_mean_ms) / 1000, 12);
    expect(s.queue_mean).toBeCloseTo((lambda * s.wait_mean_ms) / 1000, 12);
  });
});

describe('Collector: a warm-up that ends inside a window', () => {
  // Warm-up 5 s, one window of 10 s: the simulation cuts at 5 (not a window end) and at 10.
  // Requests sent at 3 and 7, both served in 1 s after waiting 0.5 s; sessions started at 3 and 7.
  const c = new Collector({ warmup: 5, duration: 10, window: 10 });
  const a = new Server(0, 'A', 1, Infinity, 1800, Infinity);
  c.addServer(a);
  for (const [t, part] of [[3, 'warm-up'], [7, 'measured']] as const) {
    if (part === 'measured') c.cut(5, false);
    c.sessionStarted();
    c.requestSent();
    c.completedAt(a, 1, 0.5, t + 1);
    c.sessionEnded();
  }
  c.cut(10, true);
  const m = c.finish([a], { alive: 0, retrying: 0, inService: 0 });

  it('the window counts both requests, the summary only the one after the warm-up', () => {
    expect(m.windowTotals.map((w) => [w.sent, w.completed, w.waited, w.latency_sum, w.wait_sum])).toEqual([[2, 2, 2, 2, 1]]);
    expect(m.windows.map((w) => w.requests)).toEqual([2]);
    const s = m.summary;
    expect([s.sessions, s.requests, s.completed, s.wait_probability, s.wait_mean_ms, s.latency_mean_ms]).toEqual([1, 1, 1, 1, 500, 1000]);
    expect(m.servers[0]!.requests).toBe(1);
    expect([m.conservation.requestsSent, m.conservation.requestsCompleted, m.conservation.sessionsStarted, m.conservation.sessionsEnded]).toEqual([2, 2, 2, 2]);
  });
});
