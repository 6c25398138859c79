import { copyFileSync, linkSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AtomicDir } from './output.js';
import { readResultsDir } from './results.js';
import { writeReport } from './writeReport.js';

/** What `report` redraws; everything else in the directory is kept as it is. */
const DRAWN = new Set(['report.html', 'charts']);

/**
 * Redraws report.html and charts/*.png of a results directory from its CSV
 * files and run.json, without simulating. The directory is replaced whole
 * (a new one is assembled beside it and renamed into place), so an
 * interruption leaves the old report and charts untouched. Returns the files
 * drawn, relative to `dir`.
 */
export async function rebuildReport(dir: string): Promise<string[]> {
  const results = readResultsDir(dir);
  const out = new AtomicDir(dir);
  try {
    keepTree(out.target, out.tmp);
    const files = await writeReport(out, results);
    out.commit();
    return files;
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** Hard-links (or copies) every entry of `from` but the drawn ones into `to`. */
function keepTree(from: string, to: string, top = true): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (top && DRAWN.has(entry.name)) continue;
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) {
      mkdirSync(dst);
      keepTree(src, dst, false);
    } else {
      try {
        linkSync(src, dst);
      } catch {
        copyFileSync(src, dst);
      }
    }
  }
}
