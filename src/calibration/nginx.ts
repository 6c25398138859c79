import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LOOPBACK } from './backends.js';

/**
 * The real nginx on loopback, as a foreground child process (`nginx -p <tmp>
 * -c <tmp>/nginx.conf -g 'daemon off;'`, never a service), with its error
 * log, pid file and temp paths in a temp dir; one worker process, so one
 * copy of the balancer state (as stickysim's one balancer instance).
 *
 *     const ngx = await Nginx.start({ method: { kind: 'ip_hash' }, servers });
 *     try { …drive clients at ngx.port…; await ngx.reload({ …, servers: nine }); … }
 *     finally { await ngx.stop(); }
 */
export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

export function nginxInstalled(bin = NGINX_BIN): boolean {
  return existsSync(bin);
}

/** `nginx 1.22.1` from `nginx -v` (which prints `nginx version: nginx/1.22.1` on stderr). */
export function nginxVersion(bin = NGINX_BIN): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, ['-v'], (err, stdout, stderr) => {
      if (err) return reject(err);
      const m = /nginx\/(\d+\.\d+\.\d+)/.exec(`${stderr}${stdout}`);
      if (!m) return reject(new Error(`cannot read the version from: ${stderr.split('\n')[0]}`));
      resolve(`nginx ${m[1]}`);
    });
  });
}

/** The balancing method of the `upstream` block. */
export type NginxMethod =
  | { kind: 'round-robin' }
  | { kind: 'ip_hash' }
  /** `hash <key> [consistent];`, e.g. key `$remote_addr` or `$http_x_client_id`. */
  | { kind: 'hash'; key: string; consistent?: boolean };

export interface NginxServer {
  /** The backend's name (what it answers with); a comment in the configuration. */
  name: string;
  port: number;
  host?: string;
  /** `weight=` (default 1). */
  weight?: number;
  /** The `down` parameter. */
  down?: boolean;
  /** `max_fails=` (nginx default 1). */
  maxFails?: number;
  /** `fail_timeout=` in seconds (nginx default 10). */
  failTimeout?: number;
}

export interface NginxOptions {
  method: NginxMethod;
  servers: NginxServer[];
  bin?: string;
}

/** The address a server is written with in the `server` directive: what `hash … consistent` hashes. */
export function nginxServerAddress(s: NginxServer): string {
  return `${s.host ?? LOOPBACK}:${s.port}`;
}

/** The `ip_hash;` / `hash …;` line, none for round robin. */
export function nginxMethodLine(m: NginxMethod): string | undefined {
  switch (m.kind) {
    case 'round-robin':
      return undefined;
    case 'ip_hash':
      return 'ip_hash;';
    case 'hash':
      return `hash ${m.key}${m.consistent ? ' consistent' : ''};`;
  }
}

/**
 * nginx.conf for `o`: the upstream `backend` in the servers' order,
 * `proxy_pass` with the `proxy_next_upstream` defaults (error timeout),
 * listening on 127.0.0.1:`port`. Each response carries `X-Upstream-Addr`
 * (every peer tried, `$upstream_addr`) and `X-Config-Generation`
 * (`generation`, to know when a reload has taken over).
 */
export function nginxConfig(o: NginxOptions, port: number, prefix: string, generation = 1): string {
  const method = nginxMethodLine(o.method);
  const server = (s: NginxServer) => {
    const params = [
      s.weight !== undefined && s.weight !== 1 ? `weight=${s.weight}` : '',
      s.maxFails !== undefined ? `max_fails=${s.maxFails}` : '',
      s.failTimeout !== undefined ? `fail_timeout=${s.failTimeout}s` : '',
      s.down ? 'down' : '',
    ].filter((p) => p !== '');
    return `        server ${nginxServerAddress(s)}${params.map((p) => ` ${p}`).join('')};  # ${s.name}`;
  };
  return [
    '# stickysim calibration (generated)',
    'worker_processes 1;',
    `pid ${join(prefix, 'nginx.pid')};`,
    `error_log ${join(prefix, 'error.log')} warn;`,
    '',
    'events {',
    '    worker_connections 2048;',
    '}',
    '',
    'http {',
    '    access_log off;',
    `    client_body_temp_path ${join(prefix, 'tmp', 'body')};`,
    `    proxy_temp_path ${join(prefix, 'tmp', 'proxy')};`,
    `    fastcgi_temp_path ${join(prefix, 'tmp', 'fastcgi')};`,
    `    uwsgi_temp_path ${join(prefix, 'tmp', 'uwsgi')};`,
    `    scgi_temp_path ${join(prefix, 'tmp', 'scgi')};`,
    '',
    '    upstream backend {',
    ...(method ? [`        ${method}`] : []),
    ...o.servers.map(server),
    '    }',
    '',
    '    server {',
    `        listen ${LOOPBACK}:${port};`,
    '        location / {',
    '            proxy_pass http://backend;',
    '            proxy_connect_timeout 2s;',
    '            add_header X-Upstream-Addr $upstream_addr always;',
    `            add_header X-Config-Generation ${generation} always;`,
    '        }',
    '    }',
    '}',
    '',
  ].join('\n');
}

