import { fmix32 } from './hash.js';
import { LossCause, type Session, type SessionDraw } from './session.js';

// Bits of a session's flags (SessionRow.flags).
const ACCEPTS_COOKIES = 1 << 0;
const SENDS_HEADER = 1 << 1;
const SENDS_PARAM = 1 << 2;
const KEEPS_ROUTE = 1 << 3;
const LOGOUT = 1 << 4;
const HAS_COOKIE = 1 << 5;
const HAS_HEADER = 1 << 6;
const HAS_PARAM = 1 << 7;
const HAS_ROUTE = 1 << 8;
const REBIND = 1 << 9;
const LOST = 1 << 10;
const ENDED = 1 << 11;
/** Bits 12–14 hold the drop cause (a LossCause). */
const DROP_SHIFT = 12;
const DROP_MASK = 7 << DROP_SHIFT;
/** Bits 16–23 hold the current request's retry turns (0–255; see Session.retryTurns). */
const TURNS_SHIFT = 16;
const TURNS_MASK = 255 << TURNS_SHIFT;
/** Most retry turns a request can wait (the bits that hold them). */
export const MAX_RETRY_TURNS = 255;

/**
 * The sessions of a run as rows of a table: one typed array per field, a
 * row per session alive, rows of ended sessions reused. A session is handed
 * around as a {@link SessionRow}, a small cursor object bound to its row for
 * good, so the rest of the model reads `s.cookie` as if the session were an
 * ordinary object.
 *
 * Why: a session held as an object of some forty fields costs about 600
 * bytes (doubles are boxed on the heap), and allocating one per session kept
 * the garbage collector busy. As rows, a session costs 88 bytes of columns
 * plus its cursor of 88 (a header of 24 and eight fields of 8), and a run
 * allocates nothing per session once the table has grown to the number of
 * sessions alive at once.
 */
export class SessionTable {
  /** Rows in the table; each has its cursor, created with the row and reused with it. */
  private size = 0;
  /** Cursors of rows free for reuse. */
  private readonly free: SessionRow[] = [];

  // Columns. Times in seconds (Float64); ids, keys, addresses, server ids (32-bit). The small
  // integers read on every request live on the cursor instead (see SessionRow).
  id: Uint32Array;
  ip: Uint32Array;
  natGroup: Int32Array;
  ipVersion: Int32Array;
  cookie: Int32Array;
  route: Int32Array;
  start: Float64Array;
  nextIpChange: Float64Array;
  sentAt: Float64Array;
  startedAt: Float64Array;
  cookieIssued: Float64Array;
  cookieUsed: Float64Array;
  lastAccess: Float64Array;
  completion: Float64Array;

  /**
   * `keySalt` seeds the sessions' keys: a session's key is a bijection of its
   * number, computed when asked for rather than stored.
   */
  constructor(
    initialRows = 256,
    readonly keySalt = 0,
  ) {
    const n = Math.max(1, initialRows | 0);
    this.id = new Uint32Array(n);
    this.ip = new Uint32Array(n);
    this.natGroup = new Int32Array(n);
    this.ipVersion = new Int32Array(n);
    this.cookie = new Int32Array(n);
    this.route = new Int32Array(n);
    this.start = new Float64Array(n);
    this.nextIpChange = new Float64Array(n);
    this.sentAt = new Float64Array(n);
    this.startedAt = new Float64Array(n);
    this.cookieIssued = new Float64Array(n);
    this.cookieUsed = new Float64Array(n);
    this.lastAccess = new Float64Array(n);
    this.completion = new Float64Array(n);
  }

  /** The key of session `id`: MurmurHash3's finaliser of the number and the salt, so keys are distinct. */
  keyOf(id: number): number {
    return fmix32((id ^ this.keySalt) >>> 0);
  }

  /** Rows in use (sessions alive). */
  get open(): number {
    return this.size - this.free.length;
  }

