import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Balancer } from './types.js';

/**
 * Each available server in turn (HAProxy `roundrobin`, nginx default). With
 * unequal weights, nginx's smooth weighted round robin: every pick adds each
 * server's weight to its credit and takes the richest, which then pays the
 * total — a server of weight 2 gets two picks in three, never two in a row
 * needlessly.
 */
export class RoundRobin implements Balancer {
  readonly name = 'round-robin';
  private cursor = 0;
  private credit = new Map<number, number>();

  pick(fleet: Fleet, _now?: number, avoid?: Server): Server | undefined {
    const list = fleet.available;
    if (list.length === 0) return undefined;
    if (!fleet.evenWeights) {
      const s = this.pickWeighted(list);
      return s === avoid && list.length > 1 ? this.pickWeighted(list) : s;
    }
    if (this.cursor >= list.length) this.cursor = 0;
    // Passing over `avoid` takes the next in turn, as HAProxy's fwrr_get_next_server does with srvtoavoid.
    if (list[this.cursor] === avoid && list.length > 1 && ++this.cursor >= list.length) this.cursor = 0;
    return list[this.cursor++];
  }

  reload(): void {
    this.cursor = 0;
    this.credit.clear();
  }

  /** Smooth weighted round robin over `list` (not empty). */
  private pickWeighted(list: readonly Server[]): Server {
    let best: Server | undefined;
    let bestCredit = -Infinity;
    let total = 0;
    for (const s of list) {
      const c = (this.credit.get(s.id) ?? 0) + s.weight;
      this.credit.set(s.id, c);
      total += s.weight;
      if (c > bestCredit) {
        best = s;
        bestCredit = c;
      }
    }
    this.credit.set(best!.id, bestCredit - total);
    return best!;
  }
}

/** `a` is less loaded than `b` relative to their weights (in-flight / weight), without dividing. */
export function lighter(a: Server, b: Server): boolean {
  return a.inflight * b.weight < b.inflight * a.weight;
}
