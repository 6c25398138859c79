import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { experimentCsv } from '../../src/report/csv.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runExperiment } from '../../src/simulation/experiment.js';

/**
 * Seeded end-to-end runs pinned to their exact output. Any change to the
 * engine, the workload, a strategy or a metric that moves a single digit
 * fails here; if the change is intended, regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run test/simulation/golden.test.ts` and review
 * the diff of test/fixtures/golden/ like code.
 */
const GOLDEN = 'test/fixtures/golden';

function check(name: string, text: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI) throw new Error(`golden file ${file} missing in CI`);
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe('golden runs', () => {
  it('seed-two-servers, all its strategies', () => {
    const sc = loadScenario('scenarios/seed-two-servers.yaml');
    const csv = experimentCsv(sc.name, runExperiment(sc, { strategies: sc.strategies, replications: 1, seed: sc.seed }));
    check('seed-two-servers.summary.csv', csv['summary.csv']);
    check('seed-two-servers.servers.csv', csv['servers.csv']);
  });

  it('quickstart, 30 minutes with crash, recovery and scale-out, 2 replications', () => {
    const sc = loadScenario('scenarios/quickstart.yaml', [
      'duration=30m', 'warmup=5m', 'timeline[0].at=10m', 'timeline[1].at=15m', 'timeline[2].at=20m', 'workload.arrivals.rate=4',
    ]);
    const csv = experimentCsv(sc.name, runExperiment(sc, { strategies: sc.strategies, replications: 2, seed: sc.seed }));
    check('quickstart-30m.summary.csv', csv['summary.csv']);
  });
});
