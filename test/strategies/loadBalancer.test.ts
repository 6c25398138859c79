import { describe, expect, it } from 'vitest';
import { CookieAffinity, type CookieOptions } from '../../src/affinity/cookie.js';
import { HashedAffinity } from '../../src/affinity/hashed.js';
import { clientHeader, clientIp, clientIp24, clientParam } from '../../src/affinity/keys.js';
import { RouteAffinity } from '../../src/affinity/route.js';
import { TableAffinity } from '../../src/affinity/table.js';
import { ModuloHash } from '../../src/balancers/hashing/modulo.js';
import { RingHash } from '../../src/balancers/hashing/ring.js';
import { RoundRobin } from '../../src/balancers/roundRobin.js';
import { stream } from '../../src/engine/random.js';
import { HASH_FUNCTIONS } from '../../src/balancers/hashing/index.js';
import { LoadBalancer, type DownPolicy } from '../../src/strategies/loadBalancer.js';
import { findStrategy, STRATEGIES } from '../../src/strategies/registry.js';
import { makeFleet, makeSession } from '../helpers.js';

const COOKIE: CookieOptions = { maxIdle: Infinity, maxLife: Infinity, nocache: false, sharedCache: false };
const CLIENTS = { cookieAcceptance: 1, cookieLoss: 0, headerProbability: 1, headerMissing: 0, paramProbability: 1, paramMissing: 0, routeKept: 1, routeLoss: 0 };

/** Routes a request and, when it got a server, delivers the response at the same time. */
function roundTrip(lb: LoadBalancer, s: ReturnType<typeof makeSession>, fleet: ReturnType<typeof makeFleet>, now = 0) {
  const server = lb.route(s, fleet, now);
  if (server) lb.onResponse(s, server, now);
  return server;
}

describe('cookie insert', () => {
  it('routes the first request by the balancer, sets the cookie on the response, then follows it', () => {
    const fleet = makeFleet(3);
    const lb = new LoadBalancer(new CookieAffinity(COOKIE), new RoundRobin());
    lb.route(makeSession(), fleet, 0); // round robin now points at s2
    const s = makeSession();
    const first = lb.route(s, fleet, 0)!;
    expect([first.name, lb.lastVia]).toEqual(['s2', 'fallback']);
    lb.onResponse(s, first, 0);
    expect(s.cookie).toBe(1);
    for (let i = 0; i < 5; i++) {
      expect(roundTrip(lb, s, fleet)!.name).toBe('s2');
      expect(lb.lastVia).toBe('cookie');
    }
  });

  it('clients that refuse cookies are balanced on every request', () => {
    const fleet = makeFleet(2);
    const lb = new LoadBalancer(new CookieAffinity(COOKIE), new RoundRobin());
    const s = makeSession({ acceptsCookies: false });
    const seen = [0, 1, 2, 3].map(() => roundTrip(lb, s, fleet)!.name);
    expect(seen).toEqual(['s1', 's2', 's1', 's2']);
    expect(s.cookie).toBe(-1);
  });

  it('a request that loses its cookie is balanced and re-issued one', () => {
    const fleet = makeFleet(2);
    const lb = new LoadBalancer(new CookieAffinity(COOKIE), new RoundRobin());
    const s = makeSession();
    expect(roundTrip(lb, s, fleet)!.name).toBe('s1');
    s.hasCookie = false;
    expect(roundTrip(lb, s, fleet)!.name).toBe('s2');
    expect(lb.lastVia).toBe('fallback');
    s.hasCookie = true;
    expect(roundTrip(lb, s, fleet)!.name).toBe('s2');
  });

  it('max-idle and max-life expire the cookie; each use refreshes max-idle', () => {
    const fleet = makeFleet(2);
    const lb = new LoadBalancer(new CookieAffinity({ ...COOKIE, maxIdle: 10, maxLife: 25 }), new RoundRobin());
    const s = makeSession();
    roundTrip(lb, s, fleet, 0); // s1, issued at 0
    expect(roundTrip(lb, s, fleet, 9)!.name).toBe('s1');
    expect(roundTrip(lb, s, fleet, 18)!.name).toBe('s1'); // idle 9 ≤ 10 since the last use
    expect(lb.lastVia).toBe('cookie');
    expect(roundTrip(lb, s, fleet, 26)!.name).toBe('s2'); // past max-life 25: re-balanced
    expect(lb.lastVia).toBe('fallback');
    expect(roundTrip(lb, s, fleet, 37)!.name).toBe('s1'); // idle 11 > 10
  });

  it('a shared proxy cache hands one Set-Cookie to every user behind it, unless nocache', () => {
    const fleet = makeFleet(3);
    for (const [nocache, expected] of [[false, ['s1', 's1', 's1']], [true, ['s1', 's2', 's3']]] as const) {
      const lb = new LoadBalancer(new CookieAffinity({ ...COOKIE, sharedCache: true, nocache }), new RoundRobin());
      const users = [0, 1, 2].map(() => makeSession({ natGroup: 4 }));
      for (const u of users) roundTrip(lb, u, fleet);
      expect(users.map((u) => fleet.servers[u.cookie]!.name)).toEqual(expected);
    }
  });
});

