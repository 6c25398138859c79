import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { estimate } from '../../src/metrics/stats.js';
import { maxEvaluations, meets, parseSlo } from '../../src/sweep/plan.js';
import { mmcSojournQuantile } from '../../src/validation/theory.js';
import { cli, tmp } from './helpers.js';

/** Erlang C: the probability that an arrival waits in M/M/c with offered load a = λ/μ. */
function erlangC(c: number, a: number): number {
  let sum = 0;
  let term = 1;
  for (let k = 0; k < c; k++) {
    sum += term;
    term *= a / (k + 1);
  }
  const last = (term * c) / (c - a);
  return last / (sum + last);
}

/** Single-request sessions, Poisson arrivals (36/s), exponential service (100 ms): M/M/c with c = workers of one server. */
function mmc(dir: string): string {
  const file = join(dir, 'mmc.yaml');
  writeFileSync(
    file,
    `name: mmc-plan
seed: 1
duration: 10m
warmup: 1m
workload:
  arrivals: { rate: 36 }
  requests: { dist: constant, value: 0 }
  think: { dist: constant, value: 0 }
  service: { dist: exponential, mean: 100ms }
  logoutProbability: 0
fleet: { servers: 1, workers: 4, sessionTtl: 1s }
strategies: [round-robin, least-conn]
`,
  );
  return file;
}

describe('SLOs', () => {
  it('parses metric<=x and metric>=x (and <, >, ≤, ≥, %)', () => {
    expect(parseSlo('latency_p99_ms<=250')).toEqual({ text: 'latency_p99_ms<=250', metric: 'latency_p99_ms', op: '<=', threshold: 250 });
    expect(parseSlo(' session_loss_rate <= 0.1% ')).toMatchObject({ op: '<=', threshold: 0.001 });
    expect(parseSlo('jain_index>=0.99')).toMatchObject({ op: '>=', threshold: 0.99 });
    expect(parseSlo('jain_index≥9.9e-1')).toMatchObject({ op: '>=', threshold: 0.99 });
    expect(parseSlo('dropped<1')).toMatchObject({ op: '<', threshold: 1 });
    expect(() => parseSlo('latency_p99_ms=250')).toThrow(/--slo: expected metric<=value or metric>=value/);
    expect(() => parseSlo('latency_p99_ms<=fast')).toThrow(/--slo: expected/);
    expect(() => parseSlo('latency_p98_ms<=250')).toThrow(/--slo latency_p98_ms<=250: unknown metric "latency_p98_ms": expected one of sessions, requests/);
  });

  it('is met with 95% confidence: the interval end, not the mean, must be on the right side', () => {
    const e = estimate([10, 12, 14]); // mean 12, half-width 4.97
    expect(meets(parseSlo('latency_p99_ms<=16'), e)).toBe(false);
    expect(meets(parseSlo('latency_p99_ms<=17'), e)).toBe(true);
    expect(meets(parseSlo('latency_p99_ms>=7'), e)).toBe(true);
    expect(meets(parseSlo('latency_p99_ms>=8'), e)).toBe(false);
    expect(meets(parseSlo('latency_p99_ms<=100'), estimate([12]))).toBe(false); // one replication: no interval, no confidence
  });

  it('evaluates at most ⌈log2(n + 1)⌉ values', () => {
    expect([1, 2, 3, 64, 100, 1000].map(maxEvaluations)).toEqual([1, 2, 2, 7, 7, 10]);
  });
});

