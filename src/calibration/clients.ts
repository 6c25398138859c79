import { request } from 'node:http';
import type { Answer } from './types.js';

/**
 * Calibration clients: many HTTP clients, each from its own source address
 * 127.x.y.z (Linux routes all of 127/8 to lo, so any of them can be bound
 * without setup), each on its own connection (`agent: false`), with an
 * optional cookie jar and headers, at bounded concurrency.
 *
 *     const clients = clientAddresses(4000).map((address) => ({ address }));
 *     const out = await driveClients(clients, { port: 23456 });
 *     out[i].server   // `X-Server` of client i's last response, null on failure / 5xx
 */
export interface ClientSpec {
  /** Source address (`localAddress`), e.g. `127.12.34.56`. */
  address: string;
  /** Request headers (e.g. `{ 'X-Client-Id': 'u42' }`). */
  headers?: Record<string, string>;
  /**
   * Cookie jar, name → value: sent as `Cookie` and updated from `Set-Cookie`
   * (attributes ignored; `Max-Age=0` or an expiry in the past deletes). Keep
   * the same object across calls for a client that keeps its cookies.
   */
  jar?: Map<string, string>;
}

export interface DriveOptions {
  /** The balancer's address (default 127.0.0.1) and port. */
  host?: string;
  port: number;
  path?: string;
  /** Requests in flight at once (default 64). */
  concurrency?: number;
  /** Requests per client, one after another, each on a new connection (default 1). */
  requests?: number;
  /** Per request (default 5000 ms). */
  timeoutMs?: number;
}

export interface ClientOutcome {
  /** Who answered the client's last request (`X-Server`); null when it failed or got a 5xx. */
  server: Answer;
  /** Who answered each request, in order. */
  servers: Answer[];
  /** How long each request took, from sending to the end of the answer (or the failure), milliseconds. */
  ms: number[];
  /** The error or status of the last failed request, if any. */
  error?: string;
}

/** One GET; resolves with the answering server or null (never rejects). */
function get(spec: ClientSpec, o: Required<Omit<DriveOptions, 'requests' | 'concurrency'>>): Promise<{ server: Answer; error?: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { Connection: 'close', ...spec.headers };
    if (spec.jar && spec.jar.size > 0) {
      headers.Cookie = [...spec.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    let done = false;
    const finish = (server: Answer, error?: string) => {
      if (done) return;
      done = true;
      resolve(error === undefined ? { server } : { server, error });
    };
    const req = request(
      { host: o.host, port: o.port, path: o.path, method: 'GET', localAddress: spec.address, agent: false, headers, timeout: o.timeoutMs },
      (res) => {
        if (spec.jar) updateJar(spec.jar, res.headers['set-cookie']);
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const name = res.headers['x-server'];
          if (status >= 500) finish(null, `HTTP ${status}`);
          else if (typeof name !== 'string') finish(null, `HTTP ${status} without X-Server`);
          else finish(name);
        });
        res.on('error', (e) => finish(null, e.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => finish(null, e.message));
    req.end();
  });
}

function updateJar(jar: Map<string, string>, setCookie: string[] | undefined): void {
  for (const line of setCookie ?? []) {
    const [pair, ...attrs] = line.split(';');
    const eq = pair!.indexOf('=');
    if (eq <= 0) continue;
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    const expired = attrs.some((a) => {
      const [k, v = ''] = a.split('=').map((x) => x.trim());
      if (k!.toLowerCase() === 'max-age') return Number(v) <= 0;
      if (k!.toLowerCase() === 'expires') return Date.parse(v) < Date.now();
      return false;
    });
    if (expired) jar.delete(name);
    else jar.set(name, value);
  }
}

/**
 * Runs every client's requests (`requests` each, in sequence) with at most
 * `concurrency` in flight, and returns each client's outcome, in order.
 */
export async function driveClients(clients: readonly ClientSpec[], options: DriveOptions): Promise<ClientOutcome[]> {
  const o = { host: options.host ?? '127.0.0.1', port: options.port, path: options.path ?? '/', timeoutMs: options.timeoutMs ?? 5000 };
  const perClient = options.requests ?? 1;
  const concurrency = Math.max(1, options.concurrency ?? 64);
  const out: ClientOutcome[] = new Array(clients.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < clients.length; i = next++) {
      const servers: Answer[] = [];
      const ms: number[] = [];
      let error: string | undefined;
      for (let r = 0; r < perClient; r++) {
        const t = performance.now();
        const res = await get(clients[i]!, o);
        ms.push(performance.now() - t);
        servers.push(res.server);
        if (res.error !== undefined) error = res.error;
      }
      const last = servers[servers.length - 1] ?? null;
      out[i] = error === undefined ? { server: last, servers, ms } : { server: last, servers, ms, error };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker));
  return out;
}

/**
 * `n` distinct source addresses 127.a.b.c, pseudo-random but fixed by
 * `seed`: a in 1…254 (127.0.x.x is left to the servers), b in 0…255, c in 1…254.
 */
export function clientAddresses(n: number, seed = 1): string[] {
  const space = 254 * 256 * 254;
  if (n > space) throw new Error(`at most ${space} distinct client addresses`);
  const seen = new Set<number>();
  const out: string[] = [];
  let state = (seed * 0x9e3779b1) >>> 0;
  while (out.length < n) {
    state = mix(state + 0x6d2b79f5);
    const v = state % space;
    if (seen.has(v)) continue;
    seen.add(v);
    const c = (v % 254) + 1;
    const b = Math.floor(v / 254) % 256;
    const a = Math.floor(v / (254 * 256)) + 1;
    out.push(`127.${a}.${b}.${c}`);
  }
  return out;
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
