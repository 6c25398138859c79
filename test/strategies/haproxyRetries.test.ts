/**
 * HAProxy 2.6's connection retries through the haproxy preset (backend.c
 * back_handle_st_cer, stream.h stream_choose_redispatch): which server a
 * request refused by its server ends on, and after how many turn-arounds.
 * The counts are worked by hand from the source (see haproxyRetries.ts);
 * the 3-turn 503 and the 2-turn redispatch of a cookie client were measured
 * on HAProxy 2.6.12 (3.0 s and 2.0 s with `timeout connect 2s`).
 */
import { describe, expect, it } from 'vitest';
import { stream } from '../../src/engine/random.js';
import type { Fleet } from '../../src/model/fleet.js';
import { findStrategy } from '../../src/strategies/registry.js';
import type { LoadBalancer } from '../../src/strategies/loadBalancer.js';
import { makeFleet, makeSession } from '../helpers.js';

const CLIENTS = { cookieAcceptance: 1, cookieLoss: 0, headerProbability: 1, headerMissing: 0, paramProbability: 1, paramMissing: 0, routeKept: 1, routeLoss: 0 };
const haproxy = findStrategy('haproxy')!;
const build = (o: Record<string, unknown>) => haproxy.build(haproxy.options.parse(o), { routing: stream(1, 'routing'), clients: CLIENTS, placement: 1 }).lb;

/** A session holding the cookie of server `id`. */
const bound = (id: number) => makeSession({ cookie: id, cookieIssued: 0, cookieUsed: 0 });

/** Routes one request: [server name or null, turns, via], and delivers the response when it got a live server. */
function go(lb: LoadBalancer, fleet: Fleet, s = makeSession(), now = 1): [string | null, number, string] {
  const server = lb.route(s, fleet, now);
  if (server?.up) lb.onResponse(s, server, now);
  return [server === undefined ? null : server.up ? server.name : `${server.name}(refuses)`, lb.lastTurns, lb.lastVia];
}

/** s3 of `n` crashed, haproxy not told (no check yet): it is still believed up. */
function crashedUnseen(n = 3): Fleet {
  const fleet = makeFleet(n);
  fleet.setAlive(fleet.servers[2]!, false, 0, false);
  return fleet;
}

/** s3 of `n` crashed and marked DOWN by a check. */
function crashedDown(n = 3): Fleet {
  const fleet = makeFleet(n);
  fleet.setAlive(fleet.servers[2]!, false, 0, true);
  return fleet;
}

