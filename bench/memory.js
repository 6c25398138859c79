// Memory per concurrent session: a run that ends with 1,000,000 sessions
// alive at once (each logged in, thinking for a long time), measured as the
// growth of peak RSS over a run of the same code with none. Run in a process
// of its own by bench/run.js so nothing else is in memory.
import { parseScenario, resolveStrategy } from '../dist/scenario/load.js';
import { runOnce } from '../dist/simulation/experiment.js';

const sessions = Number(process.argv[2] ?? 1_000_000);
const strategy = process.argv[3] ?? 'cookie';
const yaml = (rate) => `
name: memory
duration: 100s
window: 100s
workload:
  arrivals: { rate: ${rate} }
  requests: { dist: constant, value: 3 }
  think: { dist: constant, value: 1h }
  service: { dist: constant, value: 1ms }
  logoutProbability: 1
fleet: { servers: 8, workers: 64, sessionTtl: 2h }
strategies: [${strategy}]
`;
const run = (rate) => {
  const sc = parseScenario(yaml(rate), 'memory.yaml');
  const m = runOnce(sc, resolveStrategy(strategy), 1).metrics;
  return m.conservation.sessionsActive;
};
run(0);
const base = process.resourceUsage().maxRSS * 1024;
const active = run(sessions / 100);
const peak = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ active, base, peak, bytesPerSession: (peak - base) / active }));
