/**
 * The report and the trace diagrams in a real browser: headless Chromium (the
 * Debian package, driven by playwright-core). A missing browser fails the
 * test: CI installs it (.ci/setup.sh).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

// The page's globals, typed just enough: the project compiles without the DOM library.
interface Canvas {
  id: string;
  width: number;
  height: number;
  clientWidth: number;
  clientHeight: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
interface Mermaid {
  initialize(options: object): void;
  parse(text: string): Promise<unknown>;
  render(id: string, text: string): Promise<{ svg: string }>;
}
declare const document: { documentElement: { scrollWidth: number }; getElementById(id: string): { innerHTML: string } };
declare const window: { mermaid: Mermaid; devicePixelRatio: number };
declare const Chart: { getChart(c: Canvas): { chartArea: { left: number; top: number; right: number; bottom: number } } };

const CHROMIUM = process.env['STICKYSIM_CHROMIUM'] ?? '/usr/bin/chromium';
const ARTIFACTS = resolve('test-artifacts');
const STRATEGIES = ['round-robin', 'cookie', 'ip-hash', 'ip-ring', 'shared-store'];

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

let browser: Browser;
const root = mkdtempSync(join(tmpdir(), 'stickysim-browser-'));
const results = join(root, 'quickstart');

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: install the Debian package "chromium" (bash .ci/setup.sh)`).toBe(true);
  mkdirSync(ARTIFACTS, { recursive: true });
  // A real run, small: the quickstart's fleet changes at 40, 55 and 75 min, two replications.
  const run = await cli('run', 'scenarios/quickstart.yaml', '--duration', '80m', '--set', 'workload.arrivals.rate=3',
    '--strategies', STRATEGIES.join(','), '--replications', '2', '--out', results, '--quiet');
  expect(run).toEqual({ code: 0, out: '', err: '' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Opens report.html from file:// and records console errors, page errors and any request off the file system. */
async function openReport(viewport: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    problems.push(`network: ${url}`);
    return route.abort();
  });
  await page.goto(pathToFileURL(join(results, 'report.html')).href);
  await page.waitForSelector('body[data-charts-drawn]', { timeout: 20_000 });
  return { page, problems };
}

/** The Okabe–Ito colours the data is drawn in (black left out: axis text is black too). */
const DATA_COLOURS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7'].map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));

/**
 * Per canvas: its size, how many pixels are painted and not white, and how
 * many are in a data colour (bars and lines, not just axes and text).
 */
function inkPerCanvas(page: Page) {
  return page.$$eval(
    'canvas',
    (canvases, palette) =>
      (canvases as unknown as Canvas[]).map((c) => {
        const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        // Data pixels are counted inside the plot area only: the legend's boxes are in data colours too.
        const area = Chart.getChart(c).chartArea;
        const k = window.devicePixelRatio;
        let ink = 0;
        let data = 0;
        const colours = new Set<number>();
        for (let i = 0; i < px.length; i += 4) {
          const [r, g, b, a] = [px[i]!, px[i + 1]!, px[i + 2]!, px[i + 3]!];
          if (a > 0 && (r < 245 || g < 245 || b < 245)) {
            ink++;
            colours.add((r << 16) | (g << 8) | b);
            const x = ((i / 4) % c.width) / k;
            const y = Math.floor(i / 4 / c.width) / k;
            const inside = x > area.left && x < area.right && y > area.top && y < area.bottom;
            if (inside && palette.some(([pr, pg, pb]) => Math.abs(r - pr!) + Math.abs(g - pg!) + Math.abs(b - pb!) < 24)) data++;
          }
        }
        return { id: c.id, width: c.clientWidth, height: c.clientHeight, ink, data, colours: colours.size };
      }),
    DATA_COLOURS,
  );
}

