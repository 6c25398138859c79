import type { Server } from '../../../model/server.js';
import type { HashFamily } from '../types.js';
import { uweightOf, weightGcd } from './weights.js';

export interface HaproxyMapOptions {
  /**
   * `lbprm.wmult`: the GCD of the weights of ALL the backend's configured
   * servers, fixed at startup (src/lb_map.c init_server_map). When omitted,
   * the GCD of the servers given to each `build`. It only matters when the
   * usable set's GCD differs from the configured one (e.g. weights 2, 4, 4
   * with the first down: HAProxy keeps wmult 2, so the map has 4 slots, not 2).
   */
  wmult?: number;
}

/**
 * HAProxy 2.6 `hash-type map-based` (src/lb_map.c): a table of tot_weight
 * slots over the usable active servers, key → map[key % tot_weight]
 * (map_get_server_hash). Equal weights give map = the usable servers in
 * configuration order, so the server is usable[key % N].
 *
 * `build` takes the usable servers in configuration order; backup servers
 * are not modelled. `pick` takes the key already derived (see hash.ts:
 * sourceKeyV4, stringKey).
 */
export class HaproxyMapHash implements HashFamily {
  readonly name = 'haproxy-map';
  private servers: Server[] = [];
  /** Slot → index in `servers`. */
  private map: Uint32Array = new Uint32Array(0);
  private tot = 0;

  constructor(private readonly options: HaproxyMapOptions = {}) {
    const m = options.wmult;
    if (m !== undefined && (!Number.isInteger(m) || m < 1)) throw new Error(`wmult must be a positive integer, got ${m}`);
  }

  build(servers: readonly Server[]): void {
    const uweights = servers.map(uweightOf);
    const wmult = this.options.wmult ?? weightGcd(uweights);
    // src/lb_map.c init_server_map: next_eweight = (uweight × wdiv + wmult − 1) / wmult, wdiv = 1.
    const eweights = uweights.map((w) => Math.floor((w + wmult - 1) / wmult));
    this.servers = servers.slice();
    this.map = recalcServerMap(eweights);
    this.tot = this.map.length;
  }

  pick(hash: number): Server | undefined {
    if (this.tot === 0) return undefined;
    return this.servers[this.map[(hash >>> 0) % this.tot]!];
  }

  /** The map, as indices into the servers given to `build` (for tests and docs). */
  table(): Uint32Array {
    return this.map.slice();
  }
}

/**
 * src/lb_map.c recalc_server_map, for the usable active servers of
 * effective weights `eweights` (configuration order): returns the map of
 * tot = Σ eweights slots, each the index of its server. Each slot goes to
 * the server of highest (wscore + tot) / tot after every wscore grew by its
 * eweight, the first declared on ties; the winner's wscore drops by tot.
 * wscore is `unsigned` in HAProxy; it is emulated as such.
 */
export function recalcServerMap(eweights: readonly number[]): Uint32Array<ArrayBuffer> {
  const n = eweights.length;
  let tot = 0;
  for (const w of eweights) tot += w;
  const map = new Uint32Array(tot);
  if (n === 0 || tot === 0) return map;
  const wscore = new Uint32Array(n);
  for (let o = 0; o < tot; o++) {
    let max = 0;
    let best = -1;
    for (let i = 0; i < n; i++) {
      if (eweights[i]! <= 0) continue; // srv_willbe_usable needs next_eweight > 0
      if (tot === 1) {
        best = i;
        break;
      }
      wscore[i] = (wscore[i]! + eweights[i]!) >>> 0;
      const v = Math.floor(((wscore[i]! + tot) >>> 0) / tot);
      if (best < 0 || v > max) {
        max = v;
        best = i;
      }
    }
    map[o] = best;
    wscore[best] = (wscore[best]! - tot) >>> 0;
  }
  return map;
}
