import { Fleet } from '../src/model/fleet.js';
import { LossCause, type Session } from '../src/model/session.js';

export function makeFleet(n: number, workers = 1): Fleet {
  return new Fleet({ workers, queueLimit: Infinity, sessionTtl: 1800, sessionCapacity: Infinity }, n);
}

let nextId = 0;
export function makeSession(over: Partial<Session> = {}): Session {
  const id = ++nextId;
  return {
    id, start: 0, ip: id * 7919, clientId: id, acceptsCookies: true, sendsHeader: true, logout: false,
    demands: [0.1, 0.1, 0.1], thinks: [1, 1], next: 0, sentAt: 0, startedAt: 0, cookie: -1, home: -1, stateId: 0, lastAccess: 0,
    dropCause: LossCause.none, droppedAt: 0, lost: false, ended: false, at: -1, completion: -1,
    ...over,
  };
}

/** Makes `server` look loaded with `n` requests in flight. */
export function load(fleet: Fleet, id: number, n: number): void {
  const s = fleet.servers[id]!;
  for (let i = 0; i < n; i++) s.enqueue(makeSession());
}
