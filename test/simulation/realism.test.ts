import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/simulation/trace.js';
import { runStrategy, testScenario } from '../helpers.js';

/** Requests completed per server name. */
function perServer(m: ReturnType<typeof runStrategy>): Map<string, number> {
  return new Map(m.servers.map((s) => [s.server, s.requests]));
}

describe('client networks', () => {
  it('NAT: IP stickiness sends a whole proxy group to one server; cookies stay balanced', () => {
    const sc = testScenario({}, ['workload.clients.nat={fraction: 0.6, groups: 5, exponent: 1.5}', 'fleet.servers=6']);
    const ip = runStrategy(sc, 'ip-hash').summary;
    const cookie = runStrategy(sc, 'cookie').summary;
    expect(ip.imbalance_max_mean).toBeGreaterThan(2);
    expect(cookie.imbalance_max_mean).toBeLessThan(1.2);
  });

  it('/24 keys: every client of a /24 network lands on the same server', () => {
    const sc = testScenario({}, ['workload.clients.subnets={count: 20}']);
    const byNet = new Map<number, Set<string>>();
    const ipOf = new Map<number, number>();
    runStrategy(sc, 'ip24-hash', {}, (e: TraceEvent) => {
      if (e.type === 'session-start') ipOf.set(e.session.id, e.session.ip);
      if (e.type === 'route' && e.server) {
        const net = ipOf.get(e.session)! >>> 8;
        byNet.set(net, (byNet.get(net) ?? new Set()).add(e.server));
      }
    });
    expect(byNet.size).toBeGreaterThan(10);
    expect(byNet.size).toBeLessThanOrEqual(20);
    for (const servers of byNet.values()) expect(servers.size).toBe(1);
  });

  it('IP churn: IP stickiness loses sessions that cookie stickiness keeps', () => {
    const sc = testScenario({}, ['workload.clients.mobile={fraction: 0.5, ipChangesPerHour: 30}']);
    expect(runStrategy(sc, 'ip-ring').summary.loss_rerouted).toBeGreaterThan(100);
    expect(runStrategy(sc, 'cookie').summary.loss_rerouted).toBe(0);
    expect(runStrategy(testScenario(), 'ip-ring').summary.loss_rerouted).toBe(0);
  });

  it('per-request cookie loss reroutes; a route value survives where cookies do not', () => {
    const lossy = testScenario({}, ['workload.clients.cookieLoss=0.05']);
    expect(runStrategy(lossy, 'cookie').summary.loss_rerouted).toBeGreaterThan(50);
    const api = testScenario({}, ['workload.clients.cookieAcceptance=0']);
    expect(runStrategy(api, 'cookie').summary.session_loss_rate).toBeGreaterThan(0.5);
    expect(runStrategy(api, 'route').summary.loss_rerouted).toBe(0);
    const stripped = testScenario({}, ['workload.clients.routeKept=0.7']);
    expect(runStrategy(stripped, 'route').summary.loss_rerouted).toBeGreaterThan(100);
  });

  it('headers or URL parameters missing on some requests reroute hashed sessions', () => {
    expect(runStrategy(testScenario({}, ['workload.clients.headerMissing=0.05']), 'header-ring').summary.loss_rerouted).toBeGreaterThan(50);
    expect(runStrategy(testScenario({}, ['workload.clients.paramMissing=0.05']), 'hash', { key: 'param' }).summary.loss_rerouted).toBeGreaterThan(50);
    expect(runStrategy(testScenario(), 'hash', { key: 'param' }).summary.loss_rerouted).toBe(0);
  });

  it('a shared proxy cache pins a NAT group to one server under cookie insert, unless nocache', () => {
    const sc = testScenario({}, ['workload.clients.nat={fraction: 0.8, groups: 2, exponent: 0, sharedCache: true}', 'fleet.servers=6']);
    const cached = runStrategy(sc, 'cookie').summary.imbalance_max_mean;
    const nocache = runStrategy(sc, 'cookie', { nocache: true }).summary.imbalance_max_mean;
    expect(cached).toBeGreaterThan(2);
    expect(nocache).toBeLessThan(1.2);
  });
});

