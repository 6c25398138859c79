import { describe, expect, it } from 'vitest';
import { loadScenario, selectStrategies, type Scenario } from '../../src/scenario/load.js';
import { runOnce } from '../../src/simulation/experiment.js';
import type { TraceEvent } from '../../src/simulation/trace.js';

/** Each shipped lesson scenario, run as shipped (seeded), asserting the lesson it teaches. */

function run(sc: Scenario, label: string, trace?: (e: TraceEvent) => void) {
  const strategy = selectStrategies(sc, [label])[0]!;
  return runOnce(sc, strategy, sc.seed, trace).metrics;
}

describe('nat-office', () => {
  const sc = loadScenario('scenarios/nat-office.yaml');
  it('IP stickiness piles the NAT offices onto few servers; cookie stays balanced', () => {
    const n = sc.config.fleet.initial.length;
    for (const ip of ['ip-hash', 'ip-ring', 'ip-table']) {
      const m = run(sc, ip);
      const total = m.servers.reduce((a, s) => a + s.requests, 0);
      const top = Math.max(...m.servers.map((s) => s.requests)) / total;
      expect(top, ip).toBeGreaterThan(1.4 / n);
      expect(m.summary.imbalance_max_mean, ip).toBeGreaterThan(1.4);
    }
    expect(run(sc, 'cookie').summary.imbalance_max_mean).toBeLessThan(1.05);
  });
});

describe('mobile-clients', () => {
  const sc = loadScenario('scenarios/mobile-clients.yaml');
  it('IP churn: IP-keyed bindings lose sessions that cookie and header stickiness keep', () => {
    for (const ip of ['ip-hash', 'ip-ring', 'ip-table']) expect(run(sc, ip).summary.session_loss_rate, ip).toBeGreaterThan(0.05);
    expect(run(sc, 'cookie').summary.lost_sessions).toBe(0);
    expect(run(sc, 'header-ring').summary.lost_sessions).toBe(0);
  });
});

describe('scale-out', () => {
  const sc = loadScenario('scenarios/scale-out.yaml');
  const at = 30 * 60;

  /** Of the sessions established before the scale-out that send a request after it: the share rerouted on that request. */
  function movedShare(label: string): number {
    const established = new Set<number>();
    const seenAfter = new Set<number>();
    let moved = 0;
    run(sc, label, (e) => {
      if (e.type !== 'state') return;
      if (e.t < at) {
        established.add(e.session);
      } else if (established.has(e.session) && !seenAfter.has(e.session)) {
        seenAfter.add(e.session);
        if (e.outcome === 'loss' && e.cause === 'rerouted') moved++;
      }
    });
    return moved / seenAfter.size;
  }

  it('modulo reroutes about N/(N+1) of active sessions, the ring about 1/(N+1), cookie none', () => {
    expect(Math.abs(movedShare('ip-hash') - 8 / 9)).toBeLessThan(0.04);
    expect(Math.abs(movedShare('ip-ring') - 1 / 9)).toBeLessThan(0.04);
    expect(movedShare('cookie')).toBe(0);
  });

  it('under cookie stickiness the new server stays underloaded for a while', () => {
    // Its only work is new sessions (least-conn sends it most of them); old ones stay where they are.
    const windows = run(sc, 'cookie').windows.filter((w) => w.start_s >= at && w.start_s < at + 3 * 60);
    const newServer = windows.filter((w) => w.server === 's9').reduce((a, w) => a + w.requests, 0) / 3;
    const others = windows.filter((w) => w.server !== 's9').reduce((a, w) => a + w.requests, 0) / (3 * 8);
    expect(newServer).toBeLessThan(0.6 * others);
  });
});

