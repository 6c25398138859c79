/**
 * predict.ts without any real balancer: a calibration case's prediction goes
 * through the preset a scenario names (its options parsed by its own schema),
 * a Fleet brought into the phase's state by its own lifecycle methods, and
 * LoadBalancer.route. Here: the fleet states, that the preset's answers are
 * HAProxy's algorithms for every family and phase the live cases run (so a
 * live disagreement points at the algorithms or at the harness, not at this
 * wiring), and the closed loop that statistical cases simulate.
 */
import { describe, expect, it } from 'vitest';
import { identifierText } from '../../src/affinity/keys.js';
import {
  HaproxyChash, HaproxyMapHash, chashServerIsEligible, parseHashType, sourceKeyV4, stringKey, weightGcd,
} from '../../src/balancers/hashing/haproxy/index.js';
import type { HashFamily } from '../../src/balancers/hashing/types.js';
import { HAPROXY_FAMILIES, clientIds, makeClients, phases, presetText, type HaproxyFamily } from '../../src/calibration/cases/haproxy.js';
import { ipv4String, NginxConsistentHash, NginxHash, NginxIpHash } from '../../src/balancers/hashing/nginx/index.js';
import { FALLBACK_SERVERS, KILLED, NGINX_FAMILIES, nginxClients, nginxPreset, nginxPresetText, type NginxFamily } from '../../src/calibration/cases/nginx.js';
import { buildFleet, closedLoop, predict, Predictor, resolvePreset, type PredictClient, type PredictServer } from '../../src/calibration/predict.js';
import { Server } from '../../src/model/server.js';

const eight = (over: Partial<PredictServer>[] = []): PredictServer[] => Array.from({ length: 8 }, (_, i) => ({ name: `s${i + 1}`, ...over[i] }));

describe('resolvePreset', () => {
  it('parses the options by the preset schema, defaults filled in', () => {
    const p = resolvePreset('haproxy', { balance: 'source', hashType: 'consistent' });
    expect(p.def.name).toBe('haproxy');
    expect(p.options).toMatchObject({ balance: 'source', hashType: 'consistent', hashBalanceFactor: 0, retries: 3 });
  });

  it('rejects unknown presets, bad options and options that do not fit together', () => {
    expect(() => resolvePreset('no-such-thing')).toThrow(/no strategy or system preset/);
    expect(() => resolvePreset('haproxy', { balance: 'leastrandom' })).toThrow(/invalid options/);
    expect(() => resolvePreset('haproxy', { balance: 'source', hashBalanceFactor: 150 })).toThrow(/consistent only/);
  });
});

describe('buildFleet', () => {
  it('brings each configured server into its state with the fleet’s own methods', () => {
    const fleet = buildFleet([
      { name: 's1' },
      { state: 'down' },
      { state: 'maint', weight: 3 },
      { state: 'removed' },
      { weight: 2 },
      { state: 'added', weight: 4 },
    ]);
    expect(fleet.servers.map((s) => s.name)).toEqual(['s1', 's2', 's3', 's4', 's5', 's6']);
    expect(fleet.available.map((s) => s.name)).toEqual(['s1', 's5', 's6']);
    expect(fleet.servers.map((s) => s.weight)).toEqual([1, 1, 3, 1, 2, 4]);
    const [, down, maint, removed] = fleet.servers;
    expect([down!.up, down!.healthy]).toEqual([false, false]);
    expect([maint!.up, maint!.healthy]).toEqual([true, false]); // running, out of the balancer's view
    expect(removed!.removed).toBe(true);
  });

  it('keeps configuration order: added servers come last, names follow positions', () => {
    expect(() => buildFleet([{ state: 'added' }, {}])).toThrow(/added servers must come last/);
    expect(() => buildFleet([{ name: 's2' }])).toThrow(/must be named s1/);
  });
});

