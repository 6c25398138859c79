import type { Session } from '../model/session.js';

/**
 * What happened to one request or session, for traces and tests. Emitted only
 * when a run is given a tracer, so untraced runs pay nothing for it.
 */
export type TraceEvent =
  | { t: number; type: 'session-start'; session: Session }
  | { t: number; type: 'route'; session: number; request: number; server: string | null; via: string }
  | { t: number; type: 'state'; session: number; request: number; server: string; outcome: 'created' | 'hit' | 'loss'; cause?: string }
  | { t: number; type: 'complete'; session: number; request: number; server: string; latency: number }
  | { t: number; type: 'dropped'; session: number; request: number; server: string }
  | { t: number; type: 'failed'; session: number; request: number; server: string | null; reason: 'no-server' | 'strict' | 'undetected' | 'crash' | 'store' }
  | { t: number; type: 'session-end'; session: number; logout: boolean }
  | { t: number; type: 'fleet'; event: string; server: string };

export type Tracer = (e: TraceEvent) => void;

/**
 * Builds the trace events of a run and hands them to its tracer. The
 * simulation calls it only when a tracer is set (`this.trace?.route(…)`), so
 * its hot paths carry a call, not the events' construction: smaller functions
 * that the JIT inlines further.
 */
export class TraceEmitter {
  constructor(private readonly tracer: Tracer) {}

  sessionStart(t: number, session: Session): void {
    this.tracer({ t, type: 'session-start', session });
  }

  route(t: number, s: Session, server: string | null, via: string): void {
    this.tracer({ t, type: 'route', session: s.id, request: s.next, server, via });
  }

  state(t: number, s: Session, server: string, outcome: 'created' | 'hit' | 'loss', cause?: string): void {
    this.tracer({ t, type: 'state', session: s.id, request: s.next, server, outcome, ...(cause === undefined ? {} : { cause }) });
  }

  complete(t: number, s: Session, server: string, latency: number): void {
    this.tracer({ t, type: 'complete', session: s.id, request: s.next, server, latency });
  }

  dropped(t: number, s: Session, server: string): void {
    this.tracer({ t, type: 'dropped', session: s.id, request: s.next, server });
  }

  failed(t: number, s: Session, server: string | null, reason: Extract<TraceEvent, { type: 'failed' }>['reason']): void {
    this.tracer({ t, type: 'failed', session: s.id, request: s.next, server, reason });
  }

  sessionEnd(t: number, s: Session): void {
    this.tracer({ t, type: 'session-end', session: s.id, logout: s.logout });
  }

  fleet(t: number, event: string, server: string): void {
    this.tracer({ t, type: 'fleet', event, server });
  }
}
