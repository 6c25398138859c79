/**
 * What stickysim may replace or delete. Every directory it writes carries a
 * marker file, `.stickysim.json`, naming the kind of results and the files
 * it wrote (exact paths, or patterns for a sweep, which grows file by file).
 * A directory is stickysim's only if it has the marker and holds nothing but
 * those files: anything else there is someone's, and stickysim refuses to
 * touch the directory — with or without `--force`, which only allows
 * replacing stickysim's results of *different* inputs. Removal goes file by
 * file through the marker's list, never by deleting a tree.
 *
 * An output directory is also locked while a command writes it: a lock file
 * `.NAME.lock` beside it holds the writer's process id (and start time, so a
 * reused pid is not mistaken for the writer); a second writer is refused with
 * that pid; a lock whose process is gone is stale and taken over.
 */
import { closeSync, lstatSync, openSync, readFileSync, readdirSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { InputError } from '../scenario/errors.js';
import { VERSION } from '../version.js';

export const MARKER = '.stickysim.json';

export type OutputKind = 'run' | 'sweep' | 'plan';

const KIND_WORDS: Record<OutputKind, string> = { run: 'a stickysim run', sweep: 'a stickysim sweep', plan: 'a stickysim plan' };

export interface Marker {
  stickysim: string;
  kind: OutputKind;
  /** Paths relative to the directory, `/`-separated; `*` matches within one path segment. */
  files: string[];
}

/** The marker's text for `files`. */
export function markerText(kind: OutputKind, files: readonly string[]): string {
  return JSON.stringify({ stickysim: VERSION, kind, files: [...files].sort() } satisfies Marker, null, 2) + '\n';
}

export function readMarker(dir: string): Marker | undefined {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(join(dir, MARKER), 'utf8'));
  } catch {
    return undefined;
  }
  const m = v as Partial<Marker> | null;
  if (m === null || typeof m !== 'object' || !['run', 'sweep', 'plan'].includes(m.kind as string)) return undefined;
  if (!Array.isArray(m.files) || !m.files.every((f) => typeof f === 'string' && f !== '' && !f.split('/').includes('..'))) return undefined;
  return m as Marker;
}

function patternRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
}

/** Matches the files a marker names (and nothing else). */
export class FileSet {
  private readonly exact: Set<string>;
  private readonly patterns: RegExp[];
  /** Directories that hold listed files (`charts`, `cells`): stickysim's to remove once empty. */
  readonly dirs: Set<string>;

  constructor(files: readonly string[]) {
    this.exact = new Set(files.filter((f) => !f.includes('*')));
    this.patterns = files.filter((f) => f.includes('*')).map(patternRegex);
    this.dirs = new Set();
    for (const f of files) {
      const parts = f.split('/');
      for (let i = 1; i < parts.length; i++) this.dirs.add(parts.slice(0, i).join('/'));
    }
  }

  has(path: string): boolean {
    return path === MARKER || this.exact.has(path) || this.patterns.some((r) => r.test(path));
  }
}

/** Every file (and symbolic link, and other non-directory) under `dir`, relative, `/`-separated; empty directories too, with a trailing `/`. */
export function listTree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + e.name;
    if (e.isDirectory()) {
      const inner = listTree(join(dir, e.name), `${rel}/`);
      out.push(...(inner.length === 0 ? [`${rel}/`] : inner));
    } else {
      out.push(rel);
    }
  }
  return out;
}

/** The entries of `dir` a marker does not account for, as the user would name them (`notes.txt`, `charts/mine.png`, `data/`). */
export function unexpectedEntries(dir: string, marker: Marker): string[] {
  const set = new FileSet(marker.files);
  const odd = new Set<string>();
  for (const path of listTree(dir)) {
    if (path.endsWith('/') ? set.dirs.has(path.slice(0, -1)) : set.has(path)) continue;
    // Name the top-level entry when none of it is ours: `data/` rather than every file inside.
    const top = path.split('/')[0]!;
    odd.add(set.dirs.has(top) ? path : path.includes('/') ? `${top}/` : top);
  }
  return [...odd].sort();
}