describe('predict', () => {
  it('routes through the preset: balance roundrobin cycles, and source map-based is usable[address mod N]', () => {
    const rr = predict(resolvePreset('haproxy', { balance: 'roundrobin' }), eight(), Array.from({ length: 10 }, () => ({})));
    expect(rr).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's1', 's2']);
    const servers = eight([{}, {}, { state: 'down' }]);
    const usable = ['s1', 's2', 's4', 's5', 's6', 's7', 's8'];
    const ips = [0x7f000001, 0x7f010203, 0x0a000007, 0xc0a80164];
    expect(predict(resolvePreset('haproxy', { balance: 'source' }), servers, ips.map((address) => ({ address })))).toEqual(ips.map((ip) => usable[ip % 7]));
  });

  it('a client without its identifier falls back to round robin under balance hdr', () => {
    const out = predict(resolvePreset('haproxy', { balance: 'hdr', hashType: 'consistent' }), eight(), [{}, {}, {}]);
    expect(out).toEqual(['s1', 's2', 's3']);
  });

  it('gives null when no server is usable', () => {
    const none = eight().map((s) => ({ ...s, state: 'down' as const }));
    expect(predict(resolvePreset('haproxy', { balance: 'source' }), none, [{ address: 1 }])).toEqual([null]);
  });

  /** HAProxy's algorithms called directly, as the first calibration did: the reference for the preset path. */
  function direct(f: HaproxyFamily, servers: readonly PredictServer[], clients: readonly PredictClient[]): string[] {
    const type = parseHashType(f.hashType);
    const configured = servers.map((s) => s.weight ?? 1);
    const all = servers.map((p, i) => {
      const s = new Server(i, `s${i + 1}`, 1, Infinity, 1800, Infinity);
      s.weight = p.weight ?? 1;
      return s;
    });
    const usable = all.filter((_, i) => (servers[i]!.state ?? 'up') === 'up' || servers[i]!.state === 'added');
    // The map's weight divisor is fixed at startup over every configured server (lb_map.c init_server_map).
    const family: HashFamily = type.method === 'map-based' ? new HaproxyMapHash({ wmult: weightGcd(configured) }) : new HaproxyChash();
    family.build(usable);
    return clients.map((c) => {
      const key = f.key === 'source' ? sourceKeyV4(c.address!, type.avalanche) : stringKey(identifierText(c.id!), type);
      return family.pick(key)!.name;
    });
  }

  for (const f of HAPROXY_FAMILIES) {
    it(`${f.name}: the preset ${presetText(f.preset)} answers as the algorithms for \`hash-type ${f.hashType}\`, in every phase`, () => {
      const preset = resolvePreset('haproxy', f.preset);
      const clients = makeClients(f, 600, 3).sim;
      for (const phase of phases(f)) {
        expect(predict(preset, phase.servers, clients), `${f.name}-${phase.suffix}`).toEqual(direct(f, phase.servers, clients));
      }
    });
  }

  it('header clients send distinct decimal identifiers of many lengths, as identifierText writes them', () => {
    const ids = clientIds(5000, 1);
    expect(new Set(ids).size).toBe(5000);
    expect(new Set(ids.map((id) => identifierText(id).length)).size).toBeGreaterThanOrEqual(6);
    const c = makeClients({ key: 'header' }, 50, 1);
    c.real.forEach((r, i) => expect(r.headers!['X-Client-Id']).toBe(identifierText(c.sim[i]!.id!)));
  });
});

