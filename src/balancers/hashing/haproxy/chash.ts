import type { Server } from '../../../model/server.js';
import { SeenSet } from '../seen.js';
import type { ProbingHashFamily } from '../types.js';
import { fullHash } from './hash.js';
import { BE_WEIGHT_SCALE, puidOf, SRV_EWGHT_RANGE, uweightOf } from './weights.js';

/**
 * HAProxy 2.6 `hash-type consistent` (src/lb_chash.c): the consistent-hash
 * tree, its lookup and its bounded-load walk.
 *
 * Points (chash_init_server_tree, chash_queue_dequeue_srv): a usable server
 * of user weight w has eweight = w × BE_WEIGHT_SCALE = 16w points (wdiv 16,
 * wmult 1), whose keys are full_hash(puid × SRV_EWGHT_RANGE + j) for
 * j = 0 … 16w − 1 (SRV_EWGHT_RANGE = 4096; puid = configuration position,
 * 1-based). A weight change adds or removes the last points, keeping the
 * others. full_hash is a bijection, so two points never share a key.
 *
 * Lookup (chash_get_server_hash): `next` = first point with key ≥ hash
 * (wrapping to the first), `prev` = the point before it (wrapping to the
 * last); with dp = hash − prev and dn = next − hash (unsigned 32-bit), the
 * key goes to prev when dp ≤ dn, else to next: the nearer neighbour, the
 * lower one on a tie, and next when the hash equals a point's key exactly.
 * When that server is to be avoided or is not eligible (hash-balance-factor),
 * the walk goes on point by point upwards (eb32_next), wrapping, and after
 * a second wrap gives up with the server of the highest point.
 *
 * `build` takes the usable servers in configuration order (puid = id + 1);
 * backup servers are not modelled. `pick` takes the key already derived
 * (hash.ts: sourceKeyV4, stringKey).
 */
export class HaproxyChash implements ProbingHashFamily {
  readonly name = 'haproxy-chash';
  private servers: Server[] = [];
  /** Sorted point keys, and the index in `servers` owning each. */
  private keys = new Uint32Array(0);
  private owners = new Uint32Array(0);
  /** Per server: eweight and cumulative_weight (src/backend.c recount_servers). */
  private eweights = new Uint32Array(0);
  private cumulative = new Uint32Array(0);
  private totWeight = 0;
  private readonly seen = new SeenSet();

  build(servers: readonly Server[]): void {
    const n = servers.length;
    const eweights = new Uint32Array(n);
    const cumulative = new Uint32Array(n);
    let total = 0;
    let points = 0;
    for (let i = 0; i < n; i++) {
      eweights[i] = uweightOf(servers[i]!) * BE_WEIGHT_SCALE;
      cumulative[i] = total;
      total += eweights[i]!;
      points += eweights[i]!;
    }
    const keys = new Uint32Array(points);
    const owners = new Uint32Array(points);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const puid = puidOf(servers[i]!);
      if (!Number.isInteger(puid) || puid < 1 || puid * SRV_EWGHT_RANGE > 0xffffffff) {
        throw new Error(`server ${servers[i]!.name}: HAProxy server id ${puid} out of range`);
      }
      for (let j = 0; j < eweights[i]!; j++, k++) {
        keys[k] = fullHash(puid * SRV_EWGHT_RANGE + j);
        owners[k] = i;
      }
    }
    // Sort by key; equal keys (impossible with distinct puids) would keep insertion order, as eb32 duplicates do.
    const order = Array.from({ length: points }, (_, j) => j).sort((a, b) => keys[a]! - keys[b]! || a - b);
    this.keys = Uint32Array.from(order, (j) => keys[j]!);
    this.owners = Uint32Array.from(order, (j) => owners[j]!);
    this.servers = servers.slice();
    this.eweights = eweights;
    this.cumulative = cumulative;
    this.totWeight = total;
    this.seen.reset(n);
  }

  /**
   * chash_get_server_hash without avoid/eligibility: the index of the point
   * the key lands on (nearer of the two neighbours, the lower on a tie).
   * −1 when the tree is empty.
   */
  locate(hash: number): number {
    const keys = this.keys;
    const n = keys.length;
    if (n === 0) return -1;
    hash >>>= 0;
    // eb32_lookup_ge: first key ≥ hash.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    const next = lo === n ? 0 : lo;
    const prev = next === 0 ? n - 1 : next - 1;
    const dp = (hash - keys[prev]!) >>> 0;
    const dn = (keys[next]! - hash) >>> 0;
    return dp <= dn ? prev : next;
  }

  pick(hash: number): Server | undefined {
    const j = this.locate(hash);
    return j < 0 ? undefined : this.servers[this.owners[j]!];
  }

  /** chash_get_server_hash(px, hash, avoid): the redispatch of get_server_sh / get_server_hh (backend.c) past a refusing server. */
  pickAvoiding(hash: number, avoid: Server): Server | undefined {
    return this.lookup(hash, avoid);
  }

  /**
   * The walk of chash_get_server_hash offering each distinct server once, in
   * the order HAProxy meets them: the located point's server, then upwards.
   * Returns the first accepted; undefined when none is (HAProxy would then
   * return {@link lastServer}; {@link lookup} does that).
   */
  probe(hash: number, accept: (server: Server) => boolean): Server | undefined {
    const n = this.keys.length;
    let j = this.locate(hash);
    if (j < 0) return undefined;
    const seen = this.seen;
    const all = this.servers.length;
    seen.clear();
    for (let k = 0; k < n && seen.size < all; k++, j = j + 1 === n ? 0 : j + 1) {
      const i = this.owners[j]!;
      if (!seen.add(i)) continue;
      const s = this.servers[i]!;
      if (accept(s)) return s;
    }
    return undefined;
  }

  /**
   * chash_get_server_hash in full: the located server, unless it is `avoid`
   * or, with `factor` > 0 (`hash-balance-factor`, percent), not eligible
   * (chash_server_is_eligible with `served(s)` per server and `proxyServed`
   * for the backend, by default the sum over the built servers); then the
   * walk upwards, and after two wraps the server of the highest point.
   * Allocates nothing.
   */
  lookup(
    hash: number,
    avoid?: Server,
    factor = 0,
    served?: (s: Server) => number,
    proxyServed?: number,
  ): Server | undefined {
    const n = this.keys.length;
    let j = this.locate(hash);
    if (j < 0) return undefined;
    let total = 0;
    if (factor && served) {
      if (proxyServed !== undefined) total = proxyServed;
      else for (const s of this.servers) total += served(s);
    }
    let loop = 0;
    let i = this.owners[j]!;
    while (this.servers[i] === avoid || (factor && !this.eligibleAt(i, served ? served(this.servers[i]!) : 0, total, factor))) {
      j++;
      if (j === n) {
        j = 0;
        if (++loop > 1) break; // HAProxy: "protection against accidental loop"; nsrv stays the last point's
      }
      i = this.owners[j]!;
    }
    return this.servers[i];
  }

  /** chash_server_is_eligible for the built server at `index` (its eweight and cumulative_weight). */
  eligibleAt(index: number, served: number, proxyServed: number, factor: number): boolean {
    return chashServerIsEligible(served, proxyServed, this.eweights[index]!, this.cumulative[index]!, this.totWeight, factor);
  }

  /** The server of the highest point: chash_get_server_hash's answer when the walk finds none. */
  lastServer(): Server | undefined {
    const n = this.owners.length;
    return n === 0 ? undefined : this.servers[this.owners[n - 1]!];
  }

  /** Points on the tree. */
  get size(): number {
    return this.keys.length;
  }

  /** Sorted point keys and their owners (indices into the built servers), copies. */
  points(): { keys: Uint32Array; owners: Uint32Array } {
    return { keys: this.keys.slice(), owners: this.owners.slice() };
  }
}

