import { describe, expect, it } from 'vitest';
import { SUMMARY_COLUMNS, type RunMetrics, type Summary } from '../../src/metrics/results.js';
import { statisticsCsv } from '../../src/report/csv.js';
import { comparisonRows, pairedRows } from '../../src/report/statistics.js';
import { pairedTable } from '../../src/report/table.js';
import type { ExperimentResult } from '../../src/simulation/experiment.js';

function summary(over: Partial<Summary>): Summary {
  const s = Object.fromEntries(SUMMARY_COLUMNS.map((c) => [c, 0])) as unknown as Summary;
  return { ...s, ...over };
}

/** Two strategies × three replications; loss rate 0.10/0.12/0.14 (base) and 0.11/0.14/0.15 (other). */
function result(): ExperimentResult {
  const runs = [
    ['base', 0.1, 100],
    ['base', 0.12, 100],
    ['base', 0.14, 100],
    ['other', 0.11, 100],
    ['other', 0.14, 100],
    ['other', 0.15, 100],
  ].map(([strategy, loss, p99], i) => ({
    strategy: strategy as string,
    replication: (i % 3) + 1,
    seed: i,
    events: 0,
    metrics: { summary: summary({ session_loss_rate: loss as number, latency_p99_ms: p99 as number }) } as RunMetrics,
  }));
  return { strategies: ['base', 'other'], replications: 3, seed: 1, runs };
}

describe('comparison and paired rows', () => {
  it('comparison: one row per strategy × summary metric, with mean, sd and CI', () => {
    const rows = comparisonRows(result());
    expect(rows).toHaveLength(2 * SUMMARY_COLUMNS.length);
    const r = rows.find((x) => x.strategy === 'base' && x.metric === 'session_loss_rate')!;
    expect(r.mean).toBeCloseTo(0.12, 12);
    expect(r.sd).toBeCloseTo(0.02, 12);
    expect(r.ci95_high - r.mean).toBeCloseTo((4.302652729749464 * 0.02) / Math.sqrt(3), 12);
    expect(r.replications).toBe(3);
  });

  it('paired: differences from the baseline, the baseline itself left out', () => {
    const rows = pairedRows(result(), 'base');
    expect(rows).toHaveLength(SUMMARY_COLUMNS.length);
    const r = rows.find((x) => x.metric === 'session_loss_rate')!;
    expect(r.mean_diff).toBeCloseTo(4 / 300, 12);
    expect(r.ci95_low).toBeCloseTo(-0.0010088424, 8);
    expect(r.significant).toBe(false);
    expect(rows.find((x) => x.metric === 'latency_p99_ms')).toMatchObject({ mean_diff: 0, significant: false });
  });

  it('paired.csv writes significance; an interval with one replication is empty', () => {
    const csv = statisticsCsv(result(), 'other')['paired.csv'].split('\n');
    expect(csv[0]).toBe('strategy,baseline,metric,mean_diff,ci95_low,ci95_high,replications,significant');
    expect(csv.find((l) => l.startsWith('base,other,session_loss_rate,'))).toMatch(/^base,other,session_loss_rate,-0\.0133333333,-0\.0276755091,0\.00100884[0-9]*,3,false$/);
    const one = result();
    one.runs = one.runs.filter((r) => r.replication === 1);
    one.replications = 1;
    const line = statisticsCsv(one, 'base')['paired.csv'].split('\n').find((l) => l.includes(',session_loss_rate,'));
    expect(line).toBe('other,base,session_loss_rate,0.01,,,1,');
  });

  it('the terminal summary marks a CI that contains 0 as not significant, and asks for 2 replications', () => {
    const text = pairedTable(result(), 'base');
    expect(text).toMatch(/Paired differences from base .* over 3 replications/);
    expect(text).toMatch(/other\s+\+1\.33 \[-0\.10, \+2\.77\] n\.s\./);
    expect(text).toMatch(/n\.s\. = not significant: the 95% CI contains 0/);
    const one = result();
    one.runs = one.runs.filter((r) => r.replication === 1);
    one.replications = 1;
    expect(pairedTable(one, 'base')).toMatch(/need at least 2 replications/);
  });
});