describe('stored bindings', () => {
  it('a stick table keeps sessions, remembers clients and reports its memory', () => {
    const s = runStrategy(testScenario(), 'ip-table').summary;
    expect(s.loss_rerouted).toBe(0);
    expect(s.lb_entries_max).toBeGreaterThan(500);
    expect(s.lb_memory_bytes_max).toBe(64 * s.lb_entries_max);
  });

  it('a short table expiry forgets idle clients; a small capacity purges them', () => {
    expect(runStrategy(testScenario(), 'ip-table', { expire: '5s' }).summary.loss_rerouted).toBeGreaterThan(100);
    const small = runStrategy(testScenario(), 'ip-table', { capacity: 20 }).summary;
    expect(small.loss_rerouted).toBeGreaterThan(100);
    expect(small.lb_entries_max).toBe(20);
  });

  it('cookie max-life re-balances long sessions', () => {
    expect(runStrategy(testScenario(), 'cookie', { maxLife: '30s' }).summary.loss_rerouted).toBeGreaterThan(100);
  });

  it('down policies: strict fails requests, return costs a second loss, persist adds latency', () => {
    const sc = testScenario({ timeline: [{ at: '5m', event: 'crash', server: 1 }, { at: '8m', event: 'recover', server: 1 }] });
    const stay = runStrategy(sc, 'cookie').summary;
    const strict = runStrategy(sc, 'cookie', { onDown: 'strict' }).summary;
    const ret = runStrategy(sc, 'cookie', { onRecover: 'return' }).summary;
    const persist = runStrategy(sc, 'cookie', { onDown: 'persist', retries: 3, retryDelay: '1s' }).summary;
    expect(stay.loss_rerouted).toBe(0);
    expect(strict.failed).toBeGreaterThan(stay.failed + 20);
    expect(ret.loss_rerouted).toBeGreaterThan(5);
    expect(persist.latency_p99_ms).toBeGreaterThan(stay.latency_p99_ms);
    expect(persist.loss_server_lost).toBe(stay.loss_server_lost);
  });
});

