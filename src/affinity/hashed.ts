import { hashFunction, type HashFunction } from '../balancers/hashing/functions.js';
import type { HashFamily } from '../balancers/hashing/types.js';
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';
import { Miss, type Affinity, type KeyExtractor } from './types.js';

/**
 * A derived binding: the key is hashed onto the servers currently available by a hash
 * family. Nothing is remembered, so when the fleet changes the family is
 * rebuilt and some keys remap (many for modulo, few for a ring). The key is
 * turned into the family's 32-bit position by `hash` (XXH64 by default; a
 * real system's own key derivation for its presets, e.g. HAProxy's raw
 * source address) before the family places it.
 */
export class HashedAffinity implements Affinity {
  readonly via = 'hash';
  private builtFor = -1;

  constructor(
    private readonly extractor: KeyExtractor,
    private readonly family: HashFamily,
    private readonly hash: Pick<HashFunction, 'int'> = hashFunction(),
  ) {}

  lookup(s: Session, fleet: Fleet): number {
    const key = this.extractor.key(s);
    if (key < 0) return Miss.noKey;
    if (this.builtFor !== fleet.version) {
      this.family.build(fleet.available);
      this.builtFor = fleet.version;
    }
    const server = this.family.pick(this.hash.int(key));
    return server === undefined ? Miss.pinnedDown : server.id;
  }

  /** The key's server past `avoid`, where the family looks again (else where it led before). */
  repick(s: Session, fleet: Fleet, avoid: Server): number {
    const key = this.extractor.key(s);
    if (key < 0 || this.builtFor !== fleet.version) return this.lookup(s, fleet);
    const hash = this.hash.int(key);
    const server = this.family.pickAvoiding ? this.family.pickAvoiding(hash, avoid) : this.family.pick(hash);
    return server === undefined ? Miss.pinnedDown : server.id;
  }
}
