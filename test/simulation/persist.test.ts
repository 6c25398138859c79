/**
 * `onDown: persist`: a request bound to an unavailable server waits out
 * `retries × retryDelay` before it is redispatched. That time is part of its
 * latency, never of its queue wait, and the request is counted while it waits.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/scenario/load.js';
import { resolveStrategy } from '../../src/scenario/load.js';
import { comparisonTable } from '../../src/report/table.js';
import { runExperiment, runOnce } from '../../src/simulation/experiment.js';
import { testScenario } from '../helpers.js';

/**
 * 4 servers; s2 crashes at 10 min (the balancer knows at once) and recovers
 * at 15; the cookie strategy persists 3 × 1 s and keeps the binding, so every
 * request of s2's sessions during the crash is retried.
 */
function crash(fleet: Record<string, unknown>, sets: string[] = []): Scenario {
  return testScenario({ fleet, timeline: [{ at: '10m', event: 'crash', server: 's2' }, { at: '15m', event: 'recover', server: 's2' }] }, sets);
}
const persist = resolveStrategy('cookie', { onDown: 'persist', onRecover: 'return' });
const redispatch = resolveStrategy('cookie', { onDown: 'redispatch', onRecover: 'return' });

describe('persist: the retry delay is its own figure', () => {
  it('with a worker free for every request nothing queues: the wait is 0 though requests were retried', () => {
    const sc = crash({ servers: 4, workers: 1000 });
    const s = runOnce(sc, persist, 5).metrics.summary;
    expect(s.retry_probability).toBeGreaterThan(0.01);
    // Each retried request waited exactly 3 × 1 s before it reached a server.
    expect(s.retry_delay_mean_ms).toBeCloseTo(3000 * s.retry_probability, 9);
    // The old accounting put those 3 s into the queue wait (wait_mean_ms ≈ 3000 × retry_probability, wait_probability > 0).
    expect([s.wait_mean_ms, s.wait_probability, s.queue_mean]).toEqual([0, 0, 0]);
    // Latency = retry delay + service: the same run under redispatch is the retry delay faster, and no other way different.
    const r = runOnce(sc, redispatch, 5).metrics.summary;
    expect([r.retry_delay_mean_ms, r.retry_probability]).toEqual([0, 0]);
    expect(s.latency_mean_ms - r.latency_mean_ms).toBeCloseTo(s.retry_delay_mean_ms, 0);
  });

  it("Little's law holds at the servers: Lq = λ·Wq and L = λ·(W − retry delay)", () => {
    // One worker per server and service of 200 ms: requests queue, and a crash of 5 minutes retries many.
    const sc = crash({ servers: 4, workers: 1 }, ['workload.service.mean=200ms', 'duration=40m', 'warmup=0']);
    const s = runOnce(sc, persist, 5).metrics.summary;
    expect(s.retry_probability).toBeGreaterThan(0.005);
    expect(s.wait_probability).toBeGreaterThan(0.05);
    const lambda = s.throughput_rps;
    // Both sides are time averages over the same run: they differ only by the requests in the system at its ends.
    expect(Math.abs(s.queue_mean - (lambda * s.wait_mean_ms) / 1000) / s.queue_mean).toBeLessThan(0.01);
    expect(Math.abs(s.in_system_mean - (lambda * (s.latency_mean_ms - s.retry_delay_mean_ms)) / 1000) / s.in_system_mean).toBeLessThan(0.01);
    // With the retry delay counted as waiting, both would be off by far more than 1%.
    expect((lambda * (s.wait_mean_ms + s.retry_delay_mean_ms)) / 1000 / s.queue_mean).toBeGreaterThan(1.1);
  });

  it('requests still retrying when the run ends are counted, in their own state (issue #12: the run ended in an InvariantError)', () => {
    const sc = testScenario({ timeline: [{ at: 1195, event: 'crash', server: 's2' }] });
    const c = runOnce(sc, persist, 5).metrics.conservation; // the invariants are checked here
    expect(c.requestsRetrying).toBeGreaterThan(0);
    expect(c.requestsSent).toBe(c.requestsCompleted + c.requestsDropped + c.requestsFailed + c.requestsInFlight + c.requestsRetrying);
  });

  it('the terminal table has a "retry ms" column when some request was retried, and none otherwise', () => {
    const sc = crash({ servers: 4, workers: 2 });
    const both = runExperiment(sc, { strategies: [persist, { ...redispatch, label: 'cookie-redispatch' }], replications: 1, seed: 5 });
    const [head, , withRetries, without] = comparisonTable(both).split('\n');
    expect(head).toMatch(/p99 ms {2}retry ms {2}dropped/);
    const at = head!.indexOf('retry ms') + 'retry ms'.length;
    expect(Number(withRetries!.slice(at - 8, at))).toBeGreaterThan(10);
    expect(without!.slice(at - 8, at).trim()).toBe('0.0');
    const none = runExperiment(sc, { strategies: [redispatch], replications: 1, seed: 5 });
    expect(comparisonTable(none)).not.toMatch(/retry/);
  });
});
