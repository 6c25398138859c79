/**
 * A sweep's output directory: kept across runs (it holds the finished
 * cells), so each file in it is replaced atomically on its own, and the
 * directory is claimed by its sweep.json: a directory of different
 * arguments is refused unless --force, and one holding anything stickysim
 * did not write is refused always.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { claimFailure, withPath, writeFailure } from '../report/output.js';
import { checkReplaceable, lockOut, MARKER, markerText, removeOurs } from '../report/ownership.js';
import { CELLS_DIR } from './cells.js';

export const META_FILE = 'sweep.json';

/** Writes `path` whole or not at all: a temporary sibling, then rename; on failure (a full disk) the temporary file goes too. */
export function atomicWrite(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw withPath(e, path);
  }
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
 * The files a sweep writes, as marker patterns: its outputs, its cells, and
 * the temporary files of an interrupted atomic write. `--force` removes these
 * and nothing else.
 */
export const SWEEP_FILES = [
  META_FILE, 'sweep.csv', 'sweep-summary.csv', 'report.html', 'charts/*.png', `${CELLS_DIR}/cell-*.csv`,
  '.*.tmp-*', 'charts/.*.tmp-*', `${CELLS_DIR}/.*.tmp-*`,
] as const;

/**
 * Makes `out` the directory of the sweep described by `metaText` (sweep.json),
 * locked for this process until the returned `release`: created if absent;
 * resumed if it holds the same sweep; refused (exit 2) if it holds other
 * results, unless `force`, which removes the old results' files first; refused
 * always if it holds anything stickysim did not write.
 */
export function claimSweepDir(out: string, metaText: string, force: boolean): { resumed: boolean; release: () => void } {
  const target = resolve(out);
  let release = () => {};
  let created = false;
  try {
    mkdirSync(dirname(target), { recursive: true });
    release = lockOut(target, out);
    const now = JSON.parse(metaText) as Record<string, unknown>;
    // The same sweep, perhaps with the scenario reached by another path (./a.yaml, a.yaml): resume it.
    const difference = (t: string): string | undefined => {
      const previous = readJson(join(t, META_FILE));
      return previous === undefined ? 'sweep.json' : describeDifference(previous, now, 'there', 'now', ['file']);
    };
    const found = checkReplaceable(out, {
      kind: 'sweep',
      force,
      same: (t) => difference(t) === undefined,
      different: (t) => `holds a sweep of different arguments (${difference(t) ?? 'sweep.json differs'}); re-run with the same arguments to resume it, or pass --force to replace it, or --out to write elsewhere`,
    });
    let resumed = false;
    if (found.state === 'ours') {
      if (found.marker.kind === 'sweep' && difference(target) === undefined) resumed = true;
      else removeOurs(target, found.marker);
    }
    created = found.state === 'absent';
    mkdirSync(join(target, CELLS_DIR), { recursive: true });
    removeLeftovers(target);
    atomicWrite(join(target, MARKER), markerText('sweep', SWEEP_FILES));
    atomicWrite(join(target, META_FILE), metaText);
    return { resumed, release };
  } catch (e) {
    // A directory made just now goes again (it holds no cell yet); one resumed keeps its finished cells.
    if (created) {
      try {
        removeOurs(target, { stickysim: '', kind: 'sweep', files: [...SWEEP_FILES] });
      } catch {
        /* left for the next run of the same sweep, which resumes it */
      }
    }
    release();
    throw created ? writeFailure(e, `${out}/`, `nothing was written (${out} was not created)`) : claimFailure(e, out);
  }
}
