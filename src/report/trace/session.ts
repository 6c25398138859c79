/**
 * One traced session in the terms a diagram needs: how its strategy binds a
 * client to a server, and its requests (route, state, outcome) from its events.
 */
import type { PlainEvent } from './events.js';

/** How a strategy binds a client to a server, in words. */
export interface Binding {
  kind: 'cookie' | 'hash' | 'none' | 'shared' | 'other';
  /** The hashed key, in words. */
  key?: 'client IP' | 'client-id header';
  ring?: boolean;
  /** The balancer for requests without a usable binding. */
  balancer: string;
}

/** Known strategies; a strategy not listed is described from its trace words alone. */
export function bindingOf(name: string, options: Record<string, unknown>): Binding {
  const fallback = String(options.fallback ?? options.balancer ?? name);
  switch (name) {
    case 'cookie':
      return { kind: 'cookie', balancer: fallback };
    case 'ip-hash':
      return { kind: 'hash', key: 'client IP', ring: false, balancer: fallback };
    case 'ip-ring':
      return { kind: 'hash', key: 'client IP', ring: true, balancer: fallback };
    case 'header-ring':
      return { kind: 'hash', key: 'client-id header', ring: true, balancer: fallback };
    case 'shared-store':
      return { kind: 'shared', balancer: fallback };
    case 'round-robin':
    case 'random':
    case 'least-conn':
    case 'p2c':
      return { kind: 'none', balancer: name };
    default:
      return { kind: 'other', balancer: fallback };
  }
}

/** Simulated time as "1m33s" (Mermaid text is safest without colons). */
export function clock(t: number): string {
  const s = Math.floor(t);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s`;
  return m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}


export interface Request {
  k: number;
  t: number;
  server: string | null;
  via: string;
  outcome?: 'created' | 'hit' | 'loss';
  cause?: string;
  end?: 'complete' | 'dropped' | 'failed';
  latency?: number;
}

/** The requests of the session, from its events. */
export function requestsOf(events: readonly PlainEvent[]): Map<number, Request> {
  const out = new Map<number, Request>();
  for (const e of events) {
    if (e.type === 'route') out.set(e.request, { k: e.request, t: e.t, server: e.server, via: e.via });
    const r = 'request' in e ? out.get(e.request) : undefined;
    if (r === undefined) continue;
    if (e.type === 'state') Object.assign(r, { outcome: e.outcome, cause: e.cause });
    else if (e.type === 'complete') Object.assign(r, { end: 'complete', latency: e.latency });
    else if (e.type === 'dropped' || e.type === 'failed') r.end = e.type;
  }
  return out;
}
