/**
 * The sweep's report.html: one self-contained page (the run report's
 * stylesheet, the chart PNGs inlined as data URIs, no script, no network)
 * with, per key metric, its charts and a table of every cell × strategy.
 */
import { esc } from '../report/html/page.js';
import { REPORT_CSS } from '../report/html/style.js';
import { metricInfo, showValue } from '../report/metrics.js';
import { KEY_METRICS, metricAxis, type SweepChart } from './charts.js';
import type { SweepMeta } from './spec.js';
import type { CellEstimate } from './summary.js';

const EXTRA_CSS = `
img.chart { width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 6px; }
td.cell, th.cell { text-align: left; }
thead th.cell { max-width: none; white-space: nowrap; }
`;

function table(meta: SweepMeta, estimates: readonly CellEstimate[], metric: string): string {
  const info = metricInfo(metric) ?? { scale: 1, digits: 3, better: 'neither' as const, unit: '' };
  const byCell = new Map<number, CellEstimate[]>();
  for (const e of estimates) byCell.set(e.cell, [...(byCell.get(e.cell) ?? []), e]);
  const head = meta.vary.map((a) => `<th scope="col" class="cell">${esc(a.path)}</th>`).join('') + meta.strategies.map((s) => `<th scope="col">${esc(s.label)}</th>`).join('');
  const rows = [...byCell.values()].map((group) => {
    const means = group.map((e) => e.metrics[metric]!.mean).filter(Number.isFinite);
    const best = info.better === 'lower' ? Math.min(...means) : info.better === 'higher' ? Math.max(...means) : NaN;
    const cells = group.map((e) => {
      const est = e.metrics[metric]!;
      const text = showValue(info, est.mean) + (Number.isFinite(est.halfWidth) ? ` ± ${showValue(info, est.halfWidth)}` : '');
      const isBest = means.length > 1 && showValue(info, est.mean) === showValue(info, best);
      return isBest ? `<td class="best">${text}</td>` : `<td>${text}</td>`;
    });
    const params = group[0]!.values.map((v, i) => (i === 0 ? `<th scope="row" class="cell">${esc(v)}</th>` : `<td class="cell">${esc(v)}</td>`));
    return `<tr>${params.join('')}${cells.join('')}</tr>`;
  });
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/** The whole page; `png(file)` gives a chart's bytes. Deterministic. */
export function sweepReport(meta: SweepMeta, estimates: readonly CellEstimate[], charts: readonly SweepChart[], png: (file: string) => Uint8Array): string {
  const runs = meta.cells * meta.strategies.length * meta.replications;
  const params: [string, string][] = [
    ...meta.vary.map((a): [string, string] => [a.path, a.values.join(', ')]),
    ['strategies', meta.strategies.map((s) => s.label).join(', ')],
    ['replications', `${meta.replications} (seeds ${meta.seeds.join(', ')})`],
    ['runs', `${meta.cells} cell${meta.cells === 1 ? '' : 's'} × ${meta.strategies.length} strateg${meta.strategies.length === 1 ? 'y' : 'ies'} × ${meta.replications} replication${meta.replications === 1 ? '' : 's'} = ${runs}`],
  ];
  const ci = meta.replications > 1
    ? `Lines join the means over ${meta.replications} replications; the shaded band around each is its 95% confidence interval (Student t). Table cells are mean ± the interval's half-width.`
    : 'One replication per cell, so there are no confidence intervals: re-run with --replications 5 or more to see how far to trust a difference.';
  const sections = KEY_METRICS.map((metric) => {
    const ax = metricAxis(metric);
    const info = metricInfo(metric);
    const figs = charts
      .filter((c) => c.metric === metric)
      .map((c) => `<figure><img class="chart" alt="${esc(`${ax.title} vs ${meta.vary[0]!.path}${c.fixed ? ` (${c.fixed})` : ''}`)}" src="data:image/png;base64,${Buffer.from(png(c.file)).toString('base64')}">${c.fixed ? `<figcaption>${esc(c.fixed)}</figcaption>` : ''}</figure>`);
    const better = info?.better === 'lower' ? 'Lower is better; the best strategy of each row is <strong>bold on blue</strong>.' : info?.better === 'higher' ? 'Higher is better; the best of each row is <strong>bold on blue</strong>.' : 'Neither direction is better.';
    return `<section id="${metric}">
<h2>${esc(ax.title)} <code>${esc(metric)}</code></h2>
<p class="question">${esc(info?.help ?? '')}${info?.unit === '%' || info?.unit === 'ms' ? ` Values in ${info.unit}.` : ''} ${better}</p>
<div class="grid">
${figs.join('\n')}
</div>
${table(meta, estimates, metric)}
</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="stickysim ${esc(meta.stickysim)}">
<title>${esc(meta.scenario)} sweep — stickysim report</title>
<style>${REPORT_CSS}${EXTRA_CSS}</style>
</head>
<body>
<main>
<header>
<p class="kicker">stickysim sweep</p>
<h1>${esc(meta.scenario)}: ${esc(meta.vary.map((a) => a.path).join(' × '))}</h1>
${meta.description ? `<p>${esc(meta.description)}</p>` : ''}
<dl class="params">${params.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
</header>
<section id="how-to-read">
<h2>How to read this</h2>
<p>Each chart puts one key metric against <code>${esc(meta.vary[0]!.path)}</code>, one line per strategy. ${esc(ci)}
Replication r uses the same seed in every cell and for every strategy (common random numbers), so the lines differ by the strategy and the varied parameter, not by luck of the draw.${meta.vary.length > 1 ? ` With several varied parameters there is one chart per combination of the others, named under it.` : ''}</p>
</section>
${sections.join('\n')}
<footer>
<p>Made by stickysim ${esc(meta.stickysim)} from <code>${esc(meta.file)}</code>, seed ${meta.seed}.
Every run is a row of <code>sweep.csv</code>; <code>sweep-summary.csv</code> has the mean and 95% interval of every metric per cell and strategy; the charts are in <code>charts/</code>.</p>
</footer>
</main>
</body>
</html>
`;
}
