import { describe, expect, it } from 'vitest';
import { LossCause, type SessionDraw } from '../../src/model/session.js';
import { SessionTable } from '../../src/model/sessionTable.js';

const draw = (id: number, over: Partial<SessionDraw> = {}): SessionDraw => ({
  id, start: id * 1.5, ip: 0xc0a80000 + id, natGroup: -1, nextIpChange: Infinity,
  acceptsCookies: true, sendsHeader: false, sendsParam: true, keepsRoute: false, logout: id % 2 === 0, requests: 3, ...over,
});

describe('SessionTable', () => {
  it('a row reads back what the workload drew, with fresh run state', () => {
    const t = new SessionTable(2);
    const s = t.add(draw(7, { natGroup: 3, nextIpChange: 99 }));
    expect([s.id, s.clientId, s.start, s.key, s.ip, s.natGroup, s.nextIpChange, s.requests]).toEqual(
      [7, 7, 10.5, 415870660, 0xc0a80007, 3, 99, 3]); // the key: MurmurHash3's fmix32(7 ^ salt 0)
    expect([s.acceptsCookies, s.sendsHeader, s.sendsParam, s.keepsRoute, s.logout]).toEqual([true, false, true, false, false]);
    expect([s.next, s.cookie, s.route, s.home, s.stateNode, s.at, s.completion, s.dropCause]).toEqual(
      [0, -1, -1, -1, -1, -1, -1, LossCause.none]);
    // A request carries what the client sends until the client model says otherwise.
    expect([s.hasCookie, s.hasHeader, s.hasParam, s.hasRoute]).toEqual([true, false, true, false]);
    expect([s.rebind, s.lost, s.ended, s.retryTurns]).toEqual([false, false, false, 0]);
    expect([s.sentAt, s.startedAt, s.lastAccess]).toEqual([10.5, 10.5, 10.5]);
  });

  it('keys are a salted bijection of the session number', () => {
    expect(new SessionTable(1, 0x12345678).add(draw(7)).key).toBe(2950585074);
    const t = new SessionTable(4, 99);
    const keys = new Set(Array.from({ length: 1000 }, (_, i) => t.keyOf(i + 1)));
    expect(keys.size).toBe(1000);
  });

  it('each flag is its own bit, and every field keeps what is written', () => {
    const t = new SessionTable(1);
    const s = t.add(draw(1));
    const flags = ['hasCookie', 'hasHeader', 'hasParam', 'hasRoute', 'rebind', 'lost', 'ended'] as const;
    for (const f of flags) s[f] = false;
    for (const f of flags) {
      s[f] = true;
      expect(flags.filter((g) => s[g])).toEqual([f]);
      s[f] = false;
    }
    expect([s.acceptsCookies, s.sendsParam]).toEqual([true, true]);
    s.ip = 0xffffffff;
    s.cookie = 5;
    s.cookieIssued = 1.25;
    s.completion = 2 ** 40;
    s.dropCause = LossCause.evicted;
    expect([s.ip, s.cookie, s.cookieIssued, s.completion, s.dropCause]).toEqual([0xffffffff, 5, 1.25, 2 ** 40, LossCause.evicted]);
    // The drop cause shares the flags' word: neither disturbs the other.
    for (const f of flags) s[f] = true;
    for (const cause of Object.values(LossCause)) {
      s.dropCause = cause;
      expect([s.dropCause, flags.every((f) => s[f]), s.acceptsCookies, s.logout]).toEqual([cause, true, true, false]);
    }
    s.lost = false;
    expect([s.dropCause, s.lost, s.ended]).toEqual([LossCause.expired, false, true]);
    // Retry turns share the word too: 0…255, disturbing no flag and no cause.
    for (const turns of [1, 3, 128, 255, 0]) {
      s.retryTurns = turns;
      expect([s.retryTurns, s.dropCause, s.ended, s.hasRoute, s.acceptsCookies]).toEqual([turns, LossCause.expired, true, true, true]);
    }
  });

  it('grows without losing rows, and reuses released rows with their cursors', () => {
    const t = new SessionTable(2);
    const rows = Array.from({ length: 100 }, (_, i) => t.add(draw(i + 1)));
    rows.forEach((s, i) => (s.cookie = i));
    expect(rows.map((s) => [s.id, s.cookie])).toEqual(rows.map((_, i) => [i + 1, i]));
    expect(t.open).toBe(100);
    const old = rows[40]!;
    old.retryTurns = 3;
    old.ended = true;
    t.release(old);
    expect(t.open).toBe(99);
    const again = t.add(draw(101));
    expect(again).toBe(old);
    expect([again.id, again.cookie, again.ended, again.retryTurns]).toEqual([101, -1, false, 0]);
    expect(t.open).toBe(100);
  });
});
