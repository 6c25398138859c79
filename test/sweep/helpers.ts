import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
export { cli, smallScenario } from '../helpers.js';

export const tmp = () => mkdtempSync(join(tmpdir(), 'stickysim-sweep-'));

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
