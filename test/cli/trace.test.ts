import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const SEED = 'scenarios/seed-two-servers.yaml';

describe('stickysim trace', () => {
  it('draws the seed picture for cookie: established on s1, continues on s1, ended, s2 unused', async () => {
    const r = await cli('trace', SEED, '--strategy', 'cookie', '--session', '23');
    expect([r.code, r.err]).toEqual([0, '']);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines.filter((l) => l.includes('participant'))).toEqual([
      '    participant C as Client', '    participant LB as Load Balancer', '    participant S1 as Server s1', '    participant S2 as Server s2',
    ]);
    const order = ['C->>LB: login', 'Sticky session established on s1', 'C->>LB: request 2', 'Session continues on s1', 'C->>LB: logout', 'Session ended: logged out after 3 requests', 's2 unused by this session'];
    const at = order.map((s) => r.out.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(r.out).not.toContain('LB->>S2');
  });

  it('--session defaults to 1; the same session under round-robin is lost', async () => {
    const cookie = await cli('trace', SEED, '--strategy', 'cookie');
    expect(cookie.out).toContain('Session 1 of seed-two-servers under cookie');
    const rr = await cli('trace', SEED, '--strategy', 'round-robin', '--session', '23');
    expect(rr.out).toContain('Session lost (rerouted)');
  });

  it('first-lost finds the first session lost other than by expiry', async () => {
    const early = ['--set', 'timeline[0].at=5m', '--set', 'timeline[1].at=8m', '--set', 'timeline[2].at=10m'];
    const r = await cli('trace', 'scenarios/quickstart.yaml', '--strategy', 'ip-hash', '--session', 'first-lost', ...early);
    expect(r.code).toBe(0);
    // The crash of s3 remaps the client's IP (modulo 7 instead of 8): the first loss of all.
    expect(r.out).toMatch(/Note over (LB|S3): 5m00s · s3 crashes/);
    expect(r.out).toMatch(/Session lost \((rerouted|server-lost)\) at 5m/);
  });

  it('--format jsonl writes the raw event log, bounded by --limit', async () => {
    const r = await cli('trace', SEED, '--strategy', 'cookie', '--format', 'jsonl', '--limit', '25');
    expect(r.code).toBe(0);
    const events = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(events).toHaveLength(25);
    expect(r.err).toBe('stickysim: trace stopped at --limit 25 events\n');
    expect(events[0]).toEqual({
      t: expect.any(Number), type: 'session-start',
      session: { id: 1, start: events[0].t, ip: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/), clientId: expect.any(Number), acceptsCookies: true, sendsHeader: true, logout: false, requests: 13 },
    });
    expect(events[1]).toMatchObject({ type: 'route', session: 1, request: 0, server: 's1', via: 'fallback' });
    expect(events.every((e, i) => i === 0 || e.t >= events[i - 1].t)).toBe(true);
  });

  it('--format jsonl --session K logs that session only, whole', async () => {
    const r = await cli('trace', SEED, '--strategy', 'cookie', '--format', 'jsonl', '--session', '23');
    const events = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(new Set(events.map((e) => e.session?.id ?? e.session))).toEqual(new Set([23]));
    expect(events.map((e) => e.type)).toEqual(['session-start', ...Array(3).fill(['route', 'state', 'complete']).flat(), 'session-end']);
    expect(r.err).toBe('');
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown strategy', ['--strategy', 'sticky'], /--strategy: unknown strategy "sticky": expected one of cookie, round-robin/],
    ['no strategy for a scenario with several', [], /--strategy: expected one of cookie, round-robin, ip-hash, least-conn/],
    ['a session out of range', ['--strategy', 'cookie', '--session', '5000'], /--session 5000: out of range — the run of cookie started 1\d\d sessions/],
    ['a session that is not a number', ['--strategy', 'cookie', '--session', 'last'], /--session: expected a session number \(1, 2, …\) or first-lost, got "last"/],
    ['no lost session', ['--strategy', 'cookie', '--session', 'first-lost'], /--session first-lost: no session of cookie suffered a loss/],
    ['a bad limit', ['--strategy', 'cookie', '--format', 'jsonl', '--limit', '0'], /--limit: expected a whole number ≥ 1/],
    ['an unknown format', ['--strategy', 'cookie', '--format', 'svg'], /Invalid values:.*format/s],
  ];
  for (const [what, args, message] of bad) {
    it(`${what}: exit 2, one line, nothing on stdout`, async () => {
      const r = await cli('trace', SEED, ...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.out).toBe('');
    });
  }
});
