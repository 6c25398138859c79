import { Fleet } from '../src/model/fleet.js';
import { LossCause, type Session } from '../src/model/session.js';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { main } from '../src/cli/main.js';
import { parseScenario, resolveStrategy, type Scenario } from '../src/scenario/load.js';
import { runOnce } from '../src/simulation/experiment.js';
import type { TraceEvent } from '../src/simulation/trace.js';

export function makeFleet(n: number, workers = 1): Fleet {
  return new Fleet({ workers, queueLimit: Infinity, sessionTtl: 1800, sessionCapacity: Infinity }, n);
}

let nextId = 0;
export function makeSession(over: Partial<Session> = {}): Session {
  const id = ++nextId;
  const s: Session = {
    id, start: 0, key: id * 2654435761 >>> 0, ip: id * 7919, natGroup: -1, ipVersion: 0, nextIpChange: Infinity,
    clientId: id, acceptsCookies: true, sendsHeader: true, sendsParam: true, keepsRoute: true, logout: false,
    requests: 3, hasCookie: true, hasHeader: true, hasParam: true, hasRoute: true,
    next: 0, sentAt: 0, rebind: false, startedAt: 0, cookie: -1, cookieIssued: 0, cookieUsed: 0, route: -1, home: -1, stateNode: -1, lastAccess: 0,
    dropCause: LossCause.none, lost: false, ended: false, retryTurns: 0, at: -1, completion: -1,
    ...over,
  };
  // What a request carries follows the client's habits unless set explicitly.
  if (over.hasCookie === undefined) s.hasCookie = s.acceptsCookies;
  if (over.hasHeader === undefined) s.hasHeader = s.sendsHeader;
  if (over.hasParam === undefined) s.hasParam = s.sendsParam;
  if (over.hasRoute === undefined) s.hasRoute = s.keepsRoute;
  return s;
}

/** Makes `server` look loaded with `n` requests in flight. */
export function load(fleet: Fleet, id: number, n: number): void {
  const s = fleet.servers[id]!;
  for (let i = 0; i < n; i++) s.enqueue(makeSession());
}


/** A small scenario (20 min, 4 servers × 2 workers, 1 session/s), with overrides. */
export function testScenario(over: Record<string, unknown> = {}, sets: string[] = []): Scenario {
  const doc = {
    name: 'test',
    seed: 5,
    duration: '20m',
    window: '1m',
    workload: {
      arrivals: { rate: 1 },
      requests: { dist: 'geometric', mean: 8 },
      think: { dist: 'exponential', mean: '10s' },
      service: { dist: 'exponential', mean: '50ms' },
      logoutProbability: 0.5,
    },
    fleet: { servers: 4, workers: 2 },
    ...over,
  };
  return parseScenario(YAML.stringify(doc), 'test.yaml', sets);
}

/** One run of a strategy (by name, or name plus options), optionally traced. */
export function runStrategy(sc: Scenario, name: string, options: Record<string, unknown> = {}, trace?: (e: TraceEvent) => void) {
  return runOnce(sc, resolveStrategy(name, options), sc.seed, trace).metrics;
}

/** Runs the CLI in-process; returns its exit code and what it printed. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

/** A small, fast scenario (10 simulated minutes, a crash): a cell of 3 strategies × 2 replications takes milliseconds. */
export function smallScenario(dir: string, extra = ''): string {
  const file = join(dir, 'small.yaml');
  writeFileSync(
    file,
    `name: small
seed: 3
duration: 10m
window: 1m
workload:
  arrivals: { rate: 0.5 }
  requests: { dist: geometric, mean: 5 }
  think: { dist: exponential, mean: 10s }
  service: { dist: exponential, mean: 50ms }
fleet:
  servers: 3
  workers: 2
timeline:
  - { at: 5m, event: crash, server: s2 }
strategies: [cookie, round-robin, ip-ring]
${extra}`,
  );
  return file;
}

/** Every file under `d` (relative path → its bytes, as latin1 text), hidden ones included: what must not change. */
export function treeSnapshot(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string, rel: string) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(p, e.name), `${rel}${e.name}/`);
      else out[`${rel}${e.name}`] = readFileSync(join(p, e.name), 'latin1');
    }
  };
  walk(d, '');
  return out;
}
