import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LatencyHistogram } from '../../src/metrics/latency.js';
import { covers } from '../../src/validation/check.js';
import { COVERAGE, coverageChecks } from '../../src/validation/coverage.js';
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

  it('checks the sojourn-time quantiles of M/M/c, and the coverage of 95% intervals over 100 experiments', () => {
    const quantiles = checks.filter((c) => /^p9[59] sojourn time \(s\)$/.test(c.quantity));
    expect(quantiles.map((c) => c.group.replace(/ \(.*/, ''))).toEqual(['M/M/1 ρ=0.5', 'M/M/1 ρ=0.5', 'M/M/8 ρ=0.9', 'M/M/8 ρ=0.9']);
    const coverage = checks.filter((c) => c.group.startsWith('coverage of 95% CIs'));
    expect(coverage.map((c) => c.quantity.replace(/:.*/, ''))).toEqual(['Wq', 'p95 sojourn', 'p99 sojourn']);
    for (const c of coverage) {
      expect(c.n).toBe(100);
      expect(c.exact).toBe(0.95);
      expect(c.mean).toBeGreaterThanOrEqual(0.9);
      expect(c.mean).toBeLessThanOrEqual(0.99);
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
  afterEach(() => vi.restoreAllMocks());

  it('an exact value off by a few half-widths fails', () => {
    const samples = [0.1, 0.102, 0.098, 0.101, 0.099];
    expect(covers('g', 'q', 0.1, samples).pass).toBe(true);
    expect(covers('g', 'q', 0.13, samples).pass).toBe(false);
  });

  it('the coverage check fails when latency quantiles are biased by 3%', () => {
    const plan = { ...COVERAGE.quick[0]!, experiments: 20 };
    const quantile = LatencyHistogram.prototype.quantile;
    vi.spyOn(LatencyHistogram.prototype, 'quantile').mockImplementation(function (this: LatencyHistogram, q: number) {
      return quantile.call(this, q) * 1.03;
    });
    const [, p95, p99] = coverageChecks(VALIDATION_DIR, { quick: true, seed: 1 }, [plan]);
    expect([p95!.pass, p99!.pass]).toEqual([false, false]);
    expect(p95!.mean).toBeLessThan(0.5);
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
