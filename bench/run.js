// Benchmarks: simulated requests per second through the same code path as
// `stickysim run` (scenario loading, routing, metrics, invariants; no file
// output), and peak memory. Run with `npm run bench`; never part of `npm test`.
import { arch, cpus, platform } from 'node:os';
import { loadScenario, resolveStrategy } from '../dist/scenario/load.js';
import { runOnce } from '../dist/simulation/experiment.js';

function bench(label, file, strategyNames, sets = [], repeats = 3) {
  const scenario = loadScenario(file, sets);
  const strategies = strategyNames ? strategyNames.map((n) => resolveStrategy(n)) : scenario.strategies;
  let best = Infinity;
  let requests = 0;
  let events = 0;
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    requests = 0;
    events = 0;
    for (const s of strategies) {
      const r = runOnce(scenario, s, scenario.seed);
      requests += r.metrics.conservation.requestsSent;
      events += r.events;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.min(best, seconds);
  }
  const rps = requests / best;
  console.log(
    `${label.padEnd(34)} ${String(requests).padStart(10)} requests  ${best.toFixed(3).padStart(7)} s  ` +
      `${Math.round(rps).toLocaleString('en-US').padStart(11)} requests/s  ${Math.round(events / best).toLocaleString('en-US').padStart(11)} events/s`,
  );
  return rps;
}

console.log(`stickysim bench — node ${process.version}, ${platform()} ${arch()}, ${cpus()[0]?.model ?? 'cpu'} (best of 3, one core)\n`);
bench('mmc.yaml (M/M/8, rho 0.9)', 'scenarios/mmc.yaml');
bench('quickstart.yaml, cookie', 'scenarios/quickstart.yaml', ['cookie']);
bench('quickstart.yaml, ip-ring', 'scenarios/quickstart.yaml', ['ip-ring']);
bench('quickstart.yaml, every strategy', 'scenarios/quickstart.yaml', undefined, [], 1);
const rss = process.resourceUsage().maxRSS * 1024;
console.log(`\npeak memory (max RSS): ${(rss / 2 ** 20).toFixed(1)} MiB`);
