import { identifierText } from '../../affinity/keys.js';
import { parseIPv4 } from '../../balancers/hashing/haproxy/hash.js';
import { startBackends, type BackendPool } from '../backends.js';
import { clientAddresses, driveClients, type ClientSpec } from '../clients.js';
import { Haproxy, haproxyVersion } from '../haproxy.js';
import { predict, resolvePreset, type PredictClient, type PredictServer } from '../predict.js';
import type { Answer, CalibrationCase, CaseResult } from '../types.js';

/**
 * HAProxy 2.6 deterministic hashing against stickysim's `haproxy` preset
 * (src/strategies/systems/haproxy.ts), as a scenario file configures it:
 * each family pairs the real configuration (`balance`, `hash-type`) with
 * the preset options a user would write for it (`{ system: haproxy,
 * balance: source, hashType: consistent }`). The same clients go through the
 * real haproxy and through the preset's LoadBalancer over a Fleet brought
 * into the same state (predict.ts); a phase agrees when ≥ 99.9% of clients
 * land on the server stickysim predicts.
 *
 * Each case is one haproxy process over 9 configured servers (s9 starts in
 * maintenance) and runs these phases, one result each:
 *   `-8`        s1…s8 usable;
 *   `-8to9`     s9 set ready (a server added), then back to maintenance;
 *   `-8to7`     s3 set to maintenance (a server removed), then ready again;
 *   `-kill`     s6's backend process killed, haproxy's health check marks it DOWN;
 *   `-restart`  s6's backend back, the check marks it UP (the 8-server map again);
 *   `-weight`   (consistent only, where runtime weights are allowed) s2's weight raised.
 * In stickysim: s9 in maintenance is `fleet.setHealthy(false)`, s9 added
 * `fleet.add`, s3 removed `fleet.remove`, s6 killed `fleet.setUp(false)`.
 */

const SERVERS = 9;
/** Health checks: fast, so that a killed backend is DOWN in well under a second. */
const CHECK = { interMs: 100, fall: 2, rise: 1 };
/** Agreement threshold of a deterministic case. */
export const AGREE = 0.999;
const MISMATCHES_SHOWN = 5;

export interface HaproxyFamily {
  /** Case name prefix, e.g. `haproxy-source-map`. */
  name: string;
  /** `balance` argument. */
  balance: string;
  /** The arguments of the `hash-type` line, written to the config as they are. */
  hashType: string;
  /** The `haproxy` preset's options a scenario file would give for this configuration (weights aside). */
  preset: Record<string, unknown>;
  /** What is hashed: the source address, or the X-Client-Id header. */
  key: 'source' | 'header';
  /** User weights of s1 … s9 (default all 1). */
  weights?: number[];
  quick: boolean;
}

export interface HaproxyCaseOptions {
  /** Clients per phase (default 4000). */
  clients?: number;
  /** Seed of the client addresses and ids. */
  seed?: number;
}

const HEADER = 'X-Client-Id';
const WEIGHTS = [1, 2, 3, 1, 2, 3, 1, 2, 2];

