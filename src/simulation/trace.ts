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
  | { t: number; type: 'failed'; session: number; request: number; server: string | null; reason: 'no-server' | 'strict' | 'undetected' | 'crash' }
  | { t: number; type: 'session-end'; session: number; logout: boolean }
  | { t: number; type: 'fleet'; event: string; server: string };

export type Tracer = (e: TraceEvent) => void;
