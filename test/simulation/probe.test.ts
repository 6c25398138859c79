/** HTTP health checks (probe: http): `fall` timed-out checks in a row mark a live server down, `rise` passes bring it back. */
import { describe, expect, it } from 'vitest';
import { Lifecycle, type LifecycleAction } from '../../src/simulation/lifecycle.js';
import { makeFleet } from '../helpers.js';

describe('HTTP health checks', () => {
  it('mark a saturated server down at the fall-th slow check and up at the rise-th fast one; a TCP check never does', () => {
    for (const probe of ['http', 'tcp'] as const) {
      const fleet = makeFleet(2);
      const queue: { at: number; a: LifecycleAction }[] = [];
      let now = 0;
      const marks: string[] = [];
      const config = { workers: 1, queueLimit: Infinity, sessionTtl: 1800, sessionCapacity: Infinity, initial: [{}, {}], healthCheck: { type: 'active' as const, interval: 2, fall: 3, rise: 2, probe, timeout: 1 } };
      const lc = new Lifecycle(fleet, config, {
        get now() {
          return now;
        },
        schedule: (at, a) => queue.push({ at, a }),
        evacuate: () => {},
        serverAdded: () => {},
        serverRemoved: () => {},
        reloadBalancer: () => {},
        sessionStore: () => {},
        probeWait: (server) => (server.id === 0 && now >= 4 && now <= 10 ? 1.5 : 0.2),
        trace: (event, server) => marks.push(`${now} ${event} ${server}`),
      });
      lc.start([], 100);
      const step = () => {
        queue.sort((x, y) => x.at - y.at);
        const next = queue.shift()!;
        now = next.at;
        lc.handle(next.a);
      };
      // Checks at 2, 4, 6, …: s1's slow (1.5 s > 1 s) at 4, 6, 8 and 10, then fast again.
      for (let k = 0; k < 9 && queue.length > 0; k++) step();
      if (probe === 'tcp') expect(marks).toEqual([]);
      else expect(marks).toEqual(['8 marked down (check timed out) s1', '14 marked up s1']);
      expect(fleet.servers[0]!.up).toBe(true);
    }
  });
});
