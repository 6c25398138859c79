import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../scenario/errors.js';

/**
 * Writes a results directory so that it appears whole or not at all: files go
 * into a hidden sibling temporary directory, which is renamed into place at
 * the end. An interrupted run leaves the previous results untouched.
 */
export class AtomicDir {
  readonly target: string;
  readonly tmp: string;
  private done = false;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.abort();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  constructor(target: string) {
    this.target = resolve(target);
    this.tmp = join(dirname(this.target), `.${basename(this.target)}.tmp-${process.pid}`);
    mkdirSync(dirname(this.target), { recursive: true });
    cleanStale(this.target);
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
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

  /** Moves the finished directory into place, replacing an earlier one. */
  commit(): void {
    const old = join(dirname(this.target), `.${basename(this.target)}.old-${process.pid}`);
    if (existsSync(this.target)) renameSync(this.target, old);
    renameSync(this.tmp, this.target);
    rmSync(old, { recursive: true, force: true });
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
  }
}

/** Whether a process with this id is running (EPERM: it is, but not ours). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Cleans what a killed run (SIGKILL, power loss) left beside `target`: its
 * `.NAME.tmp-PID` directory, and its `.NAME.old-PID` directory, which holds
 * the previous results if it died between the two renames of a commit (they
 * are put back when `target` is missing). Directories of live processes are
 * left alone: another run may be writing them.
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
    if (m[1] === 'old' && !existsSync(target)) renameSync(path, target);
    else rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Refuses to replace `target` unless it is absent or empty, or holds a
 * stickysim run of the same inputs (same fingerprint), or `force` is set.
 */
export function checkReplaceable(target: string, fingerprint: string, force: boolean): void {
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory()) throw new InputError(`--out ${target}: exists and is not a directory`);
  if (force || readdirSync(target).length === 0) return;
  let previous: { fingerprint?: string } | undefined;
  try {
    previous = JSON.parse(readFileSync(join(target, 'run.json'), 'utf8')) as { fingerprint?: string };
  } catch {
    throw new InputError(`--out ${target}: exists and does not hold stickysim results; choose another --out`);
  }
  if (previous?.fingerprint !== fingerprint) {
    throw new InputError(`--out ${target}: holds the results of a different run; pass --force to replace them or --out to write elsewhere`);
  }
}
