/**
 * PNG charts of one scenario's results, rendered with chartjs-node-canvas.
 *
 * Every chart is 1200×600 on white, uses the Okabe–Ito palette (colour-blind
 * safe) and is deterministic: the same data gives byte-identical PNGs.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
import type { Chart, ChartConfiguration, ChartDataset, Plugin } from 'chart.js';
import type { Summary, WindowRow } from '../metrics/results.js';
import { describeEvent, type TimelineEvent } from '../model/timeline.js';

export interface ChartData {
  /** Scenario name, used in titles. */
  scenario: string;
  /** Strategy labels in display order. */
  strategies: string[];
  /** One per strategy × replication. */
  summary: (Summary & { strategy: string; replication: number })[];
  /** One per strategy × replication × window × server. */
  timeseries: (WindowRow & { strategy: string; replication: number })[];
  /** Fleet events to mark on time axes (at: seconds). */
  timeline: TimelineEvent[];
  /** Warm-up length in seconds, shaded and marked on time axes. */
  warmup: number;
}

type SummaryRow = ChartData['summary'][number];
type WindowSample = ChartData['timeseries'][number];

const WIDTH = 1200;
const HEIGHT = 600;
/** Okabe–Ito. */
export const PALETTE = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#000000'] as const;
export const EXPIRED_FILL = '#E4E4E4';
export const EXPIRED_EDGE = '#8C8C8C';
const MARKER_COLOUR = '#333333';
const FONT_FAMILY = "'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif";
const FONT = { title: 20, axis: 15, tick: 13, legend: 14, marker: 12 } as const;

// ---------------------------------------------------------------------------
// Rendering

const renderers = new Map<string, ChartJSNodeCanvas>();

/** One renderer per size: constructing one loads a fresh Chart.js, which is slow. */
export function renderer(width: number, height: number): ChartJSNodeCanvas {
  const key = `${width}x${height}`;
  let r = renderers.get(key);
  if (r === undefined) {
    r = new ChartJSNodeCanvas({
      width,
      height,
      backgroundColour: 'white',
      chartCallback: (ChartJS) => {
        ChartJS.defaults.font.family = FONT_FAMILY;
        ChartJS.defaults.color = '#222222';
      },
    });
    renderers.set(key, r);
  }
  return r;
}

/** Writes the PNGs into `dir` (which exists) and returns the file names written, sorted. */
export async function renderCharts(data: ChartData, dir: string): Promise<string[]> {
  const charts = buildCharts(data);
  const r = renderer(WIDTH, HEIGHT);
  for (const [file, config] of charts) {
    await writeFile(join(dir, file), await r.renderToBuffer(config, 'image/png'));
  }
  return [...charts.keys()].sort();
}

