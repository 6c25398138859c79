import { startBackends } from '../backends.js';
import { clientAddresses, driveClients, type ClientSpec } from '../clients.js';
import { Haproxy, haproxyVersion } from '../haproxy.js';
import { buildBalancer, buildFleet, clientSession, resolvePreset } from '../predict.js';
import type { CalibrationCase, CaseResult } from '../types.js';
import { parseIPv4 } from '../../balancers/hashing/haproxy/hash.js';
import type { Fleet } from '../../model/fleet.js';
import type { LoadBalancer } from '../../strategies/loadBalancer.js';
import { perClient, presetText } from './haproxy.js';

/**
 * HAProxy 2.6 `stick-table type ip` + `stick on src` in front of `balance
 * roundrobin`, across a reload, against the `haproxy` preset with
 * `stickOnSrc`. Requests go one at a time, so round robin's order is the
 * requests' order, and every client's server is compared:
 *   `-bind`    each client's first request (in address order): round robin
 *              picks, the table learns (HAProxy's fwrr and stickysim's
 *              round robin give the same sequence s1, s2, s3, s4, s1, …);
 *   `-again`   every client again, in reverse order: each goes where its
 *              entry says;
 *   `-reload`  haproxy reloaded (master-worker, SIGUSR2: what `systemctl
 *              reload haproxy` does) with no `peers` section: the new worker
 *              starts with an empty table and a fresh round robin, so the
 *              clients (again in reverse order) are balanced anew — in
 *              stickysim a fresh balancer, as a reload builds one.
 */

const SERVERS = 4;
export async function runStickReload(options: { clients?: number; seed?: number } = {}): Promise<CaseResult[]> {
  const n = options.clients ?? 400;
  const system = await haproxyVersion();
  const presetOptions = { balance: 'roundrobin', stickOnSrc: { expire: 1800 } };
  const preset = resolvePreset('haproxy', presetOptions);
  const setting = `balance roundrobin, stick-table type ip size 1m expire 30m, stick on src, no peers vs preset ${presetText({ balance: 'roundrobin', stickOnSrc: '{ expire: 30m }' })}`;
  const clients: ClientSpec[] = clientAddresses(n, options.seed ?? 11).map((address) => ({ address }));
  const reversed = [...clients].reverse();
  const pool = await startBackends(SERVERS);
  const fleetOf = (): Fleet => buildFleet(Array.from({ length: SERVERS }, (_, i) => ({ name: `s${i + 1}`, state: 'up' as const })));
  const route = (lb: LoadBalancer, fleet: Fleet, list: readonly ClientSpec[], now: number) =>
    list.map((c, i) => {
      const s = clientSession({ address: parseIPv4(c.address) }, i + 1);
      const server = lb.route(s, fleet, now);
      if (server !== undefined) lb.onResponse(s, server, now);
      return server?.name ?? null;
    });
  const real = async (hap: Haproxy, list: readonly ClientSpec[]) => (await driveClients(list, { port: hap.port, concurrency: 1 })).map((o) => o.server);
  const results: CaseResult[] = [];
  let hap: Haproxy | undefined;
  try {
    hap = await Haproxy.start({
      balance: 'roundrobin',
      masterWorker: true,
      backendLines: ['stick-table type ip size 1m expire 30m', 'stick on src'],
      servers: pool.backends.map((b) => ({ name: b.name, port: b.port })),
    });
    const lb = buildBalancer(preset);
    const fleet = fleetOf();
    const bindReal = await real(hap, clients);
    results.push(perClient('haproxy-stick-reload-bind', `${setting}: each client's first request, one at a time in address order (round robin, learned by the table)`, system, bindReal, route(lb, fleet, clients, 1), clients));
    const againReal = await real(hap, reversed);
    results.push(perClient('haproxy-stick-reload-again', `${setting}: every client again, in reverse order: each where its entry says`, system, againReal, route(lb, fleet, reversed, 2), reversed));
    await hap.reload();
    const afterReal = await real(hap, reversed);
    const afterSim = route(buildBalancer(preset), fleetOf(), reversed, 3);
    const moved = afterReal.filter((r, i) => r !== againReal[i]).length;
    results.push(
      perClient(
        'haproxy-stick-reload-reload',
        `${setting}: haproxy reloaded (SIGUSR2 to the master): the new worker's table is empty, round robin starts again; ${((100 * moved) / n).toFixed(2)}% of clients on another server than before`,
        system,
        afterReal,
        afterSim,
        reversed,
      ),
    );
  } finally {
    await hap?.stop();
    await pool.close();
  }
  return results;
}

export function haproxyStickCases(options: { clients?: number } = {}): CalibrationCase[] {
  return [{ name: 'haproxy-stick-reload', system: 'haproxy' as const, quick: true, run: () => runStickReload(options) }];
}
