/**
 * Hash placement is one draw of many: with `placement: per-replication` (the
 * default) each replication's ring, Maglev table or rendezvous scores come
 * from its own salt, so a confidence interval across replications includes
 * placement variance; `fixed` keeps the one placement of the server names.
 */
import { describe, expect, it } from 'vitest';
import { stream } from '../../src/engine/random.js';
import { estimate } from '../../src/metrics/stats.js';
import { findStrategy, placementSalt } from '../../src/strategies/registry.js';
import { makeFleet, makeSession } from '../helpers.js';

const CLIENTS = { cookieAcceptance: 1, cookieLoss: 0, headerProbability: 1, headerMissing: 0, paramProbability: 1, paramMissing: 0, routeKept: 1, routeLoss: 0 };
const KEYS = 4000;

/** The server of each of KEYS client addresses under a strategy built with `salt`, over `fleet`. */
function mapping(name: string, options: Record<string, unknown>, salt: number, fleet: ReturnType<typeof makeFleet>): number[] {
  const def = findStrategy(name)!;
  const lb = def.build(def.options.parse(options), { routing: stream(1, 'routing'), clients: CLIENTS, placement: salt }).lb;
  return Array.from({ length: KEYS }, (_, i) => lb.route(makeSession({ ip: (0x0a000000 + i * 2654435761) >>> 0 }), fleet, 0)!.id);
}

const changed = (a: readonly number[], b: readonly number[]) => a.filter((x, i) => x !== b[i]).length / a.length;

describe('placement per replication', () => {
  for (const name of ['ip-ring', 'ip-maglev', 'ip-rendezvous']) {
    it(`${name}: a salt is another placement; fixed ignores it`, () => {
      const fleet = makeFleet(8);
      const [a, b] = [mapping(name, {}, placementSalt(1), fleet), mapping(name, {}, placementSalt(2), fleet)];
      expect(changed(a, b)).toBeGreaterThan(0.75); // independent placements agree on about 1/8 of keys
      expect(mapping(name, {}, placementSalt(1), fleet)).toEqual(a); // a salt is deterministic
      const [f, g] = [mapping(name, { placement: 'fixed' }, placementSalt(1), fleet), mapping(name, { placement: 'fixed' }, placementSalt(2), fleet)];
      expect(f).toEqual(g);
    });
  }

  it('modulo has no placement: the salt changes nothing', () => {
    const fleet = makeFleet(8);
    expect(mapping('ip-hash', {}, placementSalt(1), fleet)).toEqual(mapping('ip-hash', {}, placementSalt(2), fleet));
  });

  it('over placements, a 16-point ring moves 1/9 of keys on 8→9 inside the 95% CI (one fixed draw cannot show this)', () => {
    const shares: number[] = [];
    for (let r = 1; r <= 30; r++) {
      const before = makeFleet(8);
      const after = makeFleet(9);
      const a = mapping('ip-ring', { vnodes: 16 }, placementSalt(r), before);
      const b = mapping('ip-ring', { vnodes: 16 }, placementSalt(r), after);
      shares.push(changed(a, b));
    }
    const { mean: m, halfWidth: half } = estimate(shares);
    expect(Math.abs(m - 1 / 9)).toBeLessThan(half);
    expect(half).toBeGreaterThan(0.005); // placement variance is in the interval: 16 points per server spread unevenly
  });
});
