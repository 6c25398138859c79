import { mkdirSync } from 'node:fs';
import { VERSION } from '../version.js';
import { renderCharts, type ChartData } from './charts.js';
import { renderReport } from './html/page.js';
import { withPath, type AtomicDir } from './output.js';
import type { Results } from './results.js';

/** What the PNG charts need, from a results directory read back. */
export function chartData(results: Results): ChartData {
  return {
    scenario: results.run.scenario,
    strategies: results.strategies,
    summary: results.summary,
    timeseries: results.timeseries,
    timeline: results.timeline,
    warmup: results.warmup,
  };
}

/**
 * Writes what is drawn from the numbers — report.html and charts/*.png — into
 * `dir`. `run` and `report` both call this with results parsed from the same
 * files, so a rebuilt report is identical to the original.
 */
export async function writeReport(dir: AtomicDir, results: Results): Promise<string[]> {
  let charts: string[];
  try {
    mkdirSync(dir.path('charts'), { recursive: true });
    charts = await renderCharts(chartData(results), dir.path('charts'));
  } catch (e) {
    throw withPath(e, `${dir.shown('charts')}/`); // a full disk found while writing a chart names no file
  }
  dir.write('report.html', renderReport(results, VERSION));
  return ['report.html', ...charts.map((c) => `charts/${c}`)];
}
