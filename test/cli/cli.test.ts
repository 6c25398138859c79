import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUMMARY_COLUMNS } from '../../src/metrics/results.js';
import { cli, smallScenario } from '../helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'stickysim-cli-'));

describe('stickysim run', () => {
  it('prints the comparison and writes every file', async () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const r = await cli('run', smallScenario(dir), '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/strategy\s+sessions\s+loss %/);
    for (const s of ['cookie', 'round-robin', 'ip-ring']) expect(r.out).toContain(`\n${s} `);
    expect(readdirSync(out).sort()).toEqual(['.stickysim.json', 'charts', 'comparison.csv', 'paired.csv', 'report.html', 'run.json', 'servers.csv', 'summary.csv', 'timeseries.csv']);
    expect(readdirSync(join(out, 'charts')).sort()).toEqual([
      'imbalance.png', 'latency.png', 'load-cookie.png', 'load-ip-ring.png', 'load-round-robin.png', 'session-loss.png',
    ]);
    const summary = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(summary[0]).toBe(
      'scenario,strategy,replication,seed,sessions,requests,completed,lost_sessions,session_loss_rate,loss_rerouted,loss_server_lost,loss_evicted,expired,losses_per_1k_requests,dropped,failed,failed_undetected,throughput_rps,imbalance_max_mean,imbalance_cov,jain_index,windowed_max_mean,utilization_mean,utilization_max,queue_mean,in_system_mean,sessions_held_max,lb_entries_max,lb_memory_bytes_max,latency_mean_ms,latency_p50_ms,latency_p95_ms,latency_p99_ms,wait_mean_ms,wait_probability,retry_delay_mean_ms,retry_probability',
    );
    expect(summary).toHaveLength(4);
    const servers = readFileSync(join(out, 'servers.csv'), 'utf8').trim().split('\n');
    expect(servers[0]).toBe('scenario,strategy,replication,seed,server,workers,requests,up_time_s,busy_time_s,request_rate,utilization,queue_mean,sessions_held_mean,sessions_held_max');
    const ts = readFileSync(join(out, 'timeseries.csv'), 'utf8').trim().split('\n');
    expect(ts[0]).toBe('scenario,strategy,replication,seed,window,start_s,end_s,measured,server,requests,utilization,queue_mean,sessions_held,up');
    expect(ts).toHaveLength(1 + 3 * 10 * 3); // strategies × windows × servers
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ scenario: 'small', seed: 3, replications: 1, strategies: [{ label: 'cookie' }, { label: 'round-robin' }, { label: 'ip-ring' }] });
    expect(run.resolved.fleet.queueLimit).toBe('unbounded');
    expect(existsSync(join(dir, '.out.tmp-' + process.pid))).toBe(false);
  });

  it('is deterministic: byte-identical CSV across runs and processes', async () => {
    const dir = tmp();
    const file = smallScenario(dir);
    await cli('run', file, '--out', join(dir, 'a'), '--replications', '2', '--batch-means', '5');
    const p = spawnSync('node', ['dist/cli/main.js', 'run', file, '--out', join(dir, 'b'), '--replications', '2', '--batch-means', '5'], { encoding: 'utf8' });
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    const csvs = readdirSync(join(dir, 'a')).filter((f) => f.endsWith('.csv')).sort();
    expect(csvs).toEqual(readdirSync(join(dir, 'b')).filter((f) => f.endsWith('.csv')).sort());
    expect(csvs).toEqual(['batch-means.csv', 'comparison.csv', 'paired.csv', 'servers.csv', 'summary.csv', 'timeseries.csv']);
    for (const f of csvs) {
      expect(readFileSync(join(dir, 'b', f), 'utf8'), f).toBe(readFileSync(join(dir, 'a', f), 'utf8'));
    }
    expect(readFileSync(join(dir, 'b', 'charts', 'session-loss.png')).equals(readFileSync(join(dir, 'a', 'charts', 'session-loss.png')))).toBe(true);
    // Two replications: rows 1 and 2 of each strategy, distinct seeds; replication 1 uses the master seed.
    const rows = readFileSync(join(dir, 'a', 'summary.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.map((r) => `${r[1]}:${r[2]}`)).toEqual(['cookie:1', 'cookie:2', 'round-robin:1', 'round-robin:2', 'ip-ring:1', 'ip-ring:2']);
    expect(rows[0]![3]).toBe('3');
    expect(rows[1]![3]).not.toBe('3');
  });

  it('--strategies, --seed, --duration and --set override the scenario', async () => {
    const dir = tmp();
    const out = join(dir, 'o');
    const r = await cli('run', smallScenario(dir), '--out', out, '--strategies', 'p2c,cookie', '--seed', '9', '--duration', '5m', '--set', 'fleet.servers=4');
    expect(r.code).toBe(0);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run.strategies.map((s: { label: string }) => s.label)).toEqual(['p2c', 'cookie']);
    expect([run.seed, run.resolved.duration, run.resolved.fleet.servers]).toEqual([9, 300, 4]);
  });

  it('replaces its own earlier results, refuses a different run without --force', async () => {
    const dir = tmp();
    const out = join(dir, 'o');
    const file = smallScenario(dir);
    expect((await cli('run', file, '--out', out)).code).toBe(0);
    expect((await cli('run', file, '--out', out)).code).toBe(0);
    const other = await cli('run', file, '--out', out, '--seed', '4');
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/holds a stickysim run of different inputs; pass --force/);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).seed).toBe(3);
    expect((await cli('run', file, '--out', out, '--seed', '4', '--force')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).seed).toBe(4);
  });
});

