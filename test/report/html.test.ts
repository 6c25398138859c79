import { describe, expect, it } from 'vitest';
import { loadPanels, MAX_POINTS, summaryCharts } from '../../src/report/html/charts.js';
import { renderReport, reportModel } from '../../src/report/html/page.js';
import { keyParameters } from '../../src/report/html/params.js';
import { makeResults, summaryRow } from './fixtures.js';

const rows = () => [
  summaryRow('cookie', 1, { session_loss_rate: 0.01, imbalance_max_mean: 1.3, latency_p99_ms: 300 }),
  summaryRow('round-robin', 1, { session_loss_rate: 0.9, imbalance_max_mean: 1.01, latency_p99_ms: 250 }),
  summaryRow('a<b>', 1, { session_loss_rate: 0.5, imbalance_max_mean: 1.1, latency_p99_ms: 280 }),
];

describe('renderReport', () => {
  const html = renderReport(makeResults(rows()), '9.9.9');

  it('is one self-contained page: no external script, style, image or link', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<(script|img|iframe)[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toMatch(/Chart\.js v4\./); // the library itself is inlined
    expect(html).not.toMatch(/<\/script(?![>])/i);
  });

  it('shows the scenario, escaped, and its key parameters', () => {
    expect(html).toContain('<h1>hand-made</h1>');
    expect(html).toContain('A &lt;b&gt;hand-made&lt;/b&gt; scenario &amp; its &quot;quotes&quot;.');
    expect(html).toContain('<dt>fleet</dt><dd>2 servers × 2 workers; queue limit unbounded; session TTL 10m; session memory unbounded</dd>');
    expect(html).toContain('<dt>fleet changes</dt><dd>crash s2 at 2m; add 1 server at 3m</dd>');
  });

  it('has one row per strategy in each comparison table and marks the best values', () => {
    const tables = html.match(/<table class="comparison">.*?<\/table>/gs)!;
    expect(tables).toHaveLength(3);
    for (const t of tables) expect(t.match(/<tr><th scope="row">/g)).toHaveLength(3);
    expect(html).toContain('<th scope="row">a&lt;b&gt;</th>');
    const lossRow = tables[0]!.match(/<tr><th scope="row">cookie<\/th>.*?<\/tr>/s)![0];
    expect(lossRow).toContain('<td class="best">1.00</td>'); // sessions lost, %
    const balanceRow = tables[1]!.match(/<tr><th scope="row">round-robin<\/th>.*?<\/tr>/s)![0];
    expect(balanceRow).toContain('<td class="best">1.010</td>');
  });

  it('embeds the narrative and chart data the page script reads', () => {
    expect(html).toContain('cookie lost the fewest sessions (1.00%');
    const json = html.match(/<script type="application\/json" id="report-data">(.*?)<\/script>/s)![1]!;
    const data = JSON.parse(json) as { charts: { id: string }[] };
    expect(data.charts.map((c) => c.id)).toEqual(['chart-loss', 'chart-imbalance', 'chart-latency', 'chart-held', 'chart-load-1', 'chart-load-2', 'chart-load-3']);
    for (const c of data.charts) expect(html).toContain(`<canvas id="${c.id}"`);
    expect(json).not.toContain('<'); // a strategy named a<b> cannot close the script
  });

  it('is deterministic', () => {
    expect(renderReport(makeResults(rows()), '9.9.9')).toBe(html);
  });

  it('shows mean ± CI half-width with replications', () => {
    const reps = renderReport(
      makeResults([summaryRow('x', 1, { session_loss_rate: 0.1 }), summaryRow('x', 2, { session_loss_rate: 0.2 }), summaryRow('y', 1), summaryRow('y', 2)], { replications: 2 }),
      '1',
    );
    expect(reps).toContain('<td>15.00 ± 63.53</td>');
    expect(reps).toContain('over 2 replications');
  });
});

describe('chart specs', () => {
  it('every chart has a title and a subtitle with its units', () => {
    const r = makeResults(rows());
    for (const c of reportModel(r).charts) {
      expect(c.title.length).toBeGreaterThan(0);
      expect(c.subtitle).toMatch(/per 1,000 sessions|ratio|milliseconds|states|requests per second/);
    }
  });

  it('stacks loss per 1,000 sessions by cause and labels bars with the share lost', () => {
    const r = makeResults(rows());
    const loss = summaryCharts(r, reportModel(r).estimates)[0]!;
    expect(loss.stacked).toBe(true);
    expect(loss.labels[0]).toEqual(['cookie', '1.00% lost']);
    expect(loss.datasets.map((d) => [d.label, d.data[0]])).toEqual([['rerouted', 80], ['server lost', 20], ['evicted', 0], ["expired (not the LB's fault)", 5]]);
  });

  it('uses a log axis for latency spanning more than 50×', () => {
    const r = makeResults([summaryRow('a', 1, { latency_p50_ms: 1, latency_p99_ms: 900 }), summaryRow('b', 1)]);
    expect(summaryCharts(r, reportModel(r).estimates)[2]!.log).toBe(true);
  });

  it('load panels: one per strategy, request rates per server, fleet events and the same y scale', () => {
    const panels = loadPanels(makeResults(rows()));
    expect(panels).toHaveLength(3);
    const p = panels[0]!;
    expect(p.x).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]);
    expect(p.series.map((s) => [s.label, s.y[0]])).toEqual([['s1', 1], ['s2', 2]]);
    expect(p.markers).toEqual([{ x: 2, label: 'crash s2' }, { x: 3, label: '+1 server' }]);
    expect(p.warmup).toBe(1);
    expect(new Set(panels.map((q) => q.yMax))).toEqual(new Set([2.3]));
  });

  it('load panels stay small: windows merge beyond MAX_POINTS and big fleets become min/mean/max', () => {
    const big = loadPanels(makeResults([summaryRow('a', 1)], { servers: 30, windows: 1000 }))[0]!;
    expect(big.x.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(big.x[0]).toBe(2.5); // windows 0–4 merged: midpoint of 0–5 min
    expect(big.series.map((s) => s.label)).toEqual(['busiest server', 'mean of 30 servers', 'least busy server']);
    expect(big.series[0]!.y[0]).toBe(30);
    expect(big.series[2]!.y[0]).toBe(1);
    expect(JSON.stringify(big).length).toBeLessThan(20_000);
  });

  it('key parameters read the resolved scenario', () => {
    const p = Object.fromEntries(keyParameters(makeResults(rows()).run));
    expect(p['simulated time']).toBe('5m, of which the first 1m warm-up (not measured); time windows of 1m');
    expect(p['service time']).toBe('lognormal, mean 100ms, cv 1.5');
    expect(p['clients']).toBe('95% keep cookies; 100% send the client-id header');
  });
});
