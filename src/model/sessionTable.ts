import { LossCause, type Session, type SessionDraw } from './session.js';

// Bits of the flags column.
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

/**
 * The sessions of a run as rows of a table: one typed array per field, a
 * row per session alive, rows of ended sessions reused. A session is handed
 * around as a {@link SessionRow}, a small cursor object bound to its row for
 * good, so the rest of the model reads `s.cookie` as if the session were an
 * ordinary object.
 *
 * Why: a session held as an object of some forty fields costs about 600
 * bytes (doubles are boxed on the heap), and allocating one per session kept
 * the garbage collector busy. As rows, a session costs about 150 bytes plus
 * its 40-byte cursor, and a run allocates nothing per session once the table
 * has grown to the number of sessions alive at once.
 */
export class SessionTable {
  /** Rows in the table; each has its cursor, created with the row and reused with it. */
  private size = 0;
  /** Cursors of rows free for reuse. */
  private readonly free: SessionRow[] = [];

  // Columns. Times in seconds (Float64); ids, addresses, server ids, counters (32-bit); flags (bits above).
  id: Uint32Array;
  key: Uint32Array;
  ip: Uint32Array;
  natGroup: Int32Array;
  ipVersion: Int32Array;
  requests: Int32Array;
  next: Int32Array;
  cookie: Int32Array;
  route: Int32Array;
  home: Int32Array;
  stateNode: Int32Array;
  at: Int32Array;
  flags: Uint16Array;
  dropCause: Uint8Array;
  start: Float64Array;
  nextIpChange: Float64Array;
  sentAt: Float64Array;
  startedAt: Float64Array;
  cookieIssued: Float64Array;
  cookieUsed: Float64Array;
  lastAccess: Float64Array;
  completion: Float64Array;

  constructor(initialRows = 256) {
    const n = Math.max(1, initialRows | 0);
    this.id = new Uint32Array(n);
    this.key = new Uint32Array(n);
    this.ip = new Uint32Array(n);
    this.natGroup = new Int32Array(n);
    this.ipVersion = new Int32Array(n);
    this.requests = new Int32Array(n);
    this.next = new Int32Array(n);
    this.cookie = new Int32Array(n);
    this.route = new Int32Array(n);
    this.home = new Int32Array(n);
    this.stateNode = new Int32Array(n);
    this.at = new Int32Array(n);
    this.flags = new Uint16Array(n);
    this.dropCause = new Uint8Array(n);
    this.start = new Float64Array(n);
    this.nextIpChange = new Float64Array(n);
    this.sentAt = new Float64Array(n);
    this.startedAt = new Float64Array(n);
    this.cookieIssued = new Float64Array(n);
    this.cookieUsed = new Float64Array(n);
    this.lastAccess = new Float64Array(n);
    this.completion = new Float64Array(n);
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
    this.key[r] = d.key;
    this.ip[r] = d.ip;
    this.natGroup[r] = d.natGroup;
    this.ipVersion[r] = 0;
    this.requests[r] = d.requests;
    this.next[r] = 0;
    this.cookie[r] = -1;
    this.route[r] = -1;
    this.home[r] = -1;
    this.stateNode[r] = -1;
    this.at[r] = -1;
    // What a request carries starts as what the client sends (the client model may drop some per request).
    this.flags[r] =
      (d.acceptsCookies ? ACCEPTS_COOKIES | HAS_COOKIE : 0) |
      (d.sendsHeader ? SENDS_HEADER | HAS_HEADER : 0) |
      (d.sendsParam ? SENDS_PARAM | HAS_PARAM : 0) |
      (d.keepsRoute ? KEEPS_ROUTE | HAS_ROUTE : 0) |
      (d.logout ? LOGOUT : 0);
    this.dropCause[r] = LossCause.none;
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
    this.key = widen(this.key);
    this.ip = widen(this.ip);
    this.natGroup = widen(this.natGroup);
    this.ipVersion = widen(this.ipVersion);
    this.requests = widen(this.requests);
    this.next = widen(this.next);
    this.cookie = widen(this.cookie);
    this.route = widen(this.route);
    this.home = widen(this.home);
    this.stateNode = widen(this.stateNode);
    this.at = widen(this.at);
    this.flags = widen(this.flags);
    this.dropCause = widen(this.dropCause);
    this.start = widen(this.start);
    this.nextIpChange = widen(this.nextIpChange);
    this.sentAt = widen(this.sentAt);
    this.startedAt = widen(this.startedAt);
    this.cookieIssued = widen(this.cookieIssued);
    this.cookieUsed = widen(this.cookieUsed);
    this.lastAccess = widen(this.lastAccess);
    this.completion = widen(this.completion);
  }

