/**
 * The numbers one run (strategy × replication) produces. Keys are the CSV
 * column names. Every value covers the measured window [warmup, duration)
 * unless it says otherwise.
 */
export interface Summary {
  /** Sessions started in the measured window. */
  sessions: number;
  /** Requests sent to the load balancer in the measured window. */
  requests: number;
  completed: number;
  /** Sessions started in the window that suffered ≥ 1 loss other than expiry. */
  lost_sessions: number;
  /** lost_sessions / sessions. */
  session_loss_rate: number;
  /** Loss events in the window, by cause. */
  loss_rerouted: number;
  loss_server_lost: number;
  loss_evicted: number;
  /** Expiry events (idle past the TTL): reported apart, not the balancer's fault. */
  expired: number;
  /** (rerouted + server-lost + evicted) per 1,000 requests. */
  losses_per_1k_requests: number;
  /** Requests refused by a full server queue. */
  dropped: number;
  /** Requests that got an error: no server available, strict policy, dead server not yet noticed, or crash. */
  failed: number;
  /** Of those, sent to a dead server the balancer still believed up (health-check lag). */
  failed_undetected: number;
  /** Completed requests per second. */
  throughput_rps: number;
  /** Imbalance of request rate per server (requests / up time). */
  imbalance_max_mean: number;
  imbalance_cov: number;
  jain_index: number;
  /** max/mean of request rate per server within each window, averaged over windows. */
  windowed_max_mean: number;
  /** Busy workers / workers over up time, mean and max over servers. */
  utilization_mean: number;
  utilization_max: number;
  /** Requests waiting in queues, time-averaged over the measured window, summed over the fleet (Lq). */
  queue_mean: number;
  /** Requests in service or waiting, time-averaged, summed over the fleet (L). */
  in_system_mean: number;
  /** Largest number of session states one server held at a window end. */
  sessions_held_max: number;
  /** Most affinity entries the load balancer held (stick tables), and their memory. */
  lb_entries_max: number;
  lb_memory_bytes_max: number;
  latency_mean_ms: number;
  latency_p50_ms: number;
  latency_p95_ms: number;
  latency_p99_ms: number;
  /** Mean time a completed request waited in a server queue before service (Wq); retry delays are not queueing. */
  wait_mean_ms: number;
  /** Fraction of completed requests that waited in a queue (wait > 0). */
  wait_probability: number;
  /**
   * Mean time a completed request spent in retries before it reached its
   * server (persist policy: `retries × retryDelay` for a request bound to an
   * unavailable server, 0 for the others), over all completed requests:
   * latency = retry delay + wait + service (+ store latency).
   */
  retry_delay_mean_ms: number;
  /** Fraction of completed requests delayed by retries. */
  retry_probability: number;
}

export const SUMMARY_COLUMNS: readonly (keyof Summary)[] = [
  'sessions',
  'requests',
  'completed',
  'lost_sessions',
  'session_loss_rate',
  'loss_rerouted',
  'loss_server_lost',
  'loss_evicted',
  'expired',
  'losses_per_1k_requests',
  'dropped',
  'failed',
  'failed_undetected',
  'throughput_rps',
  'imbalance_max_mean',
  'imbalance_cov',
  'jain_index',
  'windowed_max_mean',
  'utilization_mean',
  'utilization_max',
  'queue_mean',
  'in_system_mean',
  'sessions_held_max',
  'lb_entries_max',
  'lb_memory_bytes_max',
  'latency_mean_ms',
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'wait_mean_ms',
  'wait_probability',
  'retry_delay_mean_ms',
  'retry_probability',
];

/** One server over the measured window. */
export interface ServerRow {
  server: string;
  workers: number;
  requests: number;
  /** Seconds up in the measured window. */
  up_time_s: number;
  /** Worker-seconds spent serving (the integral of busy workers over time). */
  busy_time_s: number;
  /** Requests per second of up time. */
  request_rate: number;
  utilization: number;
  queue_mean: number;
  sessions_held_mean: number;
  sessions_held_max: number;
}

/** One server in one time window (warm-up windows included, marked). */
export interface WindowRow {
  window: number;
  start_s: number;
  end_s: number;
  measured: boolean;
  server: string;
  requests: number;
  /** Busy workers / workers over the whole window. */
  utilization: number;
  queue_mean: number;
  /** Session states held at the window's end. */
  sessions_held: number;
  /** Fraction of the window the server was up. */
  up: number;
}

/**
 * Fleet totals of one time window (warm-up windows included, marked): the
 * sums from which per-window means are formed. Batch means group measured
 * windows; the warm-up advice reads the congestion series from them.
 */
export interface WindowTotal {
  window: number;
  start_s: number;
  end_s: number;
  measured: boolean;
  /** Requests sent to the balancer in the window. */
  sent: number;
  /** Requests completed in the window, and the sums of their latencies and waits (seconds). */
  completed: number;
  latency_sum: number;
  wait_sum: number;
  /** Completed requests that waited in a queue. */
  waited: number;
  dropped: number;
  failed: number;
  /** Session-loss events other than expiry. */
  routing_losses: number;
  /** Worker-seconds spent serving, request-seconds spent queueing, worker-seconds of up capacity. */
  busy: number;
  queue: number;
  capacity: number;
}

/**
 * Counts over the whole run (warm-up included) that must balance. Sent,
 * completed, dropped, failed, started and ended are counted as they happen;
 * the rest are read at the end from where requests and sessions are — the
 * servers, and the engine's pending events — independently of those counters.
 */
export interface Conservation {
  requestsSent: number;
  requestsCompleted: number;
  requestsDropped: number;
  requestsFailed: number;
  /** Requests in service or queued at a server at the end. */
  requestsInFlight: number;
  /** Requests waiting out retries (persist policy) at the end, on their way to a server. */
  requestsRetrying: number;
  /** Requests in service at the end by the engine (completions pending), to match workersBusy. */
  requestsInService: number;
  /** Busy workers at the end by the servers' own count. */
  workersBusy: number;
  sessionsStarted: number;
  sessionsEnded: number;
  /** Sessions alive at the end: thinking, retrying, in service or queued, counted where they are. */
  sessionsActive: number;
}

export interface RunMetrics {
  summary: Summary;
  servers: ServerRow[];
  windows: WindowRow[];
  /** One per window: fleet totals (not written to CSV; used by batch means and warm-up advice). */
  windowTotals: WindowTotal[];
  conservation: Conservation;
}
