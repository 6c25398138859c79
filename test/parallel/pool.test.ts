import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperimentParallel } from '../../src/parallel/experiment.js';
import { runTasks, TaskRunner } from '../../src/parallel/tasks.js';
import { experimentCsv } from '../../src/report/csv.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runExperiment } from '../../src/simulation/experiment.js';

function scenarioFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stickysim-pool-'));
  const file = join(dir, 'pool.yaml');
  writeFileSync(
    file,
    `name: pool
seed: 9
duration: 10m
workload:
  arrivals: { rate: 2 }
  requests: { dist: geometric, mean: 6 }
  think: { dist: exponential, mean: 10s }
  service: { dist: exponential, mean: 50ms }
fleet: { servers: 3, workers: 2 }
timeline: [{ at: 5m, event: crash, server: s2 }]
strategies: [cookie, ip-ring, round-robin]
`,
  );
  return file;
}

describe('worker pool', () => {
  it('gives byte-identical results for 1, 2 and 3 workers, and the same as the in-thread experiment', async () => {
    const sc = loadScenario(scenarioFile(), ['workload.arrivals.rate=3']);
    const opts = { strategies: sc.strategies, replications: 2, seed: sc.seed };
    const reference = experimentCsv(sc.name, runExperiment(sc, opts));
    for (const workers of [1, 2, 3]) {
      const progress: number[] = [];
      const result = await runExperimentParallel(sc, { ...opts, workers, onRun: (done) => progress.push(done) });
      expect(experimentCsv(sc.name, result)).toEqual(reference);
      expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });

  it('returns results in task order whatever order they finish in', async () => {
    const file = scenarioFile();
    // A long task first and short ones after: with 2 workers the short ones finish first.
    const tasks = [
      { file, sets: ['duration=40m'], strategy: 'cookie', replication: 1, seed: 1 },
      { file, sets: ['duration=1m'], strategy: 'cookie', replication: 1, seed: 2 },
      { file, sets: ['duration=2m'], strategy: 'cookie', replication: 1, seed: 3 },
    ];
    const results = await runTasks(tasks, { workers: 2 });
    expect(results.map((r) => r.metrics.windows.length / 3)).toEqual([40, 1, 2]);
  });

  it('a runner keeps its pool across calls: the same results every time, tasks reported by index as they finish', async () => {
    const file = scenarioFile();
    const tasks = ['cookie', 'ip-ring', 'round-robin', 'cookie'].map((strategy, i) => ({ file, sets: [], strategy, replication: 1, seed: i + 1 }));
    const single = new TaskRunner(1);
    const reference = (await single.run(tasks)).map((r) => JSON.stringify(r.metrics));
    const pool = new TaskRunner(2);
    try {
      for (let round = 0; round < 2; round++) {
        const seen: number[] = [];
        const results = await pool.run(tasks, (i, r) => {
          seen.push(i);
          expect(JSON.stringify(r.metrics)).toBe(reference[i]);
        });
        expect(results.map((r) => JSON.stringify(r.metrics))).toEqual(reference);
        expect(seen.sort()).toEqual([0, 1, 2, 3]);
      }
    } finally {
      await pool.close();
    }
  });
});