  flag(row: number, bit: number): boolean {
    return (this.flags[row]! & bit) !== 0;
  }

  setFlag(row: number, bit: number, on: boolean): void {
    this.flags[row] = on ? this.flags[row]! | bit : this.flags[row]! & ~bit;
  }
}

/** A session: a cursor on its row of a {@link SessionTable}. */
export class SessionRow implements Session {
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
    return this.t.key[this.row]!;
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
    return this.t.flag(this.row, ACCEPTS_COOKIES);
  }
  get sendsHeader(): boolean {
    return this.t.flag(this.row, SENDS_HEADER);
  }
  get sendsParam(): boolean {
    return this.t.flag(this.row, SENDS_PARAM);
  }
  get keepsRoute(): boolean {
    return this.t.flag(this.row, KEEPS_ROUTE);
  }
  get logout(): boolean {
    return this.t.flag(this.row, LOGOUT);
  }
  get requests(): number {
    return this.t.requests[this.row]!;
  }
  get hasCookie(): boolean {
    return this.t.flag(this.row, HAS_COOKIE);
  }
  set hasCookie(v: boolean) {
    this.t.setFlag(this.row, HAS_COOKIE, v);
  }
  get hasHeader(): boolean {
    return this.t.flag(this.row, HAS_HEADER);
  }
  set hasHeader(v: boolean) {
    this.t.setFlag(this.row, HAS_HEADER, v);
  }
  get hasParam(): boolean {
    return this.t.flag(this.row, HAS_PARAM);
  }
  set hasParam(v: boolean) {
    this.t.setFlag(this.row, HAS_PARAM, v);
  }
  get hasRoute(): boolean {
    return this.t.flag(this.row, HAS_ROUTE);
  }
  set hasRoute(v: boolean) {
    this.t.setFlag(this.row, HAS_ROUTE, v);
  }
  get next(): number {
    return this.t.next[this.row]!;
  }
  set next(v: number) {
    this.t.next[this.row] = v;
  }
  get sentAt(): number {
    return this.t.sentAt[this.row]!;
  }
  set sentAt(v: number) {
    this.t.sentAt[this.row] = v;
  }
  get rebind(): boolean {
    return this.t.flag(this.row, REBIND);
  }
  set rebind(v: boolean) {
    this.t.setFlag(this.row, REBIND, v);
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
  get home(): number {
    return this.t.home[this.row]!;
  }
  set home(v: number) {
    this.t.home[this.row] = v;
  }
  get stateNode(): number {
    return this.t.stateNode[this.row]!;
  }
  set stateNode(v: number) {
    this.t.stateNode[this.row] = v;
  }
  get lastAccess(): number {
    return this.t.lastAccess[this.row]!;
  }
  set lastAccess(v: number) {
    this.t.lastAccess[this.row] = v;
  }
  get dropCause(): LossCause {
    return this.t.dropCause[this.row] as LossCause;
  }
  set dropCause(v: LossCause) {
    this.t.dropCause[this.row] = v;
  }
  get lost(): boolean {
    return this.t.flag(this.row, LOST);
  }
  set lost(v: boolean) {
    this.t.setFlag(this.row, LOST, v);
  }
  get ended(): boolean {
    return this.t.flag(this.row, ENDED);
  }
  set ended(v: boolean) {
    this.t.setFlag(this.row, ENDED, v);
  }
  get at(): number {
    return this.t.at[this.row]!;
  }
  set at(v: number) {
    this.t.at[this.row] = v;
  }
  get completion(): number {
    return this.t.completion[this.row]!;
  }
  set completion(v: number) {
    this.t.completion[this.row] = v;
  }
}
