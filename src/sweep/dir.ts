/**
 * A sweep's output directory: kept across runs (it holds the finished
 * cells), so each file in it is replaced atomically on its own, and the
 * directory is claimed by its sweep.json: a directory of different
 * arguments is refused unless --force.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../scenario/errors.js';
import { CELLS_DIR } from './cells.js';

export const META_FILE = 'sweep.json';

/** Everything a sweep writes; --force removes these and nothing else. */
export const SWEEP_ENTRIES = [META_FILE, 'sweep.csv', 'sweep-summary.csv', 'report.html', 'charts', CELLS_DIR] as const;

/** Writes `path` whole or not at all: a temporary sibling, then rename. */
export function atomicWrite(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** Writes files under a directory, each atomically (for `writeSweepOutputs` into a kept directory). */
export function inPlace(dir: string): { write(name: string, content: string | Uint8Array): void } {
  return { write: (name, content) => atomicWrite(join(dir, name), content) };
}

/** Removes temporary files left by an interrupted process (one process per directory). */
function removeLeftovers(dir: string): void {
  for (const sub of ['.', CELLS_DIR, 'charts']) {
    const d = join(dir, sub);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (/^\..*\.tmp-\d+$/.test(f)) rmSync(join(d, f), { force: true });
  }
}

const FIELD_NAMES: Record<string, string> = {
  stickysim: 'stickysim version',
  kind: 'kind of results',
  scenario: 'scenario name',
  file: 'scenario file',
  vary: 'grid (--vary)',
  cells: 'grid (--vary)',
  strategies: 'strategies (--strategies)',
  seed: 'seed',
  seeds: 'seed',
  replications: 'replications',
  fingerprint: 'scenario contents (the file or --set)',
  resolved: 'scenario contents (the file or --set)',
  shard: 'shard',
  slo: 'SLOs (--slo)',
};

function show(key: string, v: unknown): string | undefined {
  if (v === undefined) return 'none';
  if (key === 'vary') return (v as { path: string; values: string[] }[]).map((a) => `${a.path}=${a.values.join(',')}`).join(' ');
  if (key === 'strategies') return (v as { label: string }[]).map((s) => s.label).join(',');
  if (key === 'shard') return `${(v as { index: number }).index}/${(v as { count: number }).count}`;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(' ');
  return undefined;
}

/** The first field in which two metadata objects differ, in words: "grid (--vary): a=1,2 here, a=1,2,3 there". */
export function describeDifference(a: Record<string, unknown>, b: Record<string, unknown>, here = 'here', there = 'there', ignore: readonly string[] = []): string | undefined {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !ignore.includes(k));
  // The fields people change come first; the fingerprint (which follows from them) last.
  keys.sort((x, y) => Number(x === 'fingerprint' || x === 'resolved') - Number(y === 'fingerprint' || y === 'resolved'));
  for (const k of keys) {
    if (JSON.stringify(a[k]) === JSON.stringify(b[k])) continue;
    const [va, vb] = [show(k, a[k]), show(k, b[k])];
    const name = FIELD_NAMES[k] ?? k;
    return va !== undefined && vb !== undefined ? `${name}: ${va} ${here}, ${vb} ${there}` : name;
  }
  return undefined;
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes `out` the directory of the sweep described by `metaText` (sweep.json):
 * created if absent; resumed if it holds the same sweep; refused (exit 2) if
 * it holds something else, unless `force`, which removes the old sweep's
 * files first. Returns whether earlier results are kept.
 */
export function claimSweepDir(out: string, metaText: string, force: boolean): { resumed: boolean } {
  const target = resolve(out);
  let resumed = false;
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new InputError(`--out ${out}: exists and is not a directory`);
    if (readdirSync(target).length > 0) {
      const previous = readJson(join(target, META_FILE));
      // The same sweep, perhaps with the scenario reached by another path (./a.yaml, a.yaml): resume it.
      const diff = previous === undefined ? 'sweep.json' : describeDifference(previous, JSON.parse(metaText) as Record<string, unknown>, 'there', 'now', ['file']);
      if (previous?.['kind'] === 'sweep' && diff === undefined) resumed = true;
      else if (!force) {
        if (previous === undefined || previous['kind'] !== 'sweep') {
          throw new InputError(`--out ${out}: exists and does not hold a stickysim sweep; choose another --out (or --force to write into it)`);
        }
        throw new InputError(`--out ${out}: holds a sweep of different arguments (${diff ?? 'sweep.json differs'}); re-run with the same arguments to resume it, or pass --force to replace it, or --out to write elsewhere`);
      } else {
        for (const e of SWEEP_ENTRIES) rmSync(join(target, e), { recursive: true, force: true });
      }
    }
  }
  mkdirSync(join(target, CELLS_DIR), { recursive: true });
  removeLeftovers(target);
  atomicWrite(join(target, META_FILE), metaText);
  return { resumed };
}

/**
 * For a directory to be replaced whole (merge, plan): refused unless absent,
 * empty, holding results with the same `metaFile` content (`same`), or `force`.
 */
export function checkOutDir(out: string, metaFile: string, same: (previous: Record<string, unknown>) => boolean, force: boolean, what: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new InputError(`--out ${out}: exists and is not a directory`);
  if (force || readdirSync(out).length === 0) return;
  const previous = readJson(join(out, metaFile));
  if (previous === undefined) throw new InputError(`--out ${out}: exists and does not hold ${what}; choose another --out, or pass --force to replace it`);
  if (!same(previous)) throw new InputError(`--out ${out}: holds ${what} of different inputs; pass --force to replace it or --out to write elsewhere`);
}
