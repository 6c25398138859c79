import { ModuloHash } from '../balancers/hashing/modulo.js';
import { RendezvousHash } from '../balancers/hashing/rendezvous.js';
import { RingHash } from '../balancers/hashing/ring.js';
import type { HashFamily } from '../balancers/hashing/types.js';
import { fmix32 } from '../model/hash.js';
import { Server } from '../model/server.js';
import { covers, type Check } from './check.js';
import { ringSpreadCov2 } from './theory.js';

/**
 * A hash family and the fraction of keys it is expected to move when a
 * server is added to N or removed from N. Table-driven: a new family (e.g.
 * maglev) is one entry here, with the expectation it claims.
 */
export interface HashFamilyCase {
  name: string;
  make(): HashFamily;
  moved: { add(n: number): number; remove(n: number): number };
}

export const HASH_FAMILIES: HashFamilyCase[] = [
  // hash mod N: a key stays only if h mod N = h mod (N±1) on the same server: 1/(N+1) of keys when adding, 1/N when removing.
  { name: 'modulo', make: () => new ModuloHash(), moved: { add: (n) => n / (n + 1), remove: (n) => (n - 1) / n } },
  // A ring moves exactly the keys of the new (or removed) server, whose expected share is 1/(N+1) (or 1/N).
  { name: 'ring (160 vnodes)', make: () => new RingHash(160), moved: { add: (n) => 1 / (n + 1), remove: (n) => 1 / n } },
  // Rendezvous (HRW): a key moves only if the added server outscores all others (1/(N+1)), or it lived on the removed one (1/N).
  { name: 'rendezvous', make: () => new RendezvousHash(), moved: { add: (n) => 1 / (n + 1), remove: (n) => 1 / n } },
  // Maglev is not minimally disruptive (it moves a little more than 1/(N+1)), so it has no exact value to check here;
  // test/balancers/maglev.test.ts bounds its disruption instead.
];

const KEYS = 100_000;

/**
 * The servers of replication r: distinct names per replication, so each
 * replication is an independent placement of the ring's points, as the
 * expectation (over placements) assumes.
 */
function servers(count: number, r: number): Server[] {
  return Array.from({ length: count }, (_, i) => new Server(i, r === 0 ? `s${i + 1}` : `s${i + 1}.r${r}`, 1, Infinity, 1, Infinity));
}

/** The hash of key i of replication r, as HashedAffinity computes it from a client address. */
function keyHash(i: number, r: number): number {
  return fmix32(fmix32((i + r * KEYS) ^ 0x5eed5eed));
}

/** Fraction of keys whose server changes between two fleets. */
function movedFraction(c: HashFamilyCase, before: Server[], after: Server[], r: number): number {
  const a = c.make();
  a.build(before);
  const b = c.make();
  b.build(after);
  let moved = 0;
  for (let i = 0; i < KEYS; i++) {
    const h = keyHash(i, r);
    if (a.pick(h)!.id !== b.pick(h)!.id) moved++;
  }
  return moved / KEYS;
}

/**
 * Keys moved when a server is added to N (the new one last) and when one is
 * removed from N (a different one in each replication), for every family
 * and N, each replication with its own server names and 100,000 keys.
 */
export function remapChecks(opts: { quick: boolean; replications?: number }): Check[] {
  const reps = opts.replications ?? (opts.quick ? 8 : 20);
  const sizes = opts.quick ? [10] : [3, 10];
  const out: Check[] = [];
  for (const c of HASH_FAMILIES) {
    for (const n of sizes) {
      const group = `hashing: ${c.name}, N=${n} (${reps} × ${KEYS.toLocaleString('en-US')} keys)`;
      const add: number[] = [];
      const remove: number[] = [];
      for (let r = 0; r < reps; r++) {
        const fleet = servers(n + 1, r);
        add.push(movedFraction(c, fleet.slice(0, n), fleet, r));
        const gone = r % n;
        remove.push(movedFraction(c, fleet.slice(0, n), fleet.slice(0, n).filter((_, i) => i !== gone), r));
      }
      out.push(covers(group, `moved when adding 1 to N`, c.moved.add(n), add));
      out.push(covers(group, `moved when removing 1 of N`, c.moved.remove(n), remove));
    }
  }
  return out;
}

/** Squared coefficient of variation of the keys per server (population form). */
function cov2(counts: readonly number[]): number {
  const n = counts.length;
  const mean = counts.reduce((a, x) => a + x, 0) / n;
  return counts.reduce((a, x) => a + (x - mean) ** 2, 0) / n / (mean * mean);
}

/**
 * Ring load spread as virtual nodes grow: the CoV² of keys per server over N
 * servers against its exact expectation (N − 1)/(NV + 1) (+ key noise).
 */
export function ringSpreadChecks(opts: { quick: boolean }): Check[] {
  const n = 10;
  const reps = opts.quick ? 10 : 40;
  const vnodes = opts.quick ? [1, 160] : [1, 10, 100, 1000];
  return vnodes.map((v) => {
    const samples: number[] = [];
    for (let r = 0; r < reps; r++) {
      const ring = new RingHash(v);
      ring.build(servers(n, r));
      const counts = new Array<number>(n).fill(0);
      for (let i = 0; i < KEYS; i++) counts[ring.pick(keyHash(i, r))!.id]!++;
      samples.push(cov2(counts));
    }
    return covers(`hashing: ring spread, N=${n} (${reps} placements × ${KEYS.toLocaleString('en-US')} keys)`, `CoV² of keys per server, ${v} vnodes`, ringSpreadCov2(n, v, KEYS), samples);
  });
}
