/**
 * `{ system: ingress-nginx, … }`: its annotations and defaults, and the Lua
 * balancer they select — resty.chash point for point (values computed with
 * lua-resty-balancer v0.05's chash.c built by gcc and its chash.lua run by
 * LuaJIT, zlib's crc32 standing in for ngx.crc32_short), sticky cookies in
 * balanced and persistent mode (what happens when the cookie's endpoint is
 * gone, how a new cookie is made, Max-Age from the pick), upstream-hash-by,
 * round robin, retries.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { balancedCookieKey } from '../../src/affinity/ingressNginx.js';
import { crc32 as crc } from '../../src/balancers/hashing/nginx/crc32.js';
import { RestyChash, restyNodePoints } from '../../src/balancers/hashing/restyChash.js';
import { main } from '../../src/cli/main.js';
import { stream } from '../../src/engine/random.js';
import type { Fleet } from '../../src/model/fleet.js';
import { loadScenario } from '../../src/scenario/load.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { checkIngressNginx, ingressImplementation, ingressNginxOptions } from '../../src/strategies/systems/ingressNginx.js';
import { makeFleet, makeSession } from '../helpers.js';

const CLIENTS = { cookieAcceptance: 1, cookieLoss: 0, headerProbability: 1, headerMissing: 0, paramProbability: 1, paramMissing: 0, routeKept: 1, routeLoss: 0 };
const ingress = findStrategy('ingress-nginx')!;
const build = (o: Record<string, unknown>, seed = 1) => ingress.build(ingress.options.parse(o), { routing: stream(seed, 'routing'), clients: CLIENTS, placement: 1 }).lb;
const reason = (o: Record<string, unknown>) => checkIngressNginx(ingressNginxOptions.parse(o));
const addr = (n: number) => `10.244.0.${n}:8080`;
/** resty.chash over the fleet's available servers, as the preset builds it. */
const chashOf = (fleet: Fleet) => new RestyChash(fleet.available.map((s) => addr(s.id + 1)));

function scenario(strategies: string, timeline = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'stickysim-ingress-'));
  const file = join(dir, 's.yaml');
  writeFileSync(file, `duration: 10m\nworkload:\n  arrivals: { rate: 3 }\n  think: { dist: exponential, mean: 5s }\nfleet: { servers: 4, workers: 2 }\n${timeline}strategies:\n${strategies}`);
  return file;
}

describe('resty.chash (lua-resty-balancer v0.05), against chash.c and chash.lua', () => {
  it('lays out 160 points per node: point k = crc32(id ‖ le32(point k−1))', () => {
    const p = restyNodePoints('10.244.0.1:8080', 160);
    expect([p[0], p[1], p[2], p[3], p[4], p[159]]).toEqual([2757878774, 26605923, 1289141645, 3738996593, 3513585010, 12578915]);
    expect(restyNodePoints('10.244.0.1:8080', 2, 3)).toEqual([3738996593, 3513585010]); // chash_point_init_crc `from`
  });

  it('sorts the points (chash_point_sort) and finds keys as chash.lua does: 3 nodes', () => {
    // LuaJIT's pairs order for these three was 3, 1, 2; equal point hashes (none here) would be the only difference.
    for (const ids of [[addr(3), addr(1), addr(2)], [addr(1), addr(2), addr(3)]]) {
      const c = new RestyChash(ids);
      expect(c.npoints).toBe(480);
      const point = (k: number) => `${c.hashes[k]}:${ids[c.nodes[k]!]}`;
      expect([0, 1, 2, 3].map(point)).toEqual([`12578915:${addr(1)}`, `18524357:${addr(1)}`, `26605923:${addr(1)}`, `35756097:${addr(3)}`]);
      expect(point(479)).toBe(`4283686759:${addr(1)}`);
      const find = (key: string) => [ids[c.find(key)], c.pointFor(crc(key))];
      expect(find('')).toEqual([addr(1), 0]);
      expect(find('0')).toEqual([addr(3), 462]);
      expect(find('9e3779b1')).toEqual([addr(2), 468]);
      expect(find('10.0.1.7')).toEqual([addr(2), 390]);
      expect(find('ffffffff')).toEqual([addr(3), 284]);
      expect(find('1a2b3c4d')).toEqual([addr(3), 455]);
      expect(find('7fffffff')).toEqual([addr(1), 25]);
      expect(find('42')).toEqual([addr(1), 86]);
    }
  });

  it('10 nodes; and from 3 to 4 nodes 242 of 1000 keys move, all to the new node', () => {
    const c = new RestyChash(Array.from({ length: 10 }, (_, i) => addr(i + 1)));
    expect(c.npoints).toBe(1600);
    expect([0, 1, 2, 3].map((k) => `${c.hashes[k]}:${c.ids[c.nodes[k]!]}`)).toEqual([`1938594:${addr(9)}`, `12578915:${addr(1)}`, `15621785:${addr(8)}`, `15830842:${addr(10)}`]);
    expect(`${c.hashes[1599]}:${c.ids[c.nodes[1599]!]}`).toBe(`4294670037:${addr(6)}`);
    const expected: [string, number, number][] = [
      ['', 9, 0], ['0', 5, 1539], ['9e3779b1', 6, 1558], ['10.0.1.7', 8, 1280], ['ffffffff', 3, 933], ['1a2b3c4d', 3, 1516], ['7fffffff', 8, 101], ['42', 1, 316],
    ];
    for (const [key, node, point] of expected) expect([c.ids[c.find(key)], c.pointFor(crc(key))]).toEqual([addr(node), point]);
    const three = new RestyChash([addr(1), addr(2), addr(3)]);
    const four = new RestyChash([addr(1), addr(2), addr(3), addr(4)]);
    let moved = 0;
    for (let k = 1; k <= 1000; k++) {
      const key = ((k * 2654435761) % 2 ** 32).toString(16);
      const [a, b] = [three.ids[three.find(key)], four.ids[four.find(key)]];
      if (a !== b) {
        moved++;
        expect(b).toBe(addr(4));
      }
    }
    expect(moved).toBe(242);
  });
});