describe('closedLoop', () => {
  const base = { servers: eight(), requests: 4000, client: () => ({}), seed: 5 };

  it('sends every request once, keeps at most `workers` in flight, and Little’s law holds', () => {
    const r = closedLoop({ ...base, preset: resolvePreset('haproxy', { balance: 'roundrobin' }), workers: 4, hold: () => 0.02, gap: () => 0.005 });
    expect(r.servers).toHaveLength(4000);
    expect(r.counts.reduce((a, b) => a + b, 0)).toBe(4000);
    expect(r.counts).toEqual(new Array(8).fill(500));
    // 4 clients, each holding 20 ms of every 25 ms: 3.2 in flight on average.
    expect(r.meanInflight).toBeCloseTo(3.2, 1);
  });

  it('counts requests in flight on their servers, where the preset reads them: leastconn never stacks 8 clients on 8 servers', () => {
    const r = closedLoop({ ...base, preset: resolvePreset('haproxy', { balance: 'leastconn' }), workers: 8, hold: (u) => 0.01 + 0.02 * u(), stagger: 0.01 });
    expect(r.maxInflight).toBe(0); // every decision found an idle server
    const r2 = closedLoop({ ...base, preset: resolvePreset('haproxy', { balance: 'leastconn' }), workers: 16, hold: (u) => 0.01 + 0.02 * u(), stagger: 0.01 });
    expect(r2.maxInflight).toBe(1);
  });

  it('balance random(2) is seeded: the same seed gives the same run, another seed another', () => {
    const o = { ...base, preset: resolvePreset('haproxy', { balance: 'random', draws: 2 }), workers: 32, hold: (u: () => number) => 0.01 + 0.02 * u() };
    expect(closedLoop(o).servers).toEqual(closedLoop(o).servers);
    expect(closedLoop({ ...o, seed: 6 }).servers).not.toEqual(closedLoop(o).servers);
  });

  it('hash-balance-factor spills a hot key over, keeping every server within its slots', () => {
    const hot = { id: 4242 };
    const o = { ...base, workers: 32, client: () => hot, hold: (u: () => number) => 0.01 + 0.02 * u(), stagger: 0.01 };
    const plain = closedLoop({ ...o, preset: resolvePreset('haproxy', { balance: 'hdr', hashType: 'consistent' }) });
    expect(new Set(plain.servers).size).toBe(1); // all on the key's own server
    const bounded = closedLoop({ ...o, preset: resolvePreset('haproxy', { balance: 'hdr', hashType: 'consistent', hashBalanceFactor: 125 }) });
    expect(bounded.counts.filter((c) => c > 0).length).toBeGreaterThan(4);
    // The most a server may already hold and still be eligible, with at most 31 requests in flight (lb_chash.c).
    let most = 0;
    for (let served = 0; served <= 31; served++) {
      for (let total = served; total <= 31; total++) {
        for (let i = 0; i < 8; i++) if (chashServerIsEligible(served, total, 16, 16 * i, 128, 125)) most = Math.max(most, served);
      }
    }
    expect(most).toBe(4);
    expect(bounded.maxInflight).toBeLessThanOrEqual(most);
    expect(bounded.maxInflight).toBe(most);
  });
});

/**
 * The nginx cases predict through the `nginx` preset with one balancer carried
 * through the phases (`Predictor`): here, for every family and the same
 * phases and fleet events the live case runs, the preset answers request by
 * request as nginx's algorithms called directly (src/balancers/hashing/nginx/:
 * one instance carried through a crash and a restart, a new one at a reload,
 * `down` as the configuration parameter), with times that let fail_timeout
 * windows open and close inside a phase.
 */
