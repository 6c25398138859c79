import { describe, expect, it } from 'vitest';
import { createStreams } from '../../src/engine/random.js';
import { Workload, type WorkloadSpec } from '../../src/model/workload.js';

const spec = (steps: WorkloadSpec['arrivals']['steps'], extra: Partial<WorkloadSpec> = {}): WorkloadSpec => ({
  arrivals: { steps },
  requests: { dist: 'geometric', mean: 4 },
  think: { dist: 'exponential', mean: 5 },
  service: { dist: 'exponential', mean: 0.1 },
  logoutProbability: 0.5,
  clients: {
    cookieAcceptance: 0.8, cookieLoss: 0, headerProbability: 0.3, headerMissing: 0,
    paramProbability: 1, paramMissing: 0, routeKept: 1, routeLoss: 0,
  },
  ...extra,
});

function arrivalsUntil(w: Workload, end: number): number[] {
  const out: number[] = [];
  for (let t = w.nextArrival(0); t < end; t = w.nextArrival(t)) out.push(t);
  return out;
}

describe('Workload', () => {
  it('arrives as a Poisson process at the given rate', () => {
    const w = new Workload(spec([{ at: 0, rate: 5 }]), createStreams(1));
    const times = arrivalsUntil(w, 20_000);
    expect(Math.abs(times.length / 20_000 - 5)).toBeLessThan(0.05);
    // Exponential gaps: coefficient of variation 1.
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const m = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - m) ** 2, 0) / gaps.length);
    expect(Math.abs(sd / m - 1)).toBeLessThan(0.02);
  });

  it('follows a piecewise-constant schedule, including a silent step', () => {
    const w = new Workload(spec([{ at: 0, rate: 2 }, { at: 1000, rate: 0 }, { at: 2000, rate: 10 }]), createStreams(2));
    const times = arrivalsUntil(w, 3000);
    const inRange = (a: number, b: number) => times.filter((t) => t >= a && t < b).length;
    expect(Math.abs(inRange(0, 1000) / 1000 - 2)).toBeLessThan(0.15);
    expect(inRange(1000, 2000)).toBe(0);
    expect(Math.abs(inRange(2000, 3000) / 1000 - 10)).toBeLessThan(0.4);
  });

  it('stops when the rate drops to zero for good', () => {
    const w = new Workload(spec([{ at: 0, rate: 1 }, { at: 10, rate: 0 }]), createStreams(3));
    const times = arrivalsUntil(w, Infinity);
    expect(times.every((t) => t < 10)).toBe(true);
  });

  it('draws whole sessions: login, N requests, logout with a probability; unique IPs', () => {
    const w = new Workload(spec([{ at: 0, rate: 1 }]), createStreams(4));
    const sessions = Array.from({ length: 20_000 }, (_, i) => w.create(i));
    const ips = new Set(sessions.map((s) => s.ip));
    expect(ips.size).toBe(sessions.length);
    expect(sessions.map((s) => s.id).slice(0, 3)).toEqual([1, 2, 3]);
    for (const s of sessions) expect(s.requests).toBeGreaterThanOrEqual(s.logout ? 2 : 1);
    const frac = (f: (s: (typeof sessions)[0]) => boolean) => sessions.filter(f).length / sessions.length;
    expect(Math.abs(frac((s) => s.logout) - 0.5)).toBeLessThan(0.015);
    expect(Math.abs(frac((s) => s.acceptsCookies) - 0.8)).toBeLessThan(0.015);
    expect(Math.abs(frac((s) => s.sendsHeader) - 0.3)).toBeLessThan(0.015);
    const meanRequests = sessions.reduce((a, s) => a + s.requests - 1 - (s.logout ? 1 : 0), 0) / sessions.length;
    expect(Math.abs(meanRequests - 4)).toBeLessThan(0.1);
  });

  it('draws service demands and think times per request as pure functions of the session, with the right distribution', () => {
    const w = new Workload(spec([{ at: 0, rate: 1 }]), createStreams(5));
    const sessions = Array.from({ length: 20_000 }, (_, i) => w.create(i));
    const draw = (s: (typeof sessions)[0], i: number, f: 'demand' | 'think') => {
      s.next = i;
      return w[f](s);
    };
    // The same whatever the order of asking (so every strategy sees the same ones).
    const ask = (s: (typeof sessions)[0]) => [draw(s, 1, 'demand'), draw(s, 2, 'demand'), draw(s, 1, 'think')];
    const some = sessions.slice(0, 50);
    const forward = some.map(ask);
    const backward = [...some].reverse().map((s) => [draw(s, 1, 'think'), draw(s, 2, 'demand'), draw(s, 1, 'demand')].reverse()).reverse();
    expect(backward).toEqual(forward);
    expect(new Set(forward.flat()).size).toBe(150);
    // Exponential with the given means: mean and coefficient of variation 1.
    const moments = (xs: number[]) => {
      const m = xs.reduce((a, x) => a + x, 0) / xs.length;
      const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
      return [m, Math.sqrt(v) / m];
    };
    const demands = sessions.flatMap((s) => [draw(s, 0, 'demand'), draw(s, 1, 'demand')]);
    const thinks = sessions.map((s) => draw(s, 1, 'think'));
    const [dm, dcv] = moments(demands);
    const [tm, tcv] = moments(thinks);
    expect(Math.abs(dm! / 0.1 - 1)).toBeLessThan(0.02);
    expect(Math.abs(dcv! - 1)).toBeLessThan(0.03);
    expect(Math.abs(tm! / 5 - 1)).toBeLessThan(0.03);
    expect(Math.abs(tcv! - 1)).toBeLessThan(0.03);
    // Independent of each other: request 0 and 1 of a session, and demand vs think.
    const corr = (a: number[], b: number[]) => {
      const [ma] = moments(a);
      const [mb] = moments(b);
      let c = 0;
      let va = 0;
      let vb = 0;
      for (let i = 0; i < a.length; i++) {
        c += (a[i]! - ma!) * (b[i]! - mb!);
        va += (a[i]! - ma!) ** 2;
        vb += (b[i]! - mb!) ** 2;
      }
      return c / Math.sqrt(va * vb);
    };
    const first = demands.filter((_, i) => i % 2 === 0);
    const second = demands.filter((_, i) => i % 2 === 1);
    expect(Math.abs(corr(first, second))).toBeLessThan(0.03);
    expect(Math.abs(corr(second, thinks))).toBeLessThan(0.03);
  });
});