/**
 * src/lb_chash.c chash_server_is_eligible ("Consistent Hashing with Bounded
 * Loads", Mirrokni, Thorup and Zadimoghaddam, adapted to weights), in
 * HAProxy's integer arithmetic:
 *
 *     tot_slots = ((proxyServed + 1) × factor + 99) / 100
 *     slots     = eweight × ⌊tot_slots / totWeight⌋
 *               + ⌊(cum + eweight) × rem / totWeight⌋ − ⌊cum × rem / totWeight⌋,
 *                 rem = tot_slots mod totWeight
 *     slots     = max(slots, 1);   eligible ⇔ served < slots
 *
 * Weights are EFFECTIVE weights (uweight × 16 for chash), `cum` the sum of
 * the eweights of the usable servers declared before this one, `totWeight`
 * their total, `factor` the percent (`hash-balance-factor 150` → 150).
 * `served` / `proxyServed`: requests being served (sent to the server and not
 * finished; HAProxy's own queue, used with maxconn, is not counted).
 * Unlike a per-server ⌈…⌉, the slots sum exactly to tot_slots.
 * Products wrap at 32 bits as the C `unsigned` ones do.
 */
export function chashServerIsEligible(
  served: number,
  proxyServed: number,
  eweight: number,
  cumulativeWeight: number,
  totWeight: number,
  factor: number,
): boolean {
  const totSlots = Math.trunc((Math.imul(proxyServed + 1, factor) + 99) / 100) >>> 0;
  const perWeight = Math.floor(totSlots / totWeight);
  const remainder = totSlots % totWeight;
  let slots = Math.imul(eweight, perWeight) >>> 0;
  slots =
    (slots +
      Math.floor((Math.imul(cumulativeWeight + eweight, remainder) >>> 0) / totWeight) -
      Math.floor((Math.imul(cumulativeWeight, remainder) >>> 0) / totWeight)) >>>
    0;
  if (slots === 0) slots = 1;
  return served < slots;
}

/** The eligibility of every server of a usable set, given user weights (× 16) and served counts: for tests and docs. */
export function chashSlots(uweights: readonly number[], served: readonly number[], factor: number): boolean[] {
  const ew = uweights.map((w) => w * BE_WEIGHT_SCALE);
  const tot = ew.reduce((a, b) => a + b, 0);
  const proxyServed = served.reduce((a, b) => a + b, 0);
  let cum = 0;
  return ew.map((e, i) => {
    const ok = chashServerIsEligible(served[i]!, proxyServed, e, cum, tot, factor);
    cum += e;
    return ok;
  });
}