/** Pids of the live children of `ppid` (read from /proc). */
function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces, so read after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid && fields[0] !== 'Z') out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One GET to nginx: the status and headers, or an error. */
export function nginxProbe(port: number, headers: Record<string, string> = {}, timeoutMs = 2000): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: LOOPBACK, port, path: '/', method: 'GET', agent: false, headers: { Connection: 'close', ...headers }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export class Nginx {
  private generation = 1;
  private exited = false;
  private readonly onExit = () => {
    // The test process is going away: do not leave nginx behind.
    if (!this.exited) this.child.kill('SIGTERM');
  };

  private constructor(
    private readonly child: ChildProcess,
    readonly prefix: string,
    readonly port: number,
    private options: NginxOptions,
    private readonly output: { text: string },
  ) {
    child.once('exit', () => {
      this.exited = true;
    });
    process.once('exit', this.onExit);
  }

  get confPath(): string {
    return join(this.prefix, 'nginx.conf');
  }

  get pid(): number {
    return this.child.pid!;
  }

  get bin(): string {
    return this.options.bin ?? NGINX_BIN;
  }

  /** Starts nginx on a free port and waits until it answers. */
  static async start(options: NginxOptions): Promise<Nginx> {
    const bin = options.bin ?? NGINX_BIN;
    const prefix = await mkdtemp(join(tmpdir(), 'stickysim-nginx-'));
    for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(join(prefix, 'tmp', d), { recursive: true });
    const port = await freePort();
    const conf = join(prefix, 'nginx.conf');
    await writeFile(conf, nginxConfig(options, port, prefix, 1));
    const child = spawn(bin, ['-p', `${prefix}/`, '-c', conf, '-e', join(prefix, 'error.log'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { text: '' };
    child.stdout!.on('data', (d: Buffer) => (output.text += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output.text += d.toString()));
    const ngx = new Nginx(child, prefix, port, options, output);
    try {
      await ngx.waitGeneration(1);
    } catch (e) {
      await ngx.stop();
      throw e;
    }
    return ngx;
  }

  /** The last lines of the error log, for messages. */
  async errorLog(lines = 20): Promise<string> {
    const text = await readFile(join(this.prefix, 'error.log'), 'utf8').catch(() => '');
    return [...text.trimEnd().split('\n').slice(-lines), this.output.text.trim()].filter((l) => l !== '').join('\n');
  }

  /** Waits until every response comes from configuration `generation` (and the old workers are gone). */
  private async waitGeneration(generation: number, oldWorkers: number[] = [], timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let streak = 0;
    for (;;) {
      if (this.exited) throw new Error(`nginx exited:\n${await this.errorLog()}`);
      let gen = -1;
      try {
        const res = await nginxProbe(this.port);
        gen = Number(res.headers['x-config-generation']);
      } catch {
        // not listening yet
      }
      streak = gen === generation ? streak + 1 : 0;
      if (streak >= 3 && oldWorkers.every((p) => !alive(p))) return;
      if (Date.now() > deadline) throw new Error(`nginx did not serve configuration ${generation} within ${timeoutMs} ms:\n${await this.errorLog()}`);
      await sleep(50);
    }
  }

  /**
   * A new configuration: rewrites nginx.conf, checks it (`nginx -t`), sends
   * SIGHUP to the master (what `nginx -s reload` does) and waits until the
   * new worker serves every request and the old one has exited. The new
   * worker starts with fresh balancer state.
   */
  async reload(options: NginxOptions): Promise<void> {
    this.options = options;
    this.generation++;
    await writeFile(this.confPath, nginxConfig(options, this.port, this.prefix, this.generation));
    await new Promise<void>((resolve, reject) => {
      execFile(this.bin, ['-t', '-q', '-p', `${this.prefix}/`, '-c', this.confPath, '-e', join(this.prefix, 'error.log')], (err, _o, stderr) =>
        err ? reject(new Error(`nginx -t failed: ${stderr}`)) : resolve(),
      );
    });
    const oldWorkers = childPids(this.pid);
    this.child.kill('SIGHUP');
    await this.waitGeneration(this.generation, oldWorkers);
  }

  /** Stops nginx (SIGTERM, then SIGKILL to the master and its workers by pid) and removes the temp dir. */
  async stop(): Promise<void> {
    process.off('exit', this.onExit);
    if (!this.exited) {
      const workers = childPids(this.pid);
      const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
      this.child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!done) {
        for (const w of workers) {
          try {
            process.kill(w, 'SIGKILL');
          } catch {
            // gone
          }
        }
        this.child.kill('SIGKILL');
        await Promise.race([exited, sleep(2000)]);
      }
    }
    await rm(this.prefix, { recursive: true, force: true });
  }
}

/** Runs `fn` with nginx started for `o`, and always stops it. */
export async function withNginx<T>(o: NginxOptions, fn: (ngx: Nginx) => Promise<T>): Promise<T> {
  const ngx = await Nginx.start(o);
  try {
    return await fn(ngx);
  } finally {
    await ngx.stop();
  }
}
