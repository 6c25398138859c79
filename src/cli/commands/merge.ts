import type { Argv } from 'yargs';
import { mergeSweeps } from '../../sweep/merge.js';
import type { Io } from '../io.js';
import { shownPath } from '../sweepOptions.js';

export function mergeCommand(io: Io) {
  return {
    command: 'merge <dirs..>',
    describe: 'Combine the shard directories of a sweep into the files an unsharded sweep writes',
    builder: (y: Argv) =>
      y
        .positional('dirs', { type: 'string', array: true, describe: 'Shard directories (written by sweep --shard, or on a cluster)' })
        .option('out', { type: 'string', describe: 'Results directory (default: results/<scenario-name>-sweep)' })
        .option('force', { type: 'boolean', default: false, describe: 'Replace an --out directory that holds other results' })
        .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors' }),
    handler: async (argv: Record<string, unknown>) => {
      const dirs = (argv.dirs as unknown[]).map(String);
      const r = await mergeSweeps(dirs, typeof argv.out === 'string' ? argv.out : undefined, argv.force === true);
      if (argv.quiet === true) return;
      const charts = r.files.filter((f) => f.startsWith('charts/')).length;
      io.out(`merged ${r.parts} director${r.parts === 1 ? 'y' : 'ies'}: ${r.cells} cells of sweep ${r.scenario}\n`);
      io.out(`wrote ${shownPath(r.dir)}/ (${r.files.filter((f) => !f.startsWith('charts/')).join(', ')}, cells/, charts/ with ${charts} PNGs)\n`);
    },
  };
}
