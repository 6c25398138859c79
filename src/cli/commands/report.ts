import type { Argv } from 'yargs';
import { rebuildReport } from '../../report/rebuild.js';
import type { Io } from '../io.js';

export function reportCommand(io: Io) {
  return {
    command: 'report <dir>',
    describe: 'Redraw report.html and charts/*.png of a results directory from its CSV files and run.json (no simulation)',
    builder: (y: Argv) =>
      y
        .positional('dir', { type: 'string', describe: 'A results directory written by stickysim run' })
        .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors' }),
    handler: async (argv: Record<string, unknown>) => {
      const dir = String(argv.dir);
      const files = await rebuildReport(dir);
      if (argv.quiet !== true) io.out(`wrote ${dir}/ (${files.join(', ')})\n`);
    },
  };
}
