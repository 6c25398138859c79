import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResults, readResultsDir, type ResultTexts } from '../../src/report/results.js';
import { InputError } from '../../src/scenario/errors.js';

const runJson = JSON.stringify({
  stickysim: '0.1.0', scenario: 'tiny', file: 'tiny.yaml', description: 'd', seed: 3, replications: 2,
  strategies: [{ label: 'b', name: 'cookie', options: {} }, { label: 'a', name: 'round-robin', options: {} }],
  resolved: { duration: 120, warmup: 60, window: 60, timeline: [{ at: 90, event: 'crash', server: 1 }], fleet: {}, workload: {} },
});

function texts(over: Partial<ResultTexts> = {}): ResultTexts {
  return {
    'summary.csv':
      'scenario,strategy,replication,seed,sessions,session_loss_rate,imbalance_max_mean,latency_p99_ms,future_metric,note\n' +
      'tiny,a,1,3,10,0.5,1.25,,7.5,x\ntiny,a,2,4,12,0.25,inf,3,8,y\ntiny,b,2,4,11,0,1,2,9,z\n',
    'servers.csv': 'scenario,strategy,replication,seed,server,request_rate,sessions_held_mean,sessions_held_max\ntiny,a,1,3,s1,2,4,5\ntiny,a,2,4,s1,9,9,9\ntiny,b,2,4,s1,1,1,1\n',
    'timeseries.csv':
      'scenario,strategy,replication,seed,window,start_s,end_s,measured,server,requests,utilization,queue_mean,sessions_held,up\n' +
      'tiny,a,1,3,0,0,60,false,s1,60,0.5,0,3,1\ntiny,a,2,4,0,0,60,false,s1,99,0.5,0,3,1\ntiny,b,2,4,1,60,120,true,s1,30,0.5,0,3,1\n',
    'run.json': runJson,
    ...over,
  };
}

describe('parseResults', () => {
  it('reads rows generically, keeps run order, and one replication of the per-server data', () => {
    const r = parseResults(texts(), 'dir');
    expect(r.strategies).toEqual(['b', 'a']);
    expect(r.summary).toHaveLength(3);
    const a1 = r.summary[0]!;
    expect(a1).toMatchObject({ strategy: 'a', replication: 1, sessions: 10, session_loss_rate: 0.5, future_metric: 7.5 });
    expect(Number.isNaN(a1.latency_p99_ms)).toBe(true); // empty cell
    expect(Number.isNaN(a1.loss_evicted)).toBe(true); // a known column the file lacks
    expect(r.summary[1]!.imbalance_max_mean).toBe(Infinity);
    expect('note' in a1).toBe(false); // a non-numeric unknown column is ignored
    // replication 1 of a, and b's lowest (2)
    expect(r.timeseries.map((w) => [w.strategy, w.replication, w.requests, w.measured])).toEqual([['a', 1, 60, false], ['b', 2, 30, true]]);
    expect(r.servers.map((s) => [s.strategy, s.replication])).toEqual([['a', 1], ['b', 2]]);
    expect([r.warmup, r.duration, r.timeline]).toEqual([60, 120, [{ at: 90, event: 'crash', server: 1 }]]);
  });

  const bad: [string, Partial<ResultTexts>, RegExp][] = [
    ['a missing column', { 'summary.csv': 'strategy,replication,sessions\na,1,3\n' }, /dir\/summary\.csv: column "session_loss_rate" missing/],
    ['a non-number', { 'servers.csv': 'strategy,replication,server,sessions_held_mean\na,1,s1,lots\n' }, /dir\/servers\.csv: line 2: column "sessions_held_mean": expected a number, got "lots"/],
    ['no rows', { 'summary.csv': 'strategy,replication,sessions,session_loss_rate,imbalance_max_mean\n' }, /summary\.csv: no rows/],
    ['broken JSON', { 'run.json': '{"scenario": ' }, /dir\/run\.json: invalid JSON/],
    ['a run.json without the scenario', { 'run.json': '{"scenario": "x", "strategies": []}' }, /dir\/run\.json: resolved: expected the resolved scenario/],
    ['a ragged CSV', { 'timeseries.csv': 'strategy,replication\na,1,extra\n' }, /timeseries\.csv: not a readable CSV file/],
  ];
  for (const [what, over, message] of bad) {
    it(`rejects ${what} with a one-line InputError`, () => {
      let err: unknown;
      try {
        parseResults(texts(over), 'dir');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    });
  }
});

describe('readResultsDir', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('names a missing directory or file', () => {
    expect(() => readResultsDir('/nonexistent/results')).toThrow(/\/nonexistent\/results: no such results directory/);
    const dir = mkdtempSync(join(tmpdir(), 'stickysim-results-'));
    dirs.push(dir);
    for (const [f, t] of Object.entries(texts())) if (f !== 'timeseries.csv') writeFileSync(join(dir, f), t);
    expect(() => readResultsDir(dir)).toThrow(/timeseries\.csv: missing — a results directory holds summary\.csv, servers\.csv, timeseries\.csv, run\.json/);
    writeFileSync(join(dir, 'timeseries.csv'), texts()['timeseries.csv']);
    expect(readResultsDir(dir).summary).toHaveLength(3);
  });
});
