import type { Streams } from '../engine/index.js';
import { uint32 } from '../engine/index.js';
import { countSampler, timeSampler, type CountDist, type Sampler, type TimeDist } from './distributions.js';
import { fmix32 } from './hash.js';
import { LossCause, type Session } from './session.js';

/** Sessions per second from `at` (seconds) until the next step. */
export interface RateStep {
  at: number;
  rate: number;
}

export interface WorkloadSpec {
  /** Piecewise-constant arrival rate; the first step is at 0. */
  arrivals: RateStep[];
  /** Requests after the login request. */
  requests: CountDist;
  /** Pause between a response and the client's next request. */
  think: TimeDist;
  /** Service demand of one request on a server. */
  service: TimeDist;
  /** Probability a session ends with a logout request (else it is abandoned). */
  logoutProbability: number;
  clients: {
    /** Probability a client keeps cookies. */
    cookieAcceptance: number;
    /** Probability a client sends its identifier header. */
    headerProbability: number;
  };
}

/**
 * Generates sessions: open (Poisson) arrivals at a piecewise-constant rate,
 * each session drawn whole when it starts. Draws happen only here, in order
 * of arrival, each kind from its own stream, so every strategy run with the
 * same seed sees exactly the same sessions (common random numbers).
 */
export class Workload {
  private readonly count: Sampler;
  private readonly think: Sampler;
  private readonly service: Sampler;
  private readonly ipKey: number;
  private step = 0;
  private started = 0;

  constructor(
    private readonly spec: WorkloadSpec,
    private readonly streams: Streams,
  ) {
    this.count = countSampler(spec.requests);
    this.think = timeSampler(spec.think);
    this.service = timeSampler(spec.service);
    this.ipKey = uint32(streams.clients);
  }

  /**
   * The time of the next session arrival after `now` (Infinity if the rate
   * stays 0): an Exp(1) amount of integrated rate, spent across the steps.
   */
  nextArrival(now: number): number {
    const steps = this.spec.arrivals;
    let need = -Math.log(1 - this.streams.arrivals());
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
  create(now: number): Session {
    const { sessions, service, clients } = this.streams;
    const id = ++this.started;
    const n = this.count(sessions);
    const logout = sessions() < this.spec.logoutProbability;
    const total = 1 + n + (logout ? 1 : 0);
    const thinks = new Array<number>(total - 1);
    for (let i = 0; i < total - 1; i++) thinks[i] = this.think(sessions);
    const demands = new Array<number>(total);
    for (let i = 0; i < total; i++) demands[i] = this.service(service);
    const acceptsCookies = clients() < this.spec.clients.cookieAcceptance;
    const sendsHeader = clients() < this.spec.clients.headerProbability;
    return {
      id,
      start: now,
      // A seeded bijection of the session number: unique, random-looking addresses.
      ip: fmix32((id ^ this.ipKey) >>> 0),
      clientId: id,
      acceptsCookies,
      sendsHeader,
      logout,
      demands,
      thinks,
      next: 0,
      sentAt: now,
      startedAt: now,
      cookie: -1,
      home: -1,
      stateId: 0,
      lastAccess: now,
      dropCause: LossCause.none,
      droppedAt: 0,
      lost: false,
      ended: false,
      at: -1,
      completion: -1,
    };
  }
}