  /** A new session from what the workload drew: a free row, filled in. */
  add(d: SessionDraw): SessionRow {
    const s = this.free.length > 0 ? this.free.pop()! : this.newRow();
    const r = s.row;
    this.id[r] = d.id;
    this.ip[r] = d.ip;
    this.natGroup[r] = d.natGroup;
    this.ipVersion[r] = 0;
    this.cookie[r] = -1;
    this.route[r] = -1;
    s.requests = d.requests;
    s.next = 0;
    s.home = -1;
    s.stateNode = -1;
    s.at = -1;
    // What a request carries starts as what the client sends (the client model may drop some per request).
    s.flags =
      (d.acceptsCookies ? ACCEPTS_COOKIES | HAS_COOKIE : 0) |
      (d.sendsHeader ? SENDS_HEADER | HAS_HEADER : 0) |
      (d.sendsParam ? SENDS_PARAM | HAS_PARAM : 0) |
      (d.keepsRoute ? KEEPS_ROUTE | HAS_ROUTE : 0) |
      (d.logout ? LOGOUT : 0);
    this.start[r] = d.start;
    this.nextIpChange[r] = d.nextIpChange;
    this.sentAt[r] = d.start;
    this.startedAt[r] = d.start;
    this.cookieIssued[r] = 0;
    this.cookieUsed[r] = 0;
    this.lastAccess[r] = d.start;
    this.completion[r] = -1;
    return s;
  }

  /**
   * The session has ended and nothing will be scheduled for it again: its
   * row may be reused. Stores may still name the cursor as the owner of an
   * old state; they recognise it is not theirs by its state id.
   */
  release(s: SessionRow): void {
    this.free.push(s);
  }

  private newRow(): SessionRow {
    if (this.size === this.id.length) this.grow();
    return new SessionRow(this, this.size++);
  }

  private grow(): void {
    const n = this.id.length * 2;
    const widen = <A extends Uint32Array | Int32Array | Uint16Array | Uint8Array | Float64Array>(a: A): A => {
      const b = new (a.constructor as new (n: number) => A)(n);
      b.set(a);
      return b;
    };
    this.id = widen(this.id);
    this.ip = widen(this.ip);
    this.natGroup = widen(this.natGroup);
    this.ipVersion = widen(this.ipVersion);
    this.cookie = widen(this.cookie);
    this.route = widen(this.route);
    this.start = widen(this.start);
    this.nextIpChange = widen(this.nextIpChange);
    this.sentAt = widen(this.sentAt);
    this.startedAt = widen(this.startedAt);
    this.cookieIssued = widen(this.cookieIssued);
    this.cookieUsed = widen(this.cookieUsed);
    this.lastAccess = widen(this.lastAccess);
    this.completion = widen(this.completion);
  }

}

/**
 * A session: a cursor on its row of a {@link SessionTable}. The small
 * integers every request reads and writes (its progress, where it is, where
 * its state is, the flags) are plain fields of the cursor rather than
 * columns. A field costs 8 bytes where an Int32 column costs 4 (Node's V8
 * does not compress pointers), but it is read without a getter, which leaves
 * V8's inlining budget to the code around it: mmc ran 8–20% faster for the
 * 24 bytes.
 */
export class SessionRow implements Session {
  /** Requests in all: the login, the N requests, then the logout if any. */
  requests = 1;
  /** Index of the request in flight or next to send. */
  next = 0;
  /** Server id serving or queueing the current request; −1 none. */
  at = -1;
  /** Server id holding the session's state; −1 before the first request lands. */
  home = -1;
  /** The node of home's store holding the state; −1 none. */
  stateNode = -1;
  /** Bits: what the client does, what the current request carries, lost, ended. */
  flags = 0;

  constructor(
    private readonly t: SessionTable,
    readonly row: number,
  ) {}

