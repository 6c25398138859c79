import type { HashFamily } from '../balancers/hashing/types.js';
import { fmix32 } from '../model/hash.js';
import type { Fleet } from '../model/fleet.js';
import type { Session } from '../model/session.js';
import { Miss, type Affinity, type KeyExtractor } from './types.js';

/**
 * A derived binding: the key is hashed onto the servers currently available by a hash
 * family. Nothing is remembered, so when the fleet changes the family is
 * rebuilt and some keys remap (many for modulo, few for a ring).
 */
export class HashedAffinity implements Affinity {
  readonly via = 'hash';
  private builtFor = -1;

  constructor(
    private readonly extractor: KeyExtractor,
    private readonly family: HashFamily,
  ) {}

  lookup(s: Session, fleet: Fleet): number {
    const key = this.extractor.key(s);
    if (key < 0) return Miss.noKey;
    if (this.builtFor !== fleet.version) {
      this.family.build(fleet.available);
      this.builtFor = fleet.version;
    }
    const server = this.family.pick(fmix32(key));
    return server === undefined ? Miss.pinnedDown : server.id;
  }
}
