/**
 * lua-resty-balancer's consistent hash (`resty.chash`), reproduced exactly:
 * openresty/lua-resty-balancer v0.05 (commit 1cd4363, the version the
 * ingress-nginx controller image builds, images/nginx/rootfs/build.sh
 * `LUA_RESTY_BALANCER=v0.05`), files chash.c and lib/resty/chash.lua.
 * ingress-nginx uses it for `affinity-mode: balanced` sticky cookies and for
 * `upstream-hash-by` (rootfs/etc/nginx/lua/balancer/sticky_balanced.lua,
 * chash.lua).
 *
 * - Each node (an "ip:port" string) of weight w gets 160 × w points
 *   (`CONSISTENT_POINTS`). `base_hash = crc32(id) ^ 0xffffffff` is the CRC
 *   register after the id's bytes; point k is
 *   `crc32_final(crc32_update(base_hash, prev))`, `prev` being the previous
 *   point's hash as 4 little-endian bytes (0 for the first): so point k is
 *   crc32(id ‖ le32(prev)) — chash_point_init_crc.
 * - Nodes are numbered 1, 2, … in the order they are given (the Lua code's
 *   `pairs(nodes)` order, which for ingress-nginx is LuaJIT's internal order
 *   of the endpoint table; that order only decides ties between equal point
 *   hashes, about (160n)²/2³³ pairs) and their points are sorted by
 *   chash_point_sort, ported here statement by statement (a bucketed
 *   insertion sort over 2^⌈log2(1.6 × points)⌉ slots).
 * - A key maps to the first point whose hash is ≥ crc32(key), wrapping to the
 *   first point (`_find_id`, starting from the bucket hash / (2³² / points)).
 *
 * CRC-32 is nginx's (`ngx.crc32_short` = ngx_crc32_short, the IEEE CRC,
 * ./nginx/crc32.ts). The tests compare points and lookups with chash.c
 * compiled by gcc and chash.lua run by LuaJIT. Imports nothing from Node.
 */
import { CRC32_INIT, crc32, crc32Final, crc32UpdateString, crc32UpdateU32LE } from './nginx/crc32.js';

/** Points per unit of weight (chash.lua `CONSISTENT_POINTS`). */
export const RESTY_CHASH_POINTS = 160;

/**
 * The point hashes chash_point_init_crc writes for one node: the `num`
 * points from number `from` on (chash.c; `_precompute` asks for 0 … 160w − 1).
 */
export function restyNodePoints(id: string, num: number, from = 0): number[] {
  const base = crc32UpdateString(CRC32_INIT, id); // crc32(id) ^ 0xffffffff: the register before crc32_final
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < from + num; i++) {
    const hash = crc32Final(crc32UpdateU32LE(base, prev));
    if (i >= from) out.push(hash);
    prev = hash;
  }
  return out;
}

/**
 * chash_point_sort (chash.c) over parallel arrays of point hashes and node
 * ids (1-based; 0 marks an empty slot), in place. A literal port: the result
 * is sorted by hash, and points of equal hash come out in the order this
 * algorithm leaves them, as in C.
 */
