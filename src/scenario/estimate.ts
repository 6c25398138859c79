import { meanOf } from '../model/distributions.js';
import type { SimConfig } from '../model/config.js';

/** What a run would cost, roughly, before it starts. */
export interface CostEstimate {
  /** Requests simulated over every strategy and replication. */
  requests: number;
  /** Sessions alive at once at the peak arrival rate (their objects are what a run holds in memory). */
  concurrentSessions: number;
}

/** Runs above these need `--yes`: about half an hour at a million requests a second, or several GB of sessions. */
export const LIMITS = { requests: 2e9, concurrentSessions: 2e7 } as const;

/**
 * Expected requests (arrivals × requests per session) and concurrent sessions
 * (peak rate × mean session length, Little's law) of a run.
 */
export function estimateCost(c: SimConfig, runs: number): CostEstimate {
  const { steps, daily, bursts = [] } = c.workload.arrivals;
  let sessions = 0;
  steps.forEach((s, i) => {
    const end = Math.min(c.duration, steps[i + 1]?.at ?? c.duration);
    if (end > s.at) sessions += s.rate * (end - s.at);
  });
  // A daily cycle averages out; a burst adds (factor − 1) × the rate over its span (bounded by the peak step).
  const top = Math.max(...steps.map((s) => s.rate)) * (1 + (daily?.amplitude ?? 0));
  for (const b of bursts) sessions += Math.max(0, b.factor - 1) * top * Math.max(0, Math.min(b.duration, c.duration - b.at));
  const perSession = 1 + meanOf(c.workload.requests) + c.workload.logoutProbability;
  const sessionLength = (perSession - 1) * meanOf(c.workload.think) + perSession * meanOf(c.workload.service);
  const peak = top * bursts.reduce((p, b) => p * Math.max(1, b.factor), 1);
  return { requests: sessions * perSession * runs, concurrentSessions: peak * Math.min(sessionLength, c.duration) };
}

/** A one-line reason to refuse the run, or undefined when it is within the limits. */
export function refusal(e: CostEstimate): string | undefined {
  const fmt = (x: number) => x.toExponential(1).replace('e+', 'e');
  if (e.requests > LIMITS.requests) {
    const hours = e.requests / 1e6 / 3600;
    return `this run would simulate about ${fmt(e.requests)} requests (about ${hours < 48 ? `${hours.toFixed(1)} hours` : `${(hours / 24).toFixed(0)} days`} at a million requests per second)`;
  }
  if (e.concurrentSessions > LIMITS.concurrentSessions) {
    return `this run would hold about ${fmt(e.concurrentSessions)} sessions in memory at once (several GB or more)`;
  }
  return undefined;
}
