import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';

/**
 * Tiny HTTP backends for calibration, in this process, on 127.0.0.1.
 *
 * Each answers every request with status 200, header `X-Server: <name>`
 * and body `<name>\n`, so the client sees which backend served it (whatever
 * the balancer in between). `kill()` closes the listener and destroys its
 * open sockets, so new connections are refused (a crashed server, for the
 * balancer's health checks); `start()` listens again on the same port.
 *
 *     const pool = await startBackends(8);            // s1 … s8
 *     pool.backends[2].port;                          // where s3 listens
 *     await pool.backends[2].kill(); await pool.backends[2].start();
 *     await pool.close();                             // always (finally)
 *
 * Ports are free ports in 20000–29999, below Linux's ephemeral range
 * (32768+), so that no outgoing connection takes a killed backend's port
 * before it restarts.
 */
export interface Backend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Listening now. */
  readonly up: boolean;
  /** Requests answered since the start. */
  readonly hits: number;
  /** Stops listening and cuts every open connection: connects are refused until `start()`. */
  kill(): Promise<void>;
  /** Listens again on the same port (no-op when up). */
  start(): Promise<void>;
}

export interface BackendPool {
  readonly backends: Backend[];
  /** A new backend named `name` (default `s<k>`, k = its 1-based position) on a fresh port. */
  add(name?: string): Promise<Backend>;
  /** Kills every backend. */
  close(): Promise<void>;
}

export const LOOPBACK = '127.0.0.1';
const PORT_MIN = 20000;
const PORT_MAX = 30000;

class HttpBackend implements Backend {
  up = false;
  hits = 0;
  private server: HttpServer | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly name: string,
    readonly host: string,
    public port: number,
  ) {}

  start(): Promise<void> {
    if (this.up) return Promise.resolve();
    const body = `${this.name}\n`;
    const server = createServer((req, res) => {
      this.hits++;
      req.resume();
      res.writeHead(200, { 'X-Server': this.name, 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    server.keepAliveTimeout = 5000;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        this.up = true;
        resolve();
      });
    });
  }

  kill(): Promise<void> {
    const server = this.server;
    if (!this.up || !server) return Promise.resolve();
    this.up = false;
    this.server = undefined;
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
    });
  }
}

/** Whether `port` can be listened on at `host` now (a probe: it is free again on return). */
export function portFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

const taken = new Set<number>();

/**
 * A port in 20000–29999 that is free now and not handed out before by this
 * process (starting at a random place, so concurrent runs rarely collide).
 */
export async function freePort(host = LOOPBACK): Promise<number> {
  const span = PORT_MAX - PORT_MIN;
  const start = Math.floor(Math.random() * span);
  for (let k = 0; k < span; k++) {
    const port = PORT_MIN + ((start + k) % span);
    if (taken.has(port)) continue;
    if (await portFree(port, host)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${PORT_MIN}–${PORT_MAX - 1}`);
}

/** Starts `n` backends named s1 … sn (or `names`) on free ports of 127.0.0.1. */
export async function startBackends(n: number, names?: readonly string[]): Promise<BackendPool> {
  const backends: HttpBackend[] = [];
  const add = async (name?: string): Promise<Backend> => {
    for (let attempt = 0; ; attempt++) {
      const b = new HttpBackend(name ?? `s${backends.length + 1}`, LOOPBACK, await freePort());
      try {
        await b.start();
        backends.push(b);
        return b;
      } catch (e) {
        if (attempt >= 5) throw e; // the port was taken between the probe and the listen
      }
    }
  };
  const pool: BackendPool = {
    backends,
    add,
    close: async () => {
      await Promise.all(backends.map((b) => b.kill()));
    },
  };
  try {
    for (let i = 0; i < n; i++) await add(names?.[i]);
  } catch (e) {
    await pool.close();
    throw e;
  }
  return pool;
}