export const HAPROXY_FAMILIES: HaproxyFamily[] = [
  { name: 'haproxy-source-map', balance: 'source', hashType: 'map-based', preset: { balance: 'source' }, key: 'source', quick: true },
  {
    name: 'haproxy-source-consistent',
    balance: 'source',
    hashType: 'consistent',
    preset: { balance: 'source', hashType: 'consistent' },
    key: 'source',
    quick: true,
  },
  {
    name: 'haproxy-hdr-consistent',
    balance: `hdr(${HEADER})`,
    hashType: 'consistent',
    preset: { balance: 'hdr', hashType: 'consistent' },
    key: 'header',
    quick: true,
  },
  // Beyond the quick subset: weights, the other functions, no avalanche.
  {
    name: 'haproxy-source-map-weighted',
    balance: 'source',
    hashType: 'map-based',
    preset: { balance: 'source' },
    key: 'source',
    weights: WEIGHTS,
    quick: false,
  },
  {
    name: 'haproxy-source-consistent-weighted',
    balance: 'source',
    hashType: 'consistent',
    preset: { balance: 'source', hashType: 'consistent' },
    key: 'source',
    weights: WEIGHTS,
    quick: false,
  },
  {
    name: 'haproxy-source-consistent-sdbm',
    balance: 'source',
    hashType: 'consistent sdbm',
    preset: { balance: 'source', hashType: 'consistent', hashFunction: 'sdbm' },
    key: 'source',
    quick: false,
  },
  {
    name: 'haproxy-hdr-consistent-sdbm',
    balance: `hdr(${HEADER})`,
    hashType: 'consistent sdbm',
    preset: { balance: 'hdr', hashType: 'consistent', hashFunction: 'sdbm' },
    key: 'header',
    quick: false,
  },
  ...(['djb2', 'wt6', 'crc32'] as const).map((fn) => ({
    name: `haproxy-hdr-map-${fn}`,
    balance: `hdr(${HEADER})`,
    hashType: `map-based ${fn}`,
    preset: { balance: 'hdr', hashType: 'map-based', hashFunction: fn },
    key: 'header' as const,
    quick: false,
  })),
  {
    name: 'haproxy-hdr-consistent-wt6-avalanche',
    balance: `hdr(${HEADER})`,
    hashType: 'consistent wt6 avalanche',
    preset: { balance: 'hdr', hashType: 'consistent', hashFunction: 'wt6', avalanche: true },
    key: 'header',
    quick: false,
  },
  {
    name: 'haproxy-hdr-consistent-crc32',
    balance: `hdr(${HEADER})`,
    hashType: 'consistent crc32',
    preset: { balance: 'hdr', hashType: 'consistent', hashFunction: 'crc32' },
    key: 'header',
    quick: false,
  },
];

export interface Phase {
  suffix: string;
  what: string;
  /** Brings haproxy (and the backends) into the phase's state. */
  enter(hap: Haproxy, pool: BackendPool): Promise<void>;
  /** Undoes it, for the next phase (optional). */
  leave?(hap: Haproxy, pool: BackendPool): Promise<void>;
  /** The 9 configured servers in stickysim's terms: state and weight. */
  servers: PredictServer[];
}

function names(except: string[] = [], upTo = 8): string[] {
  return Array.from({ length: upTo }, (_, i) => `s${i + 1}`).filter((n) => !except.includes(n));
}

/** s1…s9 with `f`'s weights, s9 in maintenance, then `change`d. */
function fleetState(f: HaproxyFamily, change: (servers: PredictServer[]) => void = () => {}): PredictServer[] {
  const servers: PredictServer[] = Array.from({ length: SERVERS }, (_, i) => ({
    name: `s${i + 1}`,
    weight: f.weights?.[i] ?? 1,
    state: i === SERVERS - 1 ? 'maint' : 'up',
  }));
  change(servers);
  return servers;
}

