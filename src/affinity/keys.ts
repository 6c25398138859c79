import type { Session } from '../model/session.js';
import type { KeyExtractor } from './types.js';

/** The client's source address (HAProxy `balance source`, `stick on src`; nginx `hash $remote_addr`). */
export const clientIp: KeyExtractor = {
  name: 'ip',
  key: (s: Session) => s.ip,
};

/**
 * The first three octets of the IPv4 address, as nginx `ip_hash` keys: every
 * client of a /24 network goes to the same server.
 */
export const clientIp24: KeyExtractor = {
  name: 'ip24',
  key: (s: Session) => s.ip >>> 8,
};

/**
 * A client-identifier header such as `X-Client-Id` — a device or user id the
 * client sends from its first request on (HAProxy `balance hdr(X-Client-Id)`,
 * nginx `hash $http_x_client_id consistent`, Envoy `hash_policy.header`).
 * Requests without it have no key.
 */
export const clientHeader: KeyExtractor = {
  name: 'header',
  key: (s: Session) => (s.hasHeader ? s.clientId : -1),
};

/** The same identifier in a URL parameter (HAProxy `balance url_param id`, nginx `hash $arg_id`). */
export const clientParam: KeyExtractor = {
  name: 'param',
  key: (s: Session) => (s.hasParam ? s.clientId : -1),
};

/**
 * The text a client sends as its identifier (header or URL parameter value)
 * when a real system hashes the text itself: the identifier in decimal.
 */
export function identifierText(clientId: number): string {
  return String(clientId);
}

export const KEY_EXTRACTORS = { ip: clientIp, ip24: clientIp24, header: clientHeader, param: clientParam } as const;
export type KeyName = keyof typeof KEY_EXTRACTORS;
export const KEY_NAMES = Object.keys(KEY_EXTRACTORS) as KeyName[];
