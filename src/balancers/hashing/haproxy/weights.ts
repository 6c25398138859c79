import type { Server } from '../../../model/server.js';

/**
 * include/haproxy/server-t.h and backend-t.h (v2.6): a server's user weight
 * (`weight`, `uweight`) is a whole number 0…256 (SRV_UWGHT_MAX); lookup
 * structures work on the effective weight `eweight` = uweight × wdiv / wmult,
 * where the chash tree and the weighted-round-robin trees use wdiv =
 * BE_WEIGHT_SCALE = 16 and wmult = 1, and the map uses wdiv = 1 and wmult =
 * the GCD of the configured weights (src/lb_map.c init_server_map).
 */
export const BE_WEIGHT_SCALE = 16;
export const SRV_UWGHT_MAX = 256;
/** SRV_EWGHT_RANGE = SRV_UWGHT_RANGE × BE_WEIGHT_SCALE: the stride of a server's tree-node keys. */
export const SRV_EWGHT_RANGE = SRV_UWGHT_MAX * BE_WEIGHT_SCALE;

/**
 * The HAProxy user weight of a usable server: its `weight`, which must be a
 * whole number 1…256 (weight 0 makes a server unusable: leave it out of the set).
 */
export function uweightOf(server: Server): number {
  const w = server.weight;
  if (!Number.isInteger(w) || w < 1 || w > SRV_UWGHT_MAX) {
    throw new Error(`server ${server.name} has weight ${w}; HAProxy weights are whole numbers 1…${SRV_UWGHT_MAX}`);
  }
  return w;
}

/** HAProxy's numeric server id (`puid`, 1-based in configuration order) of a stickysim server (`id`, 0-based). */
export function puidOf(server: Server): number {
  return server.id + 1;
}

/** The GCD of whole weights, as init_server_map computes it (1 for none). */
export function weightGcd(weights: readonly number[]): number {
  let g = 0;
  for (let w of weights) {
    let a = g;
    while (w) [a, w] = [w, a % w];
    g = a;
  }
  return g || 1;
}
