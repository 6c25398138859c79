import { Fleet } from '../src/model/fleet.js';
import { LossCause, type Session } from '../src/model/session.js';

export function makeFleet(n: number, workers = 1): Fleet {
  return new Fleet({ workers, queueLimit: Infinity, sessionTtl: 1800, sessionCapacity: Infinity }, n);
}

let nextId = 0;
export function makeSession(over: Partial<Session> = {}): Session {
  const id = ++nextId;
  const s: Session = {
    id, start: 0, key: id * 2654435761 >>> 0, ip: id * 7919, natGroup: -1, ipChangeRate: 0, ipVersion: 0, nextIpChange: Infinity,
    clientId: id, acceptsCookies: true, sendsHeader: true, sendsParam: true, keepsRoute: true, logout: false,
    demands: [0.1, 0.1, 0.1], thinks: [1, 1], hasCookie: true, hasHeader: true, hasParam: true, hasRoute: true,
    next: 0, sentAt: 0, rebind: false, cookie: -1, cookieIssued: 0, cookieUsed: 0, route: -1, home: -1, stateId: 0, lastAccess: 0,
    dropCause: LossCause.none, droppedAt: 0, lost: false, ended: false, at: -1, completion: -1,
    ...over,
  };
  // What a request carries follows the client's habits unless set explicitly.
  if (over.hasCookie === undefined) s.hasCookie = s.acceptsCookies;
  if (over.hasHeader === undefined) s.hasHeader = s.sendsHeader;
  if (over.hasParam === undefined) s.hasParam = s.sendsParam;
  if (over.hasRoute === undefined) s.hasRoute = s.keepsRoute;
  return s;
}

/** Makes `server` look loaded with `n` requests in flight. */
export function load(fleet: Fleet, id: number, n: number): void {
  const s = fleet.servers[id]!;
  for (let i = 0; i < n; i++) s.enqueue(makeSession());
}
