/**
 * Sweep charts: each key metric against the first varied parameter, one line
 * per strategy with its 95% confidence band shaded. A grid of several
 * parameters gets one chart per combination of the others (named after it).
 * Same palette, fonts and size as the run charts; deterministic PNGs.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import { baseOptions, renderer, style } from '../report/charts.js';
import { metricInfo } from '../report/metrics.js';
import { numericValue } from './grid.js';
import type { SweepMeta } from './spec.js';
import type { CellEstimate } from './summary.js';

/** The metrics charted (and tabled in report.html). */
export const KEY_METRICS = ['session_loss_rate', 'imbalance_max_mean', 'windowed_max_mean', 'latency_p99_ms', 'utilization_mean'] as const;

const WIDTH = 1200;
const HEIGHT = 600;

/** Titles and units of the charted metrics; other metrics (plan SLOs) fall back to the report's catalogue. */
const TITLES: Record<string, { title: string; axis: string; zero: boolean }> = {
  session_loss_rate: { title: 'Sessions lost', axis: 'sessions lost (%)', zero: true },
  imbalance_max_mean: { title: 'Load imbalance (busiest server ÷ mean)', axis: 'max/mean (1 = even)', zero: false },
  windowed_max_mean: { title: 'Load imbalance per time window', axis: 'max/mean per window (1 = even)', zero: false },
  latency_p99_ms: { title: 'p99 latency', axis: 'p99 latency (ms)', zero: true },
  utilization_mean: { title: 'Mean server utilization', axis: 'utilization (%)', zero: true },
};

/** How a metric is shown on a chart axis: its title, the axis label, the factor for shown values. */
export function metricAxis(key: string): { title: string; axis: string; scale: number; zero: boolean; ceiling?: number } {
  const info = metricInfo(key);
  const scale = info?.scale ?? 1;
  // Shares shown in % cannot exceed 100.
  const ceiling = info?.unit === '%' ? 100 : undefined;
  const known = TITLES[key];
  if (known !== undefined) return { ...known, scale, ...(ceiling ? { ceiling } : {}) };
  const unit = info === undefined ? '' : info.unit === '%' ? ' (%)' : info.unit ? ` (${info.unit})` : '';
  return { title: key, axis: `${key}${unit}`, scale, zero: false, ...(ceiling ? { ceiling } : {}) };
}

/** The x axis of a parameter: numeric if every value reads as a number, else its values in order as categories. */
export function xAxis(values: readonly string[]): { xs: number[]; categories?: string[] } {
  const nums = values.map(numericValue);
  if (nums.every((v): v is number => v !== undefined)) return { xs: nums };
  return { xs: values.map((_, i) => i), categories: [...values] };
}

export interface LinePoint {
  x: number;
  y: number;
  lo: number;
  hi: number;
}

export interface LineChartSpec {
  title: string;
  subtitle: string;
  xTitle: string;
  yTitle: string;
  categories?: string[] | undefined;
  zero: boolean;
  /** Largest possible value (100 for a share in %): a band above it is cut there. */
  ceiling?: number | undefined;
  series: { label: string; points: LinePoint[] }[];
  /** Horizontal lines (plan thresholds). */
  thresholds?: { y: number; label: string }[];
  /** Points to ring (plan answers), per series label. */
  marks?: { series: string; x: number; y: number }[];
}

const BAND = ' 95% CI';

/** A line chart with shaded CI bands (Chart.js draws the first dataset on top: lines first, bands after). */
export function lineChart(spec: LineChartSpec): ChartConfiguration<'line'> {
  const lines: ChartDataset<'line', { x: number; y: number | null }[]>[] = [];
  const bands: ChartDataset<'line', { x: number; y: number | null }[]>[] = [];
  const y = (v: number) => (Number.isFinite(v) ? v : null);
  for (const [i, s] of spec.series.entries()) {
    const { colour, dash } = style(i);
    lines.push({ label: s.label, data: s.points.map((p) => ({ x: p.x, y: y(p.y) })), borderColor: colour, backgroundColor: colour, borderDash: dash, borderWidth: 2.5, pointRadius: 4, fill: false });
    if (s.points.some((p) => Number.isFinite(p.lo) && Number.isFinite(p.hi))) {
      const faint = `${colour}33`;
      bands.push({ label: s.label + BAND, data: s.points.map((p) => ({ x: p.x, y: y(p.hi) })), borderWidth: 0, pointRadius: 0, backgroundColor: faint, borderColor: faint, fill: '+1' });
      bands.push({ label: s.label + BAND, data: s.points.map((p) => ({ x: p.x, y: y(p.lo) })), borderWidth: 0, pointRadius: 0, backgroundColor: faint, borderColor: faint, fill: false });
    }
  }
  for (const [k, t] of (spec.thresholds ?? []).entries()) {
    const xs = spec.series.flatMap((s) => s.points.map((p) => p.x));
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    lines.push({ label: t.label, data: [{ x: x0, y: t.y }, { x: x1, y: t.y }], borderColor: '#333333', backgroundColor: '#ffffff', borderDash: k % 2 === 0 ? [10, 6] : [3, 4], borderWidth: 2, pointRadius: 0, fill: false });
  }
  for (const m of spec.marks ?? []) {
    const i = spec.series.findIndex((s) => s.label === m.series);
    const { colour } = style(i);
    lines.unshift({ label: `${m.series} answer`, data: [{ x: m.x, y: m.y }], borderColor: colour, backgroundColor: 'rgba(0,0,0,0)', borderWidth: 3, pointRadius: 11, pointStyle: 'circle', showLine: false, fill: false });
  }
  const base = baseOptions(spec.title);
  const cats = spec.categories;
  const top = Math.max(0, ...spec.series.flatMap((s) => s.points.flatMap((p) => [p.y, p.hi]).filter(Number.isFinite)));
  const axisTitle = (text: string) => ({ display: true, text, font: { size: 15 } });
  const ticks = { font: { size: 13 } };
  return {
    type: 'line',
    data: { datasets: [...lines, ...bands] },
    options: {
      ...base,
      parsing: false,
      plugins: {
        ...base.plugins,
        subtitle: { display: spec.subtitle !== '', text: spec.subtitle, font: { size: 14 }, padding: { bottom: 6 } },
        legend: {
          ...base.plugins.legend,
          labels: { ...base.plugins.legend.labels, filter: (item: { text: string }) => !item.text.endsWith(BAND) && !item.text.endsWith(' answer') },
        },
      },
      scales: {
        x: cats
          ? { type: 'linear', min: -0.25, max: cats.length - 0.75, title: axisTitle(spec.xTitle), ticks: { ...ticks, stepSize: 1, callback: (v: string | number) => (Number.isInteger(Number(v)) ? (cats[Number(v)] ?? '') : '') } }
          : numericX(spec.series.flatMap((s) => s.points.map((p) => p.x)), axisTitle(spec.xTitle), ticks),
        // Every metric is ≥ 0: a band below zero is cut at the axis.
        y: {
          type: 'linear',
          ...(spec.zero ? { min: 0 } : {}),
          ...(spec.ceiling !== undefined && top > spec.ceiling ? { max: spec.ceiling } : { grace: '8%' }),
          title: axisTitle(spec.yTitle),
          ticks,
        },
      },
    },
  } as ChartConfiguration<'line'>;
}

