/**
 * Numbers as written to result files: integers exactly, others to 9
 * significant digits (ample for any metric, and free of float noise such as
 * 0.30000000000000004). Deterministic: the same value always prints the same.
 */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '' : v > 0 ? 'inf' : '-inf';
  return String(Number(v.toPrecision(9)));
}

export function formatCell(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v === undefined || v === null ? '' : String(v);
}
