import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { AtomicDir } from '../../report/output.js';
import { InputError } from '../../scenario/errors.js';
import { REFUSAL_ADVICE, refusal } from '../../scenario/estimate.js';
import { DEFAULT_PLAN_REPLICATIONS, planCost, preparePlan, runPlan } from '../../sweep/plan.js';
import { planCsv, planJson, planPng, planTable } from '../../sweep/planOutput.js';
import type { Io } from '../io.js';
import { listOption, overrides, sharedScenarioOptions, withOverrides } from '../options.js';
import { repeated, shownPath, workersFrom, workersOption, yesOption } from '../sweepOptions.js';

export function planCommand(io: Io) {
  return {
    command: 'plan <scenario>',
    describe: 'Capacity planning: per strategy, the smallest value of a parameter meeting every SLO with 95% confidence (binary search)',
    builder: (y: Argv) =>
      yesOption(workersOption(
        sharedScenarioOptions(y)
          .option('vary', { type: 'string', describe: 'The parameter and its candidate values, in increasing order of capacity: --vary fleet.servers=1..64' })
          .option('slo', { type: 'string', describe: "A target: 'latency_p99_ms<=250', 'session_loss_rate<=0.1%' (repeatable: all must hold)" })
          .option('strategies', { type: 'string', describe: 'Comma-separated strategies (default: the scenario\'s)' })
          .option('replications', { type: 'number', default: DEFAULT_PLAN_REPLICATIONS, describe: 'Replications per value evaluated (≥ 2: the confidence interval needs them)' })
          .option('out', { type: 'string', describe: 'Results directory (default: results/<scenario-name>-plan)' })
          .option('force', { type: 'boolean', default: false, describe: 'Replace an --out directory that holds other results' })
          .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors' }),
      )),
    handler: async (argv: Record<string, unknown>) => {
      const { sets, names, maxBytes } = overrides(argv);
      const spec = preparePlan({
        file: String(argv.scenario),
        sets,
        names,
        maxBytes,
        vary: repeated(argv.vary),
        slos: repeated(argv.slo),
        strategies: listOption(argv.strategies),
        replications: argv.replications as number,
      });
      const workers = workersFrom(argv);
      const tooBig = argv.yes === true ? undefined : refusal(planCost(spec, workers));
      if (tooBig !== undefined) throw new InputError(`plan of ${withOverrides(spec.file, argv)}: ${tooBig}; ${REFUSAL_ADVICE}`);
      const out = typeof argv.out === 'string' ? argv.out : join('results', `${spec.scenario}-plan`);
      const dir = AtomicDir.claim(out, { kind: 'plan', force: argv.force === true, same: (t) => previousFingerprint(t) === spec.fingerprint });
      try {
        const answers = await runPlan(spec, { workers });
        dir.write('plan.csv', planCsv(spec, answers));
        dir.write('plan.json', planJson(spec, answers));
        dir.write('plan.png', await planPng(spec, answers));
        dir.commit();
        if (argv.quiet === true) return;
        io.out(planTable(spec, answers));
        io.out(`\nwrote ${shownPath(dir.target)}/ (plan.csv, plan.json, plan.png)\n`);
      } catch (e) {
        throw dir.fail(e);
      }
    },
  };
}

/** The fingerprint of the plan whose results are in `dir`, if any. */
function previousFingerprint(dir: string): unknown {
  try {
    return (JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { fingerprint?: unknown }).fingerprint;
  } catch {
    return undefined;
  }
}
