import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from 'canvas';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCharts, type ChartData } from '../../src/report/charts.js';
import type { Summary } from '../../src/metrics/results.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function summary(over: Partial<Summary>): Summary {
  return {
    sessions: 1000,
    requests: 20000,
    completed: 19900,
    lost_sessions: 20,
    session_loss_rate: 0.02,
    loss_rerouted: 10,
    loss_server_lost: 12,
    loss_evicted: 3,
    expired: 30,
    losses_per_1k_requests: 1.25,
    dropped: 0,
    failed: 5,
    failed_undetected: 0,
    throughput_rps: 55,
    imbalance_max_mean: 1.2,
    imbalance_cov: 0.15,
    jain_index: 0.97,
    windowed_max_mean: 1.3,
    utilization_mean: 0.5,
    utilization_max: 0.7,
    queue_mean: 0.4,
    in_system_mean: 2.2,
    sessions_held_max: 400,
    lb_entries_max: 0,
    lb_memory_bytes_max: 0,
    latency_mean_ms: 40,
    latency_p50_ms: 20,
    latency_p95_ms: 120,
    latency_p99_ms: 900,
    wait_mean_ms: 3,
    wait_probability: 0.1,
    retry_delay_mean_ms: 0,
    retry_probability: 0,
    ...over,
  };
}

/** 2 strategies; "cookie" has 2 replications, "ip hash" 1; 2 servers, 4 windows of 60 s; s2 crashes at 150 s. */
function sampleData(): ChartData {
  const strategies = ['cookie', 'ip hash'];
  const summaryRows: ChartData['summary'] = [
    { ...summary({}), strategy: 'cookie', replication: 1 },
    { ...summary({ loss_rerouted: 14, session_loss_rate: 0.03 }), strategy: 'cookie', replication: 2 },
    {
      ...summary({ loss_rerouted: 40, loss_server_lost: 25, imbalance_max_mean: 1.6, latency_p99_ms: 1500 }),
      strategy: 'ip hash',
      replication: 1,
    },
  ];
  const timeseries: ChartData['timeseries'] = [];
  for (const [si, strategy] of strategies.entries()) {
    for (const replication of si === 0 ? [1, 2] : [1]) {
      for (let window = 0; window < 4; window++) {
        for (const server of ['s1', 's2']) {
          const crashed = server === 's2' && window === 2;
          timeseries.push({
            window,
            start_s: window * 60,
            end_s: (window + 1) * 60,
            measured: window >= 1,
            server,
            requests: crashed ? 900 : 60 * (40 + 10 * window + (server === 's1' ? 5 * si : -5 * si) + replication),
            utilization: 0.5,
            queue_mean: 0.1,
            sessions_held: 100,
            up: crashed ? 0.5 : 1,
            strategy,
            replication,
          });
        }
      }
    }
  }
  return {
    scenario: 'test-scenario',
    strategies,
    summary: summaryRows,
    timeseries,
    timeline: [
      { at: 150, event: 'crash', server: 2 },
      { at: 180, event: 'recover', server: 2 },
    ],
    warmup: 60,
  };
}

const EXPECTED = ['imbalance.png', 'latency.png', 'load-cookie.png', 'load-ip_hash.png', 'session-loss.png'];

describe('renderCharts', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'stickysim-charts-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('writes 1200×600, non-blank PNGs, deterministically', { timeout: 60_000 }, async () => {
    const data = sampleData();
    const dir = tempDir();
    const files = await renderCharts(data, dir);
    expect(files).toEqual(EXPECTED);
    // To eyeball the charts: STICKYSIM_CHART_LOOK=/tmp/chart-look npx vitest run test/report/charts.test.ts
    const look = process.env['STICKYSIM_CHART_LOOK'];
    if (look) {
      mkdirSync(look, { recursive: true });
      await renderCharts(data, look);
    }

    for (const f of files) {
      const png = readFileSync(join(dir, f));
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE), f).toBe(true);
      expect(png.readUInt32BE(16), `${f} width`).toBe(1200);
      expect(png.readUInt32BE(20), `${f} height`).toBe(600);

      const img = await loadImage(png);
      const canvas = createCanvas(img.width, img.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, img.width, img.height).data;
      let nonWhite = 0;
      let transparent = 0;
      const colours = new Set<number>();
      for (let i = 0; i < px.length; i += 4) {
        const r = px[i]!;
        const g = px[i + 1]!;
        const b = px[i + 2]!;
        if (px[i + 3] !== 255) transparent++;
        if (r !== 255 || g !== 255 || b !== 255) nonWhite++;
        colours.add((r << 16) | (g << 8) | b);
      }
      expect(transparent, `${f} has a white, opaque background`).toBe(0);
      expect(nonWhite, `${f} non-white pixels`).toBeGreaterThan(1000);
      expect(colours.size, `${f} distinct colours`).toBeGreaterThan(2);
    }

    const again = tempDir();
    expect(await renderCharts(sampleData(), again)).toEqual(EXPECTED);
    for (const f of files) {
      expect(readFileSync(join(again, f)).equals(readFileSync(join(dir, f))), `${f} byte-identical`).toBe(true);
    }
  });

  it('sanitizes strategy labels and keeps colliding names apart', { timeout: 60_000 }, async () => {
    const data = sampleData();
    data.strategies = ['a/b', 'a:b'];
    data.summary = data.summary.map((r, i) => ({ ...r, strategy: i === 2 ? 'a:b' : 'a/b' }));
    data.timeseries = data.timeseries.map((r) => ({ ...r, strategy: r.strategy === 'cookie' ? 'a/b' : 'a:b' }));
    data.timeline = [{ at: 120, event: 'add', count: 2 }];
    data.warmup = 0;
    const files = await renderCharts(data, tempDir());
    expect(files).toEqual(['imbalance.png', 'latency.png', 'load-a_b-2.png', 'load-a_b.png', 'session-loss.png']);
  });
});