describe('paired comparison', () => {
  it('prints the differences from --baseline and writes comparison.csv and paired.csv', async () => {
    const dir = tmp();
    const out = join(dir, 'o');
    const r = await cli('run', smallScenario(dir), '--out', out, '--replications', '3', '--baseline', 'round-robin');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Paired differences from round-robin \(strategy − round-robin.*over 3 replications\):/);
    expect(r.out).toMatch(/\ncookie\s+-\d+\.\d\d \[-\d+\.\d\d, -\d+\.\d\d\]/); // cookie loses far fewer sessions
    const paired = readFileSync(join(out, 'paired.csv'), 'utf8').trim().split('\n');
    expect(paired).toHaveLength(1 + 2 * SUMMARY_COLUMNS.length); // cookie and ip-ring × every summary metric
    expect(paired.every((l, i) => i === 0 || l.split(',')[1] === 'round-robin')).toBe(true);
    const comparison = readFileSync(join(out, 'comparison.csv'), 'utf8').trim().split('\n');
    expect(comparison).toHaveLength(1 + 3 * SUMMARY_COLUMNS.length);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).baseline).toBe('round-robin');
  });

  it('one replication: says that paired differences need two when a baseline is asked for, else nothing', async () => {
    const dir = tmp();
    const r = await cli('run', smallScenario(dir), '--out', join(dir, 'o'), '--baseline', 'cookie');
    expect(r.out).toMatch(/Paired differences against cookie need at least 2 replications/);
    const plain = await cli('run', smallScenario(dir), '--out', join(dir, 'p'));
    expect(plain.out).not.toMatch(/Paired differences/);
  });
});

