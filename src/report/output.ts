import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EnvironmentError, InputError } from '../scenario/errors.js';
import {
  alive, checkReplaceable, inspectOut, listTree, lockOut, MARKER, markerText, nameEntries, readMarker, removeOurs, unexpectedEntries, type ClaimRules, type Marker, type OutputKind,
} from './ownership.js';

export { checkReplaceable, type ClaimRules } from './ownership.js';

/**
 * The file system's refusals that are the machine's doing, not stickysim's
 * nor the user's input, in words.
 */
const REFUSALS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'a file would be larger than the file system allows',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOENT: 'a directory on the way does not exist (removed meanwhile?)',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file is in the way of a directory',
  EISDIR: 'a directory is in the way of a file',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on the system',
  EIO: 'an input/output error (a failing disk, or a network file system gone?)',
};

/**
 * An error while claiming `--out` (creating its parents, taking its lock):
 * a file where the path needs a directory is the path's fault (InputError,
 * exit 2: `--out notes.txt/results`), anything else as {@link writeFailure}.
 */
export function claimFailure(e: unknown, out: string): unknown {
  const err = e as NodeJS.ErrnoException | undefined;
  if ((err?.code === 'ENOTDIR' || err?.code === 'EEXIST') && !(e instanceof InputError)) {
    // The file in the way: the nearest part of the path that exists and is not a directory.
    let file: string | undefined;
    for (let p = resolve(typeof err.path === 'string' ? err.path : out); file === undefined && p !== dirname(p); p = dirname(p)) {
      try {
        if (!statSync(p).isDirectory()) file = p;
      } catch {
        /* not there (or not reachable): look further up */
      }
    }
    return new InputError(`--out ${out}: ${file ?? 'a part of it'} is a file, not a directory; choose another --out`);
  }
  return writeFailure(e, `${out}/`, 'nothing was written');
}

/** A write's error, naming the file it was writing when the system did not (a full disk is found by `write`, on a descriptor). */
export function withPath(e: unknown, path: string): unknown {
  const err = e as NodeJS.ErrnoException | undefined;
  if (typeof err?.code === 'string' && err.path === undefined) err.path = path;
  return e;
}

/**
 * `e` as the one-line {@link EnvironmentError} it is when the file system
 * refused to store results (disk full, permissions, a directory missing or
 * read-only): what happened, where, and `outcome` (what was or was not
 * written). Anything else is returned as it is.
 */
export function writeFailure(e: unknown, where: string, outcome: string): unknown {
  if (e instanceof EnvironmentError && e.unsaid) return new EnvironmentError(`${e.message}; ${outcome}`);
  const err = e as NodeJS.ErrnoException | undefined;
  if (e instanceof InputError || e instanceof EnvironmentError || typeof err?.code !== 'string' || REFUSALS[err.code] === undefined) return e;
  const at = typeof err.path === 'string' ? ` at ${err.path}` : '';
  return new EnvironmentError(`cannot write ${where}: ${REFUSALS[err.code]} (${err.code}${at}); ${outcome}`);
}

/**
 * Writes a results directory so that it appears whole or not at all: files go
 * into a hidden sibling temporary directory, which is renamed into place at
 * the end. An interrupted run leaves the previous results untouched.
 *
 * Only a directory stickysim wrote is ever replaced (see ownership.ts): the
 * directory is locked and checked when claimed, checked again at the commit,
 * and the previous results are removed file by file through their marker.
 */
