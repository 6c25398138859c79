import type { Streams } from '../engine/index.js';
import { chance, CounterStream, uint32 } from '../engine/index.js';
import { ClientNetwork, type ClientSpec } from './clients.js';
import { countSampler, standardExponential, timeSampler, type CountDist, type Sampler, type TimeDist } from './distributions.js';
import { fmix32 } from './hash.js';
import type { Session, SessionDraw } from './session.js';
import { SessionTable, type SessionRow } from './sessionTable.js';

/** Sessions per second from `at` (seconds) until the next step. */
export interface RateStep {
  at: number;
  rate: number;
}

/**
 * Session arrivals: a Poisson process whose rate is a piecewise-constant
 * schedule, optionally times a daily sinusoid and flash-crowd bursts.
 */
export interface ArrivalSpec {
  /** The first step is at 0. */
  steps: RateStep[];
  /** rate × (1 + amplitude·cos(2π(t − peak)/period)): busiest at `peak`. */
  daily?: { amplitude: number; period: number; peak: number };
  /** rate × factor during [at, at + duration). */
  bursts?: { at: number; duration: number; factor: number }[];
}

export interface WorkloadSpec {
  arrivals: ArrivalSpec;
  /** Requests after the login request. */
  requests: CountDist;
  /** Pause between a response and the client's next request. */
  think: TimeDist;
  /** Service demand of one request on a server. */
  service: TimeDist;
  /** Probability a session ends with a logout request (else it is abandoned). */
  logoutProbability: number;
  clients: ClientSpec;
}

/** Lanes of the counter-based per-request draws (the client model uses 1–5). */
const Lane = { service: 1 << 16, think: 2 << 16 } as const;

/**
 * Generates sessions: open (Poisson) arrivals at a piecewise-constant rate.
 * What a session is (its client, its number of requests, logout or not) is
 * drawn when it starts, in order of arrival, each kind from its own stream;
 * the service demand and think time of its i-th request are drawn when
 * needed, as pure functions of (session key, i). Either way every strategy
 * run with the same seed sees exactly the same sessions (common random
 * numbers), and a session stores no per-request values.
 */
export class Workload {
  private readonly count: Sampler;
  private readonly thinkTime: Sampler;
  private readonly serviceTime: Sampler;
  private readonly perRequest = new CounterStream();
  private readonly ipKey: number;
  readonly network: ClientNetwork;
  /** The sessions alive, as rows of a table (see {@link SessionTable}). */
  readonly sessions: SessionTable;
  private readonly draw: SessionDraw = {
    id: 0, start: 0, ip: 0, natGroup: -1, nextIpChange: Infinity, acceptsCookies: false,
    sendsHeader: false, sendsParam: false, keepsRoute: false, logout: false, requests: 1,
  };
  private readonly modulated: boolean;
  private readonly peakRate: number;
  private step = 0;
  private started = 0;

  constructor(
    private readonly spec: WorkloadSpec,
    private readonly streams: Streams,
  ) {
    this.count = countSampler(spec.requests);
    this.thinkTime = timeSampler(spec.think);
    this.serviceTime = timeSampler(spec.service);
    this.ipKey = uint32(streams.clients);
    this.sessions = new SessionTable(256, uint32(streams.clients)); // seeds the session keys
    this.network = new ClientNetwork(spec.clients, streams.network);
    const a = spec.arrivals;
    this.modulated = a.daily !== undefined || (a.bursts?.length ?? 0) > 0;
    let peak = Math.max(...a.steps.map((x) => x.rate)) * (1 + (a.daily?.amplitude ?? 0));
    for (const b of a.bursts ?? []) peak *= Math.max(1, b.factor);
    this.peakRate = peak;
  }

