import { chance, counterUniform, uint32, type Uniform } from '../engine/index.js';
import { fmix32 } from './hash.js';
import type { Session } from './session.js';
import { Zipf } from './zipf.js';

/**
 * How clients reach the load balancer: which address they come from, and what
 * each request carries (cookie, identifier header or URL parameter, route).
 * Probabilities named `…Loss` / `…Missing` are per request; the others per client.
 */
export interface ClientSpec {
  /** Keeps cookies at all (browsers yes; curl and many API clients no). */
  cookieAcceptance: number;
  /** A request goes out without the cookie (cross-origin without credentials, SameSite). */
  cookieLoss: number;
  /** Sends its identifier header at all, and the chance a request lacks it. */
  headerProbability: number;
  headerMissing: number;
  /** Sends its identifier as a URL parameter at all, and the chance a request lacks it. */
  paramProbability: number;
  paramMissing: number;
  /** Echoes the server's route value (e.g. Tomcat jvmRoute in the session id); else a proxy strips it. */
  routeKept: number;
  routeLoss: number;
  /** A share of clients behind NAT / proxies, in groups of heavy-tailed size sharing one address. */
  nat?: { fraction: number; groups: number; exponent: number; sharedCache: boolean };
  /** Addresses drawn from this many /24 networks (heavy-tailed popularity); default every address random. */
  subnets?: { count: number; exponent: number };
  /** A share of clients (not behind NAT) change address mid-session, e.g. Wi-Fi to cellular. */
  mobile?: { fraction: number; ipChangesPerHour: number };
  /** How clients reuse connections (absent: a new one per request); see affinity/connection.ts. */
  connection?: { reuse: 'request' | 'keepalive' | 'session'; idleTimeout: number; maxRequests: number };
}

/** Lanes of per-request counter-based draws; one per kind of draw keeps them independent. */
const Lane = { cookie: 1, header: 2, param: 3, route: 4, churn: 5 } as const;

export interface ClientIdentity {
  ip: number;
  natGroup: number;
  /** When a mobile client's address changes first (Infinity: never). */
  nextIpChange: number;
  sendsParam: boolean;
  keepsRoute: boolean;
}

/** A fresh identity to fill (callers on the hot path pass one to reuse instead). */
export function scratch(): ClientIdentity {
  return { ip: 0, natGroup: -1, nextIpChange: Infinity, sendsParam: false, keepsRoute: false };
}

export class ClientNetwork {
  private readonly natZipf: Zipf | undefined;
  private readonly subnetZipf: Zipf | undefined;
  private readonly natKey: number;
  private readonly subnetKey: number;
  /** Address changes per second of a mobile client. */
  private readonly ipChangeRate: number;
  /** Requests can lose what the client sends (cookie, header, parameter or route). */
  private readonly lossy: boolean;

  constructor(
    readonly spec: ClientSpec,
    private readonly u: Uniform,
  ) {
    this.natZipf = spec.nat && spec.nat.fraction > 0 ? new Zipf(spec.nat.groups, spec.nat.exponent) : undefined;
    this.subnetZipf = spec.subnets ? new Zipf(spec.subnets.count, spec.subnets.exponent) : undefined;
    this.natKey = uint32(u);
    this.subnetKey = uint32(u);
    this.ipChangeRate = (spec.mobile?.ipChangesPerHour ?? 0) / 3600;
    this.lossy = spec.cookieLoss > 0 || spec.headerMissing > 0 || spec.paramMissing > 0 || spec.routeLoss > 0;
  }

  /** The public address of NAT group g (every client behind it shares it). */
  natAddress(g: number): number {
    return fmix32((g ^ this.natKey) >>> 0);
  }

  /**
   * Who the client of a session is: its address, NAT group and mobility.
   * `defaultIp` is the unique address it has when nothing else applies;
   * `key` is the session's key (its address changes are drawn from it).
   */
  identify(start: number, defaultIp: number, key: number, out: ClientIdentity = scratch()): ClientIdentity {
    const u = this.u;
    const sendsParam = chance(u, this.spec.paramProbability);
    const keepsRoute = chance(u, this.spec.routeKept);
    out.ip = defaultIp;
    out.natGroup = -1;
    out.nextIpChange = Infinity;
    out.sendsParam = sendsParam;
    out.keepsRoute = keepsRoute;
    if (this.natZipf !== undefined || this.subnetZipf !== undefined || this.spec.mobile !== undefined) this.place(start, key, out);
    return out;
  }

  /** Behind NAT, in a popular /24, or mobile: where the client's address comes from when it is not its own. */
  private place(start: number, key: number, out: ClientIdentity): void {
    const u = this.u;
    if (this.natZipf !== undefined && u() < this.spec.nat!.fraction) {
      out.natGroup = this.natZipf.pick(u);
      out.ip = this.natAddress(out.natGroup);
    } else if (this.subnetZipf !== undefined) {
      const net = this.subnetZipf.pick(u);
      out.ip = ((fmix32((net ^ this.subnetKey) >>> 0) & 0xffffff00) | Math.floor(u() * 256)) >>> 0;
    }
    const mobile = this.spec.mobile;
    if (mobile !== undefined && out.natGroup < 0 && u() < mobile.fraction && this.ipChangeRate > 0) {
      out.nextIpChange = start - Math.log(1 - counterUniform(key, 0, Lane.churn)) / this.ipChangeRate;
    }
  }

  /**
   * Just before request `s.next` is sent at `now`: move the client to a new
   * address if it changed since, and draw what this request carries. Every
   * draw is a pure function of the session key and a counter, so it is the
   * same for every strategy. When no request can lose anything, a request
   * carries what the client always sends, set when the session starts.
   */
  prepare(s: Session, now: number): void {
    if (s.nextIpChange <= now) this.move(s, now);
    if (this.lossy) this.drawCarried(s);
  }

  /** The mobile client's address changes due by `now`. */
  private move(s: Session, now: number): void {
    while (s.nextIpChange <= now) {
      s.ipVersion++;
      s.ip = fmix32((s.key ^ Math.imul(s.ipVersion, 0x9e3779b1)) >>> 0);
      s.nextIpChange -= Math.log(1 - counterUniform(s.key, s.ipVersion, Lane.churn)) / this.ipChangeRate;
    }
  }

  /** What request `s.next` carries, when requests can lose some of it. */
  private drawCarried(s: Session): void {
    const spec = this.spec;
    const i = s.next;
    s.hasCookie = s.acceptsCookies && (spec.cookieLoss === 0 || counterUniform(s.key, i, Lane.cookie) >= spec.cookieLoss);
    s.hasHeader = s.sendsHeader && (spec.headerMissing === 0 || counterUniform(s.key, i, Lane.header) >= spec.headerMissing);
    s.hasParam = s.sendsParam && (spec.paramMissing === 0 || counterUniform(s.key, i, Lane.param) >= spec.paramMissing);
    s.hasRoute = s.keepsRoute && (spec.routeLoss === 0 || counterUniform(s.key, i, Lane.route) >= spec.routeLoss);
  }
}