/** File name → chart configuration. */
function buildCharts(data: ChartData): Map<string, ChartConfiguration> {
  const { scenario, strategies } = data;
  const avg = (f: (row: SummaryRow) => number): (number | null)[] =>
    strategies.map((s) => mean(data.summary.filter((row) => row.strategy === s).map(f)));
  const per1k = (f: (row: SummaryRow) => number) => (row: SummaryRow) =>
    row.sessions > 0 ? (1000 * f(row)) / row.sessions : 0;

  const charts = new Map<string, ChartConfiguration>();

  const lossRate = avg((r) => r.session_loss_rate);
  charts.set(
    'session-loss.png',
    barConfig({
      title: `Session losses by cause — ${scenario}`,
      labels: strategies.map((s, i) => [s, lossLabel(lossRate[i])]),
      yTitle: 'losses per 1,000 sessions',
      stacked: true,
      series: [
        { label: 'rerouted', data: avg(per1k((r) => r.loss_rerouted)) },
        { label: 'server lost', data: avg(per1k((r) => r.loss_server_lost)) },
        { label: 'evicted', data: avg(per1k((r) => r.loss_evicted)) },
        { label: "expired (not the LB's fault)", data: avg(per1k((r) => r.expired)), hatched: true },
      ],
    }),
  );

  charts.set(
    'imbalance.png',
    barConfig({
      title: `Load imbalance across servers — ${scenario}`,
      labels: strategies,
      yTitle: 'ratio (1 = perfectly even)',
      series: [
        { label: 'max/mean (whole run)', data: avg((r) => r.imbalance_max_mean) },
        { label: 'max/mean per window', data: avg((r) => r.windowed_max_mean) },
        { label: 'coefficient of variation (0 = even)', data: avg((r) => r.imbalance_cov) },
      ],
    }),
  );

  const latency = [
    { label: 'p50', data: avg((r) => r.latency_p50_ms) },
    { label: 'p95', data: avg((r) => r.latency_p95_ms) },
    { label: 'p99', data: avg((r) => r.latency_p99_ms) },
  ];
  const positive = latency.flatMap((s) => s.data).filter((v): v is number => v !== null && v > 0);
  const log = positive.length > 0 && maxOf(positive, 1) / minOf(positive, 1) > 50;
  charts.set(
    'latency.png',
    barConfig({
      title: `Request latency percentiles (ms) — ${scenario}`,
      labels: strategies,
      yTitle: log ? 'latency (ms, log scale)' : 'latency (ms)',
      log,
      series: latency,
    }),
  );

  const markers = timelineMarkers(data.timeline, data.warmup);
  const used = new Set<string>();
  for (const strategy of strategies) {
    const file = uniqueName(`load-${sanitize(strategy)}`, used);
    const rows = data.timeseries.filter((row) => row.strategy === strategy);
    charts.set(
      file,
      lineConfig({
        title: `Requests per second per server — ${strategy} — ${scenario}`,
        xTitle: 'time (min)',
        yTitle: 'requests/s per server',
        series: serverSeries(rows),
        xMax: rows.length > 0 ? maxOf(rows.map((r) => r.end_s), 0) / 60 : undefined,
        markers,
        warmupMin: data.warmup / 60,
      }),
    );
  }
  return charts;
}

// ---------------------------------------------------------------------------
// Data shaping

function mean(xs: number[]): number | null {
  const ok = xs.filter(Number.isFinite);
  return ok.length === 0 ? null : ok.reduce((a, b) => a + b, 0) / ok.length;
}

/** Min and max without spreading (large arrays overflow the argument stack). */
function minOf(xs: readonly number[], empty: number): number {
  return xs.length === 0 ? empty : xs.reduce((a, b) => (b < a ? b : a));
}
function maxOf(xs: readonly number[], empty: number): number {
  return xs.length === 0 ? empty : xs.reduce((a, b) => (b > a ? b : a));
}

function lossLabel(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? 'no data' : `${(100 * rate).toFixed(2)}% of sessions lost`;
}

function sanitize(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]/g, '_');
}

function uniqueName(base: string, used: Set<string>): string {
  let name = `${base}.png`;
  for (let n = 2; used.has(name); n++) name = `${base}-${n}.png`;
  used.add(name);
  return name;
}

interface Point {
  x: number;
  y: number | null;
}

/**
 * One series per server from one replication (1, or the lowest present):
 * requests/s per window at the window start in minutes. A gap in a server's
 * windows (it was absent) becomes a null point so the line breaks there.
 */
function serverSeries(rows: WindowSample[]): { label: string; points: Point[] }[] {
  if (rows.length === 0) return [];
  const rep = rows.some((r) => r.replication === 1) ? 1 : minOf(rows.map((r) => r.replication), 1);
  const byServer = new Map<string, WindowSample[]>();
  for (const row of rows) {
    if (row.replication !== rep) continue;
    const list = byServer.get(row.server) ?? [];
    list.push(row);
    byServer.set(row.server, list);
  }
  return [...byServer.keys()]
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((server) => {
      const points: Point[] = [];
      let prev: WindowSample | undefined;
      for (const w of (byServer.get(server) ?? []).sort((a, b) => a.window - b.window)) {
        if (prev !== undefined && w.window > prev.window + 1) points.push({ x: prev.end_s / 60, y: null });
        const len = w.end_s - w.start_s;
        // Each window's rate is plotted at its midpoint, where it belongs in time.
        points.push({ x: (w.start_s + w.end_s) / 120, y: len > 0 ? w.requests / len : null });
        prev = w;
      }
      return { label: server, points };
    });
}

export interface Marker {
  /** Minutes. */
  x: number;
  label: string;
  dash: number[];
}

const eventLabel = describeEvent;

