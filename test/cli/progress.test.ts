import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatEta, progressBar, type Terminal } from '../../src/cli/progress.js';

function terminal(isTTY: boolean): { stream: Terminal; text: () => string } {
  const stream = new PassThrough() as PassThrough & Terminal;
  stream.isTTY = isTTY;
  stream.columns = 120;
  let text = '';
  stream.on('data', (d: Buffer) => void (text += d.toString()));
  return { stream, text: () => text };
}

/** A clock the test moves: runs of `perRun` seconds each. */
function clock(): { now: () => number; advance: (s: number) => void } {
  let t = 0;
  return { now: () => t, advance: (s) => void (t += s) };
}

describe('progress bar', () => {
  it('draws runs done, time left and the next run on a terminal when the job takes over a second', () => {
    const term = terminal(true);
    const c = clock();
    const p = progressBar(term.stream, { now: c.now });
    c.advance(0.5);
    p.tick(1, 4, 'cookie');
    c.advance(0.5);
    p.tick(2, 4, 'ip-hash');
    p.stop();
    expect(term.text()).toContain('1/4 runs | 2s left | running cookie');
    expect(term.text()).toContain('2/4 runs | 1s left | running ip-hash');
  });

  it('stays silent when the job looks short', () => {
    const term = terminal(true);
    const c = clock();
    const p = progressBar(term.stream, { now: c.now });
    for (let i = 1; i <= 4; i++) {
      c.advance(0.1);
      p.tick(i, 4, 'x');
    }
    p.stop();
    expect(term.text()).toBe('');
  });

  it('never draws on something that is not a terminal, or on nothing', () => {
    const pipe = terminal(false);
    const c = clock();
    for (const target of [pipe.stream, undefined]) {
      const p = progressBar(target, { now: c.now });
      c.advance(10);
      p.tick(1, 100, 'slow');
      p.stop();
    }
    expect(pipe.text()).toBe('');
  });

  it('formats the time left', () => {
    expect([formatEta(0), formatEta(41.6), formatEta(65), formatEta(3600)]).toEqual(['0s', '42s', '1m05s', '60m00s']);
  });
});