describe('report.html in Chromium', () => {
  it('renders offline with no errors: every chart drawn, one table row per strategy', async () => {
    const { page, problems } = await openReport({ width: 1280, height: 900 });
    const canvases = await inkPerCanvas(page);
    expect(canvases.map((c) => c.id)).toEqual(['chart-loss', 'chart-imbalance', 'chart-latency', 'chart-held', ...STRATEGIES.map((_, i) => `chart-load-${i + 1}`)]);
    expect(await page.getAttribute('body', 'data-charts-drawn')).toBe(String(canvases.length));
    for (const c of canvases) {
      expect(c.ink, `${c.id}: painted pixels`).toBeGreaterThan(2000);
      expect(c.data, `${c.id}: pixels of data (bars, lines)`).toBeGreaterThan(300);
      expect(c.colours, `${c.id}: colours`).toBeGreaterThan(5);
    }
    const rows = await page.$$eval('table.comparison', (tables) => tables.map((t) => [...t.querySelectorAll('tbody th')].map((th) => th.textContent)));
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r).toEqual(STRATEGIES);
    expect(await page.locator('td.best').count()).toBeGreaterThan(5);
    expect(await page.textContent('#what-this-shows')).toMatch(/lost no sessions|lost the fewest sessions/);
    await page.screenshot({ path: join(ARTIFACTS, 'report-desktop.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits a phone: no sideways scrolling of the page, charts as wide as the screen', async () => {
    const { page, problems } = await openReport({ width: 390, height: 844 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    for (const c of await inkPerCanvas(page)) {
      expect(c.width, c.id).toBeGreaterThan(300);
      expect(c.width, c.id).toBeLessThanOrEqual(370);
      expect(c.ink, `${c.id}: painted pixels`).toBeGreaterThan(1000);
      expect(c.data, `${c.id}: pixels of data`).toBeGreaterThan(100);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'report-phone.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('trace diagrams in Mermaid', () => {
  const MERMAID = join(dirname(createRequire(import.meta.url).resolve('mermaid/package.json')), 'dist', 'mermaid.min.js');
  const early = ['--set', 'timeline[0].at=5m', '--set', 'timeline[1].at=8m', '--set', 'timeline[2].at=10m'];
  const diagrams: [string, string[], string[]][] = [
    ['cookie', ['scenarios/seed-two-servers.yaml', '--strategy', 'cookie', '--session', '23'], ['Client', 'Load Balancer', 'Server s1', 'Server s2']],
    ['round-robin', ['scenarios/seed-two-servers.yaml', '--strategy', 'round-robin', '--session', '1'], ['Client', 'Load Balancer', 'Server s1', 'Server s2']],
    ['first-lost', ['scenarios/quickstart.yaml', '--strategy', 'ip-hash', '--session', 'first-lost', ...early], ['Client', 'Load Balancer', 'Server s']],
  ];

  it('Mermaid parses and renders every diagram, with the expected participants', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
    await page.addScriptTag({ path: MERMAID });
    await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }));
    // The check can fail: a broken diagram is rejected.
    const broken = await page.evaluate(async () => {
      try {
        await window.mermaid.parse('sequenceDiagram\n    C->>: nobody');
        return 'parsed';
      } catch {
        return 'rejected';
      }
    });
    expect(broken).toBe('rejected');

    for (const [name, args, participants] of diagrams) {
      const r = await cli('trace', ...args);
      expect(r.code, `${name}: ${r.err}`).toBe(0);
      const svg = await page.evaluate(async ([id, text]) => {
        const m = window.mermaid;
        await m.parse(text!);
        const { svg } = await m.render(id!, text!);
        document.getElementById('out')!.innerHTML = svg;
        return svg;
      }, [`trace-${name}`, r.out]);
      expect(svg).toMatch(/^<svg/);
      for (const p of participants) expect(svg, `${name}: participant ${p}`).toContain(p);
      const notes = (r.out.match(/Note /g) ?? []).length;
      expect(notes, `${name}: notes`).toBeGreaterThan(1);
      await page.locator('#out svg').screenshot({ path: join(ARTIFACTS, `trace-${name}.png`) });
    }
    // Every diagram the README and docs/strategies/ show (test/docs.test.ts keeps them equal to the command's output).
    const docs = ['README.md', ...readdirSync('docs/strategies').map((f) => join('docs/strategies', f))];
    const blocks = docs.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/```mermaid\n([^`]*)```/g)].map((m) => m[1]!));
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    const failures = await page.evaluate(async (texts) => {
      const bad: string[] = [];
      for (const t of texts) {
        try {
          await window.mermaid.parse(t);
        } catch (e) {
          bad.push(`${t.split('\n')[7] ?? ''}: ${String(e)}`);
        }
      }
      return bad;
    }, blocks);
    expect(failures).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
