import seedrandom from 'seedrandom';

/** A source of uniform numbers in [0, 1). */
export type Uniform = () => number;

/**
 * The named, independent random streams of one simulation run. Each is an
 * Alea generator seeded by (master seed, stream name), so drawing more from
 * one stream never shifts another: adding a draw to routing cannot change the
 * workload.
 */
export const STREAM_NAMES = ['arrivals', 'sessions', 'clients', 'network', 'routing'] as const;
export type StreamName = (typeof STREAM_NAMES)[number];
export type Streams = Record<StreamName, Uniform>;

export function stream(seed: number, name: string): Uniform {
  return seedrandom.alea(`stickysim:${seed}:${name}`);
}

export function createStreams(seed: number): Streams {
  const out = {} as Streams;
  for (const name of STREAM_NAMES) out[name] = stream(seed, name);
  return out;
}

/**
 * The seed of replication `r` (1-based) under `master`. Replication 1 uses the
 * master seed itself, so any row of a result reproduces alone with
 * `--seed <its seed> --replications 1`; later ones are derived and distinct.
 */
export function replicationSeed(master: number, r: number): number {
  if (r === 1) return master;
  const g = seedrandom.alea(`stickysim:replication:${master}:${r}`);
  return Math.floor(g() * 2 ** 32);
}

/** A 32-bit uniform integer from a stream. */
export function uint32(u: Uniform): number {
  return Math.floor(u() * 4294967296) >>> 0;
}

/**
 * MurmurHash3's 32-bit finaliser: a bijection on 32-bit integers with full
 * avalanche, which makes it both a good integer hash and a permutation.
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A counter-based uniform in [0, 1): a pure function of (key, counter, lane).
 * Used for per-request draws (is the cookie sent on request i?) that must be
 * the same whatever order events happen in, so that they stay common random
 * numbers across strategies without storing one flag per request. Built from
 * MurmurHash3's finaliser, a bijection with full avalanche.
 */
export function counterUniform(key: number, counter: number, lane: number): number {
  let h = fmix32((key ^ Math.imul(counter + 1, 0x9e3779b1) ^ Math.imul(lane + 1, 0x85ebca77)) >>> 0);
  h = Math.imul(h ^ key, 0x27d4eb2f);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

/**
 * True with probability p, drawing from `u` only when the outcome is not
 * already certain (p of 0 or 1 costs no draw).
 */
export function chance(u: Uniform, p: number): boolean {
  return p >= 1 || (p > 0 && u() < p);
}

/**
 * A {@link Uniform} whose successive draws are counter-based: after
 * `at(key, counter, lane)`, the j-th draw is `counterUniform(key, counter,
 * lane + j)`. It lets any sampler that takes a stream draw a value that is a
 * pure function of (key, counter), allocating nothing.
 */
export class CounterStream {
  private key = 0;
  private counter = 0;
  private lane = 0;
  readonly u: Uniform = () => counterUniform(this.key, this.counter, this.lane++);

  at(key: number, counter: number, lane: number): Uniform {
    this.key = key;
    this.counter = counter;
    this.lane = lane;
    return this.u;
  }
}