describe('stickysim plan', () => {
  it('finds the workers M/M/c needs for a mean-latency target (Erlang C), evaluating a logarithmic number of values', async () => {
    // W(c) = C(c, a) / (cμ − λ) + 1/μ: c = 5 → 129.3 ms, c = 6 → 108.2 ms. Target 118 ms: 6 workers.
    const W = (c: number) => 1000 * (erlangC(c, 3.6) / (c * 10 - 36) + 0.1);
    expect(W(5)).toBeGreaterThan(125);
    expect(W(6)).toBeLessThan(110);
    const dir = tmp();
    const out = join(dir, 'plan');
    const r = await cli('plan', mmc(dir), '--vary', 'fleet.workers=1..64', '--slo', 'latency_mean_ms<=118', '--replications', '3', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('plan mmc-plan: the smallest fleet.workers in 1..64 meeting latency_mean_ms<=118 with 95% confidence (3 replications, seed 1)');
    expect(lines[2]).toMatch(/^strategy\s+fleet.workers\s+latency_mean_ms \(95% CI\)\s+evaluated$/);
    expect(lines[4]).toMatch(/^round-robin\s+6\s+1\d\d\.\d+ \[1\d\d\.?\d*, 1\d\d\.?\d*\] ✓\s+33, 17, 9, 5, 7, 6$/);
    const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'));
    expect(plan.answers.map((a: { value: string }) => a.value)).toEqual(['6', '6']);
    for (const a of plan.answers) expect(a.evaluated.length).toBeLessThanOrEqual(maxEvaluations(64));
    expect(plan.answers[0].metrics.latency_mean_ms.ci95_high).toBeLessThanOrEqual(118);
    const rows = parse(readFileSync(join(out, 'plan.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(['scenario', 'strategy', 'fleet.workers', 'round', 'meets', 'latency_mean_ms_mean', 'latency_mean_ms_ci95_low', 'latency_mean_ms_ci95_high']);
    const at5 = rows.find((x) => x.strategy === 'round-robin' && x['fleet.workers'] === '5')!;
    expect(at5.meets).toBe('false');
    expect(Math.abs(Number(at5.latency_mean_ms_mean) - W(5)) / W(5)).toBeLessThan(0.05);
    expect(readFileSync(join(out, 'plan.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('judges a latency quantile on an interval with width, which covers the exact p99 (M/M/10, the README example)', async () => {
    // Per-replication p99s used to be read off a histogram bucket (1/64 of an octave wide): all three replications
    // gave 474.6 ms, an interval of zero width that missed the exact 473.70 ms. Now each is within 0.1%.
    const exact = 1000 * mmcSojournQuantile(72, 10, 10, 0.99);
    expect(exact).toBeCloseTo(473.6955, 3);
    const out = join(tmp(), 'p99');
    const r = await cli('plan', 'scenarios/mmc.yaml', '--vary', 'fleet.workers=10', '--slo', 'latency_p99_ms<=500', '--replications', '3', '--out', out);
    expect([r.code, r.err]).toEqual([0, '']);
    const p99 = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')).answers[0].metrics.latency_p99_ms;
    expect(p99.ci95_high - p99.ci95_low).toBeGreaterThan(0.5); // ms: the replications differ
    expect(p99.ci95_low).toBeLessThan(exact);
    expect(p99.ci95_high).toBeGreaterThan(exact);
  });

  it('finds the servers for a utilization target, and says "none" when no value in the range will do', async () => {
    const dir = tmp();
    const file = mmc(dir);
    // One worker per server: utilization = 3.6 / servers; ≤ 65% needs 6 (60%), 5 gives 72%.
    const r = await cli('plan', file, '--set', 'fleet.workers=1', '--vary', 'fleet.servers=1..100', '--slo', 'utilization_mean<=65%', '--slo', 'latency_mean_ms<=90', '--strategies', 'least-conn', '--replications', '2', '--out', join(dir, 'none'));
    expect(r.code).toBe(0);
    // Service alone takes 100 ms on average: no fleet gets the mean under 90 ms.
    expect(r.out).toMatch(/\nleast-conn\s+none in 1..100\s+0\.036\d* \[[^\]]+\] ✓ at 100\s+(99|1\d\d)\.?\d* \[[^\]]+\] ✗ at 100\s+51, 76, 89, 95, 98, 100\n/);
    const util = await cli('plan', file, '--set', 'fleet.workers=1', '--vary', 'fleet.servers=1..100', '--slo', 'utilization_mean<=65%', '--strategies', 'least-conn,round-robin', '--replications', '2', '--out', join(dir, 'util'));
    const plan = JSON.parse(readFileSync(join(dir, 'util', 'plan.json'), 'utf8'));
    expect(util.code).toBe(0);
    expect(plan.answers.map((a: { value: string }) => a.value)).toEqual(['6', '6']);
    for (const a of plan.answers) expect(a.evaluated.length).toBeLessThanOrEqual(maxEvaluations(100));
  });

  it('replaces its own directory, refuses one of a different question unless --force', async () => {
    const dir = tmp();
    const file = mmc(dir);
    const out = join(dir, 'plan');
    const args = ['plan', file, '--vary', 'fleet.workers=4..8', '--strategies', 'least-conn', '--replications', '2', '--out', out, '--quiet'];
    expect((await cli(...args, '--slo', 'utilization_mean<=0.8')).code).toBe(0);
    const first = readFileSync(join(out, 'plan.csv'), 'utf8');
    expect((await cli(...args, '--slo', 'utilization_mean<=0.8')).code).toBe(0);
    expect(readFileSync(join(out, 'plan.csv'), 'utf8')).toBe(first);
    const other = await cli(...args, '--slo', 'utilization_mean<=0.7');
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/--out .*plan: holds a stickysim plan of different inputs; pass --force/);
    expect(readFileSync(join(out, 'plan.csv'), 'utf8')).toBe(first);
    expect((await cli(...args, '--slo', 'utilization_mean<=0.7', '--force')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')).slo).toEqual(['utilization_mean<=0.7']);
  });

  it('refuses bad SLOs and arguments in one line, writing nothing', async () => {
    const dir = tmp();
    const file = mmc(dir);
    const out = join(dir, 'out');
    const cases: [string[], RegExp][] = [
      [['--vary', 'fleet.workers=1..8', '--slo', 'p99<=250'], /--slo p99<=250: unknown metric "p99"/],
      [['--vary', 'fleet.workers=1..8', '--slo', 'latency_p99_ms=250'], /--slo: expected metric<=value/],
      [['--vary', 'fleet.workers=1..8'], /--slo: expected at least one/],
      [['--slo', 'latency_p99_ms<=250'], /--vary: plan searches one parameter.*got 0/],
      [['--vary', 'fleet.workers=1..8', '--vary', 'fleet.servers=1,2', '--slo', 'latency_p99_ms<=250'], /plan searches one parameter.*got 2/],
      [['--vary', 'fleet.workers=1..8', '--slo', 'latency_p99_ms<=250', '--replications', '1'], /--replications: expected a whole number ≥ 2, got 1/],
      [['--vary', 'fleet.workers=0..8', '--slo', 'latency_p99_ms<=250'], /--vary fleet.workers=0: /],
    ];
    for (const [extra, message] of cases) {
      const r = await cli('plan', file, ...extra, '--out', out);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
  });
});
