/**
 * The report's "what this shows": a few plain sentences generated from the
 * comparison — who lost fewest sessions and at what imbalance cost, who
 * balanced best and what that cost in sessions, what the tail latency did,
 * and how far to trust the numbers.
 */
import type { StrategyEstimate } from './comparison.js';

const CAUSES = [
  ['loss_rerouted', 'rerouting'],
  ['loss_server_lost', 'lost servers'],
  ['loss_evicted', 'eviction'],
] as const;

const mean = (e: StrategyEstimate, k: string) => e.metrics[k]?.mean ?? NaN;
const pct = (rate: number) => `${(100 * rate).toFixed(2)}%`;
/** max/mean 1.087 → "8.7% above the mean". */
const above = (ratio: number) => `${(100 * (ratio - 1)).toFixed(1)}% above the mean`;
const names = (xs: readonly StrategyEstimate[]) => {
  const n = xs.map((x) => x.strategy);
  return n.length <= 1 ? (n[0] ?? '') : `${n.slice(0, -1).join(', ')} and ${n[n.length - 1]}`;
};

/** The estimates with the lowest (or highest) mean of `key`, ties (to 1e-9 relative) included. */
function extreme(all: readonly StrategyEstimate[], key: string, dir: 'min' | 'max'): StrategyEstimate[] {
  const ok = all.filter((e) => Number.isFinite(mean(e, key)));
  if (ok.length === 0) return [];
  const values = ok.map((e) => mean(e, key));
  const best = dir === 'min' ? Math.min(...values) : Math.max(...values);
  return ok.filter((e) => Math.abs(mean(e, key) - best) <= 1e-9 * Math.max(1, Math.abs(best)));
}

/** The cause behind most of a strategy's loss events, if it had any. */
function mainCause(e: StrategyEstimate): { what: string; share: number } | undefined {
  const counts = CAUSES.map(([k, what]) => ({ what, n: mean(e, k) })).filter((c) => Number.isFinite(c.n));
  const total = counts.reduce((a, c) => a + c.n, 0);
  if (!(total > 0)) return undefined;
  const top = counts.reduce((a, c) => (c.n > a.n ? c : a));
  return { what: top.what, share: top.n / total };
}

function causeClause(e: StrategyEstimate): string {
  const c = mainCause(e);
  if (c === undefined) return '';
  if (c.share === 1) return `, all to ${c.what}`;
  if (c.share > 0.9) return `, nearly all to ${c.what}`;
  if (c.share > 0.5) return `, mostly to ${c.what}`;
  return `, ${Math.round(100 * c.share)}% of them to ${c.what}`;
}

function intervalsOverlap(a: StrategyEstimate, b: StrategyEstimate, key: string): boolean {
  const ea = a.metrics[key];
  const eb = b.metrics[key];
  if (ea === undefined || eb === undefined || !Number.isFinite(ea.halfWidth) || !Number.isFinite(eb.halfWidth)) return false;
  return Math.abs(ea.mean - eb.mean) <= ea.halfWidth + eb.halfWidth;
}

/** Who lost fewest and what evenness that cost, against the most even and what sessions that cost. */
function tradeOffSentence(all: readonly StrategyEstimate[], others: boolean): string | undefined {
  const fewest = extreme(all, 'session_loss_rate', 'min');
  const even = extreme(all, 'imbalance_max_mean', 'min');
  if (fewest.some((x) => even.includes(x))) {
    const b = fewest.find((x) => even.includes(x))!;
    return `${others ? 'Among the others, ' : ''}${b.strategy} lost the fewest sessions (${pct(mean(b, 'session_loss_rate'))}) and balanced best: no trade-off here.`;
  }
  const f = fewest[0]!;
  const b = even[0]!;
  const lead = others
    ? `Among the others the usual trade-off holds: ${names(fewest)} lost the fewest sessions (${pct(mean(f, 'session_loss_rate'))}${fewest.length === 1 ? causeClause(f) : ''}), but`
    : 'The price is imbalance:';
  return (
    `${lead} the busiest server under ${f.strategy} ran ${above(mean(f, 'imbalance_max_mean'))} request rate, ` +
    `against ${above(mean(b, 'imbalance_max_mean'))} under ${names(even)}, the most even — ` +
    `which lost ${pct(mean(b, 'session_loss_rate'))} of sessions${even.length === 1 ? causeClause(b) : ''}.`
  );
}

