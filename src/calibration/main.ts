#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { haproxyCases, type HaproxyCaseOptions } from './cases/haproxy.js';
import { haproxyCookieCases } from './cases/haproxyCookie.js';
import { HAPROXY_STAT_CASES, haproxyStatCases } from './cases/haproxyStats.js';
import { haproxyStickCases } from './cases/haproxyStick.js';
import { nginxCases } from './cases/nginx.js';
import { haproxyVersion } from './haproxy.js';
import { nginxVersion } from './nginx.js';
import type { CalibrationCase, CaseResult } from './types.js';

/**
 * `npm run calibrate -- [--quick] [--only <part>] [--write docs/CALIBRATION.md]`
 * (`node dist/calibration/main.js …` once built): runs the calibration
 * cases against the real binaries on loopback, prints the table, optionally
 * writes it as markdown, and exits 1 if any case disagrees (or could not
 * run), 2 on bad arguments.
 */

/** A case with the kind of the results it gives, so that one that cannot run is reported as that kind. */
export interface KindedCase extends CalibrationCase {
  kind: CaseResult['kind'];
}

const kinded = (kind: CaseResult['kind']) => (c: CalibrationCase): KindedCase => ({ ...c, kind });

/**
 * Every case, in the order they run; with `quick`, the statistical ones in
 * their quick variant (the `quick` flag still selects). `options.clients`
 * applies to every deterministic case (HAProxy and nginx).
 */
export function allCases(options: HaproxyCaseOptions = {}, quick = false): KindedCase[] {
  return [
    ...haproxyCases(options).map(kinded('deterministic')),
    ...haproxyCookieCases(options.clients !== undefined ? { clients: Math.min(options.clients, 400) } : {}).map(kinded('deterministic')),
    ...haproxyStickCases(options.clients !== undefined ? { clients: Math.min(options.clients, 400) } : {}).map(kinded('deterministic')),
    ...(quick ? haproxyStatCases({}, true) : HAPROXY_STAT_CASES).map(kinded('statistical')),
    ...nginxCases(options).map(kinded('deterministic')),
  ];
}

/**
 * Runs `cases` in turn, logging each to `log`; a case that throws gives one
 * result of its own kind that does not agree, with the error as its detail
 * (its figures are NaN, printed `—`).
 */
export async function runCases(cases: readonly KindedCase[], log: (line: string) => void = () => {}): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const t = performance.now();
    try {
      const rs = await c.run();
      results.push(...rs);
      const bad = rs.filter((r) => !r.agree).length;
      log(`  ${c.name}: ${rs.length} results${bad ? `, ${bad} DISAGREE` : ''} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log(`  ${c.name}: FAILED to run: ${msg}`);
      results.push({
        name: c.name,
        description: 'the case could not run',
        system: c.system,
        kind: c.kind,
        clients: 0,
        real: Number.NaN,
        sim: Number.NaN,
        agree: false,
        detail: msg.split('\n')[0]!,
      });
    }
  }
  return results;
}

/** The versions of the real systems, as their binaries report them (`HAProxy 2.6.12`; `nginx not installed` when absent). */
export async function systemVersions(): Promise<{ haproxy: string; nginx: string }> {
  const v = (p: () => Promise<string>, name: string) => p().catch(() => `${name} not installed`);
  const [haproxy, nginx] = await Promise.all([v(haproxyVersion, 'HAProxy'), v(nginxVersion, 'nginx')]);
  return { haproxy, nginx };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : '—';
}

function row(r: CaseResult): string[] {
  return [
    r.name,
    r.system,
    r.kind,
    String(r.clients),
    fmt(r.real),
    fmt(r.sim),
    r.ci ? `[${fmt(r.ci[0])}, ${fmt(r.ci[1])}]` : '',
    r.agree ? 'yes' : 'NO',
  ];
}

const HEAD = ['case', 'system', 'kind', 'clients', 'real', 'stickysim', '95% interval', 'agree'];
/** Columns aligned right (numbers). */
const NUMERIC = new Set([3, 4, 5, 6]);

export function textTable(results: readonly CaseResult[]): string {
  const rows = [HEAD, ...results.map(row)];
  const widths = HEAD.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const line = (r: string[]) => r.map((c, j) => (NUMERIC.has(j) ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join('  ').trimEnd();
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...results.map((r) => line(row(r)))].join('\n') + '\n';
}

export function verdict(results: readonly CaseResult[]): string {
  const bad = results.filter((r) => !r.agree).length;
  return bad === 0 ? `all ${results.length} agree` : `${bad} of ${results.length} DISAGREE`;
}

function escape(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export interface MarkdownOptions {
  quick: boolean;
  clients?: number;
  only?: string;
  /** What the binaries reported (`systemVersions`). */
  versions: { haproxy: string; nginx: string };
  /** Wall time of the run, seconds. */
  seconds?: number;
}

export function markdown(results: readonly CaseResult[], opts: MarkdownOptions): string {
  const args = [
    ...(opts.quick ? ['--quick'] : []),
    ...(opts.clients !== undefined ? [`--clients ${opts.clients}`] : []),
    ...(opts.only !== undefined ? [`--only ${opts.only}`] : []),
    '--write docs/CALIBRATION.md',
  ];
  const cmd = `npm run calibrate -- ${args.join(' ')}`;
  const detailed = results.filter((r) => r.detail !== '');
  return [
    '# Calibration against real load balancers',
    '',
    `Generated by \`${cmd}\`${opts.seconds !== undefined ? ` in ${Math.round(opts.seconds)} s` : ''}; do not edit by hand.`,
    'To reproduce, install the binaries (`apt-get install haproxy nginx`; the paths can be changed with',
    '`HAPROXY_BIN` and `NGINX_BIN`) and run `npm run calibrate` (add `-- --quick` for the subset `npm test`',
    'runs, `-- --only <part of a case name>` for some cases). Everything runs on loopback, as foreground',
    'processes, without root. Versions: ' + `${opts.versions.haproxy}, ${opts.versions.nginx}` + '.',
    '',
    'The real balancer runs in front of tiny HTTP backends that answer with their name; clients, each from its',
    'own source address 127.x.y.z (and, for header hashing, its own `X-Client-Id`, a decimal identifier),',
    "send requests, and the server that answers is compared with what stickysim's preset predicts — the",
    'same strategy a scenario file names (`{ system: haproxy, balance: source, hashType: consistent }`,',
    '`{ system: nginx, ipHash: true }`), routing through its LoadBalancer over a Fleet brought through the',
    'same events (src/calibration/predict.ts); for nginx one balancer is carried through the phases as its',
    "one worker carries its passive-health state, each request routed in the real run's order at the second",
    'it was sent.',
    '',
    '- **deterministic** cases: `real` is the share of clients that landed on the predicted server',
    '  (`stickysim` is 1 by construction); they agree when `real` ≥ 0.999.',
    '- **statistical** cases: the same closed-loop load runs once for real and R times in stickysim (its',
    '  timing taken from the real run); `stickysim` is the mean over the replications, and the interval is',
    '  the 95% prediction interval for one run, mean ± t(R−1)·s·√(1 + 1/R) (Student t), since the real',
    '  figure is one run; they agree when `real` falls inside it. The 95% confidence interval of the mean',
    '  is in the description. `clients` is the number of concurrent clients.',
    '',
    '| case | system | kind | clients | real | stickysim | 95% interval | agree |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...results.map((r) => `| ${row(r).map(escape).join(' | ')} |`),
    '',
    `Verdict: ${verdict(results)}.`,
    '',
    '## Cases',
    '',
    ...results.map((r) => `- \`${r.name}\` (${r.system}, ${r.kind}): ${escape(r.description)}`),
    '',
    ...(detailed.length
      ? ['## Differences', '', ...detailed.map((r) => `- \`${r.name}\`: ${escape(r.detail)}`), '']
      : []),
  ].join('\n');
}

