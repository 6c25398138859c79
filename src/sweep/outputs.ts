/**
 * The files drawn from a complete set of cells: sweep.csv, sweep-summary.csv,
 * charts/*.png and report.html. `sweep` (when its last cell is done) and
 * `merge` both call this with the cells read back from their files, so a
 * merged sweep is byte-identical to an unsharded one.
 */
import { csvText, sweepColumns, type CellData } from './cells.js';
import { renderPng, sweepCharts } from './charts.js';
import { sweepReport } from './report.js';
import type { SweepMeta } from './spec.js';
import { cellEstimates, summaryCsv } from './summary.js';

export interface Sink {
  write(name: string, content: string | Uint8Array): void;
}

/** Writes the sweep's result files from its cells (all of them, in grid order); returns their names. */
export async function writeSweepOutputs(sink: Sink, meta: SweepMeta, cells: readonly CellData[]): Promise<string[]> {
  if (cells.length !== meta.cells || cells.some((c, i) => c.number !== i + 1)) throw new Error('writeSweepOutputs: expected every cell of the grid, in order');
  sink.write('sweep.csv', csvText(sweepColumns(meta), cells.flatMap((c) => c.rows)));
  const estimates = cellEstimates(meta, cells);
  sink.write('sweep-summary.csv', summaryCsv(meta, estimates));
  const charts = sweepCharts(meta, estimates);
  const pngs = new Map<string, Buffer>();
  for (const c of charts) {
    const png = await renderPng(c.config);
    pngs.set(c.file, png);
    sink.write(c.file, png);
  }
  sink.write('report.html', sweepReport(meta, estimates, charts, (f) => pngs.get(f)!));
  return ['sweep.csv', 'sweep-summary.csv', 'report.html', ...charts.map((c) => c.file)];
}