/** "a, b and c" or "a, b, c, d, e and 12 more". */
export function nameEntries(entries: readonly string[]): string {
  const shown = entries.slice(0, 5);
  const more = entries.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

export type OutState =
  | { state: 'absent' }
  | { state: 'empty' }
  | { state: 'foreign'; entries: string[] }
  | { state: 'ours'; marker: Marker };

/**
 * What `target` holds, for deciding whether stickysim may replace it:
 * nothing, an empty directory, stickysim's results, or someone's files.
 * Throws InputError when it is not a directory at all.
 */
export function inspectOut(target: string, shown = target): OutState {
  let st;
  try {
    st = lstatSync(target);
  } catch {
    return { state: 'absent' };
  }
  if (st.isSymbolicLink()) throw new InputError(`--out ${shown}: is a symbolic link; give the directory itself (stickysim replaces what --out names)`);
  if (!st.isDirectory()) throw new InputError(`--out ${shown}: exists and is not a directory`);
  const top = readdirSync(target);
  if (top.length === 0) return { state: 'empty' };
  const marker = readMarker(target);
  if (marker === undefined) return { state: 'foreign', entries: listTree(target).map((p) => (p.includes('/') ? `${p.split('/')[0]}/` : p)).filter((p, i, a) => a.indexOf(p) === i).sort() };
  const odd = unexpectedEntries(target, marker);
  return odd.length === 0 ? { state: 'ours', marker } : { state: 'foreign', entries: odd };
}

function foreign(shown: string, entries: readonly string[], marked: boolean): InputError {
  const what = marked ? 'holds stickysim results and files stickysim did not write' : 'holds files stickysim did not write';
  return new InputError(
    `--out ${shown}: ${what} (${nameEntries(entries)}); stickysim replaces only a directory it wrote itself (marked by ${MARKER}) and holding nothing else, with or without --force; choose another --out, or move those files away`,
  );
}

export interface ClaimRules {
  kind: OutputKind;
  force: boolean;
  /** Whether the results already in the directory are of the same inputs (replaced without --force). */
  same: (dir: string) => boolean;
  /** What the marker lists (patterns allowed); default: the files written. A sweep's directory, merged or run, names the same patterns. */
  files?: readonly string[];
  /** The refusal's words when they are not (after `--out DIR: `); default: "holds … of different inputs; pass --force …". */
  different?: (dir: string) => string;
}

/**
 * Refuses (InputError, exit 2) unless `out` may be replaced by results of
 * `rules.kind`: absent, empty, or stickysim's own results holding nothing
 * else — of the same inputs, or any with `force`. Returns what is there.
 */
export function checkReplaceable(out: string, rules: ClaimRules): OutState {
  const target = resolve(out);
  const here = process.cwd();
  if (here === target || here.startsWith(target.endsWith(sep) ? target : target + sep)) {
    throw new InputError(`--out ${out}: is the current directory or contains it; stickysim writes results into a directory of their own (e.g. --out results/NAME)`);
  }
  const found = inspectOut(target, out);
  if (found.state === 'foreign') throw foreign(out, found.entries, readMarker(target) !== undefined);
  if (found.state !== 'ours' || rules.force) return found;
  if (found.marker.kind !== rules.kind) {
    throw new InputError(`--out ${out}: holds ${KIND_WORDS[found.marker.kind]}, not ${KIND_WORDS[rules.kind]}; pass --force to replace it or --out to write elsewhere`);
  }
  if (!rules.same(target)) {
    throw new InputError(`--out ${out}: ${rules.different?.(target) ?? `holds ${KIND_WORDS[rules.kind]} of different inputs; pass --force to replace it or --out to write elsewhere`}`);
  }
  return found;
}

/**
 * Removes the files `marker` names from `dir` (the marker last), then the
 * directories it wrote once empty, then `dir` itself if empty. Anything else
 * stays. Returns whether `dir` is gone.
 */
export function removeOurs(dir: string, marker: Marker): boolean {
  const set = new FileSet(marker.files);
  const paths = listTree(dir);
  for (const path of paths) {
    if (path.endsWith('/') || path === MARKER || !set.has(path)) continue;
    unlinkSync(join(dir, ...path.split('/')));
  }
  if (paths.includes(MARKER)) unlinkSync(join(dir, MARKER));
  const dirs = [...set.dirs].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const d of dirs) tryRmdir(join(dir, ...d.split('/')));
  return tryRmdir(dir);
}

function tryRmdir(path: string): boolean {
  try {
    rmdirSync(path);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

// ---------------------------------------------------------------- locking

/** Whether a process with this id is running (EPERM: it is, but not ours). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process's start time in clock ticks since boot (Linux /proc), to tell a reused pid apart. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

interface LockInfo {
  pid: number;
  start?: string | undefined;
  since: string;
}

function holderAlive(info: LockInfo): boolean {
  if (!alive(info.pid)) return false;
  const now = startTime(info.pid);
  return info.start === undefined || now === undefined || now === info.start;
}

const held = new Set<string>();
let exitHook = false;

/** The lock file of an output directory: `.NAME.lock` beside it. */
export function lockPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.lock`);
}

/**
 * Takes the lock on output directory `target` (absolute) for this process,
 * or refuses with the holder's pid. A stale lock (its process gone) is taken
 * over. Released by the returned function, and at exit in any case.
 */
export function lockOut(target: string, shown = target): () => void {
  const path = lockPath(target);
  const mine: LockInfo = { pid: process.pid, start: startTime(process.pid), since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let info: LockInfo | undefined;
      try {
        info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
      } catch {
        info = undefined; // being written this instant, or damaged: judged below
      }
      if (info !== undefined && typeof info.pid === 'number' && info.pid !== process.pid && holderAlive(info)) {
        throw new InputError(`--out ${shown}: is being written by another stickysim (pid ${info.pid}, since ${info.since}); wait for it to finish, or choose another --out`);
      }
      if (info === undefined && attempt === 0) {
        // A lock being written this instant: look again shortly.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      if (attempt >= 3) throw new InputError(`--out ${shown}: its lock ${path} cannot be taken; remove it if no stickysim is running`);
      try {
        unlinkSync(path); // stale: its process is gone
      } catch {
        /* another process took it over first; try again */
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(mine));
    } catch (e) {
      // A full disk: no lock half-written (an empty lock file would hold others off for a moment).
      closeSync(fd);
      unlinkSync(path);
      throw e;
    }
    closeSync(fd);
    break;
  }
  held.add(path);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const p of held) releaseLock(p);
    });
  }
  return () => {
    releaseLock(path);
    held.delete(path);
  };
}

function releaseLock(path: string): void {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    if (info.pid === process.pid) unlinkSync(path);
  } catch {
    /* gone already */
  }
}