describe('pinned server unavailable', () => {
  const policy = (p: Partial<DownPolicy>): DownPolicy => ({ onDown: 'redispatch', retries: 3, retryDelay: 1, onRecover: 'stay', ...p });

  it('redispatch + stay: a new server, the cookie rewritten, and it stays after recovery', () => {
    const fleet = makeFleet(3);
    const lb = new LoadBalancer(new CookieAffinity(COOKIE), new RoundRobin(), policy({}));
    const s = makeSession({ cookie: 0 });
    fleet.setUp(fleet.servers[0]!, false, 0);
    const server = roundTrip(lb, s, fleet)!;
    expect(lb.lastVia).toBe('redispatch');
    expect(server.name).not.toBe('s1');
    expect(s.cookie).toBe(server.id);
    fleet.setUp(fleet.servers[0]!, true, 0);
    expect(roundTrip(lb, s, fleet)).toBe(server);
  });

  it('redispatch + return: served elsewhere meanwhile, back to its server when it recovers', () => {
    const fleet = makeFleet(3);
    const lb = new LoadBalancer(new CookieAffinity(COOKIE), new RoundRobin(), policy({ onRecover: 'return' }));
    const s = makeSession({ cookie: 0 });
    fleet.setUp(fleet.servers[0]!, false, 0);
    expect(roundTrip(lb, s, fleet)!.name).not.toBe('s1');
    expect(s.cookie).toBe(0);
    fleet.setUp(fleet.servers[0]!, true, 0);
    expect(roundTrip(lb, s, fleet)!.name).toBe('s1');
  });

  it('persist: retries the dead server first (delay), then redispatches', () => {
    const fleet = makeFleet(2);
    const lb = new LoadBalancer(new CookieAffinity(COOKIE), new RoundRobin(), policy({ onDown: 'persist', retries: 2, retryDelay: 0.5 }));
    const s = makeSession({ cookie: 1 });
    fleet.setUp(fleet.servers[1]!, false, 0);
    expect(roundTrip(lb, s, fleet)!.name).toBe('s1');
    expect([lb.lastVia, lb.lastDelay]).toEqual(['persist', 1]);
  });

  it('strict: the request fails and the binding is kept', () => {
    const fleet = makeFleet(2);
    const lb = new LoadBalancer(new CookieAffinity(COOKIE), new RoundRobin(), policy({ onDown: 'strict' }));
    const s = makeSession({ cookie: 1 });
    fleet.setUp(fleet.servers[1]!, false, 0);
    expect(lb.route(s, fleet, 0)).toBeUndefined();
    expect(lb.lastVia).toBe('strict');
    expect(s.cookie).toBe(1);
  });

  it('a draining server still takes requests bound to it, but no new ones', () => {
    const fleet = makeFleet(2);
    const lb = new LoadBalancer(new CookieAffinity(COOKIE), new RoundRobin());
    const bound = makeSession({ cookie: 0 });
    fleet.setDraining(fleet.servers[0]!, true);
    expect(roundTrip(lb, bound, fleet)!.name).toBe('s1');
    for (let i = 0; i < 3; i++) expect(roundTrip(lb, makeSession(), fleet)!.name).toBe('s2');
  });

  it('onDrain: move sends nothing new to a draining server, bound requests included (ALB deregistration), and rewrites the binding', () => {
    const fleet = makeFleet(2);
    const lb = new LoadBalancer(new CookieAffinity(COOKIE), new RoundRobin(), policy({ onDrain: 'move' }));
    const bound = makeSession({ cookie: 0 });
    fleet.setDraining(fleet.servers[0]!, true);
    expect(roundTrip(lb, bound, fleet)!.name).toBe('s2');
    expect(lb.lastVia).toBe('redispatch');
    expect(bound.cookie).toBe(1);
    fleet.setDraining(fleet.servers[0]!, false);
    expect(roundTrip(lb, bound, fleet)!.name).toBe('s2'); // stays where it was moved
  });
});

