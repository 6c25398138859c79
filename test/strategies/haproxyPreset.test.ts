/**
 * `{ system: haproxy, … }`: HAProxy's own option names and defaults, wired to
 * its algorithms (their per-client agreement with a live HAProxy is in
 * test/calibration/). Here: the options, their checks, and that the preset
 * routes as the algorithms say.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HaproxyChash, HaproxyMapHash, sourceKeyV4, stringKey } from '../../src/balancers/hashing/haproxy/index.js';
import { stream } from '../../src/engine/random.js';
import { loadScenario } from '../../src/scenario/load.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { hashTypeOf } from '../../src/strategies/systems/haproxy.js';
import { main } from '../../src/cli/main.js';
import { makeFleet, makeSession } from '../helpers.js';

const CLIENTS = { cookieAcceptance: 1, cookieLoss: 0, headerProbability: 1, headerMissing: 0, paramProbability: 1, paramMissing: 0, routeKept: 1, routeLoss: 0 };
const haproxy = findStrategy('haproxy')!;
const build = (o: Record<string, unknown>) => haproxy.build(haproxy.options.parse(o), { routing: stream(1, 'routing'), clients: CLIENTS, placement: 1 }).lb;

function scenario(strategies: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'stickysim-hap-'));
  const file = join(dir, 's.yaml');
  writeFileSync(file, `duration: 5m\nworkload:\n  arrivals: { rate: 2 }\nfleet: { servers: 4 }\nstrategies:\n${strategies}`);
  return file;
}

describe('the haproxy preset', () => {
  it('reads `hash-type` as HAProxy does: sdbm by default, avalanche with a bare `consistent`', () => {
    expect(hashTypeOf({ hashType: 'map-based' })).toEqual({ fn: 'sdbm', avalanche: false });
    expect(hashTypeOf({ hashType: 'consistent' })).toEqual({ fn: 'sdbm', avalanche: true });
    expect(hashTypeOf({ hashType: 'consistent', hashFunction: 'sdbm' })).toEqual({ fn: 'sdbm', avalanche: false });
    expect(hashTypeOf({ hashType: 'consistent', hashFunction: 'crc32', avalanche: true })).toEqual({ fn: 'crc32', avalanche: true });
  });

  it('balance source, map-based: server = usable[address mod N], the raw address', () => {
    const lb = build({ balance: 'source' });
    const fleet = makeFleet(8);
    for (const ip of [0x7f000001, 0x7f000002, 0x0a0b0c0d, 0xc0a80164]) {
      expect(lb.route(makeSession({ ip }), fleet, 0)!.id).toBe(ip % 8);
    }
    // A server down: the map is rebuilt over the 7 usable ones, in configuration order.
    fleet.setUp(fleet.servers[2]!, false, 0);
    const usable = fleet.available.map((s) => s.id);
    for (const ip of [0x7f000001, 0x7f000009]) expect(lb.route(makeSession({ ip }), fleet, 0)!.id).toBe(usable[ip % 7]);
  });

  it('balance source, consistent (bare): the chash tree with avalanche; hdr with sdbm over the identifier text', () => {
    const fleet = makeFleet(8);
    const tree = new HaproxyChash();
    tree.build(fleet.available);
    const src = build({ balance: 'source', hashType: 'consistent' });
    const hdr = build({ balance: 'hdr', hashType: 'consistent', hashFunction: 'sdbm' });
    for (let i = 0; i < 200; i++) {
      const ip = (0x0a000000 + i * 7919) >>> 0;
      expect(src.route(makeSession({ ip }), fleet, 0)).toBe(tree.pick(sourceKeyV4(ip, true)));
      const s = makeSession({ clientId: 1000 + i });
      expect(hdr.route(s, fleet, 0)).toBe(tree.pick(stringKey(String(1000 + i), { fn: 'sdbm', avalanche: false })));
    }
    const map = new HaproxyMapHash();
    map.build(fleet.available);
    const hdrMap = build({ balance: 'hdr', hashFunction: 'djb2' });
    expect(hdrMap.route(makeSession({ clientId: 77 }), fleet, 0)).toBe(map.pick(stringKey('77', { fn: 'djb2', avalanche: false })));
  });

  it('without the header, hdr balancing falls back to round robin', () => {
    const lb = build({ balance: 'hdr' });
    const fleet = makeFleet(3);
    const ids = [0, 1, 2, 3].map(() => lb.route(makeSession({ sendsHeader: false }), fleet, 0)!.id);
    expect(new Set(ids).size).toBe(3);
    expect(lb.lastVia).toBe('fallback');
  });

  it('maps option persist to what a DOWN server does to a cookie client; cookie-less clients use the backend balance', () => {
    const policy = (o: Record<string, unknown>) => build({ cookie: {}, ...o }).policy;
    expect(policy({}).onDown).toBe('redispatch'); // HAProxy's default once the check marks the server DOWN
    expect(policy({ persist: true }).onDown).toBe('insist'); // sent to the DOWN server; the connection retries decide
    expect(policy({ persist: true, redispatch: true }).onDown).toBe('insist');
    expect([policy({}).retryDelay, policy({ timeoutConnect: '300ms' }).retryDelay, policy({ timeoutConnect: 0 }).retryDelay]).toEqual([1, 0.3, 1]);
    expect(build({ cookie: {} }).balancer.name).toBe('round-robin'); // cookie-less clients: the backend's balance
  });

  it('is named as a system in scenario files, rejects options HAProxy does not have, and checks combinations', async () => {
    const ok = loadScenario(scenario('  - { system: haproxy, balance: source, hashType: consistent, label: hap-src }\n  - { system: haproxy, cookie: { nocache: true } }\n'));
    expect(ok.strategies.map((s) => [s.label, s.name])).toEqual([['hap-src', 'haproxy'], ['haproxy', 'haproxy']]);
    expect(() => loadScenario(scenario('  - { system: haproxy, balance: sticky }\n'))).toThrow(/strategies\[0\]\.balance: .*"sticky"/);
    expect(() => loadScenario(scenario('  - { system: haproxy, vnodes: 160 }\n'))).toThrow(/strategies\[0\]\.vnodes: unknown field/);
    expect(() => loadScenario(scenario('  - { system: haproxy, balance: source, hashBalanceFactor: 150 }\n'))).toThrow(/hashBalanceFactor applies with hashType: consistent only/);
    expect(() => loadScenario(scenario('  - { system: haproxy, balance: source, cookie: {} }\n'))).toThrow(/not modelled yet/);
    let err = '';
    const code = await main(['run', scenario('  - { system: haproxy, balance: source, hashType: consistent, hashBalanceFactor: 125 }\n  - { system: haproxy, balance: random, label: rnd }\n'), '--out', join(mkdtempSync(join(tmpdir(), 'stickysim-hap-out-')), 'o'), '--quiet'], { out: () => {}, err: (t) => void (err += t) });
    expect([code, err]).toEqual([0, '']);
  });
});