/**
 * A numeric x axis a little wider than the data; with 20 distinct values or
 * fewer, the ticks are exactly the values (the grid), else whole numbers
 * when the values are.
 */
function numericX(xs: readonly number[], title: object, ticks: object): object {
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  const lo = distinct[0] ?? 0;
  const hi = distinct.at(-1) ?? 1;
  const pad = hi > lo ? (hi - lo) * 0.03 : 0.5;
  const exact = distinct.length <= 20;
  return {
    type: 'linear',
    min: lo - pad,
    max: hi + pad,
    title,
    ticks: { ...ticks, ...(distinct.every(Number.isInteger) ? { precision: 0 } : {}), ...(exact ? { callback: (v: string | number) => Number(v).toLocaleString('en-US', { maximumFractionDigits: 6 }) } : {}) },
    ...(exact ? { afterBuildTicks: (axis: { ticks: { value: number }[] }) => void (axis.ticks = distinct.map((value) => ({ value }))) } : {}),
  };
}

export interface SweepChart {
  /** "charts/session_loss_rate.png", or with the other parameters' values for a grid of several. */
  file: string;
  metric: string;
  /** "workload.arrivals.rate=2" for a grid of several parameters; '' otherwise. */
  fixed: string;
  config: ChartConfiguration<'line'>;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._=,-]/g, '_');

/** Every chart of a sweep, in a fixed order: by metric, then by combination of the other parameters in grid order. */
export function sweepCharts(meta: SweepMeta, estimates: readonly CellEstimate[]): SweepChart[] {
  const [first, ...others] = meta.vary;
  if (first === undefined) return [];
  const { xs, categories } = xAxis(first.values);
  // Group the estimates by the values of the other parameters, in grid order.
  const groups = new Map<string, CellEstimate[]>();
  for (const e of estimates) {
    const key = others.map((a, i) => `${a.path}=${e.values[i + 1]!}`).join(', ');
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const out: SweepChart[] = [];
  const used = new Set<string>();
  for (const metric of KEY_METRICS) {
    const ax = metricAxis(metric);
    for (const [fixed, group] of groups) {
      let file = `charts/${metric}${fixed === '' ? '' : `--${safe(fixed.replace(/, /g, ','))}`}.png`;
      for (let n = 2; used.has(file); n++) file = file.replace(/(-\d+)?\.png$/, `-${n}.png`);
      used.add(file);
      const series = meta.strategies.map((s) => ({
        label: s.label,
        points: group
          .filter((e) => e.strategy === s.label)
          .map((e) => {
            const est = e.metrics[metric]!;
            const x = xs[first.values.indexOf(e.values[0]!)]!;
            return { x, y: est.mean * ax.scale, lo: (est.mean - est.halfWidth) * ax.scale, hi: (est.mean + est.halfWidth) * ax.scale };
          })
          .sort((a, b) => a.x - b.x),
      }));
      const ci = meta.replications > 1 ? `mean and 95% CI over ${meta.replications} replications` : 'one replication (no CI)';
      out.push({
        file,
        metric,
        fixed,
        config: lineChart({
          title: `${ax.title} vs ${first.path} — ${meta.scenario}`,
          subtitle: fixed === '' ? ci : `${fixed} · ${ci}`,
          xTitle: first.path,
          yTitle: ax.axis,
          categories,
          zero: ax.zero,
          ceiling: ax.ceiling,
          series,
        }),
      });
    }
  }
  return out;
}

/** PNG bytes of a chart. */
export async function renderPng(config: ChartConfiguration<'line'>, width = WIDTH, height = HEIGHT): Promise<Buffer> {
  return renderer(width, height).renderToBuffer(config as ChartConfiguration, 'image/png');
}
