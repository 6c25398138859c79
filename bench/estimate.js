// The figures behind the size and time estimate (src/scenario/estimate.ts):
// each measurement is one process (peak RSS from the kernel, wall time), at
// several sizes, so that a per-unit figure is read off the growth between
// sizes rather than guessed. Then whole `stickysim run` commands of several
// shapes, measured against what the estimate predicts for them.
// Run with `npm run build && node bench/estimate.js` (a few minutes); never part of `npm test`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimate, formatBytes, formatSeconds, runCost } from '../dist/scenario/estimate.js';
import { parseScenario } from '../dist/scenario/load.js';

const dir = mkdtempSync(join(tmpdir(), 'stickysim-estimate-'));

const yaml = ({ servers = 1, windows = 1, rate = 0, think = '10s', requests = 9, strategies = 'cookie', ttl = '30m', logout = 0.5 }) => `name: cal
duration: ${windows * 60}
window: 60
workload:
  arrivals: { rate: ${rate} }
  requests: { dist: geometric, mean: ${requests} }
  think: { dist: exponential, mean: ${think} }
  logoutProbability: ${logout}
fleet: { servers: ${servers}, sessionTtl: ${ttl} }
strategies: [${strategies}]
`;

/** One simulation in a fresh process (no output files): seconds and peak RSS. */
function simulate(shape) {
  const script = `
    import { parseScenario } from ${JSON.stringify(new URL('../dist/scenario/load.js', import.meta.url).href)};
    import { runOnce } from ${JSON.stringify(new URL('../dist/simulation/experiment.js', import.meta.url).href)};
    const sc = parseScenario(${JSON.stringify(yaml(shape))}, 'cal.yaml');
    const t0 = performance.now();
    let requests = 0;
    for (const s of sc.strategies) requests += runOnce(sc, s, 1).metrics.conservation.requestsSent;
    console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, rss: process.resourceUsage().maxRSS * 1024, requests }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

/** A whole `stickysim run --workers 1` in a fresh process: seconds and peak RSS, with the estimate's prediction. */
function command(shape) {
  const file = join(dir, 'cal.yaml');
  writeFileSync(file, yaml(shape));
  const out = join(dir, 'out');
  const t0 = performance.now();
  const { stderr } = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, 'dist/cli/main.js', 'run', file, '--out', out, '--workers', '1', '--quiet', '--yes', '--force'], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  const sc = parseScenario(yaml(shape), 'cal.yaml');
  const predicted = estimate(sc.strategies.map((s) => ({ cost: runCost(sc.config, s), times: 1 })), { workers: 1, held: sc.strategies.length, output: true });
  return { seconds, rss: Number((stderr.trim().split('\n').pop() ?? '0')) * 1024 || undefined, predicted };
}

const per = (a, b, key, unit) => (b[key] - a[key]) / unit;
const line = (label, value) => console.log(`${label.padEnd(64)} ${value}`);

console.log(`stickysim estimate figures — node ${process.version}\n`);

// Servers: no traffic, one window; 1,000 → 20,000 → 100,000 servers.
const s0 = simulate({ servers: 1 });
for (const n of [1_000, 20_000, 100_000]) {
  const m = simulate({ servers: n });
  line(`a server (${n.toLocaleString('en-US')} servers)`, `${(per(s0, m, 'rss', n) / 1000).toFixed(1)} KB, ${(per(s0, m, 'seconds', n) * 1e6).toFixed(1)} µs`);
}

// A consistent-hash ring: 5,000 servers × 160 points, built at the first request.
{
  const flat = simulate({ servers: 5_000, rate: 5, strategies: 'cookie' });
  const ring = simulate({ servers: 5_000, rate: 5, strategies: 'ip-ring' });
  line('a ring point (5,000 servers × 160)', `${(per(flat, ring, 'rss', 800_000)).toFixed(0)} B, ${(per(flat, ring, 'seconds', 800_000) * 1e6).toFixed(2)} µs`);
}

// Rows (server × window): 100 servers × 100 → 10,000 windows.
{
  const a = simulate({ servers: 100, windows: 100 });
  const b = simulate({ servers: 100, windows: 10_000 });
  line('a server × window row, simulated (1e6 rows)', `${per(a, b, 'rss', 990_000).toFixed(0)} B, ${(per(a, b, 'seconds', 990_000) * 1e6).toFixed(2)} µs`);
}

// Sessions alive at once: everyone logged in and thinking for an hour; 100 s of arrivals.
{
  const a = simulate({ windows: 2, rate: 0, think: '1h', requests: 3 });
  const b = simulate({ windows: 2, rate: 1e6 / 120, think: '1h', requests: 3, ttl: '2h' });
  line('a session alive at once (1e6 alive)', `${per(a, b, 'rss', 1e6).toFixed(0)} B`);
}

// Requests: quickstart-like traffic on 8 servers, every default strategy.
{
  const m = simulate({ servers: 8, windows: 120, rate: 14, think: '20s', requests: 12, strategies: 'round-robin, random, least-conn, p2c, cookie, ip-hash, ip-ring, ip-maglev, ip-table, header-ring, shared-store' });
  line(`a request (${m.requests.toLocaleString('en-US')} requests, 11 strategies)`, `${((m.seconds / m.requests) * 1e6).toFixed(2)} µs`);
}

// Whole commands: measured against the estimate.
console.log('\nwhole `stickysim run --workers 1` commands: measured / estimated');
for (const shape of [
  { servers: 100, windows: 1_000 },
  { servers: 100, windows: 10_000 },
  { servers: 5_000, windows: 1 },
  { servers: 10_000, windows: 1 },
  { servers: 8, windows: 120, rate: 14, think: '20s', requests: 12, strategies: 'cookie, ip-ring, ip-table' },
]) {
  const m = command(shape);
  line(
    `${shape.servers} servers × ${shape.windows} windows${shape.rate ? `, ${shape.rate} sessions/s, ${shape.strategies}` : ''}`,
    `${formatSeconds(m.seconds)} / ${formatSeconds(m.predicted.seconds)}, ${m.rss ? formatBytes(m.rss) : '?'} / ${formatBytes(m.predicted.bytes)}`,
  );
}
rmSync(dir, { recursive: true, force: true });
