import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../scenario/errors.js';
import {
  alive, checkReplaceable, inspectOut, listTree, lockOut, MARKER, markerText, nameEntries, readMarker, removeOurs, unexpectedEntries, type ClaimRules, type Marker, type OutputKind,
} from './ownership.js';

export { checkReplaceable, type ClaimRules } from './ownership.js';

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
  ) {
    this.target = target;
    this.tmp = join(dirname(this.target), `.${basename(this.target)}.tmp-${process.pid}`);
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  /**
   * Claims `out` for new results of `rules.kind`: locks it, cleans what a
   * killed run left beside it, and refuses (InputError) unless it is absent,
   * empty, or stickysim's own results (see {@link checkReplaceable}).
   */
  static claim(out: string, rules: ClaimRules): AtomicDir {
    const target = resolve(out);
    mkdirSync(dirname(target), { recursive: true });
    const release = lockOut(target, out);
    try {
      cleanStale(target);
      checkReplaceable(out, rules);
      return new AtomicDir(target, rules.kind, out, release, rules.files);
    } catch (e) {
      release();
      throw e;
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
    const release = lockOut(target, dir);
    try {
      cleanStale(target);
      const marker = readMarker(target);
      if (marker === undefined || marker.kind !== kind) {
        const why = marker === undefined ? `was not written by stickysim (it has no ${MARKER})` : `holds a stickysim ${marker.kind}, not a ${kind}`;
        throw new InputError(`${dir}: ${why}; stickysim redraws only results it wrote itself`);
      }
      const d = new AtomicDir(target, kind, dir, release);
      d.kept = unexpectedEntries(target, marker);
      d.previous = marker;
      return d;
    } catch (e) {
      release();
      throw e;
    }
  }

  /** Path of `name` inside the directory being written. */
  path(name: string): string {
    return join(this.tmp, name);
  }

  write(name: string, content: string | Uint8Array): void {
    const p = this.path(name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
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
    renameSync(this.tmp, this.target);
    const marker = readMarker(old);
    if (marker !== undefined) {
      // Someone's entries now live (linked or copied) in the new directory: the old names go.
      for (const k of this.kept) if (existsSync(join(this.target, k))) rmSync(join(old, k), { recursive: true, force: true });
      removeOurs(old, marker);
    } else if (before.state === 'empty') rmdirQuietly(old);
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

