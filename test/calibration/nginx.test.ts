import { describe, expect, it } from 'vitest';
import { nginxCases } from '../../src/calibration/cases/nginx.js';
import { allCases, markdown, runCases, textTable, type KindedCase } from '../../src/calibration/main.js';
import { nginxConfig, nginxInstalled, NGINX_BIN } from '../../src/calibration/nginx.js';

/**
 * The quick subset of the nginx calibration: the real nginx on loopback
 * against stickysim's `nginx` preset (src/calibration/predict.ts), client by
 * client, the restart after a killed backend included (the quick family uses
 * fail_timeout=3s, so its recovery waits 4 s). Skipped (with the reason) only
 * when nginx is not installed. Also: how main.ts lists and runs the cases.
 */
const installed = nginxInstalled();
if (!installed) console.warn(`nginx calibration skipped: ${NGINX_BIN} is not installed`);

describe('nginx configuration', () => {
  it('writes the upstream in configuration order with its method and parameters', () => {
    const conf = nginxConfig(
      {
        method: { kind: 'hash', key: '$http_x_client_id', consistent: true },
        servers: [
          { name: 's1', port: 20001 },
          { name: 's2', port: 20002, weight: 3, down: true, maxFails: 2, failTimeout: 5 },
        ],
      },
      20100,
      '/tmp/x',
      4,
    );
    expect(conf).toContain('hash $http_x_client_id consistent;');
    expect(conf).toContain('server 127.0.0.1:20001;');
    expect(conf).toContain('server 127.0.0.1:20002 weight=3 max_fails=2 fail_timeout=5s down;');
    expect(conf).toContain('listen 127.0.0.1:20100;');
    expect(conf).toContain('worker_processes 1;');
    expect(conf).toContain('add_header X-Config-Generation 4 always;');
  });
});

const title = installed ? `nginx calibration, quick subset (${NGINX_BIN})` : `nginx calibration SKIPPED: ${NGINX_BIN} is not installed`;

describe.skipIf(!installed)(title, () => {
  for (const c of nginxCases({ clients: 1500 }).filter((k) => k.quick)) {
    it(c.name, async () => {
      const results = await c.run();
      expect(results.length).toBeGreaterThan(0);
      if (c.name === 'nginx-ip-hash') expect(results.map((r) => r.name)).toContain('nginx-ip-hash-restart');
      for (const r of results) {
        expect(r.system).toMatch(/^nginx \d+\.\d+\.\d+$/);
        expect(r.clients).toBeGreaterThan(0);
        expect({ name: r.name, agree: r.agree, real: r.real, detail: r.detail }).toEqual({ name: r.name, agree: true, real: r.real, detail: '' });
      }
    });
  }
});

describe('calibration main: the cases and their kinds', () => {
  it('lists every HAProxy and nginx case, each with the kind of its results, --clients reaching both', () => {
    const cases = allCases({ clients: 10 });
    const names = cases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(cases.filter((c) => c.system === 'nginx').map((c) => c.name)).toEqual(nginxCases().map((c) => c.name));
    expect(cases.find((c) => c.name === 'haproxy-random2')?.kind).toBe('statistical');
    expect(cases.find((c) => c.name === 'haproxy-source-map')?.kind).toBe('deterministic');
    expect(cases.filter((c) => c.system === 'nginx').every((c) => c.kind === 'deterministic')).toBe(true);
    expect(allCases({}, true).filter((c) => c.quick).map((c) => c.name)).toEqual(expect.arrayContaining(['nginx-ip-hash', 'nginx-chash-client-id', 'nginx-ip-hash-fallback']));
  });

  it('a case that cannot run is one disagreeing result of its own kind, its error as the detail', async () => {
    const failing = (name: string, kind: KindedCase['kind']): KindedCase => ({
      name,
      system: 'haproxy',
      quick: true,
      kind,
      run: () => Promise.reject(new Error(`${name}: no binary\nsecond line`)),
    });
    const log: string[] = [];
    const results = await runCases([failing('s-stat', 'statistical'), failing('d-det', 'deterministic')], (l) => log.push(l));
    expect(results.map((r) => [r.name, r.kind, r.agree, r.detail])).toEqual([
      ['s-stat', 'statistical', false, 's-stat: no binary'],
      ['d-det', 'deterministic', false, 'd-det: no binary'],
    ]);
    expect(log[0]).toMatch(/s-stat: FAILED to run/);
    expect(textTable(results)).toMatch(/s-stat\s+haproxy\s+statistical\s+0\s+—\s+—\s+NO/);
    expect(markdown(results, { quick: true, versions: { haproxy: 'HAProxy 2.6.12', nginx: 'nginx 1.22.1' } })).toContain('| s-stat | haproxy | statistical | 0 | — | — |  | NO |');
  });
});
