/**
 * report.html: one self-contained page (styles, data, Chart.js and the
 * drawing script inlined; no network) that a person opens from a results
 * directory and understands in a minute.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bestStrategies, compareStrategies, type StrategyEstimate } from '../comparison.js';
import { METRIC_GROUPS, showValue, type MetricGroup } from '../metrics.js';
import { whatThisShows } from '../narrative.js';
import type { Results } from '../results.js';
import { loadPanels, summaryCharts, type ChartSpec } from './charts.js';
import { CLIENT_JS } from './client.js';
import { keyParameters } from './params.js';
import { REPORT_CSS } from './style.js';

let chartJs: string | undefined;

/** Chart.js's browser build, from the installed package. */
function chartJsSource(): string {
  if (chartJs === undefined) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
  }
  return chartJs;
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' } as Record<string, string>)[c]};`);
}

/** Inline script text: "</script" and "<!--" cannot end or confuse the element. */
function scriptText(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Everything the page shows, computed from a results directory. */
export interface ReportModel {
  estimates: StrategyEstimate[];
  narrative: string[];
  charts: ChartSpec[];
}

export function reportModel(results: Results): ReportModel {
  const estimates = compareStrategies(results.strategies, results.summary);
  return {
    estimates,
    narrative: whatThisShows(estimates, results.run.replications),
    charts: [...summaryCharts(results, estimates), ...loadPanels(results)],
  };
}

function comparisonTable(group: MetricGroup, estimates: readonly StrategyEstimate[]): string {
  const metrics = group.metrics.filter((m) => estimates.some((e) => e.metrics[m.key] !== undefined));
  const best = new Map(metrics.map((m) => [m.key, bestStrategies(estimates, m)]));
  const head = metrics
    .map((m) => `<th scope="col" title="${esc(m.help)}">${esc(m.label)}${m.unit ? `<span class="unit">${esc(m.unit)}</span>` : ''}</th>`)
    .join('');
  const rows = estimates.map((e) => {
    const cells = metrics.map((m) => {
      const est = e.metrics[m.key];
      const text = est === undefined ? '—' : showValue(m, est.mean) + (Number.isFinite(est.halfWidth) ? ` ± ${showValue(m, est.halfWidth)}` : '');
      return best.get(m.key)!.has(e.strategy) ? `<td class="best">${text}</td>` : `<td>${text}</td>`;
    });
    return `<tr><th scope="row">${esc(e.strategy)}</th>${cells.join('')}</tr>`;
  });
  return (
    `<h3>${esc(group.title)}</h3><p class="question">${esc(group.question)}</p>` +
    `<div class="scroll"><table class="comparison"><thead><tr><th scope="col">strategy</th>${head}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></div>`
  );
}

function figure(spec: ChartSpec): string {
  const caption = spec.caption ? `<figcaption>${esc(spec.caption)}</figcaption>` : '';
  return `<figure><div class="chart"><canvas id="${spec.id}" role="img" aria-label="${esc(`${spec.title} (${spec.subtitle})`)}"></canvas></div>${caption}</figure>`;
}

function glossary(): string {
  const items = METRIC_GROUPS.flatMap((g) => g.metrics).map((m) => `<dt>${esc(m.label)}</dt><dd>${esc(m.help)}</dd>`);
  return `<details><summary>What the columns mean</summary><dl>${items.join('')}</dl></details>`;
}

/** The whole page. Deterministic: the same results give the same bytes. */
export function renderReport(results: Results, version: string): string {
  const { run } = results;
  const model = reportModel(results);
  const reps = run.replications;
  const bars = model.charts.filter((c) => c.kind === 'bar');
  const panels = model.charts.filter((c) => c.kind === 'line');
  const params = keyParameters(run)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join('');
  const payload = JSON.stringify({ charts: model.charts }).replace(/</g, '\\u003c');
  const ci = reps > 1 ? `Each cell is the mean ± the half-width of its 95% confidence interval over ${reps} replications (Student t). ` : 'One replication, so no confidence intervals. ';
  const eventsNote = results.timeline.length > 0 ? ' Dashed lines mark the fleet changes' : ' The fleet never changes in this scenario';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="stickysim ${esc(version)}">
<title>${esc(run.scenario)} — stickysim report</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header>
<p class="kicker">stickysim report</p>
<h1>${esc(run.scenario)}</h1>
${run.description ? `<p>${esc(run.description)}</p>` : ''}
<dl class="params">${params}</dl>
</header>
<section id="what-this-shows">
<h2>What this shows</h2>
<p class="lead">${model.narrative.map(esc).join(' ')}</p>
</section>
<section id="comparison">
<h2>Comparison by strategy</h2>
<p class="note">${ci}The best value in each column is <strong>bold on blue</strong> (lower is better, except Jain’s index); columns where no value is better are not marked. Hover a column title for its meaning.</p>
${METRIC_GROUPS.map((g) => comparisonTable(g, model.estimates)).join('\n')}
${glossary()}
</section>
<section id="charts">
<h2>Charts</h2>
<noscript><p>The charts need JavaScript. PNG versions are in the <code>charts/</code> directory beside this file.</p></noscript>
<div class="grid">
${bars.map(figure).join('\n')}
</div>
</section>
<section id="load">
<h2>Load on each server over time</h2>
<p class="note">Requests per second each server received, per time window${reps > 1 ? ' (replication 1)' : ''}; every panel has the same scale.${eventsNote}${results.warmup > 0 ? '; the shaded start is the warm-up, not measured' : ''}.</p>
<div class="grid">
${panels.map(figure).join('\n')}
</div>
</section>
<footer>
<p>Made by stickysim ${esc(version)} from ${run.file ? `<code>${esc(run.file)}</code>` : 'a scenario'}: seed ${run.seed}, ${reps} replication${reps === 1 ? '' : 's'}.
The numbers are in <code>summary.csv</code>, <code>servers.csv</code> and <code>timeseries.csv</code> beside this page; <code>stickysim report &lt;this directory&gt;</code> rebuilds the page from them.</p>
</footer>
</main>
<script type="application/json" id="report-data">${payload}</script>
<script>${scriptText(chartJsSource())}</script>
<script>${scriptText(CLIENT_JS)}</script>
</body>
</html>
`;
}
