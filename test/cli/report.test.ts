import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const root = mkdtempSync(join(tmpdir(), 'stickysim-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dir = join(root, 'run');
const snapshot = (d: string) =>
  Object.fromEntries(
    [...readdirSync(d).filter((f) => f !== 'charts'), ...readdirSync(join(d, 'charts')).map((f) => `charts/${f}`)].map((f) => [f, readFileSync(join(d, f)).toString('base64')]),
  );

beforeAll(async () => {
  const r = await cli('run', 'scenarios/quickstart.yaml', '--duration', '20m', '--set', 'warmup=5m', '--set', 'workload.arrivals.rate=2', '--set', 'timeline[0].at=8m',
    '--set', 'timeline[1].at=12m', '--set', 'timeline[2].at=15m', '--strategies', 'cookie,ip-hash', '--replications', '2', '--out', dir, '--quiet');
  expect(r.code).toBe(0);
});

describe('stickysim report', () => {
  it('rebuilds report.html and charts/*.png byte for byte from the CSV files, keeping everything else', async () => {
    const before = snapshot(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    unlinkSync(join(dir, 'report.html'));
    writeFileSync(join(dir, 'charts', 'stale.png'), 'old'); // as if an earlier run of stickysim had drawn it:
    const marker = JSON.parse(readFileSync(join(dir, '.stickysim.json'), 'utf8'));
    writeFileSync(join(dir, '.stickysim.json'), JSON.stringify({ ...marker, files: [...marker.files, 'charts/stale.png'] }));
    writeFileSync(join(dir, 'charts', 'mine.png'), 'someone\'s');
    rmSync(join(dir, 'charts', 'load-cookie.png'));
    const r = await cli('report', dir);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toBe(`wrote ${dir}/ (report.html, charts/imbalance.png, charts/latency.png, charts/load-cookie.png, charts/load-ip-hash.png, charts/session-loss.png)\n`);
    const after = snapshot(dir);
    expect(after['notes.txt']).toBe(Buffer.from('mine').toString('base64'));
    expect(after['charts/mine.png']).toBe(Buffer.from('someone\'s').toString('base64'));
    delete after['notes.txt'];
    delete after['charts/mine.png'];
    expect(after).toEqual(before); // report.html, the PNGs and the CSV files: identical; stickysim's stale.png gone, someone's mine.png kept
    expect(readdirSync(root)).toEqual(['run']); // no temporary directory left behind
    expect((await cli('report', dir, '--quiet')).out).toBe('');
  });

  const broken: [string, (d: string) => void, RegExp][] = [
    ['a missing directory', () => {}, /no such results directory/],
    ['a directory without run.json', (d) => unlinkSync(join(d, 'run.json')), /run\.json: missing — a results directory holds/],
    ['a summary without a needed column', (d) => writeFileSync(join(d, 'summary.csv'), 'strategy,replication\ncookie,1\n'), /summary\.csv: column "sessions" missing/],
    ['a corrupt run.json', (d) => writeFileSync(join(d, 'run.json'), '{'), /run\.json: invalid JSON/],
  ];
  for (const [what, breakIt, message] of broken) {
    it(`${what}: exit 2 with one line, nothing written`, async () => {
      const copy = join(root, `broken-${what.replace(/\W+/g, '-')}`);
      if (what !== 'a missing directory') {
        await cli('run', 'scenarios/seed-two-servers.yaml', '--strategies', 'cookie', '--out', copy, '--quiet');
        breakIt(copy);
        unlinkSync(join(copy, 'report.html'));
      }
      const r = await cli('report', copy);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      if (existsSync(copy)) expect(existsSync(join(copy, 'report.html'))).toBe(false);
      expect(readdirSync(root).filter((f) => f.startsWith('.'))).toEqual([]);
    });
  }
});