describe('nginx cases: the preset answers as nginx’s algorithms', () => {
  /** "host:port" of s1…s9, ports not of the form base + n (as the live backends' free ports). */
  const ADDRESSES = Array.from({ length: 9 }, (_, i) => `127.0.0.1:${20011 + 97 * i * i}`);

  function rawServers(servers: readonly PredictServer[]): Server[] {
    return servers.map((p, i) => {
      const s = new Server(i, `s${i + 1}`, 1, Infinity, 1800, Infinity);
      s.weight = p.weight ?? 1;
      return s;
    });
  }

  /** nginx's own balancer for family `f` over `servers`, answering a client's request at `now` past refusing servers. */
  function raw(f: NginxFamily, servers: readonly PredictServer[]): (c: PredictClient, now: number, refuses?: (s: Server) => boolean) => string | null {
    const configured = rawServers(servers);
    const options = { failTimeout: f.failTimeout ?? 10, down: (s: Server) => servers[s.id]!.state === 'drain' };
    const m = f.method;
    if (m.kind === 'ip_hash') {
      const lb = new NginxIpHash(configured, options);
      return (c, now, refuses) => lb.route(c.address!, now, refuses)?.name ?? null;
    }
    if (m.kind !== 'hash') throw new Error(`no nginx family for ${m.kind}`);
    const key = (c: PredictClient) => (f.key === 'header' ? identifierText(c.id!) : ipv4String(c.address!));
    const lb = m.consistent ? new NginxConsistentHash(configured, { ...options, address: (s) => ADDRESSES[s.id]! }) : new NginxHash(configured, options);
    return (c, now, refuses) => lb.route(key(c), now, refuses)?.name ?? null;
  }

  const eightUp = (): PredictServer[] => Array.from({ length: 8 }, () => ({}));
  /** 600 requests spread over 30 s from `t0`: fail_timeout windows (3 s, 10 s) open and close inside the phase. */
  const at = (t0: number) => (i: number) => t0 + Math.floor(i / 20);

  it('covers every family the live cases run', () => {
    expect(NGINX_FAMILIES.map((f) => f.plan).sort()).toEqual(['fallback', 'kill', 'kill', 'kill', 'scale']);
  });

  for (const f of NGINX_FAMILIES) {
    it(`${f.name} (${f.plan}): ${nginxPresetText(f)} routes as the algorithm, request by request`, () => {
      const clients = nginxClients(f, 600, 3).sim;
      const preset = nginxPreset(f, ADDRESSES);
      if (f.plan === 'kill') {
        const sim = new Predictor(preset, eightUp(), { now: 1000 });
        const direct = raw(f, eightUp());
        const phase = (t: (i: number) => number, refuses?: (s: Server) => boolean, who = clients) => ({
          sim: who.map((c, i) => sim.route(c, t(i))),
          raw: who.map((c, i) => direct(c, t(i), refuses)),
        });
        const a = phase(at(1000));
        expect(a.sim).toEqual(a.raw);
        sim.fleet.setAlive(sim.server(KILLED), false, 1030, false); // crashed, not noticed
        const dead = (s: Server) => s.name === KILLED;
        const b = phase(at(1030), dead);
        expect(b.sim).toEqual(b.raw);
        expect(b.sim).not.toContain(KILLED);
        expect(b.sim.filter((s, i) => s !== a.sim[i]).length).toBe(a.sim.filter((s) => s === KILLED).length); // only s3's clients move
        // One more client of s3 at 1059, the last second of the phase: s3 is failed then (its window open, or just reopened by this attempt).
        const back = clients.filter((_, i) => a.sim[i] === KILLED);
        const last = phase(() => 1059, dead, back.slice(0, 1));
        expect(last.sim).toEqual(last.raw);
        sim.fleet.setAlive(sim.server(KILLED), true, 1059, false);
        // Its clients at once (inside that window), then after fail_timeout.
        const early = phase(() => 1059, undefined, back);
        expect(early.sim).toEqual(early.raw);
        expect(early.sim).not.toContain(KILLED); // the passive-health state outlived the restart
        const late = phase(at(1059 + (f.failTimeout ?? 10) + 1));
        expect(late.sim).toEqual(late.raw);
        expect(late.sim).toEqual(a.sim); // recovered: every client back where it was
      } else if (f.plan === 'scale') {
        const sim = new Predictor(preset, eightUp(), { now: 1000 });
        const a = clients.map((c) => sim.route(c, 1000));
        expect(a).toEqual(clients.map((c) => raw(f, eightUp())(c, 1000)));
        sim.fleet.add(1001); // the reload: a fresh upstream over 9
        const nine = raw(f, [...eightUp(), {}]);
        const b = clients.map((c) => sim.route(c, 1001));
        expect(b).toEqual(clients.map((c) => nine(c, 1001)));
        expect(b.filter((s, i) => s !== a[i] && s !== 's9')).toEqual([]);
      } else {
        const sim = new Predictor(preset, FALLBACK_SERVERS, { now: 1000 });
        const direct = raw(f, FALLBACK_SERVERS);
        const got = clients.map((c) => sim.route(c, 1000));
        expect(got).toEqual(clients.map((c) => direct(c, 1000)));
        expect(got).not.toContain('s3'); // down
        expect(new Set(got)).toEqual(new Set(['s1', 's2']));
      }
    });
  }

  it('Predictor keeps one balancer across requests; predict starts afresh each call', () => {
    const preset = resolvePreset('nginx', {});
    const p = new Predictor(preset, eight());
    expect([0, 1, 2].map(() => p.route({}, 0))).toEqual(['s1', 's2', 's3']); // round robin advances
    expect(predict(preset, eight(), [{}])).toEqual(['s1']);
    expect(() => p.server('s9')).toThrow(/no server s9/);
    const drained = buildFleet([{}, { state: 'drain' }]);
    expect([drained.servers[1]!.draining, drained.available.map((s) => s.name)]).toEqual([true, ['s1']]);
  });
});
