import { copyFileSync, linkSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AtomicDir } from './output.js';
import { FileSet, MARKER } from './ownership.js';
import { readResultsDir } from './results.js';
import { writeReport } from './writeReport.js';

/** Whether stickysim's file at `path` (relative) is one `report` redraws; everything else in the directory is kept as it is. */
const drawn = (path: string) => path === 'report.html' || path.startsWith('charts/');

/**
 * Redraws report.html and charts/*.png of a results directory from its CSV
 * files and run.json, without simulating. The directory is replaced whole
 * (a new one is assembled beside it and renamed into place), so an
 * interruption leaves the old report and charts untouched. Returns the files
 * drawn, relative to `dir`.
 */
export async function rebuildReport(dir: string): Promise<string[]> {
  const results = readResultsDir(dir); // a clear error for what is not a results directory, before anything is locked
  const out = AtomicDir.reopen(dir, 'run');
  try {
    // stickysim's drawn files are drawn anew (a chart of a strategy no longer there goes); someone's files and the data stay.
    const ours = new FileSet(out.previous?.files ?? []);
    keepTree(out.target, out.tmp, (rel) => rel === MARKER || (ours.has(rel) && drawn(rel)));
    const files = await writeReport(out, results);
    out.commit();
    return files;
  } catch (e) {
    throw out.fail(e);
  }
}

/** Hard-links (or copies) every entry of `from` into `to` but those `skip` names (by `/`-separated relative path). */
function keepTree(from: string, to: string, skip: (rel: string) => boolean, prefix = ''): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) {
      mkdirSync(dst, { recursive: true });
      keepTree(src, dst, skip, `${rel}/`);
    } else if (!skip(rel)) {
      try {
        linkSync(src, dst);
      } catch {
        copyFileSync(src, dst);
      }
    }
  }
}
