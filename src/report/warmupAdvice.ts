import { congestionSeries, mser5 } from '../metrics/warmup.js';
import type { SimConfig } from '../model/config.js';
import { formatDuration } from '../model/units.js';
import type { ExperimentResult } from '../simulation/experiment.js';

export interface WarmupSuggestion {
  /** Seconds of initial transient MSER-5 finds (the largest over strategies). */
  suggested: number;
  strategy: string;
  configured: number;
  /** End of the span analysed: the first fleet event or arrival-rate change, or the duration. */
  analysedUntil: number;
  /** The transient did not end within the first half of that span. */
  atLimit: boolean;
}

/**
 * Where the initial transient ends, by MSER-5 on the fleet's requests in
 * system per window, averaged over replications, for each strategy. Only the
 * span before the first timeline event or arrival-rate change is read: later
 * changes are the scenario's own, not warm-up. Undefined when that span is too
 * short to judge (fewer than 40 windows).
 */
export function suggestWarmup(result: ExperimentResult, config: SimConfig): WarmupSuggestion | undefined {
  const a = config.workload.arrivals;
  // A daily cycle changes the rate all the time: nothing is a steady state to find the start of.
  if (a.daily !== undefined) return undefined;
  const changes = [...config.timeline.map((e) => e.at), ...a.steps.slice(1).map((s) => s.at), ...(a.bursts ?? []).map((b) => b.at)].filter((t) => t > 0);
  const until = Math.min(config.duration, ...changes);
  let best: WarmupSuggestion | undefined;
  for (const strategy of result.strategies) {
    const runs = result.runs.filter((r) => r.strategy === strategy);
    const series = runs.map((r) => congestionSeries(r.metrics.windowTotals.filter((w) => w.end_s <= until), config.window));
    const n = Math.min(...series.map((s) => s.length));
    const mean = Array.from({ length: n }, (_, i) => series.reduce((a, s) => a + s[i]!, 0) / series.length);
    const cut = mser5(mean);
    if (cut === undefined) return undefined;
    const suggested = cut.truncate * config.window;
    if (best === undefined || suggested > best.suggested) {
      best = { suggested, strategy, configured: config.warmup, analysedUntil: until, atLimit: cut.atLimit };
    }
  }
  return best;
}

/** Advice to print after a run when the configured warm-up looks too short; '' otherwise. It never changes results. */
export function warmupAdvice(result: ExperimentResult, config: SimConfig): string {
  const s = suggestWarmup(result, config);
  if (s === undefined || s.suggested <= s.configured) return '';
  const lines = [
    `advice: the warm-up (${formatDuration(s.configured)}) looks too short. MSER-5 on the fleet's requests in system per window`,
    `  (averaged over replications, read up to ${formatDuration(s.analysedUntil)}) finds an initial transient of ${formatDuration(s.suggested)} (${s.strategy}).`,
  ];
  if (s.atLimit) lines.push(`  It had not settled within the first half of that span: simulate longer before the first fleet event.`);
  lines.push(
    `  The results above are unchanged; to leave the transient out, rerun with --set warmup=${formatDuration(s.suggested)}`,
    `  after checking the time series (timeseries.csv, column measured; see README "Choosing the warm-up").`,
  );
  return lines.join('\n') + '\n';
}
