import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LOOPBACK } from './backends.js';

/**
 * The real HAProxy on loopback, as a foreground child process (`haproxy -f
 * cfg -db`, never a service), with a runtime-API socket in a temp dir.
 *
 *     const hap = await Haproxy.start({ balance: 'source', hashType: 'hash-type consistent', servers });
 *     try { ...; await hap.setState('s9', 'ready'); await hap.waitStatus('s9', 'UP'); ... }
 *     finally { await hap.stop(); }
 */
export const HAPROXY_BIN = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';

export function haproxyInstalled(bin = HAPROXY_BIN): boolean {
  return existsSync(bin);
}

/** `HAProxy 2.6.12` from `haproxy -v` (its first line: `HAProxy version 2.6.12-1+deb12u4 …`). */
export function haproxyVersion(bin = HAPROXY_BIN): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, ['-v'], (err, stdout) => {
      if (err) return reject(err);
      const m = /HA-?Proxy version (\d+\.\d+(?:\.\d+)?)/i.exec(stdout);
      if (!m) return reject(new Error(`cannot read the version from: ${stdout.split('\n')[0]}`));
      resolve(`HAProxy ${m[1]}`);
    });
  });
}

export interface HaproxyServer {
  name: string;
  port: number;
  host?: string;
  /** `weight` (1…256; HAProxy's default 1). */
  weight?: number;
  /** Starts in maintenance (`disabled`): configured, not usable, until set ready. */
  disabled?: boolean;
  /** `cookie <value>`: the value a `cookie … insert` backend sets for this server. */
  cookie?: string;
}

export interface HaproxyOptions {
  /** `balance` argument: `source`, `hdr(X-Client-Id)`, `random(2)`… */
  balance: string;
  /** The whole `hash-type …` line, if any. */
  hashType?: string;
  servers: HaproxyServer[];
  /** TCP health checks on every server (`check inter <ms> fall <n> rise <n>`); off when absent. */
  check?: { interMs: number; fall: number; rise: number };
  /** More lines for the backend section. */
  backendLines?: string[];
  /** Master-worker mode (`-W`), so that {@link Haproxy.reload} reloads as `systemctl reload haproxy` does. */
  masterWorker?: boolean;
  bin?: string;
}

/** The configuration file for `o`, the frontend on 127.0.0.1:`port`, the runtime API on `socket`. */
export function haproxyConfig(o: HaproxyOptions, port: number, socket: string): string {
  const chk = o.check ? ` check inter ${o.check.interMs}ms fall ${o.check.fall} rise ${o.check.rise}` : '';
  const lines = [
    'global',
    `    stats socket ${socket} mode 600 level admin`,
    '    nbthread 1',
    '    maxconn 4096',
    '',
    'defaults',
    '    mode http',
    '    timeout connect 2s',
    '    timeout client 10s',
    '    timeout server 10s',
    '    timeout check 1s',
    '',
    'frontend fe',
    `    bind ${LOOPBACK}:${port}`,
    '    default_backend be',
    '',
    'backend be',
    `    balance ${o.balance}`,
    ...(o.hashType ? [`    ${o.hashType}`] : []),
    ...(o.backendLines ?? []).map((l) => `    ${l}`),
    ...o.servers.map(
      (s) =>
        `    server ${s.name} ${s.host ?? LOOPBACK}:${s.port}` +
        (s.weight !== undefined ? ` weight ${s.weight}` : '') +
        (s.cookie !== undefined ? ` cookie ${s.cookie}` : '') +
        chk +
        (s.disabled ? ' disabled' : ''),
    ),
    '',
  ];
  return lines.join('\n');
}

/** A row of `show stat` for one server. */
export interface ServerStat {
  name: string;
  /** `UP`, `DOWN`, `MAINT`, `no check`, `UP 1/2`… */
  status: string;
  weight: number;
}

