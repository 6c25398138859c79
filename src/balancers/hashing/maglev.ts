import type { Server } from '../../model/server.js';
import { hashFunction, type HashFunction } from './functions.js';
import { SeenSet } from './seen.js';
import type { ProbingHashFamily } from './types.js';
import { weightOf } from './weights.js';

/** Envoy's and the paper's default table size (a prime). */
export const MAGLEV_DEFAULT_TABLE_SIZE = 65537;

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/**
 * The Maglev lookup table of size `m` (prime) for servers 0 … n−1 with these
 * permutation offsets, skips (1 … m−1) and weights: entry → server index.
 * Empty when there are no servers.
 */
export function populateMaglev(
  m: number,
  offset: readonly number[],
  skip: readonly number[],
  weights: readonly number[],
): Uint32Array {
  const n = offset.length;
  if (n === 0) return new Uint32Array(0);
  const maxWeight = Math.max(...weights);
  const next = new Array<number>(n).fill(0);
  const turns = new Array<number>(n).fill(0);
  const table = new Uint32Array(m);
  const taken = new Uint8Array(m);
  let filled = 0;
  for (let round = 1; filled < m; round++) {
    for (let i = 0; i < n && filled < m; i++) {
      // Envoy's weighting: a turn in this round only while turns × max weight ≤ round × weight.
      if (round * weights[i]! < turns[i]! * maxWeight) continue;
      turns[i]!++;
      // The server's next preferred entry that is still free.
      let c = (offset[i]! + skip[i]! * next[i]!) % m;
      while (taken[c] === 1) {
        next[i]!++;
        c = (offset[i]! + skip[i]! * next[i]!) % m;
      }
      table[c] = i;
      taken[c] = 1;
      next[i]!++;
      filled++;
    }
  }
  return table;
}

/**
 * Maglev hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software
 * Network Load Balancer", NSDI 2016; Envoy `MAGLEV`, Google Cloud `MAGLEV`
 * locality policy). A lookup table of prime size M holds a server per entry;
 * a key's server is `table[hash % M]`, one array read.
 *
 * Population (the paper's Listing 1): each server's preference list is the
 * permutation `(offset + j × skip) mod M`, with offset = h0(name) mod M and
 * skip = h1(name) mod (M − 1) + 1 from two independent hashes of its name
 * (seeds 0 and 1, as Envoy). Servers take turns claiming their next preferred
 * free entry until the table is full, so each holds ⌊M/N⌋ or ⌈M/N⌉ entries.
 *
 * Weighted as Envoy's MaglevTable: in round r a server of weight w takes a
 * turn only while r × w ≥ (its turns so far) × max weight, so a server of
 * half the top weight claims an entry every other round.
 *
 * Disruption: when a server joins or leaves, besides the entries that must
 * change hands a few others shift between the remaining servers (the paper
 * measures a few per cent at M = 65537); a larger M disturbs less.
 */
export class MaglevHash implements ProbingHashFamily {
  readonly name = 'maglev';
  private readonly hash: HashFunction;
  /** Mixed into the server names (another draw of the placement), or empty. */
  private readonly suffix: string;
  private servers: Server[] = [];
  /** Index in `servers` of each table entry. */
  private table: Uint32Array = new Uint32Array(0);
  private readonly seen = new SeenSet();

  constructor(
    readonly tableSize = MAGLEV_DEFAULT_TABLE_SIZE,
    options: { hash?: HashFunction; salt?: number | undefined } = {},
  ) {
    if (!isPrime(tableSize)) throw new Error(`maglev table size must be a prime number, got ${tableSize}`);
    this.hash = options.hash ?? hashFunction();
    this.suffix = options.salt === undefined ? '' : `#${options.salt}`;
  }

  build(servers: readonly Server[]): void {
    const m = this.tableSize;
    const weights = servers.map(weightOf);
    const offset = servers.map((s) => this.hash.str(s.name + this.suffix, 0) % m);
    const skip = servers.map((s) => (this.hash.str(s.name + this.suffix, 1) % (m - 1)) + 1);
    this.table = populateMaglev(m, offset, skip, weights);
    this.servers = servers.slice();
    this.seen.reset(servers.length);
  }

  pick(hash: number): Server | undefined {
    const m = this.table.length;
    return m === 0 ? undefined : this.servers[this.table[hash % m]!];
  }

  probe(hash: number, accept: (server: Server) => boolean): Server | undefined {
    const m = this.table.length;
    if (m === 0) return undefined;
    const seen = this.seen;
    const all = this.servers.length;
    seen.clear();
    // Forward through the table from the key's entry until every server has been offered.
    for (let k = 0, j = hash % m; k < m && seen.size < all; k++, j = j + 1 === m ? 0 : j + 1) {
      const i = this.table[j]!;
      if (!seen.add(i)) continue;
      const s = this.servers[i]!;
      if (accept(s)) return s;
    }
    return undefined;
  }

  /** Table entries held by each server, in build order. */
  entriesPerServer(): number[] {
    const counts = this.servers.map(() => 0);
    for (const i of this.table) counts[i]!++;
    return counts;
  }
}
