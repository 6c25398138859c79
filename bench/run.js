// Benchmarks: simulated requests per second through the same code path as
// `stickysim run` (scenario loading, routing, metrics, invariants; no file
// output), ratios against three references timed in the same process (a bare
// heap loop, SIM.JS, and the model's work fused into one loop), memory per
// concurrent session, and the speed-up of replications on worker threads.
// Run with `npm run bench`; never part of `npm test`.
import { execFileSync } from 'node:child_process';
import { arch, availableParallelism, cpus, platform } from 'node:os';
import { TaskRunner } from '../dist/parallel/tasks.js';
import { replicationSeed } from '../dist/engine/index.js';
import { loadScenario, resolveStrategy } from '../dist/scenario/load.js';
import { runOnce } from '../dist/simulation/experiment.js';
import { bareHeapMMc, simjsMMc } from './baselines.js';
import { fusedModelMMc } from './fused.js';

// Best of 5: the first runs also pay for the JIT's compilation; the best is the steady state.
const best = (f, repeats = 5) => Math.max(...Array.from({ length: repeats }, f));
const fmt = (x) => Math.round(x).toLocaleString('en-US');
const verdict = (ok) => (ok ? 'meets' : 'MISSES');

function throughput(file, strategyNames, sets = []) {
  const scenario = loadScenario(file, sets);
  const strategies = strategyNames ? strategyNames.map((n) => resolveStrategy(n)) : scenario.strategies;
  return () => {
    const t0 = process.hrtime.bigint();
    let requests = 0;
    for (const s of strategies) requests += runOnce(scenario, s, scenario.seed).metrics.conservation.requestsSent;
    return requests / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
}

console.log(`stickysim bench — node ${process.version}, ${platform()} ${arch()}, ${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores`);
console.log('one core, best of 5, warm JIT; requests per second of wall time\n');

const mmc = best(throughput('scenarios/mmc.yaml'));
const cookie = best(throughput('scenarios/quickstart.yaml', ['cookie']));
const bare = best(() => bareHeapMMc(2_000_000));
const simjs = best(() => simjsMMc(500_000));
const fused = best(() => fusedModelMMc(1_000_000));
const all = throughput('scenarios/quickstart.yaml')();

const rows = [
  ['mmc.yaml (M/M/8, rho 0.9)', mmc, `target ≥ 1,000,000: ${verdict(mmc >= 1e6)}`],
  ['quickstart.yaml, cookie', cookie, `target ≥ 500,000: ${verdict(cookie >= 5e5)}`],
  ['quickstart.yaml, every strategy', all, ''],
  ['bare binary-heap M/M/8 loop', bare, 'customers/s'],
  ['SIM.JS M/M/8', simjs, 'customers/s'],
  ['fused model loop (yardstick)', fused, 'requests/s: the model\'s work, no structure (bench/fused.js)'],
];
for (const [label, v, note] of rows) console.log(`${label.padEnd(34)} ${fmt(v).padStart(11)}   ${note}`);
console.log(`\nmmc / bare loop   = ${(mmc / bare).toFixed(2)}   target ≥ 0.55: ${verdict(mmc / bare >= 0.55)}`);
console.log(`mmc / SIM.JS      = ${(mmc / simjs).toFixed(2)}   target ≥ 2.7:  ${verdict(mmc / simjs >= 2.7)}`);
console.log(`fused / bare loop = ${(fused / bare).toFixed(2)}   what the model's work alone allows; mmc / fused = ${(mmc / fused).toFixed(2)}: what its structure costs`);

// Memory: a fresh process ends a run with ~1,000,000 sessions alive at once. Peak RSS differs by up to ±10
// bytes a session between identical runs, so three such processes, judged on the median.
const mems = Array.from({ length: 3 }, () => JSON.parse(execFileSync(process.execPath, ['bench/memory.js', '1000000', 'cookie'], { encoding: 'utf8' })));
mems.sort((a, b) => a.bytesPerSession - b.bytesPerSession);
const mem = mems[1];
console.log(`\nmemory: ${fmt(mem.active)} concurrent sessions, peak RSS ${(mem.peak / 2 ** 20).toFixed(0)} MiB ` +
  `(${(mem.base / 2 ** 20).toFixed(0)} MiB without them): ${mem.bytesPerSession.toFixed(0)} bytes per session (median of ` +
  `${mems.map((m) => m.bytesPerSession.toFixed(0)).join(', ')}), target ≤ 300: ${verdict(mem.bytesPerSession <= 300)}`);

// Replications on worker threads: the same 16 runs of the whole quickstart (2 h
// simulated each, about a second apiece) on 1 and on 2 workers, the results
// byte-identical. One worker runs them in this (already warm) thread. A pool's
// threads first load the modules and warm up their own JIT, about half a
// second each, once: the speed-up is reported with that start-up (a pool
// started for these 16 runs, as `stickysim run` does) and without it (the
// same pool running them again, as it does for every batch of a long sweep or
// plan); the target is judged on the second, warm against warm.
const sc = loadScenario('scenarios/quickstart.yaml');
const tasks = Array.from({ length: 16 }, (_, i) => ({ file: sc.file, sets: sc.sets, strategy: 'cookie', replication: i + 1, seed: replicationSeed(sc.seed, i + 1) }));
const seconds = async (f) => {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
};
const inThread = new TaskRunner(1);
const one = await seconds(() => inThread.run(tasks));
const pool = new TaskRunner(2);
const cold = await seconds(() => pool.run(tasks));
const warm = await seconds(() => pool.run(tasks));
await pool.close();
console.log(`\nreplications (16 × quickstart 2h, cookie): ${one.toFixed(2)} s on 1 worker; on 2, ${cold.toFixed(2)} s with the threads' start-up ` +
  `(${(one / cold).toFixed(2)}×), ${warm.toFixed(2)} s once started: speed-up ${(one / warm).toFixed(2)}×, target ≥ 1.8: ${verdict(one / warm >= 1.8)}`);
console.log(`peak memory of this process (max RSS): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