describe('fleet lifecycle', () => {
  const crash = { timeline: [{ at: '5m', event: 'crash', server: 2 }] };

  it('health-check lag: requests keep going to the dead server until it is noticed', () => {
    const instant = runStrategy(testScenario(crash), 'round-robin').summary;
    const lagged = runStrategy(testScenario({ ...crash }, ['fleet.healthCheck={interval: 5s, fall: 3}']), 'round-robin').summary;
    expect(instant.failed_undetected).toBe(0);
    expect(lagged.failed_undetected).toBeGreaterThan(10);
    expect(lagged.failed).toBeGreaterThan(instant.failed);
  });

  it('passive checks: a failed request marks the dead server down for fail_timeout, then it is tried again', () => {
    const sc = testScenario(
      { timeline: [{ at: '5m', event: 'crash', server: 2 }, { at: '10m', event: 'recover', server: 2 }] },
      ['fleet.healthCheck={type: passive, maxFails: 1, failTimeout: 30s}', 'workload.arrivals.rate=3'],
    );
    const failures: number[] = [];
    const m = runStrategy(sc, 'round-robin', {}, (e) => e.type === 'failed' && e.reason === 'undetected' && failures.push(e.t));
    // One failure per probe: the first at the crash, then one every 30 s while it stays dead (5 min → 10 probes).
    expect(failures.length).toBe(10);
    for (let i = 1; i < failures.length; i++) expect(failures[i]! - failures[i - 1]!).toBeGreaterThanOrEqual(30);
    expect(m.summary.failed_undetected).toBe(10);
  });

  it('a recovered server takes requests again only after rise checks', () => {
    const sc = testScenario({ timeline: [{ at: '5m', event: 'crash', server: 2 }, { at: '6m', event: 'recover', server: 2 }] }, ['fleet.healthCheck={interval: 10s, fall: 1, rise: 3}']);
    const routes: number[] = [];
    runStrategy(sc, 'round-robin', {}, (e) => e.type === 'route' && e.server === 's2' && e.t >= 360 && routes.push(e.t));
    expect(Math.min(...routes)).toBeGreaterThanOrEqual(360 + 20);
    expect(Math.min(...routes)).toBeLessThan(360 + 31);
  });

  it('drain before removal saves sessions that abrupt removal loses', () => {
    const abrupt = runStrategy(testScenario({ timeline: [{ at: '5m', event: 'remove', server: 1 }] }), 'cookie').summary;
    const drained = runStrategy(testScenario({ timeline: [{ at: '5m', event: 'remove', server: 1, drain: true, drainTimeout: '5m' }] }), 'cookie').summary;
    expect(abrupt.loss_server_lost).toBeGreaterThan(10);
    expect(drained.loss_server_lost).toBeLessThan(abrupt.loss_server_lost / 2);
  });

  it('a rolling deploy restarts every server; draining it loses fewer sessions', () => {
    const deploy = (drain: boolean) =>
      testScenario({ duration: '30m', timeline: [{ at: '5m', event: 'deploy', interval: '3m', downtime: '20s', drain, drainTimeout: '2m' }] });
    const restarts: string[] = [];
    const plain = runStrategy(deploy(false), 'cookie', {}, (e) => e.type === 'fleet' && e.event === 'restart' && restarts.push(e.server));
    expect(restarts).toEqual(['s1', 's2', 's3', 's4']);
    const drained = runStrategy(deploy(true), 'cookie').summary;
    expect(plain.summary.loss_server_lost).toBeGreaterThan(20);
    expect(drained.loss_server_lost).toBeLessThan(plain.summary.loss_server_lost);
  });

  it('scale events add servers or remove the newest', () => {
    const sc = testScenario({ timeline: [{ at: '5m', event: 'scale', servers: 6 }, { at: '10m', event: 'scale', servers: 3 }] });
    const events: string[] = [];
    runStrategy(sc, 'round-robin', {}, (e) => e.type === 'fleet' && events.push(`${e.event} ${e.server}`));
    expect(events).toEqual(['add s5', 'add s6', 'remove s6', 'remove s5', 'remove s4']);
  });

  it('the autoscaler adds servers when utilization passes its target and removes them after', () => {
    const sc = testScenario(
      { duration: '40m', workload: { arrivals: { schedule: [{ at: 0, rate: 1 }, { at: '10m', rate: 6 }, { at: '25m', rate: 0.5 }] }, service: { dist: 'exponential', mean: '100ms' } } },
      ['fleet.servers=2', 'fleet.autoscale={target: 0.5, min: 2, max: 12, interval: 30s, cooldown: 60s}'],
    );
    const events: string[] = [];
    const m = runStrategy(sc, 'least-conn', {}, (e) => e.type === 'fleet' && events.push(e.event));
    expect(events.filter((e) => e === 'add').length).toBeGreaterThan(3);
    expect(events.filter((e) => e === 'remove').length).toBeGreaterThan(2);
    expect(m.summary.utilization_max).toBeLessThan(0.9);
  });

  it('weighted servers: round robin gives a weight-2 server twice the requests', () => {
    const sc = testScenario({ fleet: { servers: [{ count: 2, weight: 1 }, { count: 1, weight: 2, workers: 4 }], workers: 2 } });
    const r = perServer(runStrategy(sc, 'round-robin'));
    expect(r.get('s3')! / r.get('s1')!).toBeCloseTo(2, 1);
    const lc = perServer(runStrategy(sc, 'random'));
    expect(lc.get('s3')! / lc.get('s1')!).toBeGreaterThan(1.7);
  });
});

describe('time-varying load', () => {
  it('a daily cycle and a flash crowd shape arrivals', () => {
    const sc = testScenario({
      duration: '24h',
      window: '1h',
      workload: {
        arrivals: { rate: 0.05, daily: { amplitude: 0.8, peak: '14h' }, bursts: [{ at: '3h', duration: '1h', factor: 10 }] },
        requests: { dist: 'constant', value: 0 },
        service: { dist: 'constant', value: '10ms' },
        logoutProbability: 0,
      },
    });
    const starts: number[] = [];
    runStrategy(sc, 'round-robin', {}, (e) => e.type === 'session-start' && starts.push(e.t));
    const inHour = (h: number) => starts.filter((t) => t >= h * 3600 && t < (h + 1) * 3600).length;
    // expected per hour: 180 × (1 + 0.8 cos(2π(h + ½ − 14)/24)) — peak ≈ 324, trough ≈ 36
    expect(inHour(14)).toBeGreaterThan(250);
    expect(inHour(2)).toBeLessThan(90);
    expect(inHour(3)).toBeGreaterThan(5 * inHour(2));
  });
});
