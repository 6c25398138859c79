/**
 * The report's charts as small, data-only specs that the page's script hands
 * to Chart.js. Everything is decided here (titles with units, colours, which
 * numbers) so it can be tested without a browser; the page only draws.
 */
import { EXPIRED_FILL, style, timelineMarkers } from '../charts.js';
import type { StrategyEstimate } from '../comparison.js';
import type { Results, ServerSample, WindowSample } from '../results.js';

export interface BarDataset {
  label: string;
  data: (number | null)[];
  /** Half-width of the 95% CI of each bar (drawn as a whisker), when there are replications. */
  ci?: (number | null)[];
  colour: string;
  /** Hatched light-grey bars (a cause that is not the balancer's fault). */
  hatch?: boolean;
}

export interface BarSpec {
  kind: 'bar';
  id: string;
  title: string;
  /** The units, under the title. */
  subtitle: string;
  yTitle: string;
  caption: string;
  labels: (string | string[])[];
  datasets: BarDataset[];
  stacked?: boolean;
  log?: boolean;
  /** Top of the y axis at least this (room for the CI whiskers). */
  yMax?: number;
}

export interface LineSpec {
  kind: 'line';
  id: string;
  title: string;
  /** The units, under the title. */
  subtitle: string;
  xTitle: string;
  yTitle: string;
  caption: string;
  /** Window midpoints, minutes. */
  x: number[];
  xMax: number;
  /** Same for every panel, so panels compare at a glance. */
  yMax: number;
  /** Warm-up end, minutes (0: none). */
  warmup: number;
  markers: { x: number; label: string }[];
  series: { label: string; y: (number | null)[]; colour: string; dash: number[] }[];
}

export type ChartSpec = BarSpec | LineSpec;

/** More servers than this are drawn as min / mean / max across servers: dozens of lines are unreadable. */
export const MAX_SERVER_SERIES = 12;
/** Load panels merge adjacent windows beyond this many points per line. */
export const MAX_POINTS = 240;

/** 4 significant digits: ample for a chart, and compact in the page. */
const r4 = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(4)) : null);

