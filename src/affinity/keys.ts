import type { Session } from '../model/session.js';
import type { KeyExtractor } from './types.js';

/** The client's source address (HAProxy `balance source`, nginx `ip_hash`/`hash $remote_addr`). */
export const clientIp: KeyExtractor = {
  name: 'ip',
  key: (s: Session) => s.ip,
};

/**
 * A client-identifier header such as `X-Client-Id` — a device or user id the
 * client sends from its first request on (HAProxy `balance hdr(X-Client-Id)`,
 * nginx `hash $http_x_client_id consistent`, Envoy `hash_policy.header`).
 * Clients that do not send it have no key.
 */
export const clientHeader: KeyExtractor = {
  name: 'header',
  key: (s: Session) => (s.sendsHeader ? s.clientId : -1),
};
