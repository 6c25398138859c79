import type { Server } from '../../model/server.js';

/** The server's weight, checked: hashing families need a positive, finite one. */
export function weightOf(server: Server): number {
  const w = server.weight;
  if (!(w > 0) || !Number.isFinite(w)) {
    throw new Error(`server ${server.name} has weight ${w}; hashing needs a positive finite weight`);
  }
  return w;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Weights as small whole numbers of slots with the same ratios, for tables
 * that repeat a server once per slot (map-based hashing). Integer weights are
 * divided by their common divisor (2, 4, 6 → 1, 2, 3); fractional ones are
 * first taken to hundredths. If the slots would exceed `maxSlots`, they are
 * scaled down to fit (each server keeps at least one), so shares are then
 * approximate.
 */
export function weightSlots(servers: readonly Server[], maxSlots = 1 << 16): number[] {
  const ws = servers.map(weightOf);
  const scale = ws.every(Number.isInteger) ? 1 : 100;
  let units = ws.map((w) => Math.max(1, Math.round(w * scale)));
  const d = units.reduce(gcd, 0);
  units = units.map((u) => u / d);
  const total = units.reduce((a, b) => a + b, 0);
  if (total > maxSlots) units = units.map((u) => Math.max(1, Math.floor((u * maxSlots) / total)));
  return units;
}
