import { z } from 'zod';
const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600, d: 86400 };
const DURATION = /^\s*(\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?\s*(ms|s|m|min|h|d)?\s*$/i;
/** One part of a compound duration ("1h30m", "49m50s", "1m30.5s", "2s500ms"): a number and its unit. */
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|min|s|m|h|d)/giy;
/** The units of a compound duration, largest first; each at most once, in that order. */
const ORDER = ['d', 'h', 'm', 's', 'ms'];

/**
 * Seconds from a duration: a number of seconds, or a string such as "250ms",
 * "30s", "5m", "2h", "1d" ("90" alone is seconds), or a compound of them,
 * largest unit first ("1h30m", "49m50s", "2s500ms"). Undefined if malformed.
 */
export function parseDuration(v: number | string): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  const m = DURATION.exec(v);
  if (m === null) return parseCompound(v);
  const value = Number(v.trim().slice(0, v.trim().length - (m[2]?.length ?? 0)));
  if (!Number.isFinite(value)) return undefined;
  return value * UNITS[(m[2] ?? 's').toLowerCase()]!;
}

function parseCompound(v: string): number | undefined {
  const text = v.trim();
  if (text === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let last = -1;
  let parts = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (m === null) return undefined;
    const unit = m[2]!.toLowerCase() === 'min' ? 'm' : m[2]!.toLowerCase();
    const rank = ORDER.indexOf(unit);
    if (rank <= last) return undefined; // "30m1h", "1h1h": not a duration anyone means
    last = rank;
    total += Number(m[1]) * UNITS[unit]!;
    parts++;
  }
  return parts >= 2 && Number.isFinite(total) ? total : undefined;
}

/** A short human form of a duration in seconds: 90 → "1.5m", 7200 → "2h". */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds < 1) return `${+(seconds * 1000).toPrecision(4)}ms`;
  if (seconds < 60) return `${+seconds.toPrecision(4)}s`;
  if (seconds < 3600) return `${+(seconds / 60).toPrecision(4)}m`;
  if (seconds < 86400) return `${+(seconds / 3600).toPrecision(4)}h`;
  return `${+(seconds / 86400).toPrecision(4)}d`;
}


export const DURATION_HINT = 'a duration: seconds ≥ 0 or a string like "250ms", "30s", "5m", "2h", "1h30m"';

/** Seconds, written as a number or a string with a unit. */
export const duration = z
  .union([z.number(), z.string()], { error: `expected ${DURATION_HINT}` })
  .transform((v, ctx) => {
    const s = parseDuration(v);
    if (s === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}`, input: v });
      return z.NEVER;
    }
    return s;
  })
  .meta({ description: DURATION_HINT });

export const probability = z.number().min(0).max(1);
export const positive = z.number().positive();
