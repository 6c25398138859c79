/** Why a session's state was not where its request landed. */
export const LossCause = {
  none: 0,
  /** Home is up and holds the state, but the request went elsewhere. */
  rerouted: 1,
  /** Home crashed, was removed, or restarted: its memory is gone. */
  serverLost: 2,
  /** Home dropped the state to make room (per-server capacity, LRU). */
  evicted: 3,
  /** The session sat idle past its TTL: not the balancer's fault. */
  expired: 4,
} as const;
export type LossCause = (typeof LossCause)[keyof typeof LossCause];
export const LOSS_CAUSE_NAMES = ['none', 'rerouted', 'server-lost', 'evicted', 'expired'] as const;

/**
 * One user session: the workload part is fixed when the session is generated
 * (so every strategy sees the same one); the rest is the state of its run.
 */
export interface Session {
  /** 1-based, in order of start. */
  readonly id: number;
  readonly start: number;
  /** The client's IPv4 address as an unsigned 32-bit integer. */
  readonly ip: number;
  /** The identifier the client sends in its header (device or user id). */
  readonly clientId: number;
  readonly acceptsCookies: boolean;
  readonly sendsHeader: boolean;
  /** Ends with a logout request (else the client abandons after its last request). */
  readonly logout: boolean;
  /** Service demand of each request, seconds: login, the N requests, then logout if any. */
  readonly demands: number[];
  /** Think time before each request after the first, seconds (length demands − 1). */
  readonly thinks: number[];

  // --- run state ---
  /** Index of the request in flight or next to send. */
  next: number;
  /** When the current request was sent to the balancer. */
  sentAt: number;
  /** When the current request started service (its wait is startedAt − sentAt). */
  startedAt: number;
  /** Server id named by the load-balancer cookie the client holds; −1 none. */
  cookie: number;
  /** Server id holding the session's state; −1 before the first request lands. */
  home: number;
  /** Identity of the current incarnation of the state (new after every loss). */
  stateId: number;
  /** Last time the state was used at home. */
  lastAccess: number;
  /** Set when home dropped the state (server-lost or evicted), with when. */
  dropCause: LossCause;
  droppedAt: number;
  /** Suffered at least one loss that was not an expiry. */
  lost: boolean;
  ended: boolean;
  /** Server id serving or queueing the current request; −1 none. */
  at: number;
  /** Engine id of the pending completion event, to cancel it on a crash. */
  completion: number;
}