  get id(): number {
    return this.t.id[this.row]!;
  }
  get start(): number {
    return this.t.start[this.row]!;
  }
  get key(): number {
    return this.t.keyOf(this.t.id[this.row]!);
  }
  get ip(): number {
    return this.t.ip[this.row]!;
  }
  set ip(v: number) {
    this.t.ip[this.row] = v;
  }
  get natGroup(): number {
    return this.t.natGroup[this.row]!;
  }
  get ipVersion(): number {
    return this.t.ipVersion[this.row]!;
  }
  set ipVersion(v: number) {
    this.t.ipVersion[this.row] = v;
  }
  get nextIpChange(): number {
    return this.t.nextIpChange[this.row]!;
  }
  set nextIpChange(v: number) {
    this.t.nextIpChange[this.row] = v;
  }
  /** The client's identifier is the session number. */
  get clientId(): number {
    return this.t.id[this.row]!;
  }
  get acceptsCookies(): boolean {
    return (this.flags & ACCEPTS_COOKIES) !== 0;
  }
  get sendsHeader(): boolean {
    return (this.flags & SENDS_HEADER) !== 0;
  }
  get sendsParam(): boolean {
    return (this.flags & SENDS_PARAM) !== 0;
  }
  get keepsRoute(): boolean {
    return (this.flags & KEEPS_ROUTE) !== 0;
  }
  get logout(): boolean {
    return (this.flags & LOGOUT) !== 0;
  }
  get hasCookie(): boolean {
    return (this.flags & HAS_COOKIE) !== 0;
  }
  set hasCookie(v: boolean) {
    this.flags = v ? this.flags | HAS_COOKIE : this.flags & ~HAS_COOKIE;
  }
  get hasHeader(): boolean {
    return (this.flags & HAS_HEADER) !== 0;
  }
  set hasHeader(v: boolean) {
    this.flags = v ? this.flags | HAS_HEADER : this.flags & ~HAS_HEADER;
  }
  get hasParam(): boolean {
    return (this.flags & HAS_PARAM) !== 0;
  }
  set hasParam(v: boolean) {
    this.flags = v ? this.flags | HAS_PARAM : this.flags & ~HAS_PARAM;
  }
  get hasRoute(): boolean {
    return (this.flags & HAS_ROUTE) !== 0;
  }
  set hasRoute(v: boolean) {
    this.flags = v ? this.flags | HAS_ROUTE : this.flags & ~HAS_ROUTE;
  }
  get sentAt(): number {
    return this.t.sentAt[this.row]!;
  }
  set sentAt(v: number) {
    this.t.sentAt[this.row] = v;
  }
  get rebind(): boolean {
    return (this.flags & REBIND) !== 0;
  }
  set rebind(v: boolean) {
    this.flags = v ? this.flags | REBIND : this.flags & ~REBIND;
  }
  get startedAt(): number {
    return this.t.startedAt[this.row]!;
  }
  set startedAt(v: number) {
    this.t.startedAt[this.row] = v;
  }
  get cookie(): number {
    return this.t.cookie[this.row]!;
  }
  set cookie(v: number) {
    this.t.cookie[this.row] = v;
  }
  get cookieIssued(): number {
    return this.t.cookieIssued[this.row]!;
  }
  set cookieIssued(v: number) {
    this.t.cookieIssued[this.row] = v;
  }
  get cookieUsed(): number {
    return this.t.cookieUsed[this.row]!;
  }
  set cookieUsed(v: number) {
    this.t.cookieUsed[this.row] = v;
  }
  get route(): number {
    return this.t.route[this.row]!;
  }
  set route(v: number) {
    this.t.route[this.row] = v;
  }
  get lastAccess(): number {
    return this.t.lastAccess[this.row]!;
  }
  set lastAccess(v: number) {
    this.t.lastAccess[this.row] = v;
  }
  get dropCause(): LossCause {
    return ((this.flags & DROP_MASK) >> DROP_SHIFT) as LossCause;
  }
  set dropCause(v: LossCause) {
    this.flags = (this.flags & ~DROP_MASK) | (v << DROP_SHIFT);
  }
  get lost(): boolean {
    return (this.flags & LOST) !== 0;
  }
  set lost(v: boolean) {
    this.flags = v ? this.flags | LOST : this.flags & ~LOST;
  }
  get ended(): boolean {
    return (this.flags & ENDED) !== 0;
  }
  set ended(v: boolean) {
    this.flags = v ? this.flags | ENDED : this.flags & ~ENDED;
  }
  /** Retry turns the current request waits before it reaches its server (0–255). */
  get retryTurns(): number {
    return (this.flags & TURNS_MASK) >>> TURNS_SHIFT;
  }
  set retryTurns(v: number) {
    this.flags = (this.flags & ~TURNS_MASK) | ((v & 255) << TURNS_SHIFT);
  }
  get completion(): number {
    return this.t.completion[this.row]!;
  }
  set completion(v: number) {
    this.t.completion[this.row] = v;
  }
}