describe('HAProxy connection retries: a crash not yet detected', () => {
  it('a cookie client of the dead server: 503 after 3 turn-arounds without option redispatch (4 attempts)', () => {
    const lb = build({ cookie: {} });
    expect(go(lb, crashedUnseen(), bound(2))).toEqual(['s3(refuses)', 3, 'cookie']);
    expect(lb.lastDelay).toBe(3); // min(timeout connect 5 s, 1 s) each
    expect(build({ cookie: {}, timeoutConnect: '2s' }).policy.retryDelay).toBe(1);
  });

  it('with option redispatch: the third failure redispatches past the dead server, after 2 turns; the cookie is rewritten', () => {
    const lb = build({ cookie: {}, redispatch: true });
    const s = bound(2);
    const [server, turns, via] = go(lb, crashedUnseen(), s);
    expect([turns, via]).toEqual([2, 'redispatch']);
    expect(['s1', 's2']).toContain(server);
    expect(s.cookie).toBe(server === 's1' ? 0 : 1);
  });

  it('a client without a cookie under roundrobin: redispatched at once with option redispatch, else 3 turns and a 503', () => {
    // Round robin's turn falls on s3 for the third request of a fresh balancer.
    const rr = build({ cookie: {}, redispatch: true });
    const fleet = crashedUnseen();
    const noCookie = () => makeSession({ acceptsCookies: false });
    expect([go(rr, fleet, noCookie()), go(rr, fleet, noCookie()), go(rr, fleet, noCookie())]).toEqual([
      ['s1', 0, 'fallback'], ['s2', 0, 'fallback'], ['s1', 0, 'redispatch'],
    ]);
    const plain = build({ cookie: {} });
    expect([go(plain, fleet, noCookie()), go(plain, fleet, noCookie()), go(plain, fleet, noCookie())]).toEqual([
      ['s1', 0, 'fallback'], ['s2', 0, 'fallback'], ['s3(refuses)', 3, 'fallback'],
    ]);
  });

  it('leastconn waits the same 2 turns for a cookie client and none after the redispatch (406efb9)', () => {
    expect(go(build({ cookie: {}, balance: 'leastconn', redispatch: true }), crashedUnseen(), bound(2)).slice(1)).toEqual([2, 'redispatch']);
  });

  it('retries 0 fails at once; retries 1 with option redispatch redispatches at the first failure (1 % 1 = 0)', () => {
    expect(go(build({ cookie: {}, retries: 0, redispatch: true }), crashedUnseen(), bound(2))).toEqual(['s3(refuses)', 0, 'cookie']);
    expect(go(build({ cookie: {}, retries: 1, redispatch: true }), crashedUnseen(), bound(2)).slice(1)).toEqual([0, 'redispatch']);
    expect(go(build({ cookie: {}, retries: 5 }), crashedUnseen(), bound(2)).slice(1)).toEqual([5, 'cookie']);
  });

  it('balance source, map-based: the redispatch cannot pass the dead server (map_get_server_hash has no avoid): 503 after 2 turns', () => {
    const fleet = crashedUnseen(3);
    // A client whose address maps to s3: 127.0.0.7, as 0x7f000007 mod 3 = 2 (the map is s1, s2, s3).
    expect(0x7f000007 % 3).toBe(2);
    expect(go(build({ balance: 'source' }), fleet, makeSession({ ip: 0x7f000007 }))).toEqual(['s3(refuses)', 3, 'hash']);
    expect(go(build({ balance: 'source', redispatch: true }), fleet, makeSession({ ip: 0x7f000007 }))).toEqual(['s3(refuses)', 2, 'hash']);
  });

  it('balance source, consistent: the redispatch walks the tree past the dead server (chash_get_server_hash with avoid), after 2 turns', () => {
    const fleet = crashedUnseen(3);
    const lb = build({ balance: 'source', hashType: 'consistent', redispatch: true });
    // The first address whose own server is the dead s3 (the preset without the crash says so).
    const healthy = makeFleet(3);
    const plain = build({ balance: 'source', hashType: 'consistent' });
    let ip = 0x7f000001;
    while (plain.route(makeSession({ ip }), healthy, 1)?.name !== 's3') ip++;
    const [server, turns, via] = go(lb, fleet, makeSession({ ip }));
    expect([turns, via]).toEqual([2, 'redispatch']);
    expect(['s1', 's2']).toContain(server);
  });
});

describe('HAProxy connection retries: the server marked DOWN', () => {
  it('default: the cookie is ignored and the client balanced (and re-cookied) at once', () => {
    const s = bound(2);
    const [server, turns, via] = go(build({ cookie: {} }), crashedDown(), s);
    expect([turns, via, s.cookie]).toEqual([0, 'redispatch', server === 's1' ? 0 : 1]);
  });

  it('option persist: sent to the DOWN server anyway; 503 after 3 turns without option redispatch, the cookie kept', () => {
    const s = bound(2);
    expect(go(build({ cookie: {}, persist: true }), crashedDown(), s)).toEqual(['s3(refuses)', 3, 'insist']);
    expect(s.cookie).toBe(2);
  });

  it('option persist + option redispatch: the first refusal redispatches (the server is not RUNNING), no turn', () => {
    const [server, turns, via] = go(build({ cookie: {}, persist: true, redispatch: true }), crashedDown(), bound(2));
    expect([turns, via]).toEqual([0, 'redispatch']);
    expect(['s1', 's2']).toContain(server);
    // With a single server left active, the redispatch waits its turn (srv_act ≤ 1).
    const two = makeFleet(2);
    two.setAlive(two.servers[1]!, false, 0, true);
    expect(go(build({ cookie: {}, persist: true, redispatch: true }), two, bound(1))).toEqual(['s1', 1, 'redispatch']);
  });

  it('option persist serves a DOWN server that is alive again (a check has not seen it rise yet)', () => {
    const fleet = makeFleet(3);
    fleet.setAlive(fleet.servers[2]!, false, 0, true);
    fleet.setAlive(fleet.servers[2]!, true, 1, false);
    expect(go(build({ cookie: {}, persist: true }), fleet, bound(2))).toEqual(['s3', 0, 'insist']);
  });
});