/** Timeline events (events at the same instant share one marker) plus the warm-up end. */
export function timelineMarkers(timeline: readonly TimelineEvent[], warmup: number): Marker[] {
  const byTime = new Map<number, string[]>();
  for (const e of [...timeline].sort((a, b) => a.at - b.at)) {
    byTime.set(e.at, [...(byTime.get(e.at) ?? []), eventLabel(e)]);
  }
  const markers: Marker[] = [...byTime].map(([at, labels]) => ({ x: at / 60, label: labels.join(', '), dash: [6, 4] }));
  if (warmup > 0) markers.push({ x: warmup / 60, label: 'warm-up end', dash: [] });
  return markers.sort((a, b) => a.x - b.x);
}

// ---------------------------------------------------------------------------
// Chart configurations

/** Colour (Okabe–Ito) and dash of series i: after 8 colours, the same colours dashed. */
export function style(i: number): { colour: string; dash: number[] } {
  return { colour: PALETTE[i % PALETTE.length] ?? '#000000', dash: Math.floor(i / PALETTE.length) % 2 === 1 ? [8, 4] : [] };
}

const axisTitle = (text: string) => ({ display: true, text, font: { size: FONT.axis } });
const ticks = { font: { size: FONT.tick } };
/** Log axis: label only 1, 2 and 5 × 10^k (Chart.js also labels the top ticks, which crowd). */
const logTicks = {
  ...ticks,
  callback: (value: string | number) => {
    const v = Number(value);
    if (!(v > 0)) return '';
    const m = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
    return [1, 2, 5].some((k) => Math.abs(m - k) < 1e-6) ? v.toLocaleString('en-US') : '';
  },
};

export function baseOptions(title: string) {
  return {
    responsive: false,
    animation: false as const,
    devicePixelRatio: 1,
    locale: 'en-US',
    layout: { padding: 12 },
    plugins: {
      title: { display: true, text: title, font: { size: FONT.title, weight: 'bold' as const }, padding: { bottom: 8 } },
      legend: { position: 'top' as const, labels: { font: { size: FONT.legend }, boxWidth: 28 } },
    },
  };
}

interface BarSpec {
  title: string;
  labels: (string | string[])[];
  yTitle: string;
  series: { label: string; data: (number | null)[]; hatched?: boolean }[];
  stacked?: boolean;
  log?: boolean;
}

function barConfig(spec: BarSpec): ChartConfiguration<'bar'> {
  const datasets: ChartDataset<'bar', (number | null)[]>[] = spec.series.map((s, i) => ({
    label: s.label,
    data: s.data,
    backgroundColor: s.hatched ? EXPIRED_FILL : style(i).colour,
    borderColor: s.hatched ? EXPIRED_EDGE : style(i).colour,
    borderWidth: s.hatched ? 1.5 : 0,
  }));
  const hatched = spec.series.flatMap((s, i) => (s.hatched ? [i] : []));
  const base = baseOptions(spec.title);
  return {
    type: 'bar',
    data: { labels: spec.labels, datasets },
    options: {
      ...base,
      scales: {
        x: { stacked: spec.stacked ?? false, ticks, grid: { display: false } },
        y: spec.log
          ? { type: 'logarithmic', stacked: spec.stacked ?? false, title: axisTitle(spec.yTitle), ticks: logTicks }
          : { type: 'linear', beginAtZero: true, grace: '5%', stacked: spec.stacked ?? false, title: axisTitle(spec.yTitle), ticks },
      },
    },
    plugins: hatched.length > 0 ? [hatchPlugin(hatched)] : [],
  };
}

interface LineSpec {
  title: string;
  xTitle: string;
  yTitle: string;
  series: { label: string; points: Point[] }[];
  markers: Marker[];
  /** Warm-up end in x units; 0 for none. */
  warmupMin: number;
  /** Right end of the x axis (the last window's end), so late markers show. */
  xMax?: number | undefined;
}

