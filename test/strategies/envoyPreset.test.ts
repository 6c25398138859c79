/**
 * `{ system: envoy, … }`: Envoy's option names and defaults wired to its
 * own algorithms (src/balancers/hashing/envoy/, checked against Envoy's unit
 * tests in test/balancers/envoy/). Here: the request hash the preset
 * computes, what a missing key does, the option checks, and a run.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvoyMaglevTable, EnvoyRingHash, normalizeHostWeights, xxHash64Text } from '../../src/balancers/hashing/envoy/index.js';
import { main } from '../../src/cli/main.js';
import { stream } from '../../src/engine/random.js';
import type { Fleet } from '../../src/model/fleet.js';
import { loadScenario } from '../../src/scenario/load.js';
import { envoyOptions } from '../../src/strategies/systems/envoy.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { makeFleet, makeSession } from '../helpers.js';

const CLIENTS = { cookieAcceptance: 1, cookieLoss: 0, headerProbability: 1, headerMissing: 0, paramProbability: 1, paramMissing: 0, routeKept: 1, routeLoss: 0 };
const envoy = findStrategy('envoy')!;
const build = (o: Record<string, unknown>, seed = 1) => envoy.build(envoy.options.parse(o), { routing: stream(seed, 'routing'), clients: CLIENTS, placement: 1 }).lb;
const IPS = Array.from({ length: 400 }, (_, i) => (0x0a000000 + ((i * 40503) << 8) + (i & 255)) >>> 0);
const dotted = (ip: number) => `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
const addresses = (fleet: Fleet) => fleet.available.map((s) => `10.0.0.${s.id + 1}:80`);

function scenario(strategies: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'stickysim-envoy-'));
  const file = join(dir, 's.yaml');
  writeFileSync(file, `duration: 5m\nworkload:\n  arrivals: { rate: 2 }\nfleet: { servers: 4 }\nstrategies:\n${strategies}`);
  return file;
}

describe('the envoy preset', () => {
  it('has Envoy\'s defaults: ROUND_ROBIN, panic threshold 50, hosts 10.0.0.{n}:80, version 1.36', () => {
    expect(envoyOptions.parse({})).toEqual({ version: '1.36', lbPolicy: 'ROUND_ROBIN', healthyPanicThreshold: 50, addresses: '10.0.0.{n}:80' });
  });

  it('RING_HASH with source_ip: xxHash64 of the dotted quad on the ring of "10.0.0.n:80_i" points (1024)', () => {
    const fleet = makeFleet(8);
    const nw = normalizeHostWeights(fleet.available.map(() => 1));
    const ring = new EnvoyRingHash(addresses(fleet), nw.weights, nw.min);
    const lb = build({ lbPolicy: 'RING_HASH', hashPolicy: 'sourceIp' });
    for (const ip of IPS) {
      const h = xxHash64Text(dotted(ip));
      expect(lb.route(makeSession({ ip }), fleet, 0)!.id).toBe(ring.chooseHost(h.hi, h.lo));
      expect(lb.lastVia).toBe('hash');
    }
  });

  it('MAGLEV with the X-Client-Id header: xxHash64 of the id in decimal, table[hash % 65537]', () => {
    const fleet = makeFleet(8);
    const nw = normalizeHostWeights(fleet.available.map(() => 1));
    const table = new EnvoyMaglevTable(addresses(fleet), nw.weights, nw.max);
    const lb = build({ lbPolicy: 'MAGLEV', hashPolicy: 'header' });
    for (const clientId of [0, 1, 7, 42, 99_999, 123_456_789]) {
      const h = xxHash64Text(String(clientId));
      expect(lb.route(makeSession({ clientId }), fleet, 0)!.id).toBe(table.chooseHost(h.hi, h.lo));
    }
  });

  it('a request without the header (or with no hash policy at all) gets a random hash: a random host, from the routing stream', () => {
    const fleet = makeFleet(8);
    const lb = build({ lbPolicy: 'RING_HASH', hashPolicy: 'header' });
    const ids = Array.from({ length: 200 }, () => lb.route(makeSession({ clientId: 5, hasHeader: false }), fleet, 0)!.id);
    expect(lb.lastVia).toBe('fallback');
    expect(new Set(ids).size).toBe(8);
    const again = build({ lbPolicy: 'RING_HASH', hashPolicy: 'header' });
    expect(Array.from({ length: 200 }, () => again.route(makeSession({ clientId: 5, hasHeader: false }), fleet, 0)!.id)).toEqual(ids); // seeded
    const none = build({ lbPolicy: 'MAGLEV' });
    const spread = new Set(Array.from({ length: 200 }, () => none.route(makeSession({ ip: 1 }), fleet, 0)!.id));
    expect(spread.size).toBe(8); // the same client everywhere: no hash policy, no stickiness
  });

  it('a crash rebuilds over the healthy hosts: a ring moves few clients, the dead server\'s and a few others', () => {
    const fleet = makeFleet(8);
    const lb = build({ lbPolicy: 'RING_HASH', hashPolicy: 'sourceIp' });
    const before = IPS.map((ip) => lb.route(makeSession({ ip }), fleet, 0)!.id);
    fleet.setUp(fleet.servers[2]!, false, 1);
    const after = IPS.map((ip) => lb.route(makeSession({ ip }), fleet, 1)!.id);
    expect(after).not.toContain(2);
    const moved = before.filter((b, i) => b !== after[i]).length / IPS.length;
    expect(moved).toBeGreaterThan(0.05);
    expect(moved).toBeLessThan(0.3);
  });

  it('hashBalanceFactor bounds a loaded host (Envoy\'s bounded loads)', () => {
    const fleet = makeFleet(4);
    const lb = build({ lbPolicy: 'MAGLEV', hashPolicy: 'sourceIp', hashBalanceFactor: 100 });
    const home = lb.route(makeSession({ ip: 77 }), fleet, 0)!;
    for (let i = 0; i < 4; i++) home.enqueue(makeSession());
    expect(lb.route(makeSession({ ip: 77 }), fleet, 0)!.id).not.toBe(home.id);
  });

  it('ROUND_ROBIN, RANDOM and LEAST_REQUEST use Envoy\'s own balancers', () => {
    expect(build({}).balancer.name).toBe('envoy-round-robin');
    expect(build({ lbPolicy: 'RANDOM' }).balancer.name).toBe('envoy-random');
    expect(build({ lbPolicy: 'LEAST_REQUEST', choiceCount: 3 }).balancer.name).toBe('envoy-least-request');
    expect(build({ lbPolicy: 'RING_HASH', hashPolicy: 'header' }).balancer.name).toBe('envoy-random-hash');
  });

  it('is named as a system in scenario files, rejects options Envoy does not have, and checks combinations', async () => {
    const ok = loadScenario(scenario('  - { system: envoy, lbPolicy: RING_HASH, hashPolicy: header, label: env-ring }\n  - { system: envoy }\n'));
    expect(ok.strategies.map((s) => [s.label, s.name])).toEqual([['env-ring', 'envoy'], ['envoy', 'envoy']]);
    const bad = (line: string) => () => loadScenario(scenario(`  - ${line}\n`));
    expect(bad('{ system: envoy, lbPolicy: STICKY }')).toThrow(/strategies\[0\]\.lbPolicy: .*"STICKY"/);
    expect(bad('{ system: envoy, vnodes: 160 }')).toThrow(/strategies\[0\]\.vnodes: unknown field/);
    expect(bad('{ system: envoy, hashPolicy: sourceIp }')).toThrow(/hashPolicy applies to lbPolicy RING_HASH or MAGLEV, not ROUND_ROBIN/);
    expect(bad('{ system: envoy, lbPolicy: MAGLEV, minimumRingSize: 64 }')).toThrow(/minimumRingSize apply to lbPolicy RING_HASH, not MAGLEV/);
    expect(bad('{ system: envoy, lbPolicy: RING_HASH, minimumRingSize: 20, maximumRingSize: 10 }')).toThrow(/ring hash: minimum_ring_size \(20\) > maximum_ring_size \(10\)/);
    expect(bad('{ system: envoy, lbPolicy: MAGLEV, tableSize: 65536 }')).toThrow(/The table size of maglev must be prime number/);
    expect(bad('{ system: envoy, lbPolicy: RING_HASH, hashBalanceFactor: 99 }')).toThrow(/hashBalanceFactor/);
    expect(bad('{ system: envoy, lbPolicy: RANDOM, hashBalanceFactor: 150 }')).toThrow(/hashBalanceFactor applies to lbPolicy RING_HASH or MAGLEV, not RANDOM/);
    expect(bad('{ system: envoy, choiceCount: 3 }')).toThrow(/choiceCount applies to lbPolicy LEAST_REQUEST/);
  });

  it('runs from a scenario: { system: envoy, lbPolicy: RING_HASH } and friends', async () => {
    let err = '';
    const file = scenario(
      '  - { system: envoy, lbPolicy: RING_HASH }\n  - { system: envoy, lbPolicy: RING_HASH, hashPolicy: sourceIp, hashBalanceFactor: 150, label: env-ring-bounded }\n' +
        '  - { system: envoy, lbPolicy: MAGLEV, hashPolicy: header, label: env-maglev }\n  - { system: envoy, lbPolicy: LEAST_REQUEST, label: env-lr }\n',
    );
    const code = await main(['run', file, '--out', join(mkdtempSync(join(tmpdir(), 'stickysim-envoy-out-')), 'o'), '--quiet'], { out: () => {}, err: (t) => void (err += t) });
    expect([code, err]).toEqual([0, '']);
  });
});