export class Haproxy {
  private exited = false;
  private stderr = '';
  private readonly exitPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly dir: string,
    readonly socket: string,
    readonly config: string,
  ) {
    this.exitPromise = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => (this.exited = true));
    child.stderr?.on('data', (d: Buffer) => {
      if (this.stderr.length < 20000) this.stderr += d.toString();
    });
    child.stdout?.resume();
  }

  /** Writes the config, starts haproxy, and resolves once it listens (rejects, with haproxy's stderr, if it does not). */
  static async start(o: HaproxyOptions, timeoutMs = 10000): Promise<Haproxy> {
    const dir = await mkdtemp(join(tmpdir(), 'stickysim-haproxy-'));
    const socket = join(dir, 'admin.sock');
    const port = await freePort();
    const config = haproxyConfig(o, port, socket);
    const cfgPath = join(dir, 'haproxy.cfg');
    await writeFile(cfgPath, config);
    const child = spawn(o.bin ?? HAPROXY_BIN, [...(o.masterWorker ? ['-W'] : []), '-f', cfgPath, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const hap = new Haproxy(child, port, dir, socket, config);
    LIVE.add(hap);
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('error', reject);
        const deadline = Date.now() + timeoutMs;
        const poll = async () => {
          if (hap.exited) return reject(new Error(`haproxy exited at start:\n${hap.stderr}\n--- config ---\n${config}`));
          if ((await canConnect(LOOPBACK, port)) && existsSync(socket)) return resolve();
          if (Date.now() > deadline) return reject(new Error(`haproxy did not listen within ${timeoutMs} ms:\n${hap.stderr}`));
          setTimeout(poll, 50);
        };
        void poll();
      });
    } catch (e) {
      await hap.stop();
      throw e;
    }
    return hap;
  }

  /** One runtime-API command; resolves with its answer. */
  command(cmd: string, timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      let out = '';
      const s = connect(this.socket);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`runtime API: no answer to "${cmd}" in ${timeoutMs} ms`));
      }, timeoutMs);
      s.on('connect', () => s.write(`${cmd}\n`));
      s.on('data', (d) => (out += d.toString()));
      s.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      s.on('close', () => {
        clearTimeout(timer);
        resolve(out);
      });
    });
  }

  /** A command whose answer must be empty (or only blank lines); throws with the answer otherwise. */
  async commandOk(cmd: string): Promise<void> {
    const out = (await this.command(cmd)).trim();
    if (out !== '') throw new Error(`runtime API "${cmd}": ${out}`);
  }

  /** The worker's pid, from `show info`. */
  async workerPid(): Promise<number> {
    const m = /^Pid: (\d+)$/m.exec(await this.command('show info'));
    if (!m) throw new Error('runtime API: show info gave no Pid');
    return Number(m[1]);
  }

  /**
   * A reload (master-worker mode): SIGUSR2 to the master, which starts a new
   * worker from the same configuration; resolves once the new worker answers
   * the runtime API. Without `peers`, the new worker's stick tables are empty.
   */
  async reload(timeoutMs = 10000): Promise<void> {
    const before = await this.workerPid();
    this.child.kill('SIGUSR2');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const pid = await this.workerPid().catch(() => before);
      if (pid !== before && (await canConnect(LOOPBACK, this.port))) return;
      if (this.exited || Date.now() > deadline) throw new Error(`haproxy did not reload within ${timeoutMs} ms:\n${this.stderr}`);
    }
  }

  /** `set server be/<name> state ready|drain|maint`. */
  setState(name: string, state: 'ready' | 'drain' | 'maint'): Promise<void> {
    return this.commandOk(`set server be/${name} state ${state}`);
  }

  /** `set server be/<name> weight <w>`. */
  setWeight(name: string, weight: number): Promise<void> {
    return this.commandOk(`set server be/${name} weight ${weight}`);
  }

  /** The backend's servers from `show stat` (CSV). */
  async stats(): Promise<ServerStat[]> {
    const csv = await this.command('show stat');
    const lines = csv.split('\n').filter((l) => l.trim() !== '');
    const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
    const col = (n: string) => header.indexOf(n);
    const [px, sv, st, wt] = [col('pxname'), col('svname'), col('status'), col('weight')];
    if (px < 0 || sv < 0 || st < 0 || wt < 0) throw new Error(`unexpected show stat output: ${lines[0]}`);
    return lines
      .slice(1)
      .map((l) => l.split(','))
      .filter((f) => f[px] === 'be' && f[sv] !== 'BACKEND')
      .map((f) => ({ name: f[sv]!, status: f[st]!, weight: Number(f[wt]) }));
  }

  /** Waits until server `name`'s status satisfies `want` (a status such as `UP`, `DOWN`, `MAINT`, or a test). */
  async waitStatus(name: string, want: string | ((s: ServerStat) => boolean), timeoutMs = 10000): Promise<ServerStat> {
    const ok = typeof want === 'string' ? (s: ServerStat) => s.status === want : want;
    const deadline = Date.now() + timeoutMs;
    let last: ServerStat | undefined;
    for (;;) {
      last = (await this.stats()).find((s) => s.name === name);
      if (last && ok(last)) return last;
      if (Date.now() > deadline) throw new Error(`server ${name} stayed ${last?.status ?? 'unknown'} for ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills haproxy (SIGTERM, then SIGKILL after 3 s) and removes its temp dir. Safe to call twice. */
  async stop(): Promise<void> {
    LIVE.delete(this);
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => {
        if (!this.exited) this.child.kill('SIGKILL');
      }, 3000);
      await this.exitPromise;
      clearTimeout(t);
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  /** SIGKILL now, without waiting (for process exit). */
  killNow(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** What haproxy wrote on stderr (warnings, alerts). */
  get log(): string {
    return this.stderr;
  }
}

/** Runs `fn` with a started haproxy and always stops it. */
export async function withHaproxy<T>(o: HaproxyOptions, fn: (hap: Haproxy) => Promise<T>): Promise<T> {
  const hap = await Haproxy.start(o);
  try {
    return await fn(hap);
  } finally {
    await hap.stop();
  }
}

// Children still running when this process exits are killed (synchronously: the only way at exit).
const LIVE = new Set<Haproxy>();
process.once('exit', () => {
  for (const h of LIVE) h.killNow();
});

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