  /** The arrival rate (sessions per second) at time t. */
  rateAt(t: number): number {
    const a = this.spec.arrivals;
    let i = 0;
    while (i + 1 < a.steps.length && a.steps[i + 1]!.at <= t) i++;
    let rate = a.steps[i]!.rate;
    if (a.daily) rate *= 1 + a.daily.amplitude * Math.cos((2 * Math.PI * (t - a.daily.peak)) / a.daily.period);
    for (const b of a.bursts ?? []) if (t >= b.at && t < b.at + b.duration) rate *= b.factor;
    return rate;
  }

  /**
   * The time of the next session arrival after `now`, or Infinity if there is
   * none before `until`.
   */
  nextArrival(now: number, until = Infinity): number {
    return this.modulated ? this.nextByThinning(now, until) : this.nextPiecewise(now);
  }

  /**
   * Non-homogeneous Poisson arrivals by thinning (Lewis and Shedler): candidates
   * at the peak rate, each kept with probability rate(t) / peak.
   */
  private nextByThinning(now: number, until: number): number {
    const u = this.streams.arrivals;
    if (this.peakRate <= 0) return Infinity;
    let t = now;
    for (;;) {
      t += standardExponential(u) / this.peakRate;
      if (t >= until) return Infinity;
      if (u() * this.peakRate < this.rateAt(t)) return t;
    }
  }

  /** Exact for a piecewise-constant rate: an Exp(1) amount of integrated rate, spent across the steps. */
  private nextPiecewise(now: number): number {
    const need = standardExponential(this.streams.arrivals);
    const steps = this.spec.arrivals.steps;
    if (this.step + 1 < steps.length) return this.spend(now, need);
    // In the last step (a constant rate: the common case), an exponential gap.
    const rate = steps[this.step]!.rate;
    return rate > 0 ? now + need / rate : Infinity;
  }

  /** Spends `need` of integrated rate from `now` on, step after step. */
  private spend(now: number, need: number): number {
    const steps = this.spec.arrivals.steps;
    let t = now;
    while (this.step + 1 < steps.length && steps[this.step + 1]!.at <= t) this.step++;
    for (;;) {
      const rate = steps[this.step]!.rate;
      const end = this.step + 1 < steps.length ? steps[this.step + 1]!.at : Infinity;
      if (rate > 0 && t + need / rate <= end) return t + need / rate;
      if (end === Infinity) return Infinity;
      need -= rate * (end - t);
      t = end;
      this.step++;
    }
  }

  /** Draws the next session, starting at `now`. */
  create(now: number): SessionRow {
    const { sessions, clients } = this.streams;
    const spec = this.spec;
    const id = ++this.started;
    const n = this.count(sessions);
    const logout = chance(sessions, spec.logoutProbability);
    const acceptsCookies = chance(clients, spec.clients.cookieAcceptance);
    const sendsHeader = chance(clients, spec.clients.headerProbability);
    // Seeded bijections of the session number: unique keys, and unique random-looking
    // addresses unless the client model says otherwise.
    const key = this.sessions.keyOf(id);
    const d = this.draw;
    d.id = id;
    d.start = now;
    d.acceptsCookies = acceptsCookies;
    d.sendsHeader = sendsHeader;
    d.logout = logout;
    d.requests = 1 + n + (logout ? 1 : 0);
    // The client model fills in the rest (address, NAT group, mobility, parameter, route). The draw
    // is reused and copied into the session's row: nothing is allocated.
    this.network.identify(now, fmix32((id ^ this.ipKey) >>> 0), key, d);
    return this.sessions.add(d);
  }

  /** The service demand of `s`'s request number `s.next` (0 is the login). */
  demand(s: Session): number {
    return this.serviceTime(this.perRequest.at(s.key, s.next, Lane.service));
  }

  /** The think time before `s`'s request number `s.next` (≥ 1). */
  think(s: Session): number {
    return this.thinkTime(this.perRequest.at(s.key, s.next, Lane.think));
  }

  /** The session has ended and nothing is scheduled for it: its row may be reused. */
  release(s: SessionRow): void {
    this.sessions.release(s);
  }
}
