/**
 * Slow start: a server that joins a fleet already in service receives a
 * share of NEW requests that grows linearly from nothing to its full share
 * over `duration` seconds. Written from the AWS ALB documentation of
 * `slow_start.duration_seconds` ("the time period … during which the load
 * balancer sends a newly registered target a linearly increasing share of
 * the traffic"; "the load balancer linearly increases the number of requests
 * that it can send to a target in slow start mode"), with its rules:
 *
 * - a server enters slow start when it becomes available (registered and
 *   healthy, or healthy again after being unhealthy), but only if at least one
 *   available server is not in slow start; the servers in service when the
 *   balancer first looks (the initial fleet) never do;
 * - it leaves slow start when `duration` has elapsed, or when it becomes
 *   unavailable (unhealthy, deregistered: draining or removed);
 * - requests bound to a server (sticky sessions) are not the balancer's:
 *   slow start only shapes the new requests this balancer is asked to place.
 *
 * The ramp: a server j seconds into slow start gets r = j / duration of its
 * full share: with base weights b (1 each on ALB, whose targets have none), a
 * ramping server i gets r_i·b_i / B of the new requests (B: all available
 * servers' base weights) and the servers in full service share the rest in
 * proportion to b. That is a smooth weighted round robin (roundRobin.ts)
 * over effective weights w_i = r_i·b_i·B_full / (B − Σ r_k·b_k) for ramping
 * servers and b for the others. With every available server ramping
 * (possible after the others fail), they share by r·b. When no server ramps,
 * the wrapped balancer places requests as it would without slow start. AWS
 * does not document the ramp's arithmetic beyond "linear share"; this is the
 * reading that makes the share itself linear in time.
 *
 * Time: `pick(fleet, now)` gets the request's time from the load balancer
 * (loadBalancer.ts passes it). Joining is noticed when the balancer looks
 * (each pick) and the fleet's version has changed: a server started since the
 * previous look (Server.startedAt, a scale-out) joined when it started; one
 * that came back (recovered, healthy again) joined at the first look that
 * sees it, at most one request later.
 */
import type { Fleet } from '../model/fleet.js';
import type { Server } from '../model/server.js';
import type { Balancer } from './types.js';

export interface SlowStartOptions {
  /** Seconds of the ramp (ALB `slow_start.duration_seconds`, 30–900). */
  duration: number;
  /** A server's weight in full service (default its `weight`; ALB: 1, targets have no weight). */
  baseWeight?: (s: Server) => number;
}

export class SlowStart implements Balancer {
  readonly name: string;
  /** Server id → when its slow start began. */
  private readonly since = new Map<number, number>();
  /** Servers available at the last look; undefined before the first. */
  private seen: Set<number> | undefined;
  private version = -1;
  private lastLook = -Infinity;
  /** Smooth weighted round robin credits while some server ramps. */
  private readonly credit = new Map<number, number>();

  constructor(
    readonly inner: Balancer,
    private readonly opts: SlowStartOptions,
  ) {
    this.name = `${inner.name}+slow-start`;
  }

  pick(fleet: Fleet, now?: number): Server | undefined {
    if (now === undefined) return this.inner.pick(fleet);
    this.look(fleet, now);
    if (this.since.size === 0) {
      this.credit.clear();
      return this.inner.pick(fleet, now);
    }
    return this.pickRamped(fleet.available, now);
  }

  /** The fraction of its full share a server gets at `now`: r in [0, 1) while ramping, 1 otherwise. */
  ramp(server: Server, now: number): number {
    const t = this.since.get(server.id);
    if (t === undefined) return 1;
    const r = (now - t) / this.opts.duration;
    return r >= 1 ? 1 : Math.max(0, r);
  }

  /** Servers in slow start at the last look, with when it began. */
  get ramping(): ReadonlyMap<number, number> {
    return this.since;
  }

  /** Notices servers joining or leaving `available`, and ramps that have run their course. */
  private look(fleet: Fleet, now: number): void {
    for (const [id, t] of this.since) if (now - t >= this.opts.duration) this.since.delete(id);
    if (fleet.version !== this.version) {
      this.version = fleet.version;
      const available = fleet.available;
      const ids = new Set<number>();
      for (const s of available) ids.add(s.id);
      const seen = this.seen;
      if (seen !== undefined) {
        for (const id of this.since.keys()) if (!ids.has(id)) this.since.delete(id);
        for (const id of this.credit.keys()) if (!ids.has(id)) this.credit.delete(id);
        const joiners = available.filter((s) => !seen.has(s.id));
        const inService = available.some((s) => seen.has(s.id) && !this.since.has(s.id));
        if (inService) for (const s of joiners) this.since.set(s.id, s.startedAt >= this.lastLook ? Math.min(s.startedAt, now) : now);
      }
      this.seen = ids;
    }
    this.lastLook = now;
  }

  /** Smooth weighted round robin over the effective weights (see the file comment). */
  private pickRamped(list: readonly Server[], now: number): Server | undefined {
    if (list.length === 0) return undefined;
    const base = this.opts.baseWeight ?? ((s: Server) => s.weight);
    let all = 0;
    let full = 0;
    let rampedShare = 0;
    for (const s of list) {
      const b = base(s);
      all += b;
      const r = this.ramp(s, now);
      if (r >= 1) full += b;
      else rampedShare += r * b;
    }
    const scale = full > 0 ? full / (all - rampedShare) : 1;
    let best: Server | undefined;
    let bestCredit = -Infinity;
    let total = 0;
    for (const s of list) {
      const r = this.ramp(s, now);
      const w = r >= 1 ? base(s) : r * base(s) * scale;
      if (w <= 0) continue;
      const c = (this.credit.get(s.id) ?? 0) + w;
      this.credit.set(s.id, c);
      total += w;
      if (c > bestCredit) {
        best = s;
        bestCredit = c;
      }
    }
    if (best === undefined) return list[0];
    this.credit.set(best.id, bestCredit - total);
    return best;
  }
}