describe('route (jvmRoute)', () => {
  it('follows the route the server wrote; clients that strip it are balanced', () => {
    const fleet = makeFleet(2);
    const lb = new LoadBalancer(new RouteAffinity(), new RoundRobin());
    const s = makeSession({ acceptsCookies: false });
    expect([roundTrip(lb, s, fleet)!.name, roundTrip(lb, s, fleet)!.name, lb.lastVia]).toEqual(['s1', 's1', 'route']);
    const stripped = makeSession({ keepsRoute: false });
    expect([roundTrip(lb, stripped, fleet)!.name, roundTrip(lb, stripped, fleet)!.name]).toEqual(['s2', 's1']);
  });
});

describe('stick table', () => {
  const opts = { expire: 100, capacity: 2, entryBytes: 64 };

  it('learns at routing, matches the same key, expires since the last match', () => {
    const fleet = makeFleet(3);
    const table = new TableAffinity(clientIp, opts);
    const lb = new LoadBalancer(table, new RoundRobin());
    const a = makeSession({ ip: 10 });
    expect(roundTrip(lb, a, fleet, 0)!.name).toBe('s1');
    const sameIp = makeSession({ ip: 10 });
    expect([roundTrip(lb, sameIp, fleet, 50)!.name, lb.lastVia]).toEqual(['s1', 'table']);
    expect(roundTrip(lb, a, fleet, 149)!.name).toBe('s1'); // 99 since the last match
    expect([roundTrip(lb, a, fleet, 250)!.name, lb.lastVia]).toEqual(['s2', 'fallback']);
    expect(lb.memory(250)).toEqual({ entries: 1, bytes: 64 });
  });

  it('purges the least recently matched entry when full', () => {
    const fleet = makeFleet(3);
    const table = new TableAffinity(clientIp, opts);
    const lb = new LoadBalancer(table, new RoundRobin());
    const [x, y, z] = [1, 2, 3].map((ip) => makeSession({ ip }));
    roundTrip(lb, x!, fleet, 0);
    roundTrip(lb, y!, fleet, 1);
    roundTrip(lb, x!, fleet, 2); // x matched last: y is the oldest
    roundTrip(lb, z!, fleet, 3);
    expect(table.entries(3)).toBe(2);
    roundTrip(lb, y!, fleet, 4);
    expect(lb.lastVia).toBe('fallback');
  });
});