function bySrvName(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export function summaryCharts(results: Results, estimates: readonly StrategyEstimate[]): BarSpec[] {
  const strategies = estimates.map((e) => e.strategy);
  const several = estimates.some((e) => e.replications > 1);
  const m = (k: string) => estimates.map((e) => r4(e.metrics[k]?.mean ?? NaN));
  const ci = (k: string) => (several ? estimates.map((e) => r4(e.metrics[k]?.halfWidth ?? NaN)) : undefined);
  /** Per 1,000 sessions, from each replication's own session count. */
  const per1k = (k: string) =>
    estimates.map((e) => {
      const rows = results.summary.filter((r) => r.strategy === e.strategy && r.sessions > 0 && Number.isFinite(r[k]));
      return rows.length === 0 ? null : r4(rows.reduce((a, r) => a + (1000 * r[k]!) / r.sessions, 0) / rows.length);
    });
  const repNote = several ? ' Whiskers: 95% confidence interval over the replications.' : '';

  const lossRate = m('session_loss_rate');
  const charts: BarSpec[] = [
    {
      kind: 'bar',
      id: 'chart-loss',
      title: 'Session losses by cause',
      subtitle: 'loss events per 1,000 sessions; under each name, the share of sessions lost',
      yTitle: 'loss events per 1,000 sessions',
      caption:
        'Each bar stacks the loss events of one strategy by cause; under its name, the share of sessions that lost their state at least once. ' +
        "Expired states (hatched) idled past the TTL and are not the balancer's fault.",
      labels: strategies.map((s, i) => [s, lossRate[i] === null ? 'no data' : `${(100 * lossRate[i]!).toFixed(2)}% lost`]),
      stacked: true,
      datasets: [
        { label: 'rerouted', data: per1k('loss_rerouted'), colour: style(0).colour },
        { label: 'server lost', data: per1k('loss_server_lost'), colour: style(1).colour },
        { label: 'evicted', data: per1k('loss_evicted'), colour: style(2).colour },
        { label: "expired (not the LB's fault)", data: per1k('expired'), colour: EXPIRED_FILL, hatch: true },
      ],
    },
    {
      kind: 'bar',
      id: 'chart-imbalance',
      title: 'Load imbalance across servers',
      subtitle: 'ratio of request rates: max/mean (1 = even), coefficient of variation (0 = even)',
      yTitle: 'ratio of request rates',
      caption:
        'max/mean: the busiest server’s request rate over the mean (whole measured window, and averaged per time window); ' +
        `CoV: spread of the servers’ rates. Lower is more even.${repNote}`,
      labels: strategies,
      datasets: [
        { label: 'max/mean (whole run)', data: m('imbalance_max_mean'), ci: ci('imbalance_max_mean'), colour: style(4).colour },
        { label: 'max/mean per window', data: m('windowed_max_mean'), ci: ci('windowed_max_mean'), colour: style(1).colour },
        { label: 'coefficient of variation', data: m('imbalance_cov'), ci: ci('imbalance_cov'), colour: style(5).colour },
      ],
    },
  ];

  const latency = (['p50', 'p95', 'p99'] as const).map((p, i) => ({
    label: p,
    data: m(`latency_${p}_ms`),
    ci: ci(`latency_${p}_ms`),
    colour: style([2, 0, 5][i]!).colour,
  }));
  const positive = latency.flatMap((d) => d.data).filter((v): v is number => v !== null && v > 0);
  const log = positive.length > 0 && Math.max(...positive) / Math.min(...positive) > 50;
  charts.push({
    kind: 'bar',
    id: 'chart-latency',
    title: 'Request latency percentiles',
    subtitle: `milliseconds${log ? ', log scale' : ''}`,
    yTitle: log ? 'latency (ms, log scale)' : 'latency (ms)',
    caption: `Response time from the client’s request to the load balancer until its response: queueing, service and any store round trip.${repNote}`,
    labels: strategies,
    log,
    datasets: latency.map((d) => (d.ci === undefined ? { label: d.label, data: d.data, colour: d.colour } : d)),
  });

  charts.push(heldChart(results.servers, strategies, several));
  for (const c of charts) {
    const tops = c.datasets.flatMap((d) => (d.ci === undefined ? [] : d.data.map((v, i) => (v ?? 0) + (d.ci![i] ?? 0))));
    if (tops.length > 0) c.yMax = r4(Math.max(...tops)) ?? undefined;
  }
  return charts;
}

/** Sessions held per server (time-average), per strategy: memory, and where the sessions live. */
function heldChart(rows: readonly ServerSample[], strategies: string[], several: boolean): BarSpec {
  const servers = [...new Set(rows.map((r) => r.server))].sort(bySrvName);
  const value = (strategy: string, server: string) => rows.find((r) => r.strategy === strategy && r.server === server)?.sessions_held_mean ?? NaN;
  let datasets: BarDataset[];
  if (servers.length <= MAX_SERVER_SERIES) {
    datasets = servers.map((server, i) => ({ label: server, data: strategies.map((s) => r4(value(s, server))), colour: style(i).colour }));
  } else {
    const stat = (f: (xs: number[]) => number) =>
      strategies.map((s) => {
        const xs = servers.map((srv) => value(s, srv)).filter(Number.isFinite);
        return xs.length === 0 ? null : r4(f(xs));
      });
    datasets = [
      { label: 'fewest (one server)', data: stat((xs) => Math.min(...xs)), colour: style(1).colour },
      { label: 'mean over servers', data: stat((xs) => xs.reduce((a, b) => a + b, 0) / xs.length), colour: style(4).colour },
      { label: 'most (one server)', data: stat((xs) => Math.max(...xs)), colour: style(5).colour },
    ];
  }
  return {
    kind: 'bar',
    id: 'chart-held',
    title: 'Session states held per server',
    subtitle: 'states in memory, mean over the run',
    yTitle: 'session states in memory',
    caption:
      'How many session states each server kept in memory, averaged over the window ends. Sticky strategies pile sessions where they started; ' +
      `non-sticky ones leave orphaned copies behind on every server after each loss; a shared store keeps none on the servers.${several ? ' Replication 1.' : ''}`,
    labels: strategies,
    datasets,
  };
}

/** One panel per strategy: requests per second per server over time, fleet events marked. */
export function loadPanels(results: Results): LineSpec[] {
  const markers = timelineMarkers(results.timeline, results.warmup).map((mk) => ({ x: r4(mk.x) ?? 0, label: mk.label }));
  const panels = results.strategies.map((strategy, i) => {
    const rows = results.timeseries.filter((r) => r.strategy === strategy);
    const { x, series } = panelSeries(rows);
    return {
      kind: 'line' as const,
      id: `chart-load-${i + 1}`,
      title: strategy,
      subtitle: 'requests per second per server, by time (minutes)',
      xTitle: 'time (min)',
      yTitle: 'requests/s',
      caption: '',
      x,
      xMax: r4(results.duration / 60) ?? 0,
      yMax: 0,
      warmup: markers.some((mk) => mk.label === 'warm-up end') ? r4(results.warmup / 60) ?? 0 : 0,
      markers: markers.filter((mk) => mk.label !== 'warm-up end'),
      series,
    };
  });
  let yMax = 0;
  for (const p of panels) for (const s of p.series) for (const v of s.y) if (v !== null && v > yMax) yMax = v;
  for (const p of panels) p.yMax = r4(yMax * 1.15) ?? 0;
  return panels;
}

/**
 * Shared x (window midpoints, minutes) and one y array per server aligned to
 * it (null where the server was not in the fleet); adjacent windows are
 * merged when there are more than {@link MAX_POINTS}, and a large fleet is
 * summarised as min / mean / max across servers.
 */
function panelSeries(rows: readonly WindowSample[]): { x: number[]; series: LineSpec['series'] } {
  const windows = [...new Set(rows.map((r) => r.window))].sort((a, b) => a - b);
  const servers = [...new Set(rows.map((r) => r.server))].sort(bySrvName);
  const step = Math.max(1, Math.ceil(windows.length / MAX_POINTS));
  const bucketOf = new Map(windows.map((w, i) => [w, Math.floor(i / step)]));
  const nb = Math.ceil(windows.length / step);
  const span = Array.from({ length: nb }, () => ({ start: Infinity, end: -Infinity }));
  const req = servers.map(() => new Array<number>(nb).fill(0));
  const len = servers.map(() => new Array<number>(nb).fill(0));
  const srvIndex = new Map(servers.map((s, i) => [s, i]));
  for (const r of rows) {
    const b = bucketOf.get(r.window)!;
    const s = srvIndex.get(r.server)!;
    span[b]!.start = Math.min(span[b]!.start, r.start_s);
    span[b]!.end = Math.max(span[b]!.end, r.end_s);
    req[s]![b]! += r.requests;
    len[s]![b]! += r.end_s - r.start_s;
  }
  const x = span.map((w) => r4((w.start + w.end) / 120) ?? 0);
  const rate = servers.map((_, s) => req[s]!.map((n, b) => (len[s]![b]! > 0 ? n / len[s]![b]! : NaN)));
  if (servers.length <= MAX_SERVER_SERIES) {
    return { x, series: servers.map((label, i) => ({ label, y: rate[i]!.map(r4), ...style(i) })) };
  }
  const across = (f: (xs: number[]) => number) =>
    x.map((_, b) => {
      const xs = rate.map((r) => r[b]!).filter(Number.isFinite);
      return xs.length === 0 ? null : r4(f(xs));
    });
  return {
    x,
    series: [
      { label: 'busiest server', y: across((xs) => Math.max(...xs)), ...style(5) },
      { label: `mean of ${servers.length} servers`, y: across((xs) => xs.reduce((a, b) => a + b, 0) / xs.length), ...style(4) },
      { label: 'least busy server', y: across((xs) => Math.min(...xs)), ...style(1) },
    ],
  };
}