describe('batch means and warm-up advice', () => {
  it('--batch-means K prints steady-state intervals and writes batch-means.csv', async () => {
    const dir = tmp();
    const out = join(dir, 'o');
    const r = await cli('run', smallScenario(dir), '--out', out, '--batch-means', '5');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Batch means: 5 batches of 2 windows/);
    expect(r.out).toMatch(/\ncookie\s+\d+\.\d\d ± \d+\.\d\d/);
    const rows = readFileSync(join(out, 'batch-means.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('strategy,replication,metric,mean,sd,ci95_low,ci95_high,batches,windows_per_batch,lag1_autocorrelation');
    expect(rows).toHaveLength(1 + 3 * 8);
    expect(rows[1]).toMatch(/^cookie,1,throughput_rps,[\d.]+,[\d.]+,[\d.]+,[\d.]+,5,2,-?[\d.]+$/);
  });

  /** Sessions of about 30 minutes: the fleet's load ramps up for about half an hour. */
  function slowRamp(dir: string): string {
    const file = join(dir, 'ramp.yaml');
    writeFileSync(file, `name: ramp
duration: 2h
window: 1m
workload:
  arrivals: { rate: 0.5 }
  requests: { dist: constant, value: 60 }
  think: { dist: exponential, mean: 30s }
  service: { dist: exponential, mean: 50ms }
fleet: { servers: 2, workers: 2 }
strategies: [round-robin]
`);
    return file;
  }

  it('advises a longer warm-up when MSER-5 finds a transient beyond it, and says results are unchanged', async () => {
    const dir = tmp();
    const file = slowRamp(dir);
    const r = await cli('run', file, '--out', join(dir, 'a'));
    expect(r.code).toBe(0);
    const m = /advice: the warm-up \(0s\) looks too short\..*?finds an initial transient of ([\d.]+)m/s.exec(r.out);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(20);
    expect(r.out).toMatch(/results above are unchanged/);
    const quiet = await cli('run', file, '--out', join(dir, 'b'), '--set', 'warmup=60m');
    expect(quiet.out).not.toMatch(/advice:/);
  });
});

describe('bad input: exit 2, one line naming file and field, nothing written', () => {
  const cases: [string, string, RegExp, string[]?][] = [
    ['malformed YAML', 'name: x\nfleet: [servers: 2\n', /bad\.yaml:\d+:\d+: invalid YAML/],
    ['an unknown key', 'workload:\n  arrivals: { rate: 1 }\nfleet: { servers: 2, wrokers: 3 }\n', /bad\.yaml: fleet\.wrokers: unknown field/],
    ['a negative server count', 'workload:\n  arrivals: { rate: 1 }\nfleet: { servers: -2 }\n', /bad\.yaml: fleet\.servers: expected an integer ≥ 1, got -2/],
    ['a missing section', 'workload:\n  arrivals: { rate: 1 }\n', /bad\.yaml: fleet: missing required field/],
    ['a bad duration', 'duration: soon\nworkload:\n  arrivals: { rate: 1 }\nfleet: { servers: 1 }\n', /bad\.yaml: duration: expected a duration.*got "soon"/],
    ['an unknown strategy in the file', 'workload:\n  arrivals: { rate: 1 }\nfleet: { servers: 1 }\nstrategies: [cookies]\n', /bad\.yaml: strategies\[0\]: expected a strategy name/],
    ['a timeline naming a missing server', 'workload:\n  arrivals: { rate: 1 }\nfleet: { servers: 2 }\ntimeline: [{ at: 10, event: crash, server: s5 }]\n', /timeline\[0\]\.server: expected one of s1…s2/],
    ['an unknown strategy on the command line', 'workload:\n  arrivals: { rate: 1 }\nfleet: { servers: 1 }\n', /--strategies: unknown strategy "nope"/, ['--strategies', 'nope']],
    ['a malformed --set', 'workload:\n  arrivals: { rate: 1 }\nfleet: { servers: 1 }\n', /--set: expected path=value/, ['--set', 'fleet.servers']],
    ['zero replications', 'workload:\n  arrivals: { rate: 1 }\nfleet: { servers: 1 }\n', /--replications: expected a whole number/, ['--replications', '0']],
    ['one batch', 'workload:\n  arrivals: { rate: 1 }\nfleet: { servers: 1 }\n', /--batch-means: expected a whole number of batches ≥ 2, got 1/, ['--batch-means', '1']],
    ['more batches than windows', 'duration: 10m\nworkload:\n  arrivals: { rate: 1 }\nfleet: { servers: 1 }\n', /--batch-means: 11 batches need at least 11 measured windows, but the measured window holds 10 windows of 1m/, ['--batch-means', '11']],
    ['an unknown baseline', 'workload:\n  arrivals: { rate: 1 }\nfleet: { servers: 1 }\nstrategies: [cookie, p2c]\n', /--baseline: unknown strategy "nope": expected one of this run's strategies \(cookie, p2c\)/, ['--baseline', 'nope']],
  ];
  for (const [what, text, message, extra] of cases) {
    it(what, async () => {
      const dir = tmp();
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, text);
      const out = join(dir, 'out');
      const r = await cli('run', file, '--out', out, ...(extra ?? []));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir)).toEqual(['bad.yaml']);
    });
  }

  it('a missing scenario file', async () => {
    const r = await cli('run', '/nonexistent/x.yaml');
    expect([r.code, r.err.trim()]).toEqual([2, 'stickysim: /nonexistent/x.yaml: cannot read the scenario (no such file)']);
  });

  it('an unknown command or option', async () => {
    expect((await cli('fly')).code).toBe(2);
    expect((await cli('run', 'scenarios/mmc.yaml', '--replicatons', '3')).code).toBe(2);
  });
});

describe('other commands', () => {
  it('validate reports what a scenario resolves to', async () => {
    const r = await cli('validate', 'scenarios/quickstart.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/quickstart\.yaml: ok — "quickstart", 8 servers × 4 workers, 2h \(warm-up 20m\), 3 timeline events/);
    const bad = await cli('validate', 'scenarios/quickstart.yaml', '--set', 'fleet.workers=0');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/fleet\.workers/);
  });

  it('list names every strategy and shipped scenario', async () => {
    const r = await cli('list');
    expect(r.code).toBe(0);
    for (const s of ['round-robin', 'random', 'least-conn', 'p2c', 'cookie', 'ip-hash', 'ip-ring', 'header-ring', 'shared-store']) expect(r.out).toContain(`  ${s} `);
    for (const f of ['quickstart.yaml', 'seed-two-servers.yaml', 'mmc.yaml']) expect(r.out).toContain(f);
  });

  it('schema prints a JSON Schema that knows the fields and rejects unknown ones', async () => {
    const r = await cli('schema');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.out);
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['workload', 'fleet', 'timeline', 'strategies', 'duration']));
    expect(schema.properties.fleet.properties.servers.anyOf.map((x: { type: string }) => x.type)).toEqual(['integer', 'array']);
  });

  it('every shipped scenario validates', async () => {
    for (const f of readdirSync('scenarios').filter((f) => f.endsWith('.yaml'))) {
      expect((await cli('validate', join('scenarios', f))).code, f).toBe(0);
    }
  });
});
