import { describe, expect, it } from 'vitest';
import { LossCause, type Session } from '../../src/model/session.js';
import { SessionStore } from '../../src/model/sessionStore.js';
import { makeSession } from '../helpers.js';

function session(): Session {
  return makeSession({ requests: 1 });
}

describe('SessionStore', () => {
  it('holds a state until it idles past the TTL; a touch refreshes it', () => {
    const store = new SessionStore(0, 10, Infinity);
    const s = session();
    store.create(s, 0);
    expect(store.holds(s, 10)).toBe(true);
    expect(store.holds(s, 10.001)).toBe(false);
    store.touch(s, 8);
    expect(store.holds(s, 18)).toBe(true);
    expect(s.lastAccess).toBe(8);
  });

  it('evicts the least recently used live state when full and marks it', () => {
    const store = new SessionStore(0, 100, 2);
    const [a, b, c] = [session(), session(), session()];
    store.create(a, 0);
    store.create(b, 1);
    store.touch(a, 2); // b is now least recently used
    store.create(c, 3);
    expect(store.size).toBe(2);
    expect(store.holds(b, 3)).toBe(false);
    expect(b.dropCause).toBe(LossCause.evicted);
    expect(a.dropCause).toBe(LossCause.none);
    expect(store.holds(a, 3) && store.holds(c, 3)).toBe(true);
  });

  it('does not mark an evicted state that had already expired or ended', () => {
    const store = new SessionStore(0, 5, 1);
    const [a, b, c] = [session(), session(), session()];
    store.create(a, 0);
    store.create(b, 10); // a idled past its TTL: dropped without blame
    expect(a.dropCause).toBe(LossCause.none);
    b.ended = true;
    store.create(c, 11);
    expect(b.dropCause).toBe(LossCause.none);
  });

  it('clear() marks live states server-lost and forgets everything', () => {
    const store = new SessionStore(0, 5, Infinity);
    const [a, b] = [session(), session()];
    store.create(a, 0);
    store.create(b, 8);
    store.clear(9); // a expired at 5: not blamed on the crash
    expect(store.size).toBe(0);
    expect(b.dropCause).toBe(LossCause.serverLost);
    expect(a.dropCause).toBe(LossCause.none);
  });

  it('purgeExpired drops only idle entries, oldest first', () => {
    const store = new SessionStore(0, 5, Infinity);
    const ss = [session(), session(), session()];
    ss.forEach((s, i) => store.create(s, i * 3)); // last used at 0, 3, 6
    store.purgeExpired(9); // idle 9, 6, 3 → first two go
    expect(store.size).toBe(1);
    expect(store.holds(ss[2]!, 9)).toBe(true);
  });

  it('keeps an orphaned incarnation (after a loss) until it idles out', () => {
    const store = new SessionStore(0, 5, Infinity);
    const s = session();
    store.create(s, 0);
    s.home = 3; // the session moved on to a new state elsewhere
    s.lastAccess = 4;
    expect(store.size).toBe(1);
    store.purgeExpired(4);
    expect(store.size).toBe(1);
    store.purgeExpired(5.5);
    expect(store.size).toBe(0);
  });
});

describe('SessionStore: which state is whose', () => {
  it('an old incarnation in the same store is an orphan once the session has a newer one', () => {
    const store = new SessionStore(0, 100, 2);
    const s = session();
    store.create(s, 0);
    s.home = 3; // lost to another server...
    store.create(s, 1); // ...then back here: a new state, the first one an orphan
    expect(store.size).toBe(2);
    expect(store.holds(s, 1)).toBe(true);
    const t = session();
    store.create(t, 2); // full: the orphan (least recently used) goes, unblamed
    expect(s.dropCause).toBe(LossCause.none);
    expect([store.size, store.holds(s, 2), store.holds(t, 2)]).toEqual([2, true, true]);
  });

  it('a session is not blamed for the state of another store with the same node', () => {
    const a = new SessionStore(0, 100, Infinity);
    const b = new SessionStore(1, 100, Infinity);
    const s = session();
    a.create(s, 0);
    b.create(s, 1); // moved: same node number in b, home 1
    expect([a.holds(s, 1), b.holds(s, 1)]).toEqual([false, true]);
    a.clear(2);
    expect(s.dropCause).toBe(LossCause.none);
    b.clear(2);
    expect(s.dropCause).toBe(LossCause.serverLost);
  });
});