describe('the ingress-nginx preset: annotations', () => {
  it('has the controller defaults', () => {
    expect(ingressNginxOptions.parse({})).toEqual({ version: '1.15', affinity: 'none', loadBalance: 'round_robin', proxyNextUpstreamTries: 3, addresses: '10.244.0.{n}:8080' });
    expect(ingressImplementation({ affinity: 'cookie' })).toBe('sticky_balanced');
    expect(ingressImplementation({ affinity: 'cookie', affinityMode: 'persistent' })).toBe('sticky_persistent');
    expect(ingressImplementation({ affinity: 'none', upstreamHashBy: '$remote_addr' })).toBe('chash');
    expect(ingressImplementation({ affinity: 'none' })).toBe('round_robin');
  });

  it('rejects what it cannot honour, in one line each', () => {
    expect(reason({ affinityMode: 'persistent' })).toBe('affinityMode applies with affinity: cookie');
    expect(reason({ sessionCookieMaxAge: 60 })).toBe('sessionCookieMaxAge applies with affinity: cookie');
    expect(reason({ affinity: 'cookie', upstreamHashBy: '$remote_addr' })).toBe(
      'affinity: cookie and upstreamHashBy together: ingress-nginx uses the cookie and ignores upstream-hash-by; set one',
    );
    expect(reason({ loadBalance: 'ewma' })).toBe('loadBalance: ewma (Peak EWMA of response times, balancer/ewma.lua) is not reproduced; use round_robin');
    expect(reason({ loadBalance: 'ewma', affinity: 'cookie' })).toBeUndefined(); // the cookie takes over, as in ingress-nginx
    for (const bad of [{ sessionCookieName: 'a b' }, { sessionCookieMaxAge: 0 }, { upstreamHashBy: '$request_uri' }, { proxyNextUpstreamTries: 0 }]) {
      expect(ingressNginxOptions.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('the ingress-nginx preset: affinity-mode balanced', () => {
  it('a request without a cookie gets a new key and the endpoint chash(key); the cookie then keeps it there', () => {
    const fleet = makeFleet(3);
    const lb = build({ affinity: 'cookie' });
    const s = makeSession();
    const first = lb.route(s, fleet, 12.5)!;
    expect(lb.lastVia).toBe('fallback');
    const key = balancedCookieKey(s.key, 12.5, 1);
    expect([s.cookie, s.cookieIssued]).toEqual([key, 12.5]);
    expect(first.id).toBe(chashOf(fleet).find(key.toString(16)));
    expect(lb.route(s, fleet, 40)).toBe(first);
    expect([lb.lastVia, s.cookieIssued]).toEqual(['cookie', 12.5]); // not set again
  });

  it('the cookie lives session-cookie-max-age from when it was set, not from its last use', () => {
    const fleet = makeFleet(3);
    const lb = build({ affinity: 'cookie', sessionCookieMaxAge: 100 });
    const s = makeSession();
    lb.route(s, fleet, 0);
    lb.route(s, fleet, 100);
    expect(lb.lastVia).toBe('cookie');
    lb.route(s, fleet, 100.001);
    expect(lb.lastVia).toBe('fallback');
    expect([s.cookie, s.cookieIssued]).toEqual([balancedCookieKey(s.key, 100.001, 1), 100.001]);
    const legacy = build({ affinity: 'cookie', sessionCookieExpires: 50, sessionCookieMaxAge: 80 }); // Max-Age wins
    const t = makeSession();
    legacy.route(t, fleet, 0);
    legacy.route(t, fleet, 79);
    expect(legacy.lastVia).toBe('cookie');
  });

  it('scaling up moves the sessions whose key now hashes to the new endpoint, and only to it', () => {
    const fleet = makeFleet(3);
    const lb = build({ affinity: 'cookie' });
    const sessions = Array.from({ length: 600 }, () => makeSession());
    const before = sessions.map((s) => lb.route(s, fleet, 0)!.id);
    const added = fleet.add(10);
    const after = sessions.map((s) => lb.route(s, fleet, 20)!.id);
    expect(lb.lastVia).toBe('cookie');
    const moved = after.filter((a, i) => a !== before[i]);
    expect(moved.every((id) => id === added.id)).toBe(true);
    expect(moved.length / sessions.length).toBeGreaterThan(0.15);
    expect(moved.length / sessions.length).toBeLessThan(0.35);
    sessions.forEach((s, i) => expect(after[i]).toBe(chashOf(fleet).find(s.cookie.toString(16))));
  });

  it('an endpoint gone: its sessions are rehashed over the rest (the cookie is kept), the others stay', () => {
    const fleet = makeFleet(4);
    const lb = build({ affinity: 'cookie' });
    const sessions = Array.from({ length: 400 }, () => makeSession());
    const before = sessions.map((s) => lb.route(s, fleet, 0)!.id);
    const cookies = sessions.map((s) => s.cookie);
    fleet.setHealthy(fleet.servers[1]!, false); // not ready: out of the endpoints
    const after = sessions.map((s) => lb.route(s, fleet, 1)!.id);
    after.forEach((a, i) => (before[i] === 1 ? expect(a).not.toBe(1) : expect(a).toBe(before[i])));
    expect(sessions.map((s) => s.cookie)).toEqual(cookies);
  });

  it('a crashed endpoint still listed: the cookie\'s endpoint is tried every time (the request fails); with change-on-failure a new one is picked', () => {
    const fleet = makeFleet(3);
    const s = makeSession();
    const lb = build({ affinity: 'cookie' });
    const home = lb.route(s, fleet, 0)!;
    fleet.setAlive(home, false, 1, false); // dead, readiness has not noticed
    expect(lb.route(s, fleet, 2)).toBe(home); // three tries, all to it: 502
    const lb2 = build({ affinity: 'cookie', sessionCookieChangeOnFailure: true });
    const fleet2 = makeFleet(3);
    const t = makeSession();
    const home2 = lb2.route(t, fleet2, 0)!;
    fleet2.setAlive(home2, false, 1, false);
    const next = lb2.route(t, fleet2, 2)!;
    expect(next).not.toBe(home2);
    expect(next.up).toBe(true);
    expect(lb2.lastVia).toBe('redispatch');
    // pick_new_upstream skips keys that hash to the endpoint that failed this request
    let i = 1;
    while (chashOf(fleet2).find(balancedCookieKey(t.key, 2, i).toString(16)) === home2.id) i++;
    expect(t.cookie).toBe(balancedCookieKey(t.key, 2, i));
    expect(chashOf(fleet2).find(t.cookie.toString(16))).toBe(next.id);
  });

  it('a new session whose first pick is a dead endpoint is retried on another key', () => {
    const fleet = makeFleet(3);
    const lb = build({ affinity: 'cookie' });
    const s = makeSession();
    const firstChoice = chashOf(fleet).find(balancedCookieKey(s.key, 5, 1).toString(16));
    fleet.setAlive(fleet.servers[firstChoice]!, false, 1, false);
    const got = lb.route(s, fleet, 5)!;
    expect(got.up).toBe(true);
    let i = 2;
    while (chashOf(fleet).find(balancedCookieKey(s.key, 5, i).toString(16)) === firstChoice) i++;
    expect(s.cookie).toBe(balancedCookieKey(s.key, 5, i));
  });
});

describe('the ingress-nginx preset: affinity-mode persistent', () => {
  it('the cookie names the endpoint: kept while listed, through scale-up; when it is gone a random one, cookie rewritten, no return', () => {
    const fleet = makeFleet(3);
    const lb = build({ affinity: 'cookie', affinityMode: 'persistent' });
    const sessions = Array.from({ length: 300 }, () => makeSession());
    const before = sessions.map((s) => lb.route(s, fleet, 0)!.id);
    expect(sessions.every((s, i) => s.cookie === before[i])).toBe(true);
    for (const id of [0, 1, 2]) expect(before.filter((b) => b === id).length).toBeGreaterThan(60); // uniform random picks
    fleet.add(5);
    expect(sessions.map((s) => lb.route(s, fleet, 6)!.id)).toEqual(before); // no rebalancing
    fleet.setDraining(fleet.servers[0]!, true); // terminating: not ready
    const after = sessions.map((s) => lb.route(s, fleet, 7)!.id);
    after.forEach((a, i) => (before[i] === 0 ? expect(a).not.toBe(0) : expect(a).toBe(before[i])));
    expect(sessions.every((s, i) => s.cookie === after[i])).toBe(true);
    fleet.setDraining(fleet.servers[0]!, false);
    expect(sessions.map((s) => lb.route(s, fleet, 8)!.id)).toEqual(after);
  });
});

describe('the ingress-nginx preset: upstream-hash-by and round robin', () => {
  it('upstream-hash-by hashes the variable\'s text with resty.chash; an empty variable hashes ""', () => {
    const fleet = makeFleet(5);
    const c = chashOf(fleet);
    const byAddr = build({ upstreamHashBy: '$remote_addr' });
    for (const ip of [0x0a000001, 0xc0a80164, 0x7f000001]) {
      const text = `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
      expect(byAddr.route(makeSession({ ip }), fleet, 0)!.id).toBe(c.find(text));
      expect(byAddr.lastVia).toBe('hash');
    }
    const byHeader = build({ upstreamHashBy: '$http_x_client_id' });
    expect(byHeader.route(makeSession({ clientId: 4242 }), fleet, 0)!.id).toBe(c.find('4242'));
    const none = [1, 2, 3].map(() => byHeader.route(makeSession({ sendsHeader: false }), fleet, 0)!.id);
    expect(none).toEqual([c.find(''), c.find(''), c.find('')]);
  });

  it('round robin takes each endpoint in turn from a random start, weights ignored, and restarts at random when the endpoints change', () => {
    const fleet = makeFleet(4);
    fleet.servers[0]!.weight = 7;
    const lb = build({});
    const ids = Array.from({ length: 8 }, () => lb.route(makeSession(), fleet, 0)!.id);
    expect(lb.lastVia).toBe('balancer');
    expect(ids.slice(4)).toEqual(ids.slice(0, 4));
    expect([...ids.slice(0, 4)].sort()).toEqual([0, 1, 2, 3]);
    expect(ids.every((id, k) => k === 0 || id === (ids[k - 1]! + 1) % 4)).toBe(true);
    fleet.setAlive(fleet.servers[(ids[7]! + 1) % 4]!, false, 1, false); // the next one refuses: the retry takes the one after
    expect(lb.route(makeSession(), fleet, 1)!.id).toBe((ids[7]! + 2) % 4);
  });

  it('no endpoint at all: the request fails (503)', () => {
    const fleet = makeFleet(2);
    for (const s of fleet.servers) fleet.setHealthy(s, false);
    expect(build({ affinity: 'cookie' }).route(makeSession(), fleet, 0)).toBeUndefined();
    expect(build({}).route(makeSession(), fleet, 0)).toBeUndefined();
  });
});

describe('the ingress-nginx preset in scenarios', () => {
  it('loads as a system, checks annotations, and runs end to end (crash, scale-out, drained removal)', async () => {
    const ok = loadScenario(scenario('  - { system: ingress-nginx, affinity: cookie }\n  - { system: ingress-nginx, upstreamHashBy: $remote_addr, label: ing-hash }\n'));
    expect(ok.strategies.map((s) => [s.label, s.name])).toEqual([['ingress-nginx', 'ingress-nginx'], ['ing-hash', 'ingress-nginx']]);
    expect(() => loadScenario(scenario('  - { system: ingress-nginx, loadBalance: ewma }\n'))).toThrow(/ewma .* is not reproduced/);
    expect(() => loadScenario(scenario('  - { system: ingress-nginx, affinity: ip }\n'))).toThrow(/strategies\[0\]\.affinity/);
    const timeline = 'timeline:\n  - { at: 2m, event: crash, server: s2 }\n  - { at: 3m, event: recover, server: s2 }\n  - { at: 4m, event: add, count: 2 }\n  - { at: 6m, event: remove, server: s1, drain: true, drainTimeout: 1m }\n';
    const file = scenario(
      '  - { system: ingress-nginx, affinity: cookie, sessionCookieMaxAge: 300 }\n  - { system: ingress-nginx, affinity: cookie, affinityMode: persistent, label: ing-persist }\n  - { system: ingress-nginx, upstreamHashBy: $http_x_client_id, label: ing-hash }\n  - { system: ingress-nginx, label: ing-rr }\n',
      timeline,
    );
    let err = '';
    const code = await main(['run', file, '--out', join(mkdtempSync(join(tmpdir(), 'stickysim-ingress-out-')), 'o'), '--quiet'], { out: () => {}, err: (t) => void (err += t) });
    expect([code, err]).toEqual([0, '']);
    let trace = '';
    expect(await main(['trace', file, '--strategy', 'ing-persist', '--session', '5'], { out: (t) => void (trace += t), err: (t) => void (err += t) })).toBe(0);
    expect(trace).toContain('sequenceDiagram');
  });
});
