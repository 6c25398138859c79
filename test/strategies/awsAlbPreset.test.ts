/**
 * `{ system: aws-alb, … }`: the target group attributes by their AWS names
 * and defaults, AWSALB/AWSALBAPP cookie lifetimes (reset by every response),
 * what an unhealthy or deregistering target does to sticky sessions, the
 * algorithms (weights ignored, fail open), and the slow-start ramp's share
 * at given times — all hand-computed from AWS's documentation.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SlowStart } from '../../src/balancers/slowStart.js';
import { CyclicRoundRobin } from '../../src/balancers/unweighted.js';
import { main } from '../../src/cli/main.js';
import { stream } from '../../src/engine/random.js';
import type { Fleet } from '../../src/model/fleet.js';
import type { Server } from '../../src/model/server.js';
import { loadScenario } from '../../src/scenario/load.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { awsAlbOptions, checkAwsAlb } from '../../src/strategies/systems/awsAlb.js';
import { load, makeFleet, makeSession } from '../helpers.js';

const CLIENTS = { cookieAcceptance: 1, cookieLoss: 0, headerProbability: 1, headerMissing: 0, paramProbability: 1, paramMissing: 0, routeKept: 1, routeLoss: 0 };
const alb = findStrategy('aws-alb')!;
const build = (o: Record<string, unknown>) => alb.build(alb.options.parse(o), { routing: stream(1, 'routing'), clients: CLIENTS, placement: 1 }).lb;
const reason = (o: Record<string, unknown>) => checkAwsAlb(awsAlbOptions.parse(o));

function scenario(strategies: string, timeline = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'stickysim-alb-'));
  const file = join(dir, 's.yaml');
  writeFileSync(file, `duration: 10m\nworkload:\n  arrivals: { rate: 3 }\n  think: { dist: exponential, mean: 5s }\nfleet: { servers: 4, workers: 2 }\n${timeline}strategies:\n${strategies}`);
  return file;
}

/** Picks `n` requests at time `now` and counts them per server id. */
function shares(b: { pick(f: Fleet, now?: number): Server | undefined }, fleet: Fleet, now: number, n: number): number[] {
  const counts = new Array<number>(fleet.servers.length).fill(0);
  for (let i = 0; i < n; i++) counts[b.pick(fleet, now)!.id]!++;
  return counts;
}