export class AtomicDir {
  readonly target: string;
  readonly tmp: string;
  private done = false;
  /** Someone's entries in a reopened directory, carried over into the new one and never listed as stickysim's. */
  private kept: readonly string[] = [];
  /** The marker of the results being redrawn ({@link reopen}). */
  previous: Marker | undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.abort();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  private constructor(
    target: string,
    private readonly kind: OutputKind,
    private readonly shownAs: string,
    private readonly release: () => void,
    private readonly files?: readonly string[],
    /** What a failure leaves, in words: the directory as it was, or none at all. */
    private readonly untouched = 'nothing was written',
  ) {
    this.target = target;
    this.tmp = join(dirname(this.target), `.${basename(this.target)}.tmp-${process.pid}`);
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  /**
   * After a failure while writing: removes the unfinished directory, releases
   * the lock, and returns the error to throw — a full disk, a permission or
   * a vanished directory as a one-line {@link EnvironmentError} saying that
   * nothing was written (the previous results, if any, are as they were).
   */
  fail(e: unknown): unknown {
    try {
      this.abort();
    } catch {
      /* the error that matters is `e`; a stale temporary directory is cleaned by the next run */
    }
    return writeFailure(e, `${this.shownAs}/`, this.untouched);
  }

  /**
   * Claims `out` for new results of `rules.kind`: locks it, cleans what a
   * killed run left beside it, and refuses (InputError) unless it is absent,
   * empty, or stickysim's own results (see {@link checkReplaceable}).
   */
  static claim(out: string, rules: ClaimRules): AtomicDir {
    const target = resolve(out);
    let release = () => {};
    try {
      mkdirSync(dirname(target), { recursive: true });
      release = lockOut(target, out);
      cleanStale(target);
      const found = checkReplaceable(out, rules);
      const untouched = found.state === 'absent' ? `nothing was written (${out} was not created)` : `nothing was written: ${out} holds what it held before`;
      return new AtomicDir(target, rules.kind, out, release, rules.files, untouched);
    } catch (e) {
      release();
      throw claimFailure(e, out);
    }
  }

  /**
   * Claims an existing results directory of `kind` to redraw part of it
   * (`report`): it must carry stickysim's marker. Anything else in it is
   * someone's: it is carried over into the new directory unchanged (the
   * caller copies it) and never becomes stickysim's to remove.
   */
  static reopen(dir: string, kind: OutputKind): AtomicDir {
    const target = resolve(dir);
    let release = () => {};
    try {
      release = lockOut(target, dir);
      cleanStale(target);
      const marker = readMarker(target);
      if (marker === undefined || marker.kind !== kind) {
        const why = marker === undefined ? `was not written by stickysim (it has no ${MARKER})` : `holds a stickysim ${marker.kind}, not a ${kind}`;
        throw new InputError(`${dir}: ${why}; stickysim redraws only results it wrote itself`);
      }
      const d = new AtomicDir(target, kind, dir, release, undefined, `nothing was changed in ${dir}`);
      d.kept = unexpectedEntries(target, marker);
      d.previous = marker;
      return d;
    } catch (e) {
      release();
      throw writeFailure(e, `${dir}/`, `nothing was changed in ${dir}`);
    }
  }

  /** `name` in the finished directory, as the user named it (for messages). */
  shown(name: string): string {
    return join(this.shownAs, name);
  }

  /** Path of `name` inside the directory being written. */
  path(name: string): string {
    return join(this.tmp, name);
  }

  write(name: string, content: string | Uint8Array): void {
    const p = this.path(name);
    try {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
    } catch (e) {
      throw withPath(e, this.shown(name));
    }
  }

  /**
   * Marks the finished directory as stickysim's (listing its files) and moves
   * it into place, replacing the previous results, which are checked again
   * (nothing of anyone else's may have appeared) and removed file by file.
   */
  commit(): void {
    const someones = (path: string) => this.kept.some((k) => (k.endsWith('/') ? path.startsWith(k) : path === k));
    writeFileSync(join(this.tmp, MARKER), markerText(this.kind, this.files ?? listTree(this.tmp).filter((p) => !someones(p))));
    const before = inspectOut(this.target, this.shownAs);
    if (before.state === 'foreign' && !before.entries.every(someones)) {
      throw new InputError(`--out ${this.shownAs}: files stickysim did not write appeared there meanwhile (${nameEntries(before.entries.filter((e) => !someones(e)))}); nothing was replaced`);
    }
    const old = join(dirname(this.target), `.${basename(this.target)}.old-${process.pid}`);
    if (before.state !== 'absent') renameSync(this.target, old);
    try {
      renameSync(this.tmp, this.target);
    } catch (e) {
      if (before.state !== 'absent') renameSync(old, this.target); // the previous results back where they were
      throw e;
    }
    try {
      const marker = readMarker(old);
      if (marker !== undefined) {
        // Someone's entries now live (linked or copied) in the new directory: the old names go.
        for (const k of this.kept) if (existsSync(join(this.target, k))) rmSync(join(old, k), { recursive: true, force: true });
        removeOurs(old, marker);
      } else if (before.state === 'empty') rmdirQuietly(old);
    } catch {
      /* the old results stay beside the new as .NAME.old-PID, which the next claim of this directory removes (cleanStale) */
    }
    this.finish();
  }

  abort(): void {
    rmSync(this.tmp, { recursive: true, force: true });
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    this.release();
  }
}

function rmdirQuietly(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    /* not empty: someone's; left as it is */
  }
}

/**
 * Cleans what a killed run (SIGKILL, power loss) left beside `target`: its
 * `.NAME.tmp-PID` directory, and its `.NAME.old-PID` directory, which holds
 * the previous results if it died between the two renames of a commit (they
 * are put back when `target` is missing, else removed through their marker).
 * Directories of live processes are left alone: another run may be writing them.
 */
export function cleanStale(target: string): void {
  const dir = dirname(target);
  const name = basename(target);
  const pattern = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old)-(\\d+)$`);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries.sort()) {
    const m = pattern.exec(entry);
    if (m === null || alive(Number(m[2]))) continue;
    const path = join(dir, entry);
    if (m[1] === 'tmp') rmSync(path, { recursive: true, force: true });
    else if (!existsSync(target)) renameSync(path, target);
    else {
      const marker = readMarker(path);
      if (marker !== undefined) removeOurs(path, marker);
      else rmdirQuietly(path);
    }
  }
}

