/**
 * `merge`: shard directories → the directory an unsharded sweep writes.
 * Every shard must be of the same sweep (version, scenario, grid, strategies,
 * seeds, replications), every cell must be present exactly once and be a
 * finished cell of this sweep; otherwise nothing is written (exit 2).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AtomicDir } from '../report/output.js';
import { toJson } from '../report/runFiles.js';
import { InputError } from '../scenario/errors.js';
import { CELLS_DIR, cellFile, checkCell, listCellFiles, type CellData } from './cells.js';
import { describeDifference, META_FILE, SWEEP_FILES } from './dir.js';
import { describeCell, gridCells, type Cell } from './grid.js';
import { writeSweepOutputs } from './outputs.js';
import type { SweepMeta } from './spec.js';

interface Part {
  dir: string;
  meta: Record<string, unknown>;
  shard?: { index: number; count: number; cells: number[] } | undefined;
}

export interface MergeOutcome {
  dir: string;
  scenario: string;
  parts: number;
  cells: number;
  files: string[];
}

function readPart(dir: string): Part {
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(join(dir, META_FILE), 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no sweep.json' : `unreadable sweep.json (${(e as Error).message.split('\n')[0]})`;
    throw new InputError(`${dir}: ${why}: not a stickysim sweep or shard directory`);
  }
  if (meta === null || typeof meta !== 'object' || (meta as { kind?: unknown }).kind !== 'sweep') {
    throw new InputError(`${dir}: sweep.json does not describe a stickysim sweep`);
  }
  const m = meta as Record<string, unknown>;
  return { dir, meta: m, shard: m['shard'] as Part['shard'] };
}

/** "2, 5, 8" or "2, 5, 8, … (40 in all)". */
function list(ns: readonly number[]): string {
  return ns.length <= 8 ? ns.join(', ') : `${ns.slice(0, 8).join(', ')}, … (${ns.length} in all)`;
}

/** Whether the file at `path` holds JSON equal to `text` (as toJson writes it). */
function sameText(path: string, text: string): boolean {
  try {
    return toJson(JSON.parse(readFileSync(path, 'utf8'))) === text;
  } catch {
    return false;
  }
}

const shardName = (p: Part) => (p.shard ? `shard ${p.shard.index}/${p.shard.count}` : 'a whole sweep');

export async function mergeSweeps(dirs: readonly string[], out: string | undefined, force: boolean): Promise<MergeOutcome> {
  if (dirs.length === 0) throw new InputError('merge: expected at least one shard directory');
  const parts = dirs.map(readPart);
  const first = parts[0]!;
  // The scenario's path may differ between machines (its contents may not: the fingerprint covers them); the first directory's is kept.
  for (const p of parts.slice(1)) {
    const diff = describeDifference(first.meta, p.meta, `in ${first.dir}`, `in ${p.dir}`, ['shard', 'file']);
    if (diff !== undefined) throw new InputError(`${p.dir} and ${first.dir} are not parts of the same sweep: their ${diff}`);
  }
  const seen = new Map<number, Part>();
  for (const p of parts) {
    if (p.shard === undefined) continue;
    const count = parts.find((q) => q.shard !== undefined)!.shard!.count;
    if (p.shard.count !== count) throw new InputError(`${p.dir} is shard ${p.shard.index}/${p.shard.count}, but others are of ${count} shards: merge the shards of one sharding`);
    const twin = seen.get(p.shard.index);
    if (twin !== undefined) throw new InputError(`shard ${p.shard.index}/${count} is given twice: ${twin.dir} and ${p.dir}`);
    seen.set(p.shard.index, p);
  }

  const { shard: _shard, ...rest } = first.meta;
  const meta = rest as unknown as SweepMeta;
  const cells = gridCells(meta.vary);
  if (cells.length !== meta.cells) throw new InputError(`${first.dir}: sweep.json is damaged (its grid has ${cells.length} cells, it says ${meta.cells})`);

  // Every finished cell of every part, exactly once.
  const found = new Map<number, { part: Part; data: CellData }>();
  for (const p of parts) {
    for (const f of listCellFiles(p.dir)) {
      const n = Number(/^cell-(\d+)\.csv$/.exec(f)![1]);
      const cell: Cell | undefined = cells[n - 1];
      const path = join(p.dir, CELLS_DIR, f);
      if (cell === undefined || cellFile(meta, n) !== join(CELLS_DIR, f)) throw new InputError(`${path}: not a cell of this sweep (it has cells 1 to ${cells.length})`);
      const data = checkCell(meta, cell, readFileSync(path, 'utf8'));
      if (typeof data === 'string') throw new InputError(`${path}: not a finished cell of this sweep: ${data}`);
      const twin = found.get(n);
      if (twin !== undefined) throw new InputError(`cell ${n} (${describeCell(meta.vary, cell)}) is in both ${twin.part.dir} and ${p.dir}: merge each cell once`);
      found.set(n, { part: p, data });
    }
  }
  for (const p of parts) {
    const owed = p.shard?.cells ?? cells.map((c) => c.number);
    const missing = owed.filter((n) => !found.has(n));
    if (missing.length > 0) {
      throw new InputError(`${p.dir} (${shardName(p)}) is incomplete: cell${missing.length > 1 ? 's' : ''} ${list(missing)} not finished; re-run it with the same arguments to finish it`);
    }
  }
  const missing = cells.filter((c) => !found.has(c.number)).map((c) => c.number);
  if (missing.length > 0) {
    const count = parts.find((q) => q.shard !== undefined)?.shard?.count;
    const absent = count === undefined ? [] : Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
    const which = absent.length > 0 ? `; missing shard${absent.length > 1 ? 's' : ''} ${absent.map((i) => `${i}/${count}`).join(', ')}` : '';
    throw new InputError(`cell${missing.length > 1 ? 's' : ''} ${list(missing)} of ${cells.length} are in none of the directories given${which}`);
  }

  const text = toJson(meta);
  const target = out ?? join('results', `${meta.scenario}-sweep`);
  if (parts.some((p) => resolve(p.dir) === resolve(target))) throw new InputError(`--out ${target}: is one of the directories being merged; choose another --out`);
  const dir = AtomicDir.claim(target, { kind: 'sweep', force, files: SWEEP_FILES, same: (t) => sameText(join(t, META_FILE), text) });
  try {
    dir.write(META_FILE, text);
    const ordered = cells.map((c) => found.get(c.number)!.data);
    for (const c of ordered) dir.write(cellFile(meta, c.number), c.text);
    const files = await writeSweepOutputs(dir, meta, ordered);
    dir.commit();
    return { dir: dir.target, scenario: meta.scenario, parts: parts.length, cells: cells.length, files: [META_FILE, ...files] };
  } catch (e) {
    throw dir.fail(e);
  }
}
