import type { WindowTotal } from './results.js';
import { estimate, lag1Autocorrelation, type Estimate } from './stats.js';

/**
 * Steady-state metrics that batch means estimate. Each is a ratio of sums
 * over a batch (never a mean of per-window ratios), so batches of unequal
 * load weigh correctly.
 */
export const BATCH_METRICS = [
  'throughput_rps',
  'utilization',
  'queue_mean',
  'in_system_mean',
  'latency_mean_ms',
  'wait_mean_ms',
  'wait_probability',
  'losses_per_1k_requests',
] as const;
export type BatchMetric = (typeof BATCH_METRICS)[number];

export interface BatchEstimate extends Estimate {
  metric: BatchMetric;
  /** Lag-1 autocorrelation of the batch means: near 0 when batches are long enough to be independent. */
  lag1: number;
}

export interface BatchMeans {
  batches: number;
  windowsPerBatch: number;
  /** Measured windows left out at the start so that every batch has as many windows. */
  windowsDropped: number;
  estimates: BatchEstimate[];
}

/** The value of every batch metric over a run of consecutive windows. */
function batchValues(ws: readonly WindowTotal[]): Record<BatchMetric, number> {
  let length = 0, sent = 0, completed = 0, latency = 0, wait = 0, waited = 0, losses = 0, busy = 0, queue = 0, capacity = 0;
  for (const w of ws) {
    length += w.end_s - w.start_s;
    sent += w.sent;
    completed += w.completed;
    latency += w.latency_sum;
    wait += w.wait_sum;
    waited += w.waited;
    losses += w.routing_losses;
    busy += w.busy;
    queue += w.queue;
    capacity += w.capacity;
  }
  const per = (x: number, n: number) => (n > 0 ? x / n : 0);
  return {
    throughput_rps: per(completed, length),
    utilization: per(busy, capacity),
    queue_mean: per(queue, length),
    in_system_mean: per(busy + queue, length),
    latency_mean_ms: 1000 * per(latency, completed),
    wait_mean_ms: 1000 * per(wait, completed),
    wait_probability: per(waited, completed),
    losses_per_1k_requests: 1000 * per(losses, sent),
  };
}

/**
 * The method of batch means for one long run: the measured windows are cut
 * into `k` batches of equal numbers of consecutive windows (the remainder,
 * if any, is dropped from the start, nearest the warm-up), each batch gives
 * one value of every metric, and the k values are treated as independent
 * observations (Student t, k − 1 df). Valid when batches are much longer than
 * the correlation time of the process: the lag-1 autocorrelation of the batch
 * means tells whether they are.
 */
export function batchMeans(totals: readonly WindowTotal[], k: number): BatchMeans {
  const measured = totals.filter((w) => w.measured);
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`batch means need a whole number of batches ≥ 2, got ${k}`);
  if (measured.length < k) throw new RangeError(`${k} batches need at least ${k} measured windows, the run has ${measured.length}`);
  const size = Math.floor(measured.length / k);
  const dropped = measured.length - size * k;
  const values = Array.from({ length: k }, (_, b) => batchValues(measured.slice(dropped + b * size, dropped + (b + 1) * size)));
  return {
    batches: k,
    windowsPerBatch: size,
    windowsDropped: dropped,
    estimates: BATCH_METRICS.map((metric) => {
      const xs = values.map((v) => v[metric]);
      return { metric, ...estimate(xs), lag1: lag1Autocorrelation(xs) };
    }),
  };
}

/** Number of whole windows that start at or after the warm-up (the measured windows of a run). */
export function measuredWindows(duration: number, warmup: number, window: number): number {
  let n = 0;
  for (let k = 0; k * window < duration; k++) if (k * window >= warmup) n++;
  return n;
}
