import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/model/units.js';
import { InputError } from '../../src/scenario/errors.js';
import { applySet, loadScenario, parseScenario } from '../../src/scenario/load.js';
import { STRATEGY_NAMES } from '../../src/strategies/registry.js';

const minimal = 'workload:\n  arrivals: { rate: 2 }\nfleet: { servers: 3 }\n';

describe('scenario loading', () => {
  it('fills every default', () => {
    const s = parseScenario(minimal, 'x.yaml');
    expect(s.name).toBe('x');
    expect(s.config).toEqual({
      duration: 3600, warmup: 0, window: 60,
      workload: {
        arrivals: { steps: [{ at: 0, rate: 2 }] },
        requests: { dist: 'geometric', mean: 9 },
        think: { dist: 'exponential', mean: 10 },
        service: { dist: 'exponential', mean: 0.05 },
        logoutProbability: 0.5,
        clients: {
          cookieAcceptance: 1, cookieLoss: 0, headerProbability: 1, headerMissing: 0,
          paramProbability: 1, paramMissing: 0, routeKept: 1, routeLoss: 0,
        },
      },
      fleet: { initial: [{}, {}, {}], workers: 1, weight: 1, queueLimit: Infinity, sessionTtl: 1800, sessionCapacity: Infinity },
      timeline: [],
    });
    expect(s.strategies.map((x) => x.label)).toEqual(STRATEGY_NAMES);
  });

  it('reads JSON scenarios too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stickysim-'));
    const file = join(dir, 'j.json');
    writeFileSync(file, JSON.stringify({ name: 'j', workload: { arrivals: { rate: 1 } }, fleet: { servers: 2 }, duration: '5m' }));
    expect(loadScenario(file).config.duration).toBe(300);
    writeFileSync(file, '{ "name": ');
    expect(() => loadScenario(file)).toThrow(/j\.json: invalid JSON/);
  });

  it('resolves strategy variants with options and labels; rejects duplicates and bad options', () => {
    const s = parseScenario(`${minimal}strategies: [cookie, { name: ip-ring, vnodes: 40, label: ring40 }, { name: cookie, label: cookie-p2c, fallback: p2c }]\n`, 'x.yaml');
    expect(s.strategies.map((x) => [x.label, x.name, x.options])).toEqual([
      ['cookie', 'cookie', expect.objectContaining({ fallback: 'round-robin' })],
      ['ring40', 'ip-ring', { key: 'ip', family: 'ring', hash: 'xxh64', vnodes: 40, fallback: 'round-robin' }],
      ['cookie-p2c', 'cookie', expect.objectContaining({ fallback: 'p2c' })],
    ]);
    expect(() => parseScenario(`${minimal}strategies: [cookie, cookie]\n`, 'x.yaml')).toThrow(/appears twice/);
    expect(() => parseScenario(`${minimal}strategies: [{ name: ip-ring, vnodez: 4 }]\n`, 'x.yaml')).toThrow(/strategies\[0\]/);
    expect(() => parseScenario(`${minimal}strategies: [{ name: hash, family: maglev, vnodes: 4 }]\n`, 'x.yaml')).toThrow(/x\.yaml: strategies\[0\]: option 'vnodes' applies to ring/);
  });

  it('checks the timeline against the fleet as it evolves', () => {
    const ok = `${minimal}timeline:\n  - { at: 10, event: add }\n  - { at: 20, event: crash, server: s4 }\n  - { at: 30, event: recover, server: 4 }\n`;
    expect(parseScenario(ok, 'x.yaml').config.timeline).toHaveLength(3);
    const twice = `${minimal}timeline:\n  - { at: 10, event: crash, server: 1 }\n  - { at: 20, event: crash, server: 1 }\n`;
    expect(() => parseScenario(twice, 'x.yaml')).toThrow(/timeline\[1\]\.server: s1 is already down/);
    const early = `${minimal}timeline:\n  - { at: 30, event: add }\n  - { at: 20, event: crash, server: s4 }\n`;
    expect(() => parseScenario(early, 'x.yaml')).toThrow(/timeline\[1\]\.server: expected one of s1…s3/);
  });

  it('rejects warm-up ≥ duration, bad schedules and unknown keys with the path', () => {
    expect(() => parseScenario(`${minimal}duration: 10m\nwarmup: 10m\n`, 'x.yaml')).toThrow(/x\.yaml: warmup: expected less than the duration/);
    expect(() => parseScenario('workload:\n  arrivals: { schedule: [{ at: 5, rate: 1 }] }\nfleet: { servers: 1 }\n', 'x.yaml')).toThrow(/workload\.arrivals/);
    expect(() => parseScenario(`${minimal}workload2: {}\n`, 'x.yaml')).toThrow(/workload2: unknown field/);
  });

  it('errors are InputErrors', () => {
    expect(() => parseScenario('fleet: 3\n', 'x.yaml')).toThrow(InputError);
  });
});

describe('--set', () => {
  it('sets nested fields, list items and typed values', () => {
    const doc: Record<string, unknown> = { fleet: { servers: 2 }, timeline: [{ at: 5 }] };
    applySet(doc, 'fleet.servers=12');
    applySet(doc, 'timeline[0].at=20m');
    applySet(doc, 'workload.clients.cookieAcceptance=0.5');
    applySet(doc, 'strategies=[cookie, p2c]');
    expect(doc).toEqual({
      fleet: { servers: 12 },
      timeline: [{ at: '20m' }],
      workload: { clients: { cookieAcceptance: 0.5 } },
      strategies: ['cookie', 'p2c'],
    });
  });

  it('rejects malformed paths', () => {
    expect(() => applySet({}, '=3')).toThrow(/expected path=value/);
    expect(() => applySet({}, 'a..b=3')).toThrow(/field path/);
    expect(() => applySet({ a: 3 }, 'a.b=3')).toThrow(/a is 3, not a mapping/);
  });
});

describe('durations', () => {
  it('parses numbers and unit strings', () => {
    expect([parseDuration(90), parseDuration('250ms'), parseDuration('30s'), parseDuration('5m'), parseDuration('2h'), parseDuration('1d'), parseDuration('1.5h'), parseDuration('45')]).toEqual([
      90, 0.25, 30, 300, 7200, 86400, 5400, 45,
    ]);
    expect([parseDuration('soon'), parseDuration(-1), parseDuration('5 parsecs'), parseDuration(Number.NaN)]).toEqual([undefined, undefined, undefined, undefined]);
    // Compound durations, largest unit first, each unit once.
    expect(['1h30m', '49m50s', '1m30.5s', '2s500ms', '1d2h', '1h30min', '1h 30m'].map(parseDuration)).toEqual([5400, 2990, 90.5, 2.5, 93600, 5400, undefined]);
    expect(['30m1h', '1h1h', 'h30m', '1h30', '1h30mx'].map(parseDuration)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
