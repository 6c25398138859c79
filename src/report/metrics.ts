/**
 * What the report knows about each summary column: how to label and show it,
 * and which direction is better. Columns not listed here are carried in the
 * data (and in `--json`) but not shown in the report's tables; adding one is
 * one line here.
 */
export type Better = 'lower' | 'higher' | 'neither';

export interface MetricInfo {
  /** The summary.csv column. */
  key: string;
  /** Short column title. */
  label: string;
  /** Unit of the shown value ('' for a count or a ratio). */
  unit: string;
  /** Which direction is better; 'neither' is never highlighted. */
  better: Better;
  /** Shown value = value × scale. */
  scale?: number;
  digits: number;
  /** One line: what it means (a tooltip in the report). */
  help: string;
}

export interface MetricGroup {
  title: string;
  /** What the group answers, shown above its table. */
  question: string;
  metrics: MetricInfo[];
}

export const METRIC_GROUPS: readonly MetricGroup[] = [
  {
    title: 'Session loss',
    question: 'How many users were logged out because their request reached a server without their session?',
    metrics: [
      { key: 'session_loss_rate', label: 'sessions lost', unit: '%', better: 'lower', scale: 100, digits: 2, help: 'Share of sessions that suffered at least one loss other than expiry.' },
      { key: 'losses_per_1k_requests', label: 'losses / 1k req', unit: '', better: 'lower', digits: 2, help: 'Loss events (rerouted + server lost + evicted) per 1,000 requests.' },
      { key: 'loss_rerouted', label: 'rerouted', unit: '', better: 'lower', digits: 0, help: 'Losses where the home server was up and held the state, but the request went elsewhere.' },
      { key: 'loss_server_lost', label: 'server lost', unit: '', better: 'lower', digits: 0, help: 'Losses because the home server crashed, was removed or restarted.' },
      { key: 'loss_evicted', label: 'evicted', unit: '', better: 'lower', digits: 0, help: 'Losses because the home server dropped the state for memory (LRU).' },
      { key: 'expired', label: 'expired', unit: '', better: 'neither', digits: 0, help: "States that idled past the TTL: not the load balancer's fault." },
      { key: 'sessions', label: 'sessions', unit: '', better: 'neither', digits: 0, help: 'Sessions started in the measured window (the same workload for every strategy).' },
    ],
  },
  {
    title: 'Load balance',
    question: 'How evenly did the load fall on the servers?',
    metrics: [
      { key: 'imbalance_max_mean', label: 'max/mean', unit: '×', better: 'lower', digits: 3, help: 'Busiest server’s request rate ÷ the mean (1 = even), over the measured window.' },
      { key: 'windowed_max_mean', label: 'max/mean per window', unit: '×', better: 'lower', digits: 3, help: 'max/mean within each time window, averaged over windows: short-term skew.' },
      { key: 'imbalance_cov', label: 'CoV', unit: '', better: 'lower', digits: 3, help: 'Coefficient of variation of the servers’ request rates (0 = even).' },
      { key: 'jain_index', label: 'Jain', unit: '', better: 'higher', digits: 4, help: 'Jain’s fairness index of request rates (1 = even, 1/n = one server takes all).' },
      { key: 'utilization_mean', label: 'util mean', unit: '%', better: 'neither', scale: 100, digits: 1, help: 'Busy workers ÷ workers, mean over servers.' },
      { key: 'utilization_max', label: 'util max', unit: '%', better: 'lower', scale: 100, digits: 1, help: 'Busy workers ÷ workers on the busiest server.' },
      { key: 'sessions_held_max', label: 'states held max', unit: '', better: 'lower', digits: 0, help: 'Most session states one server held at a window end (memory).' },
    ],
  },
  {
    title: 'What users feel',
    question: 'How long did requests take, and how many were refused?',
    metrics: [
      { key: 'latency_mean_ms', label: 'mean', unit: 'ms', better: 'lower', digits: 1, help: 'Mean response time: retry delay + queueing + service (+ store latency).' },
      { key: 'latency_p50_ms', label: 'p50', unit: 'ms', better: 'lower', digits: 1, help: 'Median response time.' },
      { key: 'latency_p95_ms', label: 'p95', unit: 'ms', better: 'lower', digits: 1, help: '95th percentile of response time.' },
      { key: 'latency_p99_ms', label: 'p99', unit: 'ms', better: 'lower', digits: 1, help: '99th percentile of response time.' },
      { key: 'wait_mean_ms', label: 'queue wait', unit: 'ms', better: 'lower', digits: 2, help: 'Mean time a request waited in its server’s queue before service (Wq).' },
      { key: 'retry_delay_mean_ms', label: 'retry delay', unit: 'ms', better: 'lower', digits: 1, help: 'Mean time a request spent in retries before reaching a server (persist policy), over all requests.' },
      { key: 'retry_probability', label: 'retried', unit: '%', better: 'lower', scale: 100, digits: 2, help: 'Share of requests delayed by retries (persist policy: bound to an unavailable server).' },
      { key: 'dropped', label: 'dropped', unit: '', better: 'lower', digits: 0, help: 'Requests refused by a full server queue.' },
      { key: 'failed', label: 'failed', unit: '', better: 'lower', digits: 0, help: 'Requests that found no server up, or whose server crashed under them.' },
      { key: 'throughput_rps', label: 'throughput', unit: 'req/s', better: 'neither', digits: 1, help: 'Completed requests per second.' },
    ],
  },
];

const BY_KEY = new Map(METRIC_GROUPS.flatMap((g) => g.metrics.map((m) => [m.key, m] as const)));

export function metricInfo(key: string): MetricInfo | undefined {
  return BY_KEY.get(key);
}

/** A value as the report shows it (scaled, fixed digits, thousands grouped). */
export function showValue(m: Pick<MetricInfo, 'scale' | 'digits'>, value: number): string {
  if (!Number.isFinite(value)) return '—';
  const v = value * (m.scale ?? 1);
  return v.toLocaleString('en-US', { minimumFractionDigits: m.digits, maximumFractionDigits: m.digits });
}
