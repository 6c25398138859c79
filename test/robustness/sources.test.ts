import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Source text without comments (so that a comment may name what the code must not use). */
function code(path: string): string {
  return readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('determinism of the sources', () => {
  const sources = files('src');

  it('no Math.random anywhere: every draw comes from the seeded streams', () => {
    expect(sources.length).toBeGreaterThan(40);
    expect(sources.filter((f) => /Math\.random/.test(code(f)))).toEqual([]);
  });

  it('no wall clock (Date.now, new Date, Date()) anywhere in src/', () => {
    expect(sources.filter((f) => /Date\.now|new Date\b|\bDate\(\)/.test(code(f)))).toEqual([]);
  });

  it('elapsed-time clocks only where timings are taken for run.json and the terminal', () => {
    const users = sources.filter((f) => /performance\.now|process\.hrtime/.test(code(f))).sort();
    // run.json timings, the progress bar's ETA on a terminal, and validate's own timing.
    expect(users).toEqual([join('src', 'cli', 'commands', 'run.ts'), join('src', 'cli', 'progress.ts'), join('src', 'validation', 'main.ts')]);
  });

  it('the scan would catch a violation', () => {
    expect(/Math\.random/.test('const x = Math.random();')).toBe(true);
    expect(/Date\.now|new Date\b|\bDate\(\)/.test('const t = new Date();')).toBe(true);
  });
});