/** The phases of family `f`, each with the state of the 9 configured servers in stickysim's terms. */
export function phases(f: HaproxyFamily): Phase[] {
  const list: Phase[] = [
    { suffix: '8', what: '8 servers', servers: fleetState(f), enter: async () => {} },
    {
      suffix: '8to9',
      what: 's9 added (set state ready): 8 → 9 servers',
      servers: fleetState(f, (s) => (s[8]!.state = 'added')),
      enter: async (hap) => {
        await hap.setState('s9', 'ready');
        await hap.waitStatus('s9', 'UP');
      },
      leave: async (hap) => {
        await hap.setState('s9', 'maint');
        await hap.waitStatus('s9', 'MAINT');
      },
    },
    {
      suffix: '8to7',
      what: 's3 removed (set state maint): 8 → 7 servers',
      servers: fleetState(f, (s) => (s[2]!.state = 'removed')),
      enter: async (hap) => {
        await hap.setState('s3', 'maint');
        await hap.waitStatus('s3', 'MAINT');
      },
      leave: async (hap) => {
        await hap.setState('s3', 'ready');
        await hap.waitStatus('s3', 'UP');
      },
    },
    {
      suffix: 'kill',
      what: `s6's backend killed, marked DOWN by health checks (inter ${CHECK.interMs}ms fall ${CHECK.fall}): 8 → 7 servers`,
      servers: fleetState(f, (s) => (s[5]!.state = 'down')),
      enter: async (hap, pool) => {
        await pool.backends[5]!.kill();
        await hap.waitStatus('s6', 'DOWN');
      },
    },
    {
      suffix: 'restart',
      what: `s6's backend restarted, marked UP again (rise ${CHECK.rise}): back to 8 servers`,
      servers: fleetState(f),
      enter: async (hap, pool) => {
        await pool.backends[5]!.start();
        await hap.waitStatus('s6', 'UP');
      },
    },
  ];
  if (f.preset.hashType === 'consistent') {
    const w = (f.weights?.[1] ?? 1) + 2;
    list.push({
      suffix: 'weight',
      what: `s2's weight raised to ${w} at runtime (set server weight)`,
      servers: fleetState(f, (s) => (s[1]!.weight = w)),
      enter: async (hap) => {
        await hap.setWeight('s2', w);
        await hap.waitStatus('s2', (s) => s.weight === w);
      },
    });
  }
  return list;
}

/** Real clients (address, and the header `identifierText(id)`) and the same clients for predict.ts. */
export interface HaproxyClients {
  real: ClientSpec[];
  sim: PredictClient[];
}

/**
 * `n` clients from distinct addresses; for header families each also sends a
 * distinct numeric identifier (1 … 10^9, pseudo-random by `seed`) as
 * `identifierText(id)`, the text stickysim's header key stands for.
 */
export function makeClients(f: Pick<HaproxyFamily, 'key'>, n: number, seed: number): HaproxyClients {
  const addresses = clientAddresses(n, seed);
  if (f.key === 'source') return { real: addresses.map((address) => ({ address })), sim: addresses.map((a) => ({ address: parseIPv4(a) })) };
  const ids = clientIds(n, seed);
  return {
    real: addresses.map((address, i) => ({ address, headers: { [HEADER]: identifierText(ids[i]!) } })),
    sim: addresses.map((a, i) => ({ address: parseIPv4(a), id: ids[i]! })),
  };
}

