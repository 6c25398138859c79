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
  /** Per-session random key: per-request draws are pure functions of it (common random numbers). */
  readonly key: number;
  /** The client's current public IPv4 address as an unsigned 32-bit integer (changes under IP churn). */
  ip: number;
  /** NAT / proxy group the client sits behind (it shares that group's address), −1 for none. */
  readonly natGroup: number;
  /** How many times the address has changed, and when it changes next. */
  ipVersion: number;
  nextIpChange: number;
  /** The identifier the client sends in its header or URL parameter (device or user id). */
  readonly clientId: number;
  /** Client keeps cookies (browsers do; curl and many API clients do not). */
  readonly acceptsCookies: boolean;
  /** Client sends its identifier header / URL parameter at all. */
  readonly sendsHeader: boolean;
  readonly sendsParam: boolean;
  /** Client echoes the server's route value (e.g. a jvmRoute session-id suffix); proxies may strip it. */
  readonly keepsRoute: boolean;
  /** Ends with a logout request (else the client abandons after its last request). */
  readonly logout: boolean;
  /** Requests in all: the login, the N requests, then the logout if any. */
  readonly requests: number;

  // --- what the current request carries (set by the client model when it is sent) ---
  hasCookie: boolean;
  hasHeader: boolean;
  hasParam: boolean;
  hasRoute: boolean;

  // --- run state ---
  /** Index of the request in flight or next to send. */
  next: number;
  /** When the current request was sent to the balancer. */
  sentAt: number;
  /** The load balancer should (re)write the stored binding for this request (set when it is routed). */
  rebind: boolean;
  /**
   * When the current request started service. Its queue wait is startedAt
   * minus when it reached its server: sentAt, or sentAt plus the policy's
   * retry delay when it was `retried`.
   */
  startedAt: number;
  /** Server id named by the load-balancer cookie the client holds; −1 none. */
  cookie: number;
  /** When that cookie was issued and last presented (for max-life / max-idle). */
  cookieIssued: number;
  cookieUsed: number;
  /** Server id named by the route value the client echoes; −1 none. */
  route: number;
  /** Server id holding the session's state; −1 before the first request lands. */
  home: number;
  /**
   * Where home's store keeps the current incarnation of the state (the
   * store's own handle; −1 none). Home and node together identify it: after
   * a loss the session names its new state and the old one is an orphan.
   */
  stateNode: number;
  /** Last time the state was used at home. */
  lastAccess: number;
  /** Set when home dropped the state (server-lost or evicted). */
  dropCause: LossCause;
  /** Suffered at least one loss that was not an expiry. */
  lost: boolean;
  ended: boolean;
  /**
   * Retry turns the current request waits before it reaches its server (0
   * for almost every request): the load balancer's retries of a server that
   * refused or is down, each turn its `retryDelay` long. A count, not a time:
   * the delay is turns × the policy's one delay, recomputed exactly.
   */
  retryTurns: number;
  /** Server id serving or queueing the current request (or that it is retrying towards); −1 none. */
  at: number;
  /** Engine id of the pending completion event, to cancel it on a crash. */
  completion: number;
}

/**
 * A session that stands for a request but belongs to no workload (balls in
 * bins, tests): no client, no demands, no state.
 */
export function placeholderSession(id = 0): Session {
  return {
    id, start: 0, key: 0, ip: 0, natGroup: -1, ipVersion: 0, nextIpChange: Infinity, clientId: 0,
    acceptsCookies: false, sendsHeader: false, sendsParam: false, keepsRoute: false, logout: false, requests: 1,
    hasCookie: false, hasHeader: false, hasParam: false, hasRoute: false, next: 0, sentAt: 0, rebind: false, startedAt: 0,
    cookie: -1, cookieIssued: 0, cookieUsed: 0, route: -1, home: -1, stateNode: -1, lastAccess: 0, dropCause: LossCause.none,
    lost: false, ended: false, retryTurns: 0, at: -1, completion: -1,
  };
}

/** What the workload draws for a session when it starts; the rest of a session is run state. */
export interface SessionDraw {
  id: number;
  start: number;
  ip: number;
  natGroup: number;
  nextIpChange: number;
  acceptsCookies: boolean;
  sendsHeader: boolean;
  sendsParam: boolean;
  keepsRoute: boolean;
  logout: boolean;
  requests: number;
}
