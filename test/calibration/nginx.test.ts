import { describe, expect, it } from 'vitest';
import { nginxCases } from '../../src/calibration/cases/nginx.js';
import { nginxConfig, nginxInstalled, NGINX_BIN } from '../../src/calibration/nginx.js';

/**
 * The quick subset of the nginx calibration: the real nginx on loopback
 * against stickysim's reproduction of its peer selection, client by client.
 * Skipped (with the reason) only when nginx is not installed.
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
  for (const c of nginxCases({ clients: 1500, recovery: false }).filter((k) => k.quick)) {
    it(c.name, async () => {
      const results = await c.run();
      expect(results.length).toBeGreaterThan(0);
      for (const r of results) {
        expect(r.system).toMatch(/^nginx \d+\.\d+\.\d+$/);
        expect(r.clients).toBeGreaterThan(0);
        expect({ name: r.name, agree: r.agree, real: r.real, detail: r.detail }).toEqual({ name: r.name, agree: true, real: r.real, detail: '' });
      }
    });
  }
});
