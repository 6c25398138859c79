import seedrandom from 'seedrandom';

/** A source of uniform numbers in [0, 1). */
export type Uniform = () => number;

/**
 * The named, independent random streams of one simulation run. Each is an
 * Alea generator seeded by (master seed, stream name), so drawing more from
 * one stream never shifts another: adding a draw to routing cannot change the
 * workload.
 */
export const STREAM_NAMES = ['arrivals', 'sessions', 'service', 'clients', 'routing'] as const;
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
