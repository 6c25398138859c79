import { describe, expect, it } from 'vitest';
import { compareStrategies } from '../../src/report/comparison.js';
import { whatThisShows } from '../../src/report/narrative.js';
import { summaryRow } from './fixtures.js';

function text(rows: ReturnType<typeof summaryRow>[], replications = 1): string {
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  return whatThisShows(compareStrategies(strategies, rows), replications).join(' ');
}

describe('what this shows', () => {
  it('names the strategy that lost fewest sessions and what evenness it cost, against the most even', () => {
    const t = text([
      summaryRow('sticky', 1, { session_loss_rate: 0.02, loss_rerouted: 10, loss_server_lost: 30, imbalance_max_mean: 1.25 }),
      summaryRow('spread', 1, { session_loss_rate: 0.9, loss_rerouted: 5000, loss_server_lost: 0, imbalance_max_mean: 1.01 }),
    ]);
    expect(t).toContain('sticky lost the fewest sessions (2.00%, mostly to lost servers).');
    expect(t).toContain('The price is imbalance: the busiest server under sticky ran 25.0% above the mean request rate, against 1.0% above the mean under spread, the most even — which lost 90.00% of sessions, all to rerouting.');
    expect(t).toContain('one replication');
  });

  it('says when one strategy wins both, and tells the trade-off among the others', () => {
    const t = text([
      summaryRow('store', 1, { session_loss_rate: 0, loss_rerouted: 0, loss_server_lost: 0, imbalance_max_mean: 1.03 }),
      summaryRow('rr', 1, { session_loss_rate: 0.95, imbalance_max_mean: 1.03 }),
      summaryRow('ring', 1, { session_loss_rate: 0.017, imbalance_max_mean: 1.087 }),
    ]);
    // rr ties store on evenness but loses sessions: only store wins both.
    expect(t).toContain('store lost no sessions and balanced the load best too (busiest server 3.0% above the mean request rate).');
    expect(t).toContain('Among the others the usual trade-off holds: ring lost the fewest sessions (1.70%');
    expect(t).toContain('against 3.0% above the mean under rr, the most even — which lost 95.00% of sessions');
  });

  it('lists ties and keeps cause clauses to single strategies', () => {
    const t = text([
      summaryRow('a', 1, { session_loss_rate: 0, loss_rerouted: 0, loss_server_lost: 0, imbalance_max_mean: 1.2 }),
      summaryRow('b', 1, { session_loss_rate: 0, loss_rerouted: 0, loss_server_lost: 0, imbalance_max_mean: 1.3 }),
      summaryRow('c', 1, { session_loss_rate: 0.5, imbalance_max_mean: 1.0 }),
    ]);
    expect(t.startsWith('a and b lost no sessions.')).toBe(true);
    expect(t).toContain('under a ran 20.0% above the mean');
  });

  it('reports the tail-latency range, or that it did not move', () => {
    expect(text([summaryRow('a', 1, { latency_p99_ms: 700 }), summaryRow('b', 1, { latency_p99_ms: 763.34, session_loss_rate: 0.2 })])).toContain(
      'The 99th-percentile latency ranged from 700.0 ms (a) to 763.3 ms (b).',
    );
    expect(text([summaryRow('a', 1), summaryRow('b', 1, { session_loss_rate: 0.2 })])).toContain('The 99th-percentile latency was the same for every strategy (400.0 ms)');
  });

  it('mentions unanswered requests only when there were some', () => {
    const quiet = text([summaryRow('a', 1), summaryRow('b', 1, { session_loss_rate: 0.3 })]);
    expect(quiet).not.toContain('unanswered');
    const busy = text([summaryRow('a', 1, { dropped: 3, failed: 4 }), summaryRow('b', 1, { session_loss_rate: 0.3, failed: 1 })]);
    expect(busy).toContain('Requests went unanswered');
    expect(busy).toContain('in 2 of 2 strategies, at most 7 (a).');
  });

  it('judges a difference against the confidence intervals when there are replications', () => {
    const noisy = text(
      [
        summaryRow('a', 1, { session_loss_rate: 0.1 }), summaryRow('a', 2, { session_loss_rate: 0.3 }),
        summaryRow('b', 1, { session_loss_rate: 0.15 }), summaryRow('b', 2, { session_loss_rate: 0.35 }),
      ],
      2,
    );
    expect(noisy).toContain('Over 2 replications the 95% confidence intervals of the session loss of a and b overlap: the difference between them may be noise.');
    const clear = text(
      [
        summaryRow('a', 1, { session_loss_rate: 0.1 }), summaryRow('a', 2, { session_loss_rate: 0.11 }), summaryRow('a', 3, { session_loss_rate: 0.1 }),
        summaryRow('b', 1, { session_loss_rate: 0.5 }), summaryRow('b', 2, { session_loss_rate: 0.52 }), summaryRow('b', 3, { session_loss_rate: 0.51 }),
      ],
      3,
    );
    expect(clear).toContain('the session loss of a is lower than that of b beyond the 95% confidence intervals');
    expect(clear).not.toContain('one replication');
  });

  it('handles one strategy, and no data', () => {
    expect(text([summaryRow('only', 1, { session_loss_rate: 0.05, imbalance_max_mean: 1.5 })])).toContain(
      'Only only was run: it lost 5.00% of sessions, mostly to rerouting, and its busiest server ran 50.0% above the mean request rate.',
    );
    const none = ['No session started in the measured window, so there is nothing to compare.'];
    expect(whatThisShows([], 1)).toEqual(none);
    expect(text([summaryRow('a', 1, { sessions: 0, session_loss_rate: 0 }), summaryRow('b', 1, { sessions: 0, session_loss_rate: 0 })])).toBe(none[0]);
  });
});
