/**
 * The README and docs/strategies/ show real output: each ```sh block that
 * runs `npx stickysim run|trace …` and is followed by a ```text or ```mermaid
 * block is re-run here, and the block must match what the command prints now.
 * After an intended change, `UPDATE_DOCS=1 npx vitest run test/docs.test.ts`
 * rewrites the blocks; review the diff.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

const FILES = ['README.md', 'docs/STORIES.md', ...readdirSync('docs/strategies').filter((f) => f.endsWith('.md')).map((f) => join('docs/strategies', f))];
const root = mkdtempSync(join(tmpdir(), 'stickysim-docs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Shell words, with '…' and "…" quoting (all the docs use). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | null = null;
  let quoted = false;
  for (const ch of line) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      quoted = true;
    } else if (/\s/.test(ch)) {
      if (word !== '' || quoted) words.push(word);
      word = '';
      quoted = false;
    } else {
      word += ch;
    }
  }
  if (word !== '' || quoted) words.push(word);
  return words;
}

interface Example {
  file: string;
  command: string;
  kind: 'text' | 'mermaid';
  shown: string;
}

function examples(): Example[] {
  const out: Example[] = [];
  for (const file of FILES) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/```sh\n([^`]*?)```\n\n```(text|mermaid)\n([^`]*?)```/g)) {
      const command = m[1]!.trim().split('\n').pop()!;
      if (command.startsWith('npx stickysim ')) out.push({ file, command, kind: m[2] as Example['kind'], shown: m[3]! });
    }
  }
  return out;
}

describe('documented output is real', () => {
  const all = examples();

  it('the docs have examples to check', () => {
    expect(all.filter((e) => e.kind === 'mermaid').length).toBeGreaterThanOrEqual(10);
    expect(all.filter((e) => e.file === 'README.md').length).toBe(5);
    expect(shellWords(`a --set 'x=[{at: 1m}]' "b c" ''`)).toEqual(['a', '--set', 'x=[{at: 1m}]', 'b c', '']);
  });

  for (const [i, e] of all.entries()) {
    it(`${e.file}: ${e.command.slice('npx stickysim '.length)}`, async () => {
      const args = shellWords(e.command).slice(2);
      if (args[0] === 'run') {
        // Write into a temporary directory, not the repository's results/.
        const dir = join(root, String(i));
        const at = args.indexOf('--out');
        if (at >= 0) args[at + 1] = dir;
        else args.push('--out', dir);
      }
      let out = '';
      let err = '';
      const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
      expect(err).toBe('');
      expect(code).toBe(0);
      // A run's last line names the (temporary) directory it wrote: the docs leave it out.
      const actual = e.kind === 'text' ? out.replace(/\n\nwrote [^\n]*\n$/, '\n') : out;
      if (process.env.UPDATE_DOCS === '1' && actual !== e.shown) {
        // Regenerate: put what the command prints now into the doc, then review the diff like code.
        const text = readFileSync(e.file, 'utf8');
        const block = `${e.command}\n\`\`\`\n\n\`\`\`${e.kind}\n`;
        const at = text.indexOf(block + e.shown);
        if (at < 0) throw new Error(`cannot find the example block in ${e.file}`);
        writeFileSync(e.file, text.slice(0, at) + block + actual + text.slice(at + block.length + e.shown.length));
        return;
      }
      expect(actual).toBe(e.shown);
    });
  }
});