export function restySortPoints(hashes: Uint32Array, ids: Uint32Array, n: number): void {
  const minSz = Math.trunc(n * 1.6) >>> 0; // uint32_t min_sz = n * 1.6
  let m = 2;
  while (m <= minSz) m *= 2;
  const step = Math.trunc(2 ** 32 / m) >>> 0; // uint32_t step = pow(2, 32) / m
  // One slot more than C allocates: C's right shift can write points[m] when no slot is free after
  // `end` (undefined behaviour there, never reached with 1.6n slots); here it is written and ignored.
  const ph = new Uint32Array(m + 1);
  const pid = new Uint32Array(m + 1);
  for (let i = 0; i < n; i++) {
    const hash = hashes[i]!;
    const id = ids[i]!;
    const index = Math.floor(hash / step);
    let end: number;
    let start: number;
    insert: {
      for (end = index; end >= 0; end--) {
        if (pid[end] === 0) break insert;
        if (hash >= ph[end]!) break;
      }
      for (start = end - 1; start >= 0; start--) {
        if (pid[start] === 0) {
          // left shift before end
          for (let j = start; j < end; j++) {
            ph[j] = ph[j + 1]!;
            pid[j] = pid[j + 1]!;
          }
          // points[end] is empty now; left shift after end while the node's hash is bigger
          while (end + 1 < m && pid[end + 1] !== 0 && ph[end + 1]! < hash) {
            ph[end] = ph[end + 1]!;
            pid[end] = pid[end + 1]!;
            end += 1;
          }
          break insert;
        }
      }
      // full before index, try to append
      for (end = end + 1; end < m; end++) {
        if (pid[end] === 0) break insert;
        if (hash < ph[end]!) break;
      }
      for (start = end + 1; start < m; start++) {
        if (pid[start] === 0) break;
      }
      // right shift
      for (let j = start; j > end; j--) {
        ph[j] = ph[j - 1]!;
        pid[j] = pid[j - 1]!;
      }
    }
    ph[end] = hash;
    pid[end] = id;
  }
  let j = 0;
  for (let i = 0; i < m; i++) {
    if (pid[i] !== 0) {
      ids[j] = pid[i]!;
      hashes[j] = ph[i]!;
      j++;
    }
  }
}

/**
 * `resty.chash` over a list of nodes: `new RestyChash(ids)` is
 * `chash:new(nodes)` (each node weight 1 unless `weights` says otherwise;
 * ingress-nginx gives every endpoint weight 1, util.get_nodes), `find(key)`
 * is `chash:find(key)`. Rebuilding for a new node list is constructing anew,
 * as ingress-nginx's `reinit` recomputes everything.
 */
export class RestyChash {
  /** Sorted point hashes and their nodes (indices into `ids`, 0-based). */
  readonly hashes: Uint32Array;
  readonly nodes: Uint32Array;
  readonly npoints: number;

  constructor(
    readonly ids: readonly string[],
    weights?: readonly number[],
  ) {
    let total = 0;
    for (let i = 0; i < ids.length; i++) total += weights?.[i] ?? 1;
    const npoints = total * RESTY_CHASH_POINTS;
    const hashes = new Uint32Array(npoints);
    const nodes = new Uint32Array(npoints);
    let start = 0;
    ids.forEach((id, i) => {
      const num = (weights?.[i] ?? 1) * RESTY_CHASH_POINTS;
      const pts = restyNodePoints(id, num);
      for (let k = 0; k < num; k++) {
        hashes[start + k] = pts[k]!;
        nodes[start + k] = i + 1;
      }
      start += num;
    });
    restySortPoints(hashes, nodes, npoints);
    for (let k = 0; k < npoints; k++) nodes[k] = nodes[k]! - 1;
    this.hashes = hashes;
    this.nodes = nodes;
    this.npoints = npoints;
  }

  /** `_find_id`: the index of the first point with hash ≥ `hash`, wrapping to 0. */
  pointFor(hash: number): number {
    const { hashes, npoints } = this;
    const step = 2 ** 32 / npoints;
    let index = Math.floor(hash / step);
    const max = npoints - 1;
    if (index > max) index = max;
    if (hashes[index]! >= hash) {
      for (let i = index; i >= 1; i--) if (hashes[i - 1]! < hash) return i;
      return 0;
    }
    for (let i = index + 1; i <= max; i++) if (hash <= hashes[i]!) return i;
    return 0;
  }

  /** `chash:find(key)`: the node (index into `ids`) for `crc32(tostring(key))`; −1 with no nodes. */
  find(key: string): number {
    if (this.npoints === 0) return -1;
    return this.nodes[this.pointFor(crc32(key))]!;
  }
}
