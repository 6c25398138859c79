/**
 * One traced session in the terms a diagram needs: how its strategy binds a
 * client to a server, and its requests (route, state, outcome) from its events.
 */
import type { PlainEvent } from './events.js';

/** How a strategy binds a client to a server, in words. */
export interface Binding {
  kind: 'cookie' | 'route' | 'table' | 'hash' | 'none' | 'shared' | 'other';
  /** The key (hashed or looked up in a table), in words. */
  key?: 'client IP' | 'client /24 network' | 'client-id header' | 'client-id URL parameter';
  /** Hashing onto a ring-like family (ring, maglev, rendezvous): a fleet change remaps few keys. */
  ring?: boolean;
  /** The balancer for requests without a usable binding. */
  balancer: string;
}

const KEY_WORDS = {
  ip: 'client IP',
  ip24: 'client /24 network',
  header: 'client-id header',
  param: 'client-id URL parameter',
} as const;

/** Key and family of the hashing presets, for traces whose options do not spell them out. */
const HASH_PRESETS: Record<string, { key: string; family: string }> = {
  'ip-hash': { key: 'ip', family: 'modulo' },
  'ip24-hash': { key: 'ip24', family: 'modulo' },
  'ip-ring': { key: 'ip', family: 'ring' },
  'ip-maglev': { key: 'ip', family: 'maglev' },
  'ip-rendezvous': { key: 'ip', family: 'rendezvous' },
  'ip-ring-bounded': { key: 'ip', family: 'ring' },
  'header-ring': { key: 'header', family: 'ring' },
};

/**
 * A strategy's binding in words, from its registry name and resolved options
 * (hashing and table strategies all carry `key`; hashing ones `family`).
 */
export function bindingOf(name: string, options: Record<string, unknown>): Binding {
  const fallback = String(options.fallback ?? options.balancer ?? name);
  const preset = HASH_PRESETS[name];
  const key = KEY_WORDS[(options.key ?? preset?.key) as keyof typeof KEY_WORDS];
  const family = options.family ?? preset?.family;
  if (family !== undefined) return { kind: 'hash', key, ring: family !== 'modulo', balancer: fallback };
  if (options.expire !== undefined) return { kind: 'table', key, balancer: fallback };
  switch (name) {
    case 'cookie':
      return { kind: 'cookie', balancer: fallback };
    case 'route':
      return { kind: 'route', balancer: fallback };
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
  /** Why a failed request failed: no-server, strict, undetected (a dead server not yet noticed), crash. */
  failure?: string;
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
    else if (e.type === 'dropped') r.end = 'dropped';
    else if (e.type === 'failed') Object.assign(r, { end: 'failed', failure: e.reason });
  }
  return out;
}