describe('server-crash', () => {
  const sc = loadScenario('scenarios/server-crash.yaml');
  it('stored bindings lose only the crashed server’s sessions; modulo loses many more; lag fails requests', () => {
    const cookie = run(sc, 'cookie').summary;
    const table = run(sc, 'ip-table').summary;
    const modulo = run(sc, 'ip-hash').summary;
    for (const s of [cookie, table]) {
      expect(s.loss_rerouted).toBe(0);
      expect(s.loss_server_lost).toBeGreaterThan(50);
    }
    expect(modulo.lost_sessions).toBeGreaterThan(4 * cookie.lost_sessions);
    // nginx re-hashes only the dead server's clients (over all configured servers), and retries the failed connection.
    const nginx = run(sc, 'nginx-ip_hash').summary;
    expect(nginx.lost_sessions).toBeLessThan(modulo.lost_sessions / 3);
    expect(nginx.failed_undetected).toBe(0);
    // HAProxy cookie insert: before the check notices, a request to s3 fails after 3 turn-arounds; option
    // redispatch sends the third refusal elsewhere (after 2), so none fails and the delay shows as retry delay.
    const hap = run(sc, 'haproxy-cookie').summary;
    const redispatch = run(sc, 'haproxy-cookie-redispatch').summary;
    expect(hap.failed_undetected).toBeGreaterThan(20);
    expect(hap.retry_probability).toBe(0);
    expect(redispatch.failed_undetected).toBe(0);
    expect(redispatch.failed).toBe(0);
    expect(redispatch.retry_probability).toBeGreaterThan(0);
    // Every delayed request waited exactly 2 turn-arounds of 1 s: the mean over all is 2 s × the share delayed.
    expect(redispatch.retry_delay_mean_ms).toBeCloseTo(2000 * redispatch.retry_probability, 6);
    expect(redispatch.loss_server_lost).toBeGreaterThan(100); // s3's sessions are still lost: their state was there
    expect(cookie.failed_undetected).toBeGreaterThan(5);
    const instant = run(loadScenario('scenarios/server-crash.yaml', ['fleet.healthCheck=null']), 'cookie').summary;
    expect(instant.failed_undetected).toBe(0);
    expect(instant.failed).toBeLessThan(cookie.failed);
  });
});

describe('rolling-deploy', () => {
  it('draining before each restart loses far fewer sessions than restarting at once', () => {
    const drained = run(loadScenario('scenarios/rolling-deploy.yaml'), 'cookie').summary;
    const abrupt = run(loadScenario('scenarios/rolling-deploy.yaml', ['timeline[0].drain=false']), 'cookie').summary;
    expect(abrupt.loss_server_lost).toBeGreaterThan(100);
    expect(drained.loss_server_lost).toBeLessThan(abrupt.loss_server_lost / 4);
    expect(run(loadScenario('scenarios/rolling-deploy.yaml'), 'shared-store').summary.lost_sessions).toBe(0);
  });
});

describe('api-clients', () => {
  const sc = loadScenario('scenarios/api-clients.yaml');
  it('cookie stickiness degrades to its fallback for cookie-less clients; route and header keep them', () => {
    const cookie = run(sc, 'cookie').summary;
    expect(cookie.session_loss_rate).toBeGreaterThan(0.45);
    expect(cookie.session_loss_rate).toBeLessThan(0.7);
    expect(run(sc, 'route').summary.lost_sessions).toBe(0);
    expect(run(sc, 'header-ring').summary.lost_sessions).toBe(0);
  });
});

describe('hot-keys', () => {
  const sc = loadScenario('scenarios/hot-keys.yaml');
  it('ring hashing overloads the hot key’s server; bounded load caps it, trading stickiness', () => {
    const ring = run(sc, 'ip-ring');
    const bounded = run(sc, 'ip-ring-bounded');
    const gentle = run(sc, 'ip-ring-bounded-2');
    const maglev = run(sc, 'ip-maglev-bounded');
    const hottest = (m: typeof ring) => Math.max(...m.servers.map((s) => s.utilization));
    expect(hottest(ring)).toBeGreaterThan(0.75);
    for (const b of [bounded, maglev]) {
      expect(hottest(b)).toBeLessThan(hottest(ring) - 0.2);
      // The hot server's queue shows in ring's tail; bounded load leaves about the service time's own p99 (4.6 × 120 ms).
      expect(b.summary.latency_p99_ms).toBeLessThan(ring.summary.latency_p99_ms / 1.5);
      expect(b.summary.latency_p99_ms).toBeLessThan(1.1 * 4.605 * 120);
      expect(b.summary.loss_rerouted).toBeGreaterThan(0);
    }
    expect(ring.summary.lost_sessions).toBe(0);
    expect(hottest(gentle)).toBeLessThan(hottest(ring));
    expect(gentle.summary.lost_sessions).toBeLessThan(bounded.summary.lost_sessions);
    expect(run(sc, 'cookie').summary.imbalance_max_mean).toBeLessThan(1.1);
  });
});