function lineConfig(spec: LineSpec): ChartConfiguration<'line', Point[]> {
  const datasets: ChartDataset<'line', Point[]>[] = spec.series.map((s, i) => ({
    label: s.label,
    data: s.points,
    borderColor: style(i).colour,
    backgroundColor: style(i).colour,
    borderDash: style(i).dash,
    borderWidth: 1.5,
    pointRadius: 0,
    spanGaps: false,
    fill: false,
  }));
  const xMin = Math.min(0, minOf(spec.series.flatMap((s) => s.points.map((p) => p.x)), 0));
  const base = baseOptions(spec.title);
  return {
    type: 'line',
    data: { datasets },
    options: {
      ...base,
      parsing: false,
      normalized: true,
      scales: {
        x: { type: 'linear', min: xMin, max: spec.xMax, title: axisTitle(spec.xTitle), ticks },
        // Head-room above the lines for the marker labels.
        y: { type: 'linear', beginAtZero: true, grace: '15%', title: axisTitle(spec.yTitle), ticks },
      },
    },
    plugins: [markerPlugin(spec.markers, spec.warmupMin)],
  };
}

// ---------------------------------------------------------------------------
// Inline plugins

interface BarProps {
  x: number;
  y: number;
  base: number;
  width: number;
}

/** Diagonal hatching over the bars of the given datasets. */
function hatchPlugin(datasetIndexes: number[]): Plugin<'bar'> {
  return {
    id: 'stickysim-hatch',
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      for (const d of datasetIndexes) {
        const meta = chart.getDatasetMeta(d);
        if (meta.hidden) continue;
        for (const el of meta.data) {
          const { x, y, base, width } = el.getProps(['x', 'y', 'base', 'width'], true) as unknown as BarProps;
          const left = x - width / 2;
          const top = Math.min(y, base);
          const h = Math.abs(base - y);
          if (!(h >= 1 && width > 0)) continue;
          ctx.save();
          ctx.beginPath();
          ctx.rect(left, top, width, h);
          ctx.clip();
          ctx.strokeStyle = EXPIRED_EDGE;
          ctx.lineWidth = 1;
          ctx.beginPath();
          for (let o = -h; o < width; o += 8) {
            ctx.moveTo(left + o, top + h);
            ctx.lineTo(left + o + h, top);
          }
          ctx.stroke();
          ctx.restore();
        }
      }
    },
  };
}

/**
 * Shades the warm-up and draws a vertical line with a label at the top for
 * each marker; labels that would overlap go on a lower row.
 */
function markerPlugin(markers: Marker[], warmupMin: number): Plugin<'line'> {
  const inside = (chart: Chart, px: number) => px >= chart.chartArea.left - 0.5 && px <= chart.chartArea.right + 0.5;
  return {
    id: 'stickysim-markers',
    beforeDatasetsDraw(chart) {
      if (warmupMin <= 0) return;
      const { ctx, chartArea: a, scales } = chart;
      const end = Math.min(Math.max(scales.x!.getPixelForValue(warmupMin), a.left), a.right);
      ctx.save();
      ctx.fillStyle = 'rgba(0, 0, 0, 0.06)';
      ctx.fillRect(a.left, a.top, end - a.left, a.bottom - a.top);
      ctx.restore();
    },
    afterDatasetsDraw(chart) {
      const { ctx, chartArea: a, scales } = chart;
      const rowHeight = FONT.marker + 6;
      const rowRight: number[] = [];
      ctx.save();
      ctx.font = `${FONT.marker}px ${FONT_FAMILY}`;
      ctx.textBaseline = 'top';
      for (const m of markers) {
        const px = scales.x!.getPixelForValue(m.x);
        if (!inside(chart, px)) continue;
        ctx.strokeStyle = MARKER_COLOUR;
        ctx.lineWidth = 1.2;
        ctx.setLineDash(m.dash);
        ctx.beginPath();
        ctx.moveTo(px, a.top);
        ctx.lineTo(px, a.bottom);
        ctx.stroke();
        ctx.setLineDash([]);

        const w = ctx.measureText(m.label).width;
        // Right of the line, or left of it if it would run off the plot.
        const left = px + 4 + w <= a.right ? px + 4 : px - 4 - w;
        let row = rowRight.findIndex((r) => left > r + 6);
        if (row === -1) row = rowRight.length;
        rowRight[row] = left + w;
        const top = a.top + 3 + row * rowHeight;
        ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
        ctx.fillRect(left - 2, top - 2, w + 4, rowHeight - 2);
        ctx.fillStyle = MARKER_COLOUR;
        ctx.fillText(m.label, left, top);
      }
      ctx.restore();
    },
  };
}