async function main(): Promise<number> {
  let argv;
  try {
    argv = await yargs(hideBin(process.argv))
      .scriptName('npm run calibrate --')
      .option('quick', { type: 'boolean', default: false, describe: 'Only the quick subset (what npm test runs)' })
      .option('clients', { type: 'number', describe: 'Clients per phase of the deterministic cases (default 4000; the nginx fallback case at most 400)' })
      .option('only', { type: 'string', describe: 'Only cases whose name contains this' })
      .option('write', { type: 'string', describe: 'Also write the table as markdown to this file (docs/CALIBRATION.md)' })
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .parseAsync();
  } catch (e) {
    process.stderr.write(`calibrate: ${(e as Error).message}\n`);
    return 2;
  }
  if (argv.clients !== undefined && (!Number.isInteger(argv.clients) || argv.clients < 1)) {
    process.stderr.write(`calibrate: --clients: expected a whole number ≥ 1, got ${argv.clients}\n`);
    return 2;
  }
  const cases = allCases(argv.clients !== undefined ? { clients: argv.clients } : {}, argv.quick).filter(
    (c) => (!argv.quick || c.quick) && (argv.only === undefined || c.name.includes(argv.only)),
  );
  if (cases.length === 0) {
    process.stderr.write('calibrate: no case selected\n');
    return 2;
  }
  process.stderr.write(`calibration (${argv.quick ? 'quick subset' : 'all cases'}): ${cases.length} cases\n`);
  const started = performance.now();
  const results = await runCases(cases, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`\n${textTable(results)}\nVerdict: ${verdict(results)}.\n`);
  for (const r of results.filter((x) => x.detail !== '')) process.stdout.write(`  ${r.name}: ${r.detail}\n`);
  process.stderr.write(`calibration took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  if (typeof argv.write === 'string') {
    const seconds = (performance.now() - started) / 1000;
    const page = markdown(results, {
      quick: argv.quick,
      ...(argv.clients !== undefined ? { clients: argv.clients } : {}),
      ...(argv.only !== undefined ? { only: argv.only } : {}),
      versions: await systemVersions(),
      seconds,
    });
    writeFileSync(argv.write, page);
    process.stdout.write(`wrote ${argv.write}\n`);
  }
  return results.every((r) => r.agree) ? 0 : 1;
}

// Run only as the entry point (the test imports the helpers above).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