/** The sentences of the paragraph, in reading order. */
export function whatThisShows(all: readonly StrategyEstimate[], replications: number): string[] {
  const out: string[] = [];
  const withData = all.filter((e) => Number.isFinite(mean(e, 'session_loss_rate')) && mean(e, 'sessions') > 0);
  if (withData.length === 0) return ['No session started in the measured window, so there is nothing to compare.'];

  if (withData.length === 1) {
    const e = withData[0]!;
    out.push(
      `Only ${e.strategy} was run: it lost ${pct(mean(e, 'session_loss_rate'))} of sessions${causeClause(e)}, ` +
        `and its busiest server ran ${above(mean(e, 'imbalance_max_mean'))} request rate.`,
    );
  } else {
    const fewest = extreme(withData, 'session_loss_rate', 'min');
    const even = extreme(withData, 'imbalance_max_mean', 'min');
    const f = fewest[0]!;
    const fRate = mean(f, 'session_loss_rate');
    const lost = fRate === 0 ? 'lost no sessions' : `lost the fewest sessions (${pct(fRate)}${fewest.length === 1 ? causeClause(f) : ''})`;
    // Strategies best at both need no trade-off; the trade-off is then told among the others.
    const both = fewest.filter((x) => even.includes(x));
    let rest = withData;
    if (both.length > 0) {
      out.push(
        both.length === fewest.length
          ? `${names(both)} ${lost} and balanced the load best too (busiest server ${above(mean(both[0]!, 'imbalance_max_mean'))} request rate).`
          : `${names(fewest)} ${lost}; of them ${names(both)} also balanced the load best (busiest server ${above(mean(both[0]!, 'imbalance_max_mean'))} request rate).`,
      );
      rest = withData.filter((x) => !both.includes(x));
    } else {
      out.push(`${names(fewest)} ${lost}.`);
    }
    const tradeOff = rest.length > 1 ? tradeOffSentence(rest, both.length > 0) : undefined;
    if (tradeOff !== undefined) out.push(tradeOff);
  }

  const p99 = withData.filter((e) => Number.isFinite(mean(e, 'latency_p99_ms')));
  if (p99.length > 1) {
    const lo = extreme(p99, 'latency_p99_ms', 'min');
    const hi = extreme(p99, 'latency_p99_ms', 'max');
    const ms = (e: StrategyEstimate) => `${mean(e, 'latency_p99_ms').toFixed(1)} ms`;
    out.push(
      lo.length === p99.length
        ? `The 99th-percentile latency was the same for every strategy (${ms(lo[0]!)}): at this load, where a request went did not change how long the slowest ones took.`
        : `The 99th-percentile latency ranged from ${ms(lo[0]!)} (${names(lo)}) to ${ms(hi[0]!)} (${names(hi)}).`,
    );
  }

  const refused = withData
    .map((e) => ({ e, n: (mean(e, 'dropped') || 0) + (mean(e, 'failed') || 0) }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n);
  if (refused.length > 0) {
    const top = refused[0]!;
    out.push(
      `Requests went unanswered (dropped by a full queue or failed: no server up, or a crash under them) in ${refused.length} of ${withData.length} strateg${withData.length === 1 ? 'y' : 'ies'}, ` +
        `at most ${formatCount(top.n)} (${top.e.strategy}).`,
    );
  }

  if (replications < 2) {
    out.push('These numbers come from one replication: run with --replications 5 or more to see how much they move (95% confidence intervals).');
  } else if (withData.length > 1) {
    const ranked = [...withData].sort((a, b) => mean(a, 'session_loss_rate') - mean(b, 'session_loss_rate'));
    const [first, second] = [ranked[0]!, ranked[1]!];
    out.push(
      intervalsOverlap(first, second, 'session_loss_rate')
        ? `Over ${replications} replications the 95% confidence intervals of the session loss of ${first.strategy} and ${second.strategy} overlap: the difference between them may be noise.`
        : `Over ${replications} replications, the session loss of ${first.strategy} is lower than that of ${second.strategy} beyond the 95% confidence intervals.`,
    );
  }
  return out;
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}
