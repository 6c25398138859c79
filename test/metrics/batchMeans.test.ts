import { describe, expect, it } from 'vitest';
import { batchMeans, measuredWindows } from '../../src/metrics/batchMeans.js';
import type { WindowTotal } from '../../src/metrics/results.js';
import { congestionSeries, mser5 } from '../../src/metrics/warmup.js';

function total(window: number, over: Partial<WindowTotal>): WindowTotal {
  return {
    window, start_s: window * 10, end_s: window * 10 + 10, measured: window > 0,
    sent: 0, completed: 0, latency_sum: 0, wait_sum: 0, waited: 0, dropped: 0, failed: 0, routing_losses: 0, busy: 0, queue: 0, capacity: 20,
    ...over,
  };
}

// Windows of 10 s on a 2-worker fleet; window 0 is warm-up.
const totals = [
  total(0, { completed: 99, busy: 20 }),
  total(1, { sent: 10, completed: 10, latency_sum: 2, wait_sum: 1, waited: 5, busy: 4, queue: 1, routing_losses: 1 }),
  total(2, { sent: 30, completed: 30, latency_sum: 6, wait_sum: 0, waited: 0, busy: 12, queue: 3 }),
  total(3, { sent: 20, completed: 20, latency_sum: 4, wait_sum: 2, waited: 4, busy: 8, queue: 0 }),
  total(4, { sent: 20, completed: 20, latency_sum: 8, wait_sum: 2, waited: 6, busy: 8, queue: 4, routing_losses: 2 }),
];

describe('batch means (hand-computed)', () => {
  it('two batches of two measured windows: ratios of sums per batch, then a t interval', () => {
    const bm = batchMeans(totals, 2);
    expect([bm.batches, bm.windowsPerBatch, bm.windowsDropped]).toEqual([2, 2, 0]);
    const get = (m: string) => bm.estimates.find((e) => e.metric === m)!;
    // Batch 1 = windows 1–2: 40 completed in 20 s, latency 8/40 s, busy 16 of 40 worker-s, queue 4.
    // Batch 2 = windows 3–4: 40 completed in 20 s, latency 12/40 s, busy 16 of 40, queue 4.
    expect(get('throughput_rps')).toMatchObject({ mean: 2, sd: 0, halfWidth: 0 });
    expect(get('latency_mean_ms').mean).toBeCloseTo((200 + 300) / 2, 9);
    // sd of 200 and 300 is 50√2; half-width t(0.975, 1) · sd / √2.
    expect(get('latency_mean_ms').halfWidth).toBeCloseTo(12.706204736174707 * 50, 6);
    expect(get('utilization').mean).toBeCloseTo(0.4, 12);
    expect(get('in_system_mean').mean).toBeCloseTo(1, 12); // (16 + 4) / 20 in both
    expect(get('wait_probability').mean).toBeCloseTo((5 / 40 + 10 / 40) / 2, 12);
    expect(get('wait_mean_ms').mean).toBeCloseTo((25 + 100) / 2, 9);
    expect(get('losses_per_1k_requests').mean).toBeCloseTo((25 + 50) / 2, 9);
  });

  it('leaves the remainder out at the start: 3 batches of 4 windows use windows 2, 3, 4', () => {
    const bm = batchMeans(totals, 3);
    expect([bm.windowsPerBatch, bm.windowsDropped]).toEqual([1, 1]);
    expect(bm.estimates.find((e) => e.metric === 'throughput_rps')!.mean).toBeCloseTo((3 + 2 + 2) / 3, 12);
  });

  it('refuses fewer than 2 batches or more batches than measured windows', () => {
    expect(() => batchMeans(totals, 1)).toThrow(RangeError);
    expect(() => batchMeans(totals, 5)).toThrow(/at least 5 measured windows, the run has 4/);
  });

  it('counts the measured windows of a run', () => {
    expect(measuredWindows(600, 60, 60)).toBe(9);
    expect(measuredWindows(600, 90, 60)).toBe(8); // the window straddling the warm-up is not measured
    expect(measuredWindows(650, 0, 60)).toBe(11); // the last, shorter window counts
  });
});

describe('MSER-5', () => {
  /** A deterministic ±1 wiggle, so that the steady part has some variance. */
  const wiggle = (i: number) => ((i * 7919) % 13) / 6 - 1;

  it('finds the end of a ramp: 40 rising values, then 160 level ones', () => {
    const series = Array.from({ length: 200 }, (_, i) => (i < 40 ? i / 2 : 20) + wiggle(i));
    const r = mser5(series)!;
    expect(r.truncate).toBeGreaterThanOrEqual(30);
    expect(r.truncate).toBeLessThanOrEqual(45);
    expect(r.truncate % 5).toBe(0);
    expect(r.atLimit).toBe(false);
  });

  it('a stationary series needs little or no truncation', () => {
    expect(mser5(Array.from({ length: 100 }, (_, i) => 5 + wiggle(i)))!.truncate).toBeLessThanOrEqual(10);
    expect(mser5(new Array(100).fill(3))!.truncate).toBe(0); // ties keep the earliest point
  });

  it('a series still rising at half its length hits the limit', () => {
    const r = mser5(Array.from({ length: 100 }, (_, i) => i + wiggle(i)))!;
    expect(r).toEqual({ truncate: 50, atLimit: true });
  });

  it('too short to judge: fewer than 8 batches of 5', () => {
    expect(mser5(new Array(39).fill(1))).toBeUndefined();
  });

  it('the congestion series is requests in system per full window', () => {
    expect(congestionSeries([total(1, { busy: 4, queue: 1 }), total(2, { busy: 12, queue: 3, end_s: 25 })], 10)).toEqual([0.5]);
  });
});
