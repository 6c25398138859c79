import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { covers } from '../../src/validation/check.js';
import { theoryOf } from '../../src/validation/queueing.js';
import { markdown, runSuite, textTable, VALIDATION_DIR } from '../../src/validation/suite.js';
import { loadScenario } from '../../src/scenario/load.js';

describe('validation against theory: the fast subset (npm run validate -- --quick)', () => {
  const checks = runSuite({ quick: true, seed: 1 });

  it('every check passes', () => {
    const failed = checks.filter((c) => !c.pass).map((c) => `${c.group} ${c.quantity}: exact ${c.exact}, got ${c.mean} ± ${c.halfWidth}`);
    expect(failed).toEqual([]);
    expect(checks.length).toBeGreaterThanOrEqual(25);
  });

  it('covers queues, Little\'s law, batch means, hashing and balls into bins', () => {
    const text = checks.map((c) => `${c.group} ${c.quantity}`).join('\n');
    for (const part of [/M\/M\/1 ρ=0\.5/, /M\/M\/8 ρ=0\.9/, /M\/G\/1 lognormal/, /Little's law/, /batch means/, /modulo/, /ring spread/, /two choices/]) {
      expect(text).toMatch(part);
    }
  });

  it('the intervals are informative: relative half-width of Wq within 20%', () => {
    for (const c of checks.filter((x) => x.quantity.startsWith('Wq'))) expect(c.halfWidth / c.exact).toBeLessThan(0.2);
  });

  it('the table and the markdown name every check and the verdict', () => {
    expect(textTable(checks)).toMatch(/all \d+ checks pass\n$/);
    const md = markdown(checks, { quick: true, seed: 1 });
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| case') && !l.startsWith('| ---'))).toHaveLength(checks.length);
    expect(md).toMatch(/99\.99% Student-t confidence interval/);
  });
});

describe('the pass rule can fail', () => {
  it('an exact value off by a few half-widths fails', () => {
    const samples = [0.1, 0.102, 0.098, 0.101, 0.099];
    expect(covers('g', 'q', 0.1, samples).pass).toBe(true);
    expect(covers('g', 'q', 0.13, samples).pass).toBe(false);
  });
});

describe('validation scenarios', () => {
  it('each reduces to a textbook queue; other scenarios are refused', () => {
    const files = readdirSync(VALIDATION_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    const labels = files.map((f) => theoryOf(loadScenario(join(VALIDATION_DIR, f))).label);
    expect(labels).toEqual(expect.arrayContaining(['M/M/1 ρ=0.5', 'M/M/1 ρ=0.95', 'M/M/8 ρ=0.9', 'M/D/1 ρ=0.8', 'M/G/1 lognormal cv=2 ρ=0.7']));
    expect(() => theoryOf(loadScenario('scenarios/quickstart.yaml'))).toThrow(/not a textbook queue/);
  });
});
