/** The layer-4 connection table: which requests follow an open connection, and when it closes. */
import { describe, expect, it } from 'vitest';
import { ConnectionAffinity } from '../../src/affinity/connection.js';
import { RoundRobin } from '../../src/balancers/roundRobin.js';
import { LoadBalancer } from '../../src/strategies/loadBalancer.js';
import { makeFleet, makeSession } from '../helpers.js';

const KEEPALIVE = { reuse: 'keepalive' as const, idleTimeout: 75, maxRequests: 3 };

describe('ConnectionAffinity (layer 4)', () => {
  it('keeps a client on its connection\'s server until idle past the timeout or out of requests', () => {
    const fleet = makeFleet(3);
    const lb = new LoadBalancer(new ConnectionAffinity(KEEPALIVE, Infinity), new RoundRobin());
    const a = makeSession();
    const b = makeSession();
    const at = (s: typeof a, t: number) => `${lb.route(s, fleet, t)!.name}/${lb.lastVia}`;
    expect([at(a, 0), at(b, 0), at(a, 10), at(a, 20)]).toEqual(['s1/fallback', 's2/fallback', 's1/connection', 's1/connection']);
    // Three requests: the connection closes; the next opens a new one (round robin's turn: s3).
    expect(at(a, 30)).toBe('s3/fallback');
    // Idle for more than 75 s: closed.
    expect([at(b, 74), at(b, 150)]).toEqual(['s2/connection', 's1/fallback']);
    expect(lb.memory(150).entries).toBe(2);
    expect(lb.memory(150).bytes).toBe(2 * ConnectionAffinity.CONNECTION_BYTES);
  });

  it('closes on the server\'s death, at the maximum age, at session end and at a reload; a per-request client never keeps one', () => {
    const fleet = makeFleet(2);
    const aff = new ConnectionAffinity({ reuse: 'session', idleTimeout: Infinity, maxRequests: Infinity }, 60);
    const lb = new LoadBalancer(aff, new RoundRobin());
    const s = makeSession();
    expect(lb.route(s, fleet, 0)!.name).toBe('s1');
    fleet.setAlive(fleet.servers[0]!, false, 1, false); // a crash not yet noticed: the connection is reset all the same
    expect(lb.route(s, fleet, 2)!.name).toBe('s2');
    expect([lb.route(s, fleet, 61)!.name, lb.lastVia]).toEqual(['s2', 'connection']);
    expect(lb.lastVia).toBe('connection');
    lb.route(s, fleet, 62.5); // opened at 2: 60.5 s old, closed
    expect(lb.lastVia).toBe('fallback');
    lb.sessionEnded(s);
    expect(lb.memory(70).entries).toBe(0);
    lb.route(s, fleet, 70);
    lb.reload(71);
    expect(lb.memory(71).entries).toBe(0);
    const perRequest = new LoadBalancer(new ConnectionAffinity({ reuse: 'request', idleTimeout: 0, maxRequests: 1 }, Infinity), new RoundRobin());
    expect([0, 1, 2].map((t) => perRequest.route(s, makeFleet(2), t)!.name)).toEqual(['s1', 's2', 's1']);
  });

  it('a draining server keeps its established connections, even under a policy that moves bound requests off it', () => {
    const fleet = makeFleet(2);
    const lb = new LoadBalancer(new ConnectionAffinity({ reuse: 'session', idleTimeout: Infinity, maxRequests: Infinity }, Infinity), new RoundRobin(), {
      onDown: 'redispatch', retries: 0, retryDelay: 0, onRecover: 'stay', onDrain: 'move',
    });
    const s = makeSession();
    expect(lb.route(s, fleet, 0)!.name).toBe('s1');
    fleet.setDraining(fleet.servers[0]!, true);
    expect(lb.route(s, fleet, 1)!.name).toBe('s1');
    expect(lb.route(makeSession(), fleet, 1)!.name).toBe('s2');
  });
});
