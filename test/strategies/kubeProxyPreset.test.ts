/**
 * `{ system: kube-proxy, … }`: the Service's sessionAffinity and timeout,
 * iptables mode (the statistic chain's exact probabilities, xt_recent lists
 * per endpoint: expiry since the last connection, 100 addresses per list,
 * dropped with their endpoint) and IPVS mode (rr order, persistence
 * templates), endpoints ready or serving-terminating — hand-computed from
 * Kubernetes' and the kernel's source.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { XtRecentAffinity } from '../../src/affinity/xtRecent.js';
import { goFixed10, IptablesRandom, IpvsRoundRobin, kubeEndpoints, statisticChain, statisticProbability } from '../../src/balancers/kubeProxy.js';
import { main } from '../../src/cli/main.js';
import { stream } from '../../src/engine/random.js';
import { loadScenario } from '../../src/scenario/load.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { checkKubeProxy, kubeProxyOptions } from '../../src/strategies/systems/kubeProxy.js';
import { makeFleet, makeSession } from '../helpers.js';

const CLIENTS = { cookieAcceptance: 1, cookieLoss: 0, headerProbability: 1, headerMissing: 0, paramProbability: 1, paramMissing: 0, routeKept: 1, routeLoss: 0 };
const kube = findStrategy('kube-proxy')!;
const build = (o: Record<string, unknown>, seed = 1) => kube.build(kube.options.parse(o), { routing: stream(seed, 'routing'), clients: CLIENTS, placement: 1 }).lb;
const reason = (o: Record<string, unknown>) => checkKubeProxy(kubeProxyOptions.parse(o));

function scenario(strategies: string, timeline = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'stickysim-kube-'));
  const file = join(dir, 's.yaml');
  writeFileSync(file, `duration: 10m\nworkload:\n  arrivals: { rate: 3 }\n  think: { dist: exponential, mean: 5s }\nfleet: { servers: 4, workers: 2 }\n${timeline}strategies:\n${strategies}`);
  return file;
}

describe('the kube-proxy preset: options', () => {
  it('has the Service defaults (None, iptables) and its limits', () => {
    expect(kubeProxyOptions.parse({})).toEqual({ sessionAffinity: 'None', mode: 'iptables' });
    expect(kubeProxyOptions.parse({ sessionAffinity: 'ClientIP', timeoutSeconds: 86_400 }).timeoutSeconds).toBe(86_400);
    for (const bad of [{ timeoutSeconds: 0 }, { timeoutSeconds: 86_401 }, { sessionAffinity: 'Cookie' }, { mode: 'nftables' }, { ipListTot: 0 }]) {
      expect(kubeProxyOptions.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(reason({ sessionAffinity: 'ClientIP', timeoutSeconds: 60 })).toBeUndefined();
    expect(reason({ timeoutSeconds: 60 })).toBe('timeoutSeconds (sessionAffinityConfig) must not be set when sessionAffinity is None (Kubernetes rejects it)');
    expect(reason({ sessionAffinity: 'ClientIP', mode: 'ipvs', ipListTot: 1000 })).toBe('ipListTot (xt_recent) applies to mode: iptables with sessionAffinity: ClientIP');
  });
});

describe('kube-proxy iptables mode: the statistic chain', () => {
  it('writes 1/k with %0.10f (ties to even) and the kernel matches with lround(2^31 p) / 2^31', () => {
    expect(goFixed10(1 / 3)).toBe(0.3333333333);
    expect(goFixed10(1 / 7)).toBe(0.1428571429);
    expect(goFixed10(1 / 2048)).toBe(0.0004882812); // 0.00048828125 exactly: a tie, to even (JS toFixed would round up)
    expect(statisticProbability(2)).toBe(0.5);
    expect(statisticProbability(3)).toBe(715_827_883 / 2 ** 31);
    expect(statisticProbability(7)).toBe(306_783_378 / 2 ** 31);
    const p3 = 715_827_883 / 2 ** 31;
    expect(Array.from(statisticChain(3))).toEqual([p3, p3 + (1 - p3) * 0.5, 1]);
    const chain = statisticChain(10);
    for (let i = 0; i < 10; i++) expect(chain[i]! - (i + 1) / 10).toBeLessThan(1e-9);
  });

  it('picks endpoints uniformly per connection (seeded), ready ones only; serving-terminating ones when none is ready', () => {
    const fleet = makeFleet(4);
    fleet.servers[0]!.weight = 9; // endpoints have no weights
    fleet.setDraining(fleet.servers[3]!, true);
    const b = new IptablesRandom(stream(3, 'routing'));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[b.pick(fleet)!.id]!++;
    expect(counts[3]).toBe(0);
    for (const i of [0, 1, 2]) expect(Math.abs(counts[i]! - 10_000)).toBeLessThan(400);
    for (const s of fleet.servers.slice(0, 3)) fleet.setHealthy(s, false);
    expect(kubeEndpoints(fleet).map((s) => s.id)).toEqual([3]);
    expect(b.pick(fleet)!.id).toBe(3);
    fleet.setHealthy(fleet.servers[3]!, false);
    expect(b.pick(fleet)).toBeUndefined();
  });
});

describe('kube-proxy iptables mode, sessionAffinity ClientIP (xt_recent)', () => {
  it('keeps a client address on its endpoint while its last connection is at most timeoutSeconds old', () => {
    const fleet = makeFleet(5);
    const lb = build({ sessionAffinity: 'ClientIP', timeoutSeconds: 100 });
    const ip = 0x0a000001;
    const home = lb.route(makeSession({ ip }), fleet, 0)!;
    expect(lb.lastVia).toBe('fallback'); // not in any list: the random rules
    expect(lb.route(makeSession({ ip }), fleet, 100)).toBe(home); // another session behind the same address: same endpoint
    expect(lb.lastVia).toBe('table');
    expect(lb.route(makeSession({ ip }), fleet, 200)).toBe(home); // 100 s after the last connection: still matched
    lb.route(makeSession({ ip }), fleet, 300.001);
    expect(lb.lastVia).toBe('fallback'); // 100.001 s: stale
  });

  it('defaults to 10800 s', () => {
    const fleet = makeFleet(3);
    const lb = build({ sessionAffinity: 'ClientIP' });
    const ip = 0x0a000002;
    const home = lb.route(makeSession({ ip }), fleet, 0)!;
    expect(lb.route(makeSession({ ip }), fleet, 10_800)).toBe(home);
    lb.route(makeSession({ ip }), fleet, 21_600.5);
    expect(lb.lastVia).toBe('fallback');
  });

  it('an endpoint that leaves the Service takes its list: its clients are balanced again, also after it returns', () => {
    const fleet = makeFleet(1);
    const lb = build({ sessionAffinity: 'ClientIP' });
    const [a, b] = [0x0a000010, 0x0a000011];
    lb.route(makeSession({ ip: a }), fleet, 0);
    lb.route(makeSession({ ip: b }), fleet, 0);
    const aff = lb.affinity as XtRecentAffinity;
    expect([...aff.list(0)!.keys()]).toEqual([a, b]);
    const s2 = fleet.add(1);
    fleet.setHealthy(fleet.servers[0]!, false); // not ready: kube-proxy drops the endpoint, its chain and list
    expect(lb.route(makeSession({ ip: a }), fleet, 2)).toBe(s2);
    expect(lb.lastVia).toBe('fallback');
    expect(aff.list(0)).toBeUndefined();
    fleet.setHealthy(fleet.servers[0]!, true);
    lb.route(makeSession({ ip: b }), fleet, 3); // b never came while s1 was away: its entry is gone all the same
    expect(lb.lastVia).toBe('fallback');
    expect(lb.route(makeSession({ ip: a }), fleet, 4)).toBe(s2); // a stays where it was sent
    expect(lb.lastVia).toBe('table');
  });

  it('a terminating endpoint (draining) is no endpoint: nothing new goes there, sticky clients included', () => {
    const fleet = makeFleet(2);
    const lb = build({ sessionAffinity: 'ClientIP' });
    const ip = 0x0a000020;
    const home = lb.route(makeSession({ ip }), fleet, 0)!;
    fleet.setDraining(home, true);
    const next = lb.route(makeSession({ ip }), fleet, 1)!;
    expect(next).not.toBe(home);
    expect(lb.lastVia).toBe('fallback');
  });

  it('remembers ip_list_tot addresses per endpoint (default 100), forgetting the least recently connected', () => {
    const fleet = makeFleet(1);
    const lb = build({ sessionAffinity: 'ClientIP' });
    for (let i = 0; i < 101; i++) lb.route(makeSession({ ip: 0x0a010000 + i }), fleet, i);
    expect(lb.memory(101).entries).toBe(100);
    expect(lb.memory(101).bytes).toBe(100 * (56 + 32 * 8));
    lb.route(makeSession({ ip: 0x0a010001 }), fleet, 102); // still listed
    expect(lb.lastVia).toBe('table');
    lb.route(makeSession({ ip: 0x0a010000 }), fleet, 103); // the first address was evicted by the 101st
    expect(lb.lastVia).toBe('fallback');
    const small = build({ sessionAffinity: 'ClientIP', ipListTot: 2 });
    // 1, 2, 1 again, then 3 evicts 2 (the least recently set): the list holds 1, 3.
    for (const [ip, t] of [[1, 0], [2, 1], [1, 2], [3, 3]] as const) small.route(makeSession({ ip }), fleet, t);
    const via = (ip: number, t: number) => (small.route(makeSession({ ip }), fleet, t), small.lastVia);
    expect(via(1, 4)).toBe('table'); // list: 3, 1
    expect(via(2, 5)).toBe('fallback'); // set again, evicting 3: list 1, 2
    expect(via(3, 6)).toBe('fallback');
  });
});

describe('kube-proxy IPVS mode', () => {
  it('rr: each real server in turn; new ones are linked at the head, a deleted one hands the pointer back to its predecessor', () => {
    const fleet = makeFleet(3);
    const b = new IpvsRoundRobin(stream(2, 'routing'));
    const first = b.pick(fleet)!;
    const order = b.order.slice();
    expect(order.map((s) => s.id).sort()).toEqual([0, 1, 2]);
    expect(first).toBe(order[0]); // from the list head
    expect([b.pick(fleet), b.pick(fleet), b.pick(fleet)]).toEqual([order[1], order[2], order[0]]);
    expect(b.pick(fleet)).toBe(order[1]);
    fleet.remove(order[1]!, 10); // the pointer was on it: back to order[0]
    expect(b.pick(fleet)).toBe(order[2]);
    const s4 = fleet.add(20); // linked at the head
    expect(b.pick(fleet)).toBe(s4);
    expect(b.order.map((s) => s.id)).toEqual([s4.id, order[0]!.id, order[2]!.id]);
    expect(b.pick(fleet)).toBe(order[0]);
  });

  it('ClientIP: a persistence template per address, expiring timeoutSeconds after its last use', () => {
    const fleet = makeFleet(3);
    const lb = build({ sessionAffinity: 'ClientIP', mode: 'ipvs', timeoutSeconds: 60 });
    const ip = 0x0a000030;
    const home = lb.route(makeSession({ ip }), fleet, 0)!;
    expect(lb.route(makeSession({ ip }), fleet, 60)).toBe(home);
    expect(lb.lastVia).toBe('table');
    lb.route(makeSession({ ip }), fleet, 120.5);
    expect(lb.lastVia).toBe('fallback');
  });

  it('ClientIP: a template whose server is gone is replaced when used; one not used meanwhile is valid again when the server returns', () => {
    const fleet = makeFleet(1);
    const lb = build({ sessionAffinity: 'ClientIP', mode: 'ipvs' });
    const [a, b] = [0x0a000040, 0x0a000041];
    const s1 = fleet.servers[0]!;
    lb.route(makeSession({ ip: a }), fleet, 0);
    lb.route(makeSession({ ip: b }), fleet, 0);
    const s2 = fleet.add(1);
    fleet.setHealthy(s1, false);
    expect(lb.route(makeSession({ ip: a }), fleet, 2)).toBe(s2);
    expect(lb.lastVia).toBe('redispatch');
    fleet.setHealthy(s1, true);
    expect(lb.route(makeSession({ ip: b }), fleet, 3)).toBe(s1); // unlike iptables: b's template survived
    expect(lb.route(makeSession({ ip: a }), fleet, 4)).toBe(s2);
    fleet.setDraining(s1, true); // terminating: quiesced, its templates expire when used
    expect(lb.route(makeSession({ ip: b }), fleet, 5)).toBe(s2);
    expect(lb.lastVia).toBe('redispatch');
  });
});

describe('the kube-proxy preset in scenarios', () => {
  it('loads as a system, checks the Service fields, and runs end to end (crash, drained removal, scale-out)', async () => {
    const ok = loadScenario(scenario('  - { system: kube-proxy, sessionAffinity: ClientIP }\n  - { system: kube-proxy, mode: ipvs, label: ipvs }\n'));
    expect(ok.strategies.map((s) => [s.label, s.name])).toEqual([['kube-proxy', 'kube-proxy'], ['ipvs', 'kube-proxy']]);
    expect(() => loadScenario(scenario('  - { system: kube-proxy, timeoutSeconds: 600 }\n'))).toThrow(/must not be set when sessionAffinity is None/);
    expect(() => loadScenario(scenario('  - { system: kube-proxy, sessionAffinity: clientip }\n'))).toThrow(/strategies\[0\]\.sessionAffinity/);
    const timeline = 'timeline:\n  - { at: 2m, event: crash, server: s2 }\n  - { at: 3m, event: recover, server: s2 }\n  - { at: 4m, event: add, count: 2 }\n  - { at: 6m, event: remove, server: s1, drain: true, drainTimeout: 1m }\n';
    const file = scenario(
      '  - { system: kube-proxy, sessionAffinity: ClientIP, timeoutSeconds: 600 }\n  - { system: kube-proxy, sessionAffinity: ClientIP, ipListTot: 10, label: kp-small }\n  - { system: kube-proxy, mode: ipvs, sessionAffinity: ClientIP, label: kp-ipvs }\n  - { system: kube-proxy, label: kp-none }\n',
      timeline,
    );
    let err = '';
    const code = await main(['run', file, '--out', join(mkdtempSync(join(tmpdir(), 'stickysim-kube-out-')), 'o'), '--quiet'], { out: () => {}, err: (t) => void (err += t) });
    expect([code, err]).toEqual([0, '']);
    let trace = '';
    expect(await main(['trace', file, '--strategy', 'kp-ipvs', '--session', '5'], { out: (t) => void (trace += t), err: (t) => void (err += t) })).toBe(0);
    expect(trace).toContain('sequenceDiagram');
  });
});
