import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Session } from '../model/session.js';
import { Miss, type Affinity, type KeyExtractor } from './types.js';

export interface TableOptions {
  /** Seconds an entry lives since it last matched (HAProxy `expire`; Kubernetes ClientIP: 10800 s). */
  expire: number;
  /** Entries at most; when full the least recently matched is purged (HAProxy `size`). */
  capacity: number;
  /** Memory per entry, bytes (for the LB-memory metric). */
  entryBytes: number;
  /**
   * The table survives a reload of the balancer: HAProxy's `peers` section
   * with the local peer, which teaches the new process the old one's table
   * (peers.c: the local peer's resync at reload). Default: it is lost.
   */
  peers?: boolean;
}

interface Entry {
  server: number;
  last: number;
}

/**
 * An LB-side stick table: key → server, learned when a request without a
 * live entry is routed (HAProxy `stick on src` / `stick on hdr(…)`;
 * Kubernetes Service `sessionAffinity: ClientIP`; AWS NLB source-IP
 * stickiness). Entries expire a fixed time after their last match; a full
 * table purges the least recently matched. It survives fleet changes while
 * its server lives, and costs the balancer memory, which is reported.
 */
export class TableAffinity implements Affinity {
  readonly via = 'table';
  readonly entryBytes: number;
  boundTo = -1;
  private readonly table = new Map<number, Entry>();

  constructor(
    private readonly extractor: KeyExtractor,
    private readonly opts: TableOptions,
  ) {
    this.entryBytes = opts.entryBytes;
  }

  lookup(s: Session, fleet: Fleet, now: number): number {
    const key = this.extractor.key(s);
    if (key < 0) return Miss.noKey;
    const e = this.table.get(key);
    if (e === undefined) return Miss.noKey;
    if (now - e.last > this.opts.expire) {
      this.table.delete(key);
      return Miss.noKey;
    }
    if (!fleet.accepts(fleet.servers[e.server]!)) {
      this.boundTo = e.server;
      return Miss.pinnedDown;
    }
    this.table.delete(key); // re-insert: the map stays in order of last match
    this.table.set(key, e);
    e.last = now;
    return e.server;
  }

  /** A reload: the new process starts with an empty table, unless peers carry it over. */
  reload(): void {
    if (!this.opts.peers) this.table.clear();
  }

  onRoute(s: Session, server: Server, now: number): void {
    if (!s.rebind) return;
    const key = this.extractor.key(s);
    if (key < 0) return;
    this.table.delete(key);
    this.table.set(key, { server: server.id, last: now });
    while (this.table.size > this.opts.capacity) {
      this.table.delete(this.table.keys().next().value as number);
    }
  }

  entries(now: number): number {
    for (const [key, e] of this.table) {
      if (now - e.last <= this.opts.expire) break;
      this.table.delete(key);
    }
    return this.table.size;
  }
}
