/**
 * What `plan` prints and writes: the answer table, plan.csv (every value
 * evaluated), plan.json (the question and the answers) and plan.png (each
 * SLO metric against the values evaluated, the threshold drawn, the answers
 * ringed). All deterministic.
 */
import { createCanvas, loadImage } from 'canvas';
import { formatNumber } from '../report/format.js';
import { toJson } from '../report/runFiles.js';
import { VERSION } from '../version.js';
import { csvText } from './cells.js';
import { lineChart, metricAxis, renderPng, xAxis } from './charts.js';
import type { PlanAnswer, PlanPoint, PlanSpec, Slo } from './plan.js';

/** "1..64", or the values themselves when few. */
export function rangeText(values: readonly string[]): string {
  return values.length <= 6 ? values.join(',') : `${values[0]!}..${values.at(-1)!}`;
}

/** 4 significant digits: what a person compares with a threshold. */
const short = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : '—');

function interval(p: PlanPoint, metric: string): string {
  const e = p.estimates[metric]!;
  return `${short(e.mean)} [${short(e.mean - e.halfWidth)}, ${short(e.mean + e.halfWidth)}]`;
}

/** The distinct metrics of the SLOs, in order. */
function sloMetrics(slos: readonly Slo[]): string[] {
  return [...new Set(slos.map((s) => s.metric))];
}

export function planTable(spec: PlanSpec, answers: readonly PlanAnswer[]): string {
  const metrics = sloMetrics(spec.slos);
  const head = ['strategy', spec.axis.path, ...metrics.map((m) => `${m} (95% CI)`), 'evaluated'];
  const rows = answers.map((a) => [
    a.strategy,
    a.value ?? `none in ${rangeText(spec.axis.values)}`,
    ...metrics.map((m) => `${interval(a.at, m)}${a.at.missed.some((s) => s.metric === m) ? ' ✗' : ' ✓'}${a.value === null ? ` at ${a.at.value}` : ''}`),
    a.evaluated.map((p) => p.value).join(', '),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = (i: number) => i === 1;
  const line = (cells: string[]) => cells.map((c, i) => (right(i) ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join('  ').trimEnd();
  const title = `plan ${spec.scenario}: the smallest ${spec.axis.path} in ${rangeText(spec.axis.values)} meeting ${spec.slos.map((s) => s.text).join(' and ')} with 95% confidence (${spec.seeds.length} replications, seed ${spec.seed})`;
  return [title, '', line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line), ''].join('\n');
}

export function planCsv(spec: PlanSpec, answers: readonly PlanAnswer[]): string {
  const metrics = sloMetrics(spec.slos);
  const header = ['scenario', 'strategy', spec.axis.path, 'round', 'meets', ...metrics.flatMap((m) => [`${m}_mean`, `${m}_ci95_low`, `${m}_ci95_high`])];
  const rows = answers.flatMap((a) =>
    [...a.evaluated]
      .sort((x, y) => x.index - y.index)
      .map((p) => [
        spec.scenario,
        a.strategy,
        p.value,
        String(p.round),
        p.meets ? 'true' : 'false',
        ...metrics.flatMap((m) => {
          const e = p.estimates[m]!;
          return [formatNumber(e.mean), formatNumber(e.mean - e.halfWidth), formatNumber(e.mean + e.halfWidth)];
        }),
      ]),
  );
  return csvText(header, rows);
}

export function planJson(spec: PlanSpec, answers: readonly PlanAnswer[]): string {
  return toJson({
    stickysim: VERSION,
    kind: 'plan',
    fingerprint: spec.fingerprint,
    scenario: spec.scenario,
    file: spec.file,
    description: spec.description,
    seed: spec.seed,
    replications: spec.seeds.length,
    seeds: spec.seeds,
    strategies: spec.strategies,
    vary: { path: spec.axis.path, values: spec.axis.values.length, first: spec.axis.values[0], last: spec.axis.values.at(-1) },
    slo: spec.slos.map((s) => s.text),
    confidence: 0.95,
    answers: answers.map((a) => ({
      strategy: a.strategy,
      value: a.value,
      at: a.at.value,
      metrics: Object.fromEntries(sloMetrics(spec.slos).map((m) => {
        const e = a.at.estimates[m]!;
        return [m, { mean: e.mean, ci95_low: e.mean - e.halfWidth, ci95_high: e.mean + e.halfWidth }];
      })),
      evaluated: a.evaluated.map((p) => p.value),
    })),
    resolved: spec.resolved,
  });
}

/** plan.png: one panel per SLO metric, stacked. */
export async function planPng(spec: PlanSpec, answers: readonly PlanAnswer[]): Promise<Buffer> {
  const { xs, categories } = xAxis(spec.axis.values);
  const panels: Buffer[] = [];
  for (const metric of sloMetrics(spec.slos)) {
    const ax = metricAxis(metric);
    const series = answers.map((a) => ({
      label: a.value === null ? `${a.strategy}: none` : `${a.strategy}: ${a.value}`,
      points: [...a.evaluated]
        .sort((p, q) => p.index - q.index)
        .map((p) => {
          const e = p.estimates[metric]!;
          return { x: xs[p.index]!, y: e.mean * ax.scale, lo: (e.mean - e.halfWidth) * ax.scale, hi: (e.mean + e.halfWidth) * ax.scale };
        }),
    }));
    const slos = spec.slos.filter((s) => s.metric === metric);
    const marks = answers.flatMap((a, i) => (a.value === null ? [] : [{ series: series[i]!.label, x: xs[a.at.index]!, y: a.at.estimates[metric]!.mean * ax.scale }]));
    panels.push(
      await renderPng(
        lineChart({
          title: `${ax.title} vs ${spec.axis.path} — ${spec.scenario}`,
          subtitle: `values evaluated by the search: mean and 95% CI over ${spec.seeds.length} replications; ringed: each strategy's answer`,
          xTitle: spec.axis.path,
          yTitle: ax.axis,
          categories,
          zero: ax.zero,
          ceiling: ax.ceiling,
          series,
          thresholds: slos.map((s) => ({ y: s.threshold * ax.scale, label: `SLO ${s.text}` })),
          marks,
        }),
      ),
    );
  }
  const images = await Promise.all(panels.map((p) => loadImage(p)));
  const width = Math.max(...images.map((i) => i.width));
  const canvas = createCanvas(width, images.reduce((h, i) => h + i.height, 0));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  let y = 0;
  for (const img of images) {
    ctx.drawImage(img, 0, y);
    y += img.height;
  }
  return canvas.toBuffer('image/png');
}
