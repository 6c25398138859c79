import type { Session } from '../../model/session.js';
import type { TraceEvent } from '../../simulation/trace.js';

/** A session as traces show it: what the workload drew for it, not its run state. */
export interface PlainSession {
  id: number;
  start: number;
  /** Dotted IPv4. */
  ip: string;
  clientId: number;
  acceptsCookies: boolean;
  sendsHeader: boolean;
  logout: boolean;
  /** Requests, the login (and logout, if any) included. */
  requests: number;
}

type Others = Exclude<TraceEvent, { type: 'session-start' }>;
export type RouteEvent = Extract<TraceEvent, { type: 'route' }>;
export type StateEvent = Extract<TraceEvent, { type: 'state' }>;
export type FleetEvent = Extract<TraceEvent, { type: 'fleet' }>;
/** A trace event with the session copied into a small plain object (the live one keeps changing). */
export type PlainEvent = Others | { t: number; type: 'session-start'; session: PlainSession };

export function ipString(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

export function plainSession(s: Session): PlainSession {
  return {
    id: s.id,
    start: s.start,
    ip: ipString(s.ip),
    clientId: s.clientId,
    acceptsCookies: s.acceptsCookies,
    sendsHeader: s.sendsHeader,
    logout: s.logout,
    requests: s.requests,
  };
}

export function plainEvent(e: TraceEvent): PlainEvent {
  return e.type === 'session-start' ? { t: e.t, type: e.type, session: plainSession(e.session) } : { ...e };
}

/** The session an event concerns, if any. */
export function sessionOf(e: TraceEvent | PlainEvent): number | undefined {
  if (e.type === 'fleet') return undefined;
  return e.type === 'session-start' ? e.session.id : e.session;
}
