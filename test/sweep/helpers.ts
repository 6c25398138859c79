import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

export const tmp = () => mkdtempSync(join(tmpdir(), 'stickysim-sweep-'));

/** A small, fast scenario (10 simulated minutes, a crash): a cell of 3 strategies × 2 replications takes milliseconds. */
export function smallScenario(dir: string, extra = ''): string {
  const file = join(dir, 'small.yaml');
  writeFileSync(
    file,
    `name: small
seed: 3
duration: 10m
window: 1m
workload:
  arrivals: { rate: 0.5 }
  requests: { dist: geometric, mean: 5 }
  think: { dist: exponential, mean: 10s }
  service: { dist: exponential, mean: 50ms }
fleet:
  servers: 3
  workers: 2
timeline:
  - { at: 5m, event: crash, server: s2 }
strategies: [cookie, round-robin, ip-ring]
${extra}`,
  );
  return file;
}

/** Every file under `dir` (relative path → bytes), hidden temporary files included. */
export function tree(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) for (const [k, v] of tree(p, `${prefix}${name}/`)) out.set(k, v);
    else out.set(`${prefix}${name}`, readFileSync(p));
  }
  return out;
}

/** Asserts two directories hold the same files with the same bytes (a readable failure: the first differing file). */
export function sameTree(a: string, b: string): { missing: string[]; extra: string[]; differ: string[] } {
  const ta = tree(a);
  const tb = tree(b);
  return {
    missing: [...ta.keys()].filter((k) => !tb.has(k)),
    extra: [...tb.keys()].filter((k) => !ta.has(k)),
    differ: [...ta.keys()].filter((k) => tb.has(k) && !ta.get(k)!.equals(tb.get(k)!)),
  };
}
