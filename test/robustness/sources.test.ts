import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Source text without comments (so that a comment may name what the code must not use). */
function code(path: string): string {
  return readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('determinism of the sources', () => {
  // src/calibration/ drives the real HAProxy and nginx over loopback: its timeouts, timings and free
  // ports are of the wall clock by nature, and none of it reaches a simulated result (the predictions
  // it compares against are seeded runs of the simulator). It is held to the rules below apart.
  const sources = files('src').filter((f) => !f.startsWith(join('src', 'calibration') + '/'));
  const calibration = files(join('src', 'calibration'));

  it('no Math.random anywhere: every draw comes from the seeded streams', () => {
    expect(sources.length).toBeGreaterThan(40);
    expect(sources.filter((f) => /Math\.random/.test(code(f)))).toEqual([]);
  });

  it('no wall clock (Date.now, new Date, Date()) anywhere in src/ but the output lock, which records when it was taken', () => {
    expect(sources.filter((f) => /Date\.now|new Date\b|\bDate\(\)/.test(code(f)))).toEqual([join('src', 'report', 'ownership.ts')]);
    // The lock's time is written to the lock file only, never to a result.
    expect(code(join('src', 'report', 'ownership.ts')).match(/Date\.now|new Date\b|\bDate\(\)/g)).toHaveLength(1);
  });

  it('the calibration harness never reaches into the simulation with a clock or Math.random', () => {
    expect(calibration.length).toBeGreaterThan(5);
    // What the harness predicts comes from predict.ts, which must stay as deterministic as the simulator.
    const predict = code(join('src', 'calibration', 'predict.ts'));
    expect(/Math\.random|Date\.now|new Date\b|performance\.now/.test(predict)).toBe(false);
  });

  it('elapsed-time clocks only where timings are taken for run.json and the terminal', () => {
    const users = sources.filter((f) => /performance\.now|process\.hrtime/.test(code(f))).sort();
    // run.json timings, the progress bar's ETA on a terminal, and validate's own timing.
    expect(users).toEqual([join('src', 'cli', 'commands', 'run.ts'), join('src', 'cli', 'progress.ts'), join('src', 'validation', 'main.ts')]);
  });

  it('the scan would catch a violation', () => {
    expect(/Math\.random/.test('const x = Math.random();')).toBe(true);
    expect(/Date\.now|new Date\b|\bDate\(\)/.test('const t = new Date();')).toBe(true);
  });
});