describe('lb-reload', () => {
  const sc = loadScenario('scenarios/lb-reload.yaml');
  it('a reload empties a stick table without peers (about 5/6 of live sessions lost each time); peers, cookies and hashes lose nothing', () => {
    const stick = run(sc, 'haproxy-stick').summary;
    expect(stick.loss_rerouted).toBeGreaterThan(500);
    expect(stick.session_loss_rate).toBeGreaterThan(0.1);
    for (const label of ['haproxy-stick-peers', 'haproxy-cookie', 'ip-ring']) expect(run(sc, label).summary.lost_sessions, label).toBe(0);
    // Without the reloads the table loses nothing either: the loss is the reloads'.
    expect(run(loadScenario('scenarios/lb-reload.yaml', ['timeline=[]']), 'haproxy-stick').summary.lost_sessions).toBe(0);
  });
});

describe('new-pods', () => {
  it('new pod identities: hashing loses sessions on pods that never restarted; cookies and tables follow the sessions', () => {
    const sc = loadScenario('scenarios/new-pods.yaml');
    const cookie = run(sc, 'cookie').summary;
    const ring = run(sc, 'ip-ring').summary;
    const maglev = run(sc, 'ip-maglev').summary;
    expect(cookie.loss_rerouted).toBe(0);
    expect(run(sc, 'ip-table').summary.lost_sessions).toBe(cookie.lost_sessions);
    for (const h of [ring, maglev]) {
      expect(h.loss_rerouted).toBeGreaterThan(500); // keys moved off pods that were never replaced
      expect(h.session_loss_rate).toBeGreaterThan(2 * cookie.session_loss_rate);
    }
    // Kept identities without a drain: only each restarted server's keys move, and back: less than with new pods.
    const kept = loadScenario('scenarios/new-pods.yaml', ['timeline[0].identities=kept', 'timeline[0].drain=false']);
    expect(run(kept, 'ip-ring').summary.session_loss_rate).toBeLessThan(ring.session_loss_rate - 0.015);
  });
});

describe('lb-replicas', () => {
  it('replicas behind ECMP: per-instance tables (HAProxy stick table, kube-proxy ClientIP per node) lose most sessions; cookie and source hashing none; pinned clients keep them', () => {
    const sc = loadScenario('scenarios/lb-replicas.yaml');
    for (const label of ['haproxy-stick', 'kube-proxy-clientip']) {
      const m = run(sc, label).summary;
      expect(m.session_loss_rate, label).toBeGreaterThan(0.6);
      expect(m.loss_rerouted, label).toBeGreaterThan(10_000);
    }
    for (const label of ['haproxy-cookie', 'haproxy-source']) expect(run(sc, label).summary.lost_sessions, label).toBe(0);
    const pinned = loadScenario('scenarios/lb-replicas.yaml', ['balancers.spread=client']);
    expect(run(pinned, 'haproxy-stick').summary.lost_sessions).toBe(0);
    // Three tables hold about three entries per client where one balancer holds one.
    const one = loadScenario('scenarios/lb-replicas.yaml', ['balancers.replicas=1']);
    expect(run(sc, 'haproxy-stick').summary.lb_entries_max).toBeGreaterThan(2 * run(one, 'haproxy-stick').summary.lb_entries_max);
  });

  it('bad replica settings are refused naming the field', () => {
    expect(() => loadScenario('scenarios/lb-replicas.yaml', ['balancers.replicas=0'])).toThrow('--set balancers.replicas=0: expected an integer ≥ 1');
    expect(() => loadScenario('scenarios/lb-replicas.yaml', ['balancers.spread=dns'])).toThrow('--set balancers.spread=dns: expected one of "ecmp"|"client"');
  });
});

