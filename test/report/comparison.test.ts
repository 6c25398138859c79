import { describe, expect, it } from 'vitest';
import { bestStrategies, compareStrategies } from '../../src/report/comparison.js';
import { metricInfo, type MetricInfo } from '../../src/report/metrics.js';

const m = (key: string): MetricInfo => metricInfo(key)!;

describe('compareStrategies', () => {
  it('estimates every numeric column, known or not, per strategy in the given order', () => {
    const rows = [
      { strategy: 'b', replication: 1, seed: 9, sessions: 10, wait_mean_ms: 2 },
      { strategy: 'a', replication: 1, seed: 9, sessions: 20, wait_mean_ms: 4 },
      { strategy: 'a', replication: 2, seed: 8, sessions: 30, wait_mean_ms: 6 },
    ];
    const e = compareStrategies(['a', 'b'], rows);
    expect(e.map((x) => [x.strategy, x.replications])).toEqual([['a', 2], ['b', 1]]);
    expect(Object.keys(e[0]!.metrics)).toEqual(['sessions', 'wait_mean_ms']);
    expect(e[0]!.metrics.sessions!.mean).toBe(25);
    expect(e[0]!.metrics.sessions!.halfWidth).toBeCloseTo(12.706 * 5, 2) // t(0.975, 1) × sd / √n;
    expect(e[1]!.metrics.wait_mean_ms).toMatchObject({ mean: 2, n: 1 });
    expect(Number.isNaN(e[1]!.metrics.wait_mean_ms!.halfWidth)).toBe(true);
  });
});

describe('bestStrategies', () => {
  const est = (values: Record<string, number>, key: string) =>
    compareStrategies(Object.keys(values), Object.entries(values).map(([strategy, v]) => ({ strategy, [key]: v })));

  it('picks the lowest or the highest according to the metric', () => {
    expect([...bestStrategies(est({ a: 0.2, b: 0.1, c: 0.3 }, 'session_loss_rate'), m('session_loss_rate'))]).toEqual(['b']);
    expect([...bestStrategies(est({ a: 0.97, b: 0.99, c: 0.98 }, 'jain_index'), m('jain_index'))]).toEqual(['b']);
  });

  it('ties on the value as shown, and marks nothing when all show the same', () => {
    // 1.0321 and 1.0324 both show as 1.032 (3 digits).
    expect([...bestStrategies(est({ a: 1.0321, b: 1.0324, c: 1.2 }, 'imbalance_max_mean'), m('imbalance_max_mean'))].sort()).toEqual(['a', 'b']);
    expect(bestStrategies(est({ a: 472.3, b: 472.31 }, 'latency_p99_ms'), m('latency_p99_ms')).size).toBe(0);
  });

  it('never marks a metric with no better direction, or a lone value', () => {
    expect(bestStrategies(est({ a: 100, b: 200 }, 'sessions'), m('sessions')).size).toBe(0);
    expect(bestStrategies(est({ a: 0.1, b: NaN }, 'session_loss_rate'), m('session_loss_rate')).size).toBe(0);
  });
});
