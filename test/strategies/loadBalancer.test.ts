import { describe, expect, it } from 'vitest';
import { CookieAffinity } from '../../src/affinity/cookie.js';
import { HashedAffinity } from '../../src/affinity/hashed.js';
import { clientHeader, clientIp } from '../../src/affinity/keys.js';
import { ModuloHash } from '../../src/balancers/hashing/modulo.js';
import { RingHash } from '../../src/balancers/hashing/ring.js';
import { RoundRobin } from '../../src/balancers/roundRobin.js';
import { stream } from '../../src/engine/random.js';
import { fmix32 } from '../../src/model/hash.js';
import { LoadBalancer } from '../../src/strategies/loadBalancer.js';
import { findStrategy, STRATEGIES } from '../../src/strategies/registry.js';
import { makeFleet, makeSession } from '../helpers.js';

describe('cookie insert', () => {
  it('routes the first request by the balancer, sets the cookie on the response, then follows it', () => {
    const fleet = makeFleet(3);
    const lb = new LoadBalancer(new CookieAffinity(), new RoundRobin());
    const other = makeSession();
    lb.route(other, fleet); // round robin now points at s2
    const s = makeSession();
    const first = lb.route(s, fleet)!;
    expect([first.name, lb.lastVia]).toEqual(['s2', 'fallback']);
    lb.onResponse(s, first);
    expect(s.cookie).toBe(1);
    for (let i = 0; i < 5; i++) {
      expect(lb.route(s, fleet)!.name).toBe('s2');
      expect(lb.lastVia).toBe('cookie');
    }
  });

  it('clients that refuse cookies are balanced on every request', () => {
    const fleet = makeFleet(2);
    const lb = new LoadBalancer(new CookieAffinity(), new RoundRobin());
    const s = makeSession({ acceptsCookies: false });
    const seen = [];
    for (let i = 0; i < 4; i++) {
      const server = lb.route(s, fleet)!;
      lb.onResponse(s, server);
      seen.push(server.name);
    }
    expect(seen).toEqual(['s1', 's2', 's1', 's2']);
    expect(s.cookie).toBe(-1);
  });

  it('redispatches when the pinned server is down and rewrites the cookie', () => {
    const fleet = makeFleet(3);
    const lb = new LoadBalancer(new CookieAffinity(), new RoundRobin());
    const s = makeSession({ cookie: 0 });
    fleet.setUp(fleet.servers[0]!, false, 0);
    const server = lb.route(s, fleet)!;
    expect(lb.lastVia).toBe('redispatch');
    expect(server.name).not.toBe('s1');
    lb.onResponse(s, server);
    expect(s.cookie).toBe(server.id);
    fleet.setUp(fleet.servers[0]!, true, 0);
    expect(lb.route(s, fleet)).toBe(server); // the rewritten cookie stays with the new server
  });
});

describe('hashed affinity', () => {
  it('ip-hash is hash(ip) mod up servers and remaps when the fleet changes', () => {
    const fleet = makeFleet(4);
    const lb = new LoadBalancer(new HashedAffinity(clientIp, new ModuloHash()), new RoundRobin());
    const s = makeSession({ ip: 0x0a000001 });
    const expected = fmix32(0x0a000001) % 4;
    expect(lb.route(s, fleet)!.id).toBe(expected);
    expect(lb.lastVia).toBe('hash');
    fleet.setUp(fleet.servers[expected === 0 ? 3 : 0]!, false, 0);
    const up = fleet.up;
    expect(lb.route(s, fleet)).toBe(up[fmix32(0x0a000001) % 3]);
  });

  it('is the same server for the same key every time, and spreads different keys', () => {
    const fleet = makeFleet(4);
    const lb = new LoadBalancer(new HashedAffinity(clientIp, new RingHash(160)), new RoundRobin());
    const seen = new Set<string>();
    for (let i = 1; i <= 200; i++) {
      const s = makeSession({ ip: i });
      const a = lb.route(s, fleet)!;
      expect(lb.route(s, fleet)).toBe(a);
      seen.add(a.name);
    }
    expect(seen.size).toBe(4);
  });

  it('header-ring routes by the header from the first request; without it, the fallback', () => {
    const fleet = makeFleet(3);
    const lb = new LoadBalancer(new HashedAffinity(clientHeader, new RingHash(160)), new RoundRobin());
    const a = makeSession({ clientId: 77 });
    const b = makeSession({ clientId: 77, ip: 12345 });
    expect(lb.route(a, fleet)).toBe(lb.route(b, fleet)); // same id, same server, whatever the IP
    const none = makeSession({ sendsHeader: false });
    lb.route(none, fleet);
    expect(lb.lastVia).toBe('fallback');
  });

  it('no server up: undefined', () => {
    const fleet = makeFleet(1);
    fleet.setUp(fleet.servers[0]!, false, 0);
    const lb = new LoadBalancer(new HashedAffinity(clientIp, new RingHash(8)), new RoundRobin());
    expect(lb.route(makeSession(), fleet)).toBeUndefined();
  });
});

describe('strategy registry', () => {
  it('has every strategy of the core, each building a balancer with default options', () => {
    expect(STRATEGIES.map((s) => s.name)).toEqual([
      'round-robin', 'random', 'least-conn', 'p2c', 'cookie', 'ip-hash', 'ip-ring', 'header-ring', 'shared-store',
    ]);
    for (const def of STRATEGIES) {
      const inst = def.build(def.options.parse({}), { routing: stream(1, 'routing') });
      expect(inst.lb.route(makeSession(), makeFleet(2))).toBeDefined();
    }
  });

  it('validates options strictly and fills defaults', () => {
    const cookie = findStrategy('cookie')!;
    expect(cookie.options.parse({})).toEqual({ fallback: 'least-conn' });
    expect(() => cookie.options.parse({ fallbak: 'p2c' })).toThrow();
    expect(findStrategy('ip-ring')!.options.parse({})).toEqual({ vnodes: 160, fallback: 'round-robin' });
    expect(findStrategy('shared-store')!.options.parse({ latency: '2ms' })).toEqual({ balancer: 'round-robin', latency: 0.002 });
  });
});
