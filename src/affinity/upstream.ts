import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';
import { Miss, type Affinity } from './types.js';

/**
 * One request's routing by a balancer that walks its own list of configured
 * servers, down ones included, and skips the unusable ones itself (nginx's
 * upstream: ip_hash and `hash` re-hash past a dead peer, then fall back to
 * round robin). `route` gets the request's key, the time, which servers
 * refuse connections (crashed: the balancer learns from the failed attempt)
 * and which are marked down; it answers a server or undefined (no live
 * upstream: the request fails).
 */
export interface Upstream {
  route(session: Session, now: number, refuses: (s: Server) => boolean, isDown: (s: Server) => boolean): Server | undefined;
}

const refuses = (s: Server) => !s.up;
/** A draining server is one the operator marked `down` (nginx has no drain of its own). */
const isDown = (s: Server) => s.draining;

/**
 * An {@link Upstream} as the affinity step: the configured servers are the
 * fleet's members; a change of membership (a server added or removed) is a
 * configuration reload, which builds a fresh upstream with fresh state, as
 * nginx does. A crash is not a reload: the upstream keeps its passive health
 * state and learns of the crash from failed attempts.
 */
export class UpstreamAffinity implements Affinity {
  private upstream: Upstream | undefined;
  private version = -1;
  private members = '';

  constructor(
    readonly via: string,
    private readonly configure: (configured: readonly Server[]) => Upstream,
  ) {}

  lookup(s: Session, fleet: Fleet, now: number): number {
    if (fleet.version !== this.version) {
      this.version = fleet.version;
      const members = fleet.members;
      const ids = members.map((m) => m.id).join(',');
      if (ids !== this.members || this.upstream === undefined) {
        this.members = ids;
        this.upstream = members.length > 0 ? this.configure(members) : undefined;
      }
    }
    const server = this.upstream?.route(s, now, refuses, isDown);
    return server === undefined ? Miss.pinnedDown : server.id;
  }

  /** nginx reloaded: new workers, a fresh upstream (round robin from the start, no peer marked failed). */
  reload(): void {
    this.upstream = undefined;
    this.version = -1;
  }
}