/** `n` distinct identifiers in 1 … 10^9, of every length, fixed by `seed`. */
export function clientIds(n: number, seed: number): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  let state = (seed * 0x2545f491) >>> 0;
  while (out.length < n) {
    state = mix((state + 0x9e3779b9) >>> 0);
    // Spread over lengths: a random number of decimal digits (1…9), then a random value of that size.
    const v = 1 + (mix(state ^ 0x5bd1e995) % 10 ** (1 + (state % 9)));
    if (seen.has(v)) continue;
    seen.add(v);
    out.push(v);
  }
  return out;
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A deterministic result of per-client answers: the share of clients whose
 * real answer (a server's name, a class of outcome, null: failed) is the one
 * predicted, and the first few that differ.
 */
export function perClient(
  name: string,
  what: string,
  system: string,
  real: readonly (string | null)[],
  sim: readonly (string | null)[],
  clients: readonly { address: string }[],
): CaseResult {
  let agree = 0;
  const bad: string[] = [];
  real.forEach((r, i) => {
    if (r === sim[i]) agree++;
    else if (bad.length < MISMATCHES_SHOWN) bad.push(`${clients[i]!.address}: real ${r ?? 'none'}, predicted ${sim[i] ?? 'none'}`);
  });
  return {
    name,
    description: what,
    system,
    kind: 'deterministic',
    clients: real.length,
    real: agree / real.length,
    sim: 1,
    agree: agree / real.length >= AGREE,
    detail: bad.length ? `${real.length - agree} of ${real.length} differ, e.g. ${bad.join('; ')}` : '',
  };
}

/** `{ system: haproxy, balance: source, hashType: consistent }`, as a scenario file writes it. */
export function presetText(o: Record<string, unknown>): string {
  return `{ ${['system: haproxy', ...Object.entries(o).map(([k, v]) => `${k}: ${String(v)}`)].join(', ')} }`;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

/** Runs one family's phases against a fresh haproxy and backends. */
export async function runFamily(f: HaproxyFamily, options: HaproxyCaseOptions = {}): Promise<CaseResult[]> {
  const n = options.clients ?? 4000;
  const seed = options.seed ?? 1;
  const system = await haproxyVersion();
  const clients = makeClients(f, n, seed);
  const preset = resolvePreset('haproxy', f.preset);
  const pool = await startBackends(SERVERS);
  const results: CaseResult[] = [];
  let hap: Haproxy | undefined;
  try {
    hap = await Haproxy.start({
      balance: f.balance,
      hashType: `hash-type ${f.hashType}`,
      check: CHECK,
      servers: pool.backends.map((b, i) => ({
        name: b.name,
        port: b.port,
        ...(f.weights ? { weight: f.weights[i]! } : {}),
        ...(i === SERVERS - 1 ? { disabled: true } : {}),
      })),
    });
    // Every server but s9 UP before the first phase.
    for (const name of names()) await hap.waitStatus(name, 'UP');
    let base: Answer[] | undefined;
    const setting =
      `balance ${f.balance}, hash-type ${f.hashType}${f.weights ? `, weights ${f.weights.join(' ')}` : ''}` +
      ` vs preset ${presetText(f.preset)}`;
    for (const phase of phases(f)) {
      await phase.enter(hap, pool);
      const outcomes = await driveClients(clients.real, { port: hap.port, concurrency: 48 });
      const real = outcomes.map((o) => o.server);
      const predicted = predict(preset, phase.servers, clients.sim);
      let match = 0;
      const bad: string[] = [];
      real.forEach((r, i) => {
        if (r === predicted[i]) match++;
        else if (bad.length < MISMATCHES_SHOWN) {
          const why = r === null ? ` (${outcomes[i]!.error ?? 'failed'})` : '';
          const c = clients.real[i]!;
          const who = f.key === 'source' ? c.address : `${HEADER}: ${c.headers![HEADER]}`;
          bad.push(`${who}: real ${r ?? 'none'}${why}, predicted ${predicted[i] ?? 'none'}`);
        }
      });
      const share = match / n;
      let moved = '';
      if (base === undefined) {
        base = real;
        const per = names().map((name) => real.filter((r) => r === name).length);
        moved = `; clients per server s1…s8: ${per.join(' ')}`;
      } else {
        const m = real.filter((r, i) => r !== base![i]).length;
        moved = `; ${pct(m / n)} of clients on another server than with 8`;
      }
      results.push({
        name: `${f.name}-${phase.suffix}`,
        description: `${setting}: ${phase.what}${moved}`,
        system,
        kind: 'deterministic',
        clients: n,
        real: share,
        sim: 1,
        agree: share >= AGREE,
        detail: bad.length ? `${n - match} of ${n} differ, e.g. ${bad.join('; ')}` : '',
      });
      if (phase.leave) await phase.leave(hap, pool);
    }
  } finally {
    await hap?.stop();
    await pool.close();
  }
  return results;
}

/** The HAProxy cases, one per family (`quick` ones form the subset `npm test` runs). */
export function haproxyCases(options: HaproxyCaseOptions = {}): CalibrationCase[] {
  return HAPROXY_FAMILIES.map((f) => ({
    name: f.name,
    system: 'haproxy' as const,
    quick: f.quick,
    run: () => runFamily(f, options),
  }));
}

export const HAPROXY_CASES: CalibrationCase[] = haproxyCases();
