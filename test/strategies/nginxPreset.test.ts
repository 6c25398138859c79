/**
 * `{ system: nginx, … }`: nginx's directives and defaults, wired to its own
 * peer selection (per-client agreement with a live nginx: test/calibration/).
 * Here: the options, and what the simulator asks of the upstream — a crash
 * moves only the dead server's clients, a reload (add/remove) rebuilds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ipv4String, NginxConsistentHash, NginxHash, NginxIpHash } from '../../src/balancers/hashing/nginx/index.js';
import { stream } from '../../src/engine/random.js';
import type { Fleet } from '../../src/model/fleet.js';
import { loadScenario } from '../../src/scenario/load.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { makeFleet, makeSession } from '../helpers.js';

const CLIENTS = { cookieAcceptance: 1, cookieLoss: 0, headerProbability: 1, headerMissing: 0, paramProbability: 1, paramMissing: 0, routeKept: 1, routeLoss: 0 };
const nginx = findStrategy('nginx')!;
const build = (o: Record<string, unknown>) => nginx.build(nginx.options.parse(o), { routing: stream(1, 'routing'), clients: CLIENTS, placement: 1 }).lb;
const IPS = Array.from({ length: 600 }, (_, i) => (0x0a000000 + ((i * 40503) << 8) + (i & 255)) >>> 0);
const ids = (lb: ReturnType<typeof build>, fleet: Fleet, now: number) => IPS.map((ip) => lb.route(makeSession({ ip, clientId: ip % 100_000 }), fleet, now)?.id);

describe('the nginx preset', () => {
  it('ip_hash, hash $remote_addr and hash $http_x_client_id consistent route as nginx\'s own code', () => {
    const fleet = makeFleet(8);
    const ipHash = new NginxIpHash(fleet.servers);
    const hash = new NginxHash(fleet.servers);
    const chash = new NginxConsistentHash(fleet.servers, { address: (s) => `10.0.0.${s.id + 1}:80` });
    expect(ids(build({ ipHash: true }), fleet, 0)).toEqual(IPS.map((ip) => ipHash.pick(ip, 0)!.id));
    expect(ids(build({ hash: '$remote_addr' }), fleet, 0)).toEqual(IPS.map((ip) => hash.pick(ipv4String(ip), 0)!.id));
    expect(ids(build({ hash: '$http_x_client_id', consistent: true }), fleet, 0)).toEqual(IPS.map((ip) => chash.pick(String(ip % 100_000), 0)!.id));
  });

  it('a crash moves only the dead server\'s clients (re-hash over the configured list); they come back after fail_timeout', () => {
    for (const o of [{ ipHash: true }, { hash: '$remote_addr' }, { hash: '$remote_addr', consistent: true }]) {
      const fleet = makeFleet(8);
      const lb = build(o);
      const before = ids(lb, fleet, 100);
      fleet.setAlive(fleet.servers[2]!, false, 101, false); // crashed; nginx has no active check
      const during = ids(lb, fleet, 102);
      const moved = before.map((b, i) => b !== during[i]);
      expect(moved.some(Boolean)).toBe(true);
      moved.forEach((m, i) => expect(m).toBe(before[i] === 2)); // exactly the dead server's clients
      expect(during).not.toContain(2);
      fleet.setAlive(fleet.servers[2]!, true, 103, false);
      expect(ids(lb, fleet, 104)).toEqual(during); // still marked failed inside fail_timeout (10 s)
      expect(ids(lb, fleet, 120)).toEqual(before); // the probe after fail_timeout succeeds: they return
    }
  });

  it('adding a server is a reload: ip_hash remaps over 9 (most clients move), consistent hashing moves ~1/9', () => {
    const share = (o: Record<string, unknown>) => {
      const fleet = makeFleet(8);
      const lb = build(o);
      const before = ids(lb, fleet, 0);
      fleet.add(1);
      const after = ids(lb, fleet, 1);
      return before.filter((b, i) => b !== after[i]).length / IPS.length;
    };
    expect(share({ ipHash: true })).toBeGreaterThan(0.7);
    expect(share({ hash: '$remote_addr', consistent: true })).toBeLessThan(0.2);
  });

  it('addresses: a {n} template or the list of each server\'s "host:port", which hash consistent hashes', () => {
    const fleet = makeFleet(8);
    const list = Array.from({ length: 9 }, (_, i) => `127.0.0.1:${20000 + 7 * i * i}`); // not of the form base + n
    const chash = new NginxConsistentHash(fleet.servers, { address: (s) => list[s.id]! });
    const viaList = ids(build({ hash: '$http_x_client_id', consistent: true, addresses: list }), fleet, 0);
    expect(viaList).toEqual(IPS.map((ip) => chash.pick(String(ip % 100_000), 0)!.id));
    expect(viaList).not.toEqual(ids(build({ hash: '$http_x_client_id', consistent: true }), fleet, 0));
    // The template spelled out as a list routes as the template.
    const spelled = Array.from({ length: 8 }, (_, i) => `10.0.0.${i + 1}:80`);
    expect(ids(build({ hash: '$remote_addr', consistent: true, addresses: spelled }), fleet, 0)).toEqual(ids(build({ hash: '$remote_addr', consistent: true }), fleet, 0));
    // s9 joins (a reload): its address is the list's ninth; a list too short names the server it lacks.
    const lb = build({ hash: '$http_x_client_id', consistent: true, addresses: list });
    fleet.add(1);
    const nine = new NginxConsistentHash(fleet.servers, { address: (s) => list[s.id]! });
    expect(ids(lb, fleet, 1)).toEqual(IPS.map((ip) => nine.pick(String(ip % 100_000), 1)!.id));
    const short = build({ hash: '$http_x_client_id', consistent: true, addresses: spelled });
    expect(() => ids(short, fleet, 1)).toThrow(/addresses lists 8 servers, none for s9/);
    expect(nginx.options.safeParse({ addresses: ['127.0.0.1 :80'] }).error?.issues[0]?.message).toMatch(/expected "host:port"/);
    expect(nginx.options.safeParse({ addresses: [] }).success).toBe(false);
    expect(nginx.options.safeParse({ addresses: '10.0.0.1:80' }).error?.issues[0]?.message).toMatch(/template with \{n\}/);
  });

  it('rejects two methods at once, consistent without hash, and options nginx does not have', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stickysim-ngx-'));
    const file = (strategies: string) => {
      const f = join(dir, `${Math.random()}.yaml`);
      writeFileSync(f, `duration: 5m\nworkload:\n  arrivals: { rate: 2 }\nfleet: { servers: 4 }\nstrategies:\n${strategies}`);
      return f;
    };
    expect(loadScenario(file('  - { system: nginx, ipHash: true }\n')).strategies[0]!.name).toBe('nginx');
    expect(() => loadScenario(file('  - { system: nginx, ipHash: true, hash: $remote_addr }\n'))).toThrow(/ipHash and hash are different balancing methods/);
    expect(() => loadScenario(file('  - { system: nginx, consistent: true }\n'))).toThrow(/consistent applies to hash/);
    expect(() => loadScenario(file('  - { system: nginx, sticky: cookie }\n'))).toThrow(/strategies\[0\]\.sticky: unknown field/);
  });
});