describe('hashed affinity', () => {
  it('ip-hash is hash(ip) mod available servers and remaps when the fleet changes', () => {
    const fleet = makeFleet(4);
    const lb = new LoadBalancer(new HashedAffinity(clientIp, new ModuloHash()), new RoundRobin());
    const s = makeSession({ ip: 0x0a000001 });
    const expected = HASH_FUNCTIONS.xxh64.int(0x0a000001) % 4;
    expect(lb.route(s, fleet, 0)!.id).toBe(expected);
    expect(lb.lastVia).toBe('hash');
    fleet.setUp(fleet.servers[expected === 0 ? 3 : 0]!, false, 0);
    expect(lb.route(s, fleet, 0)).toBe(fleet.available[HASH_FUNCTIONS.xxh64.int(0x0a000001) % 3]);
  });

  it('ip24 keys on the /24: neighbours share a server', () => {
    const fleet = makeFleet(8);
    const lb = new LoadBalancer(new HashedAffinity(clientIp24, new ModuloHash()), new RoundRobin());
    const servers = new Set([1, 2, 77, 254].map((host) => lb.route(makeSession({ ip: (0x0a0b0c00 | host) >>> 0 }), fleet, 0)!.name));
    expect(servers.size).toBe(1);
  });

  it('is the same server for the same key every time, and spreads different keys', () => {
    const fleet = makeFleet(4);
    const lb = new LoadBalancer(new HashedAffinity(clientIp, new RingHash(160)), new RoundRobin());
    const seen = new Set<string>();
    for (let i = 1; i <= 200; i++) {
      const s = makeSession({ ip: i });
      const a = lb.route(s, fleet, 0)!;
      expect(lb.route(s, fleet, 0)).toBe(a);
      seen.add(a.name);
    }
    expect(seen.size).toBe(4);
  });

  it('header and param route by the client id; without it, the fallback', () => {
    const fleet = makeFleet(3);
    for (const key of [clientHeader, clientParam]) {
      const lb = new LoadBalancer(new HashedAffinity(key, new RingHash(160)), new RoundRobin());
      const a = makeSession({ clientId: 77 });
      const b = makeSession({ clientId: 77, ip: 12345 });
      expect(lb.route(a, fleet, 0)).toBe(lb.route(b, fleet, 0));
      lb.route(makeSession({ hasHeader: false, hasParam: false }), fleet, 0);
      expect(lb.lastVia).toBe('fallback');
    }
  });

  it('no server available: undefined', () => {
    const fleet = makeFleet(1);
    fleet.setUp(fleet.servers[0]!, false, 0);
    const lb = new LoadBalancer(new HashedAffinity(clientIp, new RingHash(8)), new RoundRobin());
    expect(lb.route(makeSession(), fleet, 0)).toBeUndefined();
  });
});

describe('strategy registry', () => {
  it('has every strategy, each building a working load balancer with default options', () => {
    expect(STRATEGIES.map((s) => s.name)).toEqual(expect.arrayContaining([
      'round-robin', 'random', 'least-conn', 'p2c', 'cookie', 'route', 'ip-hash', 'ip24-hash', 'ip-ring', 'ip-maglev', 'ip-rendezvous',
      'ip-ring-bounded', 'header-ring', 'hash', 'ip-table', 'table', 'shared-store',
    ]));
    for (const def of STRATEGIES) {
      const inst = def.build(def.options.parse({}), { routing: stream(1, 'routing'), clients: CLIENTS, placement: 7 });
      expect(inst.lb.route(makeSession(), makeFleet(2), 0)).toBeDefined();
    }
  });

  it('validates options strictly and fills defaults', () => {
    const cookie = findStrategy('cookie')!;
    expect(cookie.options.parse({})).toEqual({
      fallback: 'round-robin', maxIdle: Infinity, maxLife: Infinity, nocache: false, onDown: 'redispatch', retries: 3, retryDelay: 1, onRecover: 'stay', onDrain: 'serve',
    });
    expect(cookie.options.parse({ maxIdle: '30m', maxLife: 'never' })).toMatchObject({ maxIdle: 1800, maxLife: Infinity });
    expect(() => cookie.options.parse({ fallbak: 'p2c' })).toThrow();
    expect(findStrategy('ip-ring')!.options.parse({})).toEqual({ key: 'ip', family: 'ring', hash: 'xxh64', fallback: 'round-robin' });
    expect(findStrategy('ip-ring-bounded')!.options.parse({})).toMatchObject({ family: 'ring', bound: 1.25 });
    const hash = findStrategy('hash')!;
    expect(hash.check!(hash.options.parse({ family: 'maglev', vnodes: 10 }))).toMatch(/vnodes.*ring/);
    expect(hash.check!(hash.options.parse({ family: 'rendezvous', bound: 1.5 }))).toMatch(/bound/);
    expect(hash.check!(hash.options.parse({ family: 'maglev', tableSize: 1000 }))).toMatch(/prime/);
    expect(hash.check!(hash.options.parse({ family: 'maglev', tableSize: 1009, bound: 1.1 }))).toBeUndefined();
    expect(findStrategy('ip-table')!.options.parse({})).toMatchObject({ key: 'ip', expire: 10800, capacity: Infinity });
    expect(findStrategy('shared-store')!.options.parse({ latency: '2ms' })).toEqual({ balancer: 'round-robin', latency: 0.002 });
  });
});