describe('the aws-alb preset: options', () => {
  it('has AWS defaults: stickiness off, cookies 1 day, round robin, no slow start', () => {
    expect(awsAlbOptions.parse({})).toEqual({
      stickiness: 'none', lbCookieDuration: 86_400, appCookieDuration: 86_400, algorithm: 'round_robin', slowStart: 0,
    });
    expect(awsAlbOptions.parse({ lbCookieDuration: '7d', slowStart: '15m' })).toMatchObject({ lbCookieDuration: 604_800, slowStart: 900 });
  });

  it('rejects values out of AWS ranges and combinations AWS refuses, in one line each', () => {
    for (const bad of [{ lbCookieDuration: 0 }, { lbCookieDuration: 604_801 }, { appCookieDuration: 1.5 }, { slowStart: 29 }, { slowStart: 901 }, { stickiness: 'source_ip' }]) {
      expect(awsAlbOptions.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(reason({})).toBeUndefined();
    expect(reason({ slowStart: 30 })).toBeUndefined();
    expect(reason({ slowStart: 60, algorithm: 'least_outstanding_requests' })).toBe(
      'slowStart cannot be enabled with algorithm least_outstanding_requests (AWS: not with least outstanding requests or weighted random)',
    );
    expect(reason({ slowStart: 60, algorithm: 'weighted_random' })).toMatch(/^slowStart cannot be enabled with algorithm weighted_random/);
    expect(reason({ algorithm: 'weighted_random', stickiness: 'app_cookie' })).toBe('the weighted_random algorithm cannot be used with sticky sessions (AWS)');
    expect(reason({ deregistrationDelay: 300 })).toMatch(/^deregistrationDelay is the drain of the timeline: .*drainTimeout/);
    for (const o of [{ slowStart: 60, algorithm: 'weighted_random' }, { deregistrationDelay: 30 }]) expect(reason(o)).not.toMatch(/\n/);
  });
});

describe('the aws-alb preset: AWSALB cookie', () => {
  it('lasts lbCookieDuration after the last response, not after the request (the ALB resets the expiry after every request)', () => {
    const fleet = makeFleet(3);
    const lb = build({ stickiness: 'lb_cookie', lbCookieDuration: 60 });
    const s = makeSession();
    const first = lb.route(s, fleet, 0)!;
    expect(lb.lastVia).toBe('fallback'); // no cookie yet: the algorithm picks
    lb.onResponse(s, first, 0.5); // Set-Cookie AWSALB, Expires = 0.5 + 60
    expect([s.cookie, s.cookieIssued, s.cookieUsed]).toEqual([first.id, 0.5, 0.5]);
    expect(lb.route(s, fleet, 60.5)).toBe(first); // 60 s after the response: still valid
    expect(lb.lastVia).toBe('cookie');
    lb.onResponse(s, first, 61); // reset again: valid until 121
    expect([s.cookieIssued, s.cookieUsed]).toEqual([0.5, 61]);
    expect(lb.route(s, fleet, 121)).toBe(first);
    lb.onResponse(s, first, 121.25);
    lb.route(s, fleet, 181.2501); // 60.0001 s after the last response: stale
    expect(lb.lastVia).toBe('fallback');
  });

  it('app_cookie uses appCookieDuration the same way', () => {
    const fleet = makeFleet(2);
    const lb = build({ stickiness: 'app_cookie', appCookieDuration: 10, lbCookieDuration: 1000 });
    const s = makeSession();
    lb.onResponse(s, lb.route(s, fleet, 0)!, 1);
    lb.route(s, fleet, 11);
    expect(lb.lastVia).toBe('cookie');
    lb.onResponse(s, fleet.servers[s.cookie]!, 11);
    lb.route(s, fleet, 21.001);
    expect(lb.lastVia).toBe('fallback');
  });

  it('an unhealthy target: the request goes to a new target, the cookie follows, and the session stays there when the target is back', () => {
    const fleet = makeFleet(3);
    const lb = build({ stickiness: 'lb_cookie' });
    const s = makeSession();
    const home = lb.route(s, fleet, 0)!;
    lb.onResponse(s, home, 0);
    fleet.setHealthy(home, false);
    const moved = lb.route(s, fleet, 10)!;
    expect(lb.lastVia).toBe('redispatch');
    expect(moved).not.toBe(home);
    lb.onResponse(s, moved, 10);
    expect(s.cookie).toBe(moved.id);
    fleet.setHealthy(home, true);
    expect(lb.route(s, fleet, 20)).toBe(moved);
    expect(lb.lastVia).toBe('cookie');
  });

  it('a deregistering (draining) target gets no new request, sticky ones included; the cookie is rewritten', () => {
    const fleet = makeFleet(3);
    const lb = build({ stickiness: 'lb_cookie' });
    const s = makeSession();
    const home = lb.route(s, fleet, 0)!;
    lb.onResponse(s, home, 0);
    fleet.setDraining(home, true);
    const next = lb.route(s, fleet, 5)!;
    expect(next).not.toBe(home);
    expect(lb.lastVia).toBe('redispatch');
    lb.onResponse(s, next, 5);
    expect(s.cookie).toBe(next.id);
  });

  it('clients refusing cookies are balanced on every request', () => {
    const fleet = makeFleet(3);
    const lb = build({ stickiness: 'lb_cookie' });
    const s = makeSession({ acceptsCookies: false });
    const ids = [0, 1, 2].map((t) => {
      const x = lb.route(s, fleet, t)!;
      lb.onResponse(s, x, t);
      return x.id;
    });
    expect(ids).toEqual([0, 1, 2]);
    expect(s.cookie).toBe(-1);
  });
});

describe('the aws-alb preset: algorithms', () => {
  it('round_robin goes through the healthy targets in turn, weights ignored (targets have none)', () => {
    const fleet = makeFleet(3);
    fleet.servers[0]!.weight = 5;
    const lb = build({});
    expect([0, 1, 2, 3, 4, 5].map(() => lb.route(makeSession(), fleet, 0)!.id)).toEqual([0, 1, 2, 0, 1, 2]);
    fleet.setHealthy(fleet.servers[1]!, false);
    expect(new Set([0, 1, 2, 3].map(() => lb.route(makeSession(), fleet, 0)!.id))).toEqual(new Set([0, 2]));
  });

  it('least_outstanding_requests takes the target with fewest requests in flight, weights ignored', () => {
    const fleet = makeFleet(3);
    fleet.servers[0]!.weight = 10;
    load(fleet, 0, 3);
    load(fleet, 1, 1);
    load(fleet, 2, 2);
    expect(build({ algorithm: 'least_outstanding_requests' }).route(makeSession(), fleet, 0)!.id).toBe(1);
  });

  it('weighted_random spreads evenly over healthy targets (seeded)', () => {
    const fleet = makeFleet(4);
    fleet.servers[3]!.weight = 8;
    fleet.setHealthy(fleet.servers[2]!, false);
    const lb = build({ algorithm: 'weighted_random' });
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[lb.route(makeSession(), fleet, 0)!.id]!++;
    expect(counts[2]).toBe(0);
    for (const i of [0, 1, 3]) expect(Math.abs(counts[i]! - 10_000)).toBeLessThan(400);
  });

  it('fails open: with no healthy target, requests go to every registered one', () => {
    const fleet = makeFleet(3);
    for (const s of fleet.servers) fleet.setHealthy(s, false);
    fleet.setDraining(fleet.servers[2]!, true); // deregistering: not registered any more
    const lb = build({});
    expect([0, 1, 2, 3].map(() => lb.route(makeSession(), fleet, 0)!.id)).toEqual([0, 1, 0, 1]);
  });
});

describe('slow start (balancers/slowStart.ts) as the aws-alb preset uses it', () => {
  const ramp = () => new SlowStart(new CyclicRoundRobin(), { duration: 300, baseWeight: () => 1 });

  it('a target added to 3 in service gets r/4 of new requests, r = time since it joined / duration', () => {
    const fleet = makeFleet(3);
    const b = ramp();
    expect(shares(b, fleet, 0, 3)).toEqual([1, 1, 1]); // the initial fleet is in service, not in slow start
    const added = fleet.add(100);
    expect(added.startedAt).toBe(100);
    // Looked at first at t = 100: r = 0, no new request.
    expect(shares(b, fleet, 100, 30)[3]).toBe(0);
    // r = 0.25 → 1/16: effective weight 0.25·3/(4 − 0.25) = 0.2 against 1, 1, 1.
    expect(shares(b, fleet, 175, 16 * 100)).toEqual([500, 500, 500, 100]);
    // r = 0.5 → 1/8: weight 3/7.
    expect(shares(b, fleet, 250, 24 * 100)).toEqual([700, 700, 700, 300]);
    // r = 0.9 → 0.225: weight 0.9·3/3.1 = 27/31.
    expect(shares(b, fleet, 370, 120 * 10)).toEqual([310, 310, 310, 270]);
    // After the duration: out of slow start, plain round robin.
    expect(shares(b, fleet, 400, 4)).toEqual([1, 1, 1, 1]);
    expect(b.ramping.size).toBe(0);
  });

  it('counts the ramp from the moment the target started, even when first looked at later', () => {
    const fleet = makeFleet(3);
    const b = ramp();
    b.pick(fleet, 0);
    fleet.add(100);
    expect(shares(b, fleet, 250, 24 * 10)[3]).toBe(30); // r = 0.5 although first seen at 250
    expect(b.ramping.get(3)).toBe(100);
  });

  it('a target that becomes unhealthy leaves slow start, and enters it again when healthy', () => {
    const fleet = makeFleet(3);
    const b = ramp();
    b.pick(fleet, 0);
    const s4 = fleet.add(100);
    b.pick(fleet, 150);
    fleet.setHealthy(s4, false);
    b.pick(fleet, 200);
    expect(b.ramping.has(3)).toBe(false);
    fleet.setHealthy(s4, true);
    b.pick(fleet, 210); // back: slow start again, from 210
    expect(b.ramping.get(3)).toBe(210);
    expect(shares(b, fleet, 360, 24 * 10)[3]).toBe(30); // r = 0.5 → 1/8
  });

  it('enters slow start only when some healthy target is not in slow start', () => {
    const fleet = makeFleet(1);
    const b = ramp();
    b.pick(fleet, 0);
    const s1 = fleet.servers[0]!;
    fleet.setHealthy(s1, false);
    fleet.add(20); // joins a group with no healthy target: no slow start
    expect(shares(b, fleet, 20, 5)).toEqual([0, 5]);
    fleet.setHealthy(s1, true); // s2 is in service now: s1 ramps
    b.pick(fleet, 30);
    expect([...b.ramping.keys()]).toEqual([0]);
  });

  it('the preset wraps its round robin in it; sticky requests to a ramping target are not held back', () => {
    const fleet = makeFleet(2);
    const lb = build({ slowStart: 100, stickiness: 'lb_cookie' });
    expect(lb.balancer).toBeInstanceOf(SlowStart);
    lb.route(makeSession(), fleet, 0);
    const s3 = fleet.add(10);
    const s = makeSession({ cookie: s3.id, cookieIssued: 10, cookieUsed: 10 });
    expect(lb.route(s, fleet, 10)).toBe(s3);
    expect(lb.lastVia).toBe('cookie');
  });
});

describe('the aws-alb preset in scenarios', () => {
  it('loads as a system, rejects what AWS rejects, and runs end to end (drain, scale-out with slow start)', async () => {
    const ok = loadScenario(scenario('  - { system: aws-alb, stickiness: lb_cookie }\n  - { system: aws-alb, algorithm: least_outstanding_requests, label: alb-lor }\n'));
    expect(ok.strategies.map((s) => [s.label, s.name])).toEqual([['aws-alb', 'aws-alb'], ['alb-lor', 'aws-alb']]);
    expect(() => loadScenario(scenario('  - { system: aws-alb, algorithm: weighted_random, stickiness: lb_cookie }\n'))).toThrow(/weighted_random algorithm cannot be used with sticky sessions/);
    expect(() => loadScenario(scenario('  - { system: aws-alb, stickiness: true }\n'))).toThrow(/strategies\[0\]\.stickiness/);
    expect(() => loadScenario(scenario('  - { system: aws-alb, balance: roundrobin }\n'))).toThrow(/strategies\[0\]\.balance: unknown field/);
    const timeline = 'timeline:\n  - { at: 3m, event: add, count: 2 }\n  - { at: 6m, event: remove, server: s1, drain: true, drainTimeout: 2m }\n';
    const file = scenario(
      '  - { system: aws-alb, stickiness: lb_cookie, lbCookieDuration: 2m }\n  - { system: aws-alb, slowStart: 60, label: alb-ss }\n  - { system: aws-alb, stickiness: app_cookie, algorithm: least_outstanding_requests, label: alb-app }\n',
      timeline,
    );
    let err = '';
    const code = await main(['run', file, '--out', join(mkdtempSync(join(tmpdir(), 'stickysim-alb-out-')), 'o'), '--quiet'], { out: () => {}, err: (t) => void (err += t) });
    expect([code, err]).toEqual([0, '']);
    let trace = '';
    expect(await main(['trace', file, '--strategy', 'aws-alb', '--session', '5'], { out: (t) => void (trace += t), err: (t) => void (err += t) })).toBe(0);
    expect(trace).toContain('sequenceDiagram');
  });

  it('its options appear in the scenario JSON Schema', async () => {
    let out = '';
    expect(await main(['schema'], { out: (t) => void (out += t), err: () => {} })).toBe(0);
    expect(out).toContain('"aws-alb"');
    expect(out).toContain('slow_start.duration_seconds');
  });
});
