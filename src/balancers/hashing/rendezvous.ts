import type { Server } from '../../model/server.js';
import { hashFunction, type HashFunction } from './functions.js';
import type { HashFamily } from './types.js';
import { weightOf } from './weights.js';

/**
 * The rendezvous score of a key for one server: −w / ln(u), where u ∈ (0, 1)
 * is the pair hash of (key hash, server name hash) scaled to the open unit
 * interval. The server with the highest score wins. For equal weights this
 * ranks servers as u does; with weights, a server's chance of winning is
 * w / Σw (Schindelhauer and Schomaker's weighted distributed hash tables,
 * 2005; the "logarithmic method").
 */
export function rendezvousScore(hash: HashFunction, keyHash: number, serverHash: number, weight: number): number {
  const u = (hash.pair(keyHash, serverHash) + 0.5) / 4294967296;
  return -weight / Math.log(u);
}

/**
 * Rendezvous or highest-random-weight hashing (Thaler and Ravishankar, 1998):
 * every server scores every key and the highest score takes it (Traefik's
 * `hrw` strategy, weighted the same way; Microsoft's CARP for proxy arrays). No table to build and O(N) per pick. Adding a
 * server moves exactly the keys it now wins, about w / Σw of them (1/(N+1)
 * with equal weights), and removing one moves only its own keys.
 */
export class RendezvousHash implements HashFamily {
  readonly name = 'rendezvous';
  private readonly hash: HashFunction;
  private servers: Server[] = [];
  private serverHashes = new Uint32Array(0);
  private weights = new Float64Array(0);

  /** Mixed into the server names (another draw of the placement), or empty. */
  private readonly suffix: string;

  constructor(options: { hash?: HashFunction; salt?: number | undefined } = {}) {
    this.hash = options.hash ?? hashFunction();
    this.suffix = options.salt === undefined ? '' : `#${options.salt}`;
  }

  build(servers: readonly Server[]): void {
    this.servers = servers.slice();
    this.serverHashes = Uint32Array.from(servers, (s) => this.hash.str(s.name + this.suffix));
    this.weights = Float64Array.from(servers, weightOf);
  }

  pick(hash: number): Server | undefined {
    const n = this.servers.length;
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      const score = rendezvousScore(this.hash, hash, this.serverHashes[i]!, this.weights[i]!);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best < 0 ? undefined : this.servers[best];
  }
}