describe('store-outage', () => {
  it('a shared store down for 2 minutes fails every request meanwhile; in-memory stickiness does not notice; a flushed store loses its sessions', () => {
    const sc = loadScenario('scenarios/store-outage.yaml');
    const shared = run(sc, 'shared-store');
    expect(shared.summary.failed).toBeGreaterThan(1000);
    expect(shared.summary.lost_sessions).toBe(0);
    // Every failure falls in the outage's windows, [15m, 17m): none before or after.
    const failedAt = shared.windowTotals.filter((w) => w.failed > 0).map((w) => w.start_s);
    expect(failedAt).toEqual([900, 960]);
    for (const label of ['cookie', 'ip-table']) expect(run(sc, label).summary.failed, label).toBe(0);
    const flushed = run(loadScenario('scenarios/store-outage.yaml', ['timeline[0].flush=true']), 'shared-store').summary;
    expect(flushed.loss_server_lost).toBeGreaterThan(50);
    expect(flushed.failed).toBe(shared.summary.failed);
  });
});

describe('l4-scale-out', () => {
  /** The share of requests the 4 new servers (s5…s8) took in [from, to), relative to their fair share (half). */
  const newShare = (m: ReturnType<typeof run>, from: number, to: number) => {
    const rows = m.windows.filter((w) => w.start_s >= from && w.end_s <= to);
    const all = rows.reduce((a, w) => a + w.requests, 0);
    const fresh = rows.filter((w) => ['s5', 's6', 's7', 's8'].includes(w.server)).reduce((a, w) => a + w.requests, 0);
    return fresh / all / 0.5;
  };

  it('HTTP/2 clients behind an L4 balancer leave new servers far under their fair share; a maximum connection age spreads them, at the price of the sessions; L7 has no lag', () => {
    const sc = loadScenario('scenarios/l4-scale-out.yaml');
    const l4 = run(sc, 'l4');
    const aged = run(sc, 'l4-max-age-1m');
    const rr = run(sc, 'round-robin');
    // The first 5 minutes after the scale-out (10m–15m): under half their fair share; then still short of it.
    expect(newShare(l4, 600, 900)).toBeLessThan(0.5);
    expect(newShare(l4, 900, 1800)).toBeLessThan(0.9);
    expect(newShare(aged, 660, 900)).toBeGreaterThan(0.85);
    expect(newShare(rr, 600, 900)).toBeGreaterThan(0.95);
    // A connection is a binding: the session stays with its server until the connection closes.
    expect(l4.summary.lost_sessions).toBe(0);
    expect(aged.summary.session_loss_rate).toBeGreaterThan(0.5);
    // Per request connections: an L4 balancer is its balancer again.
    const perRequest = run(loadScenario('scenarios/l4-scale-out.yaml', ['workload.clients.connection.reuse=request']), 'l4').summary;
    expect(perRequest.lost_sessions).toBe(rr.summary.lost_sessions);
  });
});

describe('overload-cascade', () => {
  it('HTTP checks that time out under load mark live servers down; moved cookie clients overload the rest, and the flapping outlives the burst; persist, a slower fall or TCP checks stop it', () => {
    const sc = loadScenario('scenarios/overload-cascade.yaml');
    const downs: number[] = [];
    const cookie = run(sc, 'haproxy-cookie', (e) => {
      if (e.type === 'fleet' && e.event.startsWith('marked down')) downs.push(e.t);
    }).summary;
    expect(cookie.session_loss_rate).toBeGreaterThan(0.1);
    expect(cookie.latency_p99_ms).toBeGreaterThan(2000);
    expect(downs.filter((t) => t < 900)).toEqual([]); // nothing before the burst (15m–18m)
    expect(downs.filter((t) => t >= 1200).length).toBeGreaterThan(20); // still flapping minutes after it
    expect(run(sc, 'haproxy-cookie-persist').summary.lost_sessions).toBe(0);
    expect(run(loadScenario('scenarios/overload-cascade.yaml', ['fleet.healthCheck.fall=10']), 'haproxy-cookie').summary.lost_sessions).toBe(0);
    expect(run(loadScenario('scenarios/overload-cascade.yaml', ['fleet.healthCheck.probe=tcp']), 'haproxy-cookie').summary.lost_sessions).toBe(0);
  });
});
