/** The `reload` timeline event and rolling deploys with new identities, part by part. */
import { describe, expect, it } from 'vitest';
import { CookieAffinity } from '../../src/affinity/cookie.js';
import { clientIp } from '../../src/affinity/keys.js';
import { TableAffinity } from '../../src/affinity/table.js';
import { LeastConn } from '../../src/balancers/leastConn.js';
import { RoundRobin } from '../../src/balancers/roundRobin.js';
import { stream } from '../../src/engine/random.js';
import { loadScenario, selectStrategies } from '../../src/scenario/load.js';
import { runOnce } from '../../src/simulation/experiment.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { LoadBalancer } from '../../src/strategies/loadBalancer.js';
import { makeFleet, makeSession } from '../helpers.js';

const CLIENTS = { cookieAcceptance: 1, cookieLoss: 0, headerProbability: 1, headerMissing: 0, paramProbability: 1, paramMissing: 0, routeKept: 1, routeLoss: 0 };
const TABLE = { expire: Infinity, capacity: Infinity, entryBytes: 64 };

describe('a reload of the load balancer', () => {
  it('empties a stick table and starts round robin again; with peers the table survives', () => {
    const fleet = makeFleet(3);
    for (const peers of [false, true]) {
      const lb = new LoadBalancer(new TableAffinity(clientIp, { ...TABLE, peers }), new RoundRobin());
      const clients = [1, 2, 3].map((ip) => makeSession({ ip }));
      const first = clients.map((s) => lb.route(s, fleet, 0)!.name);
      expect(first).toEqual(['s1', 's2', 's3']);
      lb.route(makeSession({ ip: 99 }), fleet, 0); // round robin now at s2
      lb.reload(1);
      expect(lb.memory(1).entries).toBe(peers ? 4 : 0);
      // Reversed: without the table, a fresh round robin from s1; with peers, each where its entry says.
      const again = [...clients].reverse().map((s) => lb.route(s, fleet, 2)!.name);
      expect(again).toEqual(peers ? ['s3', 's2', 's1'] : ['s1', 's2', 's3']);
    }
  });

  it('leaves cookies alone (they are in the client) and resets least-conn\'s tie-break turn', () => {
    const fleet = makeFleet(3);
    const lb = new LoadBalancer(new CookieAffinity({ maxIdle: Infinity, maxLife: Infinity, nocache: false, sharedCache: false }), new LeastConn());
    const s = makeSession();
    const server = lb.route(s, fleet, 0)!;
    lb.onResponse(s, server, 0);
    lb.route(makeSession({ acceptsCookies: false }), fleet, 0);
    lb.reload(1);
    expect(lb.route(s, fleet, 2)).toBe(server);
    expect(lb.route(makeSession({ acceptsCookies: false }), fleet, 2)!.name).toBe('s1');
  });

  it('gives nginx a fresh upstream: round robin from the start', () => {
    const nginx = findStrategy('nginx')!;
    const lb = nginx.build(nginx.options.parse({}), { routing: stream(1, 'routing'), clients: CLIENTS, placement: 1 }).lb;
    const fleet = makeFleet(3);
    const names = (k: number) => Array.from({ length: k }, () => lb.route(makeSession(), fleet, 0)!.name);
    expect(names(2)).toEqual(['s1', 's2']);
    lb.reload(1);
    expect(names(3)).toEqual(['s1', 's2', 's3']);
  });

  it('is a timeline event: a run with reloads loses table sessions; is described and traced', () => {
    const sc = loadScenario('scenarios/lb-reload.yaml', ['duration=20m', 'timeline=[{at: 10m, event: reload}]']);
    const events: string[] = [];
    const m = runOnce(sc, selectStrategies(sc, ['haproxy-stick'])[0]!, sc.seed, (e) => {
      if (e.type === 'fleet') events.push(`${e.event}@${e.t}`);
    }).metrics;
    expect(events).toEqual(['reload@600']);
    expect(m.summary.loss_rerouted).toBeGreaterThan(50);
  });
});

describe('a rolling deploy with new identities', () => {
  it('replaces every server by a new one (s7…s12 for s1…s6), each joining as the old one leaves', () => {
    const sc = loadScenario('scenarios/new-pods.yaml', ['duration=40m', 'timeline[0].drain=false']);
    const events: string[] = [];
    const m = runOnce(sc, selectStrategies(sc, ['cookie'])[0]!, sc.seed, (e) => {
      if (e.type === 'fleet') events.push(`${e.event}${e.server ? ` ${e.server}` : ''}@${e.t}`);
    }).metrics;
    expect(events).toEqual([
      'deploy@900',
      ...[1, 2, 3, 4, 5, 6].flatMap((k) => [`add s${k + 6}@${900 + 180 * (k - 1)}`, `remove s${k}@${900 + 180 * (k - 1)}`]),
    ]);
    expect(m.servers.map((s) => s.server)).toEqual(Array.from({ length: 12 }, (_, i) => `s${i + 1}`));
  });

  it('bad values are refused naming the field', () => {
    expect(() => loadScenario('scenarios/new-pods.yaml', ['timeline[0].identities=fresh'])).toThrow('--set timeline[0].identities=fresh: expected one of "kept"|"new"');
    expect(() => loadScenario('scenarios/lb-reload.yaml', ['timeline[0].server=s2'])).toThrow('--set timeline[0].server=s2: unknown field');
  });
});
