/**
 * The life of one session as a Mermaid sequence diagram: the client, the load
 * balancer and the servers; each request, why the balancer chose its server,
 * where stickiness is established or broken, every loss with its cause, and
 * how the session ends. Pure text from a {@link SessionTrace}: testable on a
 * hand-made event list.
 */
import { formatDuration } from '../../model/units.js';
import type { PlainEvent } from './events.js';
import type { SessionTrace } from './record.js';
import { bindingOf, clock, requestsOf, type Request } from './session.js';

export { clock };

export type ServerChoice = 'all' | 'touched' | 'auto';

const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`;
/** Mermaid treats ";" as a line break and "#" as an entity: keep them out of text. */
const text = (s: string) => s.replace(/;/g, ',').replace(/#/g, 'no. ');

export function sessionDiagram(trace: SessionTrace, opts: { servers?: ServerChoice } = {}): string {
  const { session: sn, strategy } = trace;
  const b = bindingOf(strategy.name, strategy.options);
  const requests = requestsOf(trace.events);
  const touched = new Set<string>();
  for (const r of requests.values()) if (r.server !== null) touched.add(r.server);
  const choice = opts.servers ?? 'auto';
  const showAll = choice === 'all' || (choice === 'auto' && trace.servers.length <= 4);
  const servers = trace.servers.filter((s) => showAll || touched.has(s));
  for (const s of touched) if (!servers.includes(s)) servers.push(s);
  const id = (server: string) => server.toUpperCase();
  const last = servers.length > 0 ? id(servers[servers.length - 1]!) : 'LB';
  const span = `C,${last}`;

  const lines: string[] = ['sequenceDiagram'];
  const emit = (line: string, indent = 1) => lines.push(`${'    '.repeat(indent)}${text(line)}`);
  const band = (colour: 'yellow' | 'orange' | 'grey', note: string) => {
    const rgb = { yellow: '255, 245, 200', orange: '255, 222, 200', grey: '235, 235, 235' }[colour];
    emit(`rect rgb(${rgb})`);
    emit(`Note over ${span}: ${note}`, 2);
    emit('end');
  };

  emit('participant C as Client');
  emit('participant LB as Load Balancer');
  for (const s of servers) emit(`participant ${id(s)} as Server ${s}`);

  const who = [
    b.kind === 'cookie' ? (sn.acceptsCookies ? 'keeps cookies' : 'refuses cookies') : '',
    b.key === 'client IP' || b.key === 'client /24 network' ? `has IP ${sn.ip}` : '',
    b.key === 'client-id header' ? (sn.sendsHeader ? `sends X-Client-Id ${sn.clientId}` : 'sends no client-id header') : '',
    b.key === 'client-id URL parameter' ? `sends ?id=${sn.clientId}` : '',
  ].filter(Boolean);
  band(
    'grey',
    `Session ${sn.id} of ${trace.scenario} under ${strategy.label} (seed ${trace.seed}): starts at ${clock(sn.start)}, ` +
      `${sn.requests} request${sn.requests === 1 ? '' : 's'}${who.length > 0 ? `, the client ${who.join(' and ')}` : ''}`,
  );

  // What the narrative needs to remember as it goes.
  let cookie: string | null = null;
  let home: string | null = null;
  let homeSince = 0;
  let established = false;
  let continued = false;
  /** Time of the last request drawn: fleet events after it come before the next one. */
  let lastT = sn.start;
  const up = new Set(trace.upAtStart);
  const lastLoss = new Map<string, { event: string; t: number }>();
  /** Servers left holding a state of this session that nothing will use again (after a rerouted loss). */
  const orphans = new Set<string>();

  const label = (k: number) => (k === 0 ? 'login' : sn.logout && k === sn.requests - 1 ? 'logout' : `request ${k + 1}`);
  const carries = (r: Request): string => {
    if (b.kind === 'cookie') {
      if (cookie !== null) return ` · cookie SRV=${cookie}`;
      return r.k > 0 && !sn.acceptsCookies ? ' · no cookie (refused)' : '';
    }
    if (b.key === 'client IP') return r.k === 0 ? ` · from ${sn.ip}` : '';
    if (b.key === 'client-id header') return sn.sendsHeader ? ` · X-Client-Id ${sn.clientId}` : ' · no client-id header';
    return '';
  };
  const why = (r: Request): string => {
    const to = `→ ${r.server}`;
    switch (r.via) {
      case 'cookie':
        return `cookie names ${r.server}`;
      case 'route':
        return `the route in the session id names ${r.server}`;
      case 'table':
        return `the stick table maps the ${b.key ?? 'key'} to ${r.server}`;
      case 'persist':
        return `its server is down: retried, then redispatched, ${b.balancer} ${to}`;
      case 'hash':
        return b.key === undefined
          ? `hash ${to}`
          : b.ring
            ? `${b.key} hashed onto the servers ${to}`
            : `${b.key} hash mod ${up.size} up server${up.size === 1 ? '' : 's'} ${to}`;
      case 'balancer':
        return b.kind === 'shared' ? `${b.balancer} ${to} (any server will do)` : `${b.balancer} ${to} (no stickiness)`;
      case 'fallback': {
        const reason =
          b.kind === 'cookie' ? (r.k === 0 || sn.acceptsCookies ? 'no cookie yet' : 'no cookie') : b.key === 'client-id header' ? 'no header' : 'no key';
        return `${reason}, ${b.balancer} ${to}`;
      }
      case 'redispatch':
        return `${b.kind === 'cookie' && cookie !== null ? cookie : 'its server'} is down: redispatch, ${b.balancer} ${to}`;
      default:
        return `${r.via} ${to}`;
    }
  };
  const lossNote = (r: Request): string => {
    const at = r.server!;
    const where = home ?? 'its server';
    let cause: string;
    switch (r.cause) {
      case 'rerouted':
        cause =
          r.via === 'hash'
            ? `its state is on ${where}, which is up, but the fleet changed and the ${b.key ?? 'key'} now maps to ${at}`
            : r.via === 'fallback' || r.via === 'redispatch'
              ? `its state is on ${where}, which is up, but nothing pointed the request there`
              : `its state is on ${where}, which is up, but ${b.balancer} sent the request to ${at}`;
        break;
      case 'server-lost': {
        const l = lastLoss.get(where);
        cause = `its state was on ${where}, which ${l ? `${l.event === 'remove' ? 'was removed' : l.event === 'crash' ? 'crashed' : 'restarted'} at ${clock(l.t)}` : 'lost its memory'}`;
        break;
      }
      case 'evicted':
        cause = `${where} evicted its state to make room for others`;
        break;
      case 'expired':
        cause = `its state on ${where} sat idle longer than the session TTL (${formatDuration(trace.ttl)}) — not the balancer's fault`;
        break;
      default:
        cause = String(r.cause);
    }
    return `Session lost (${r.cause}) at ${clock(r.t)}: ${cause}. The user is logged out, ${at} starts a new session`;
  };
  const establishNote = (r: Request): string | undefined => {
    const s = r.server!;
    switch (b.kind) {
      case 'cookie':
        return sn.acceptsCookies
          ? `Sticky session established on ${s}: the cookie SRV=${s} brings the client back`
          : `No stickiness: the client refuses cookies, so ${b.balancer} picks a server for every request`;
      case 'hash':
        return r.via === 'hash'
          ? `Sticky by hash: the ${b.key} maps to ${s} while the fleet stays the same`
          : `No stickiness: the request carries no ${b.key}, so ${b.balancer} picks a server for every request`;
      case 'route':
        return `Sticky session established on ${s}: ${s} names itself in the session id the client echoes`;
      case 'table':
        return `Sticky session established on ${s}: the balancer's stick table remembers the ${b.key ?? 'key'}`;
      case 'none':
        return `No stickiness: nothing brings the client back to ${s}`;
      case 'shared':
        return 'Session state lives in the shared store: any server can serve the next request';
      default:
        return `Session established on ${s}`;
    }
  };

  // Requests that repeat the one before are drawn once inside a loop: a
  // continuation to the same server that finds its state, or (no binding)
  // another server picked by the balancer that loses it again the same way.
  const order = [...requests.values()].sort((x, y) => x.k - y.k);
  const fleetTimes = trace.events.filter((e) => e.type === 'fleet').map((e) => e.t);
  const repeats = new Map<number, 'hit' | 'loss'>();
  for (let i = 1; i < order.length; i++) {
    const r = order[i]!;
    const p = order[i - 1]!;
    const quiet = !fleetTimes.some((t) => t > p.t && t <= r.t);
    const isLogout = sn.logout && r.k === sn.requests - 1;
    if (!quiet || isLogout || r.end !== 'complete' || p.end !== 'complete' || r.via !== p.via || r.outcome !== p.outcome) continue;
    if (r.outcome === 'hit' && (r.server === p.server || b.kind === 'shared')) repeats.set(r.k, 'hit');
    else if (r.outcome === 'loss' && r.cause === p.cause && (r.via === 'balancer' || r.via === 'fallback')) repeats.set(r.k, 'loss');
  }

  const drawRequest = (r: Request) => {
    emit(`C->>LB: ${label(r.k)} at ${clock(r.t)}${carries(r)}`);
    if (r.server === null) {
      emit(r.failure === 'strict' ? 'LB--xC: error 503 · its server is down and the policy is strict' : 'LB--xC: error 503 · no server is up');
      return;
    }
    const S = id(r.server);
    emit(`LB->>${S}: forward · ${why(r)}`);
    if (r.outcome === 'loss') {
      band('orange', lossNote(r));
      if (r.cause === 'rerouted' && home !== null) orphans.add(home);
      continued = false;
    } else if (r.outcome === 'hit' && (r.via === 'balancer' || r.via === 'fallback') && b.kind !== 'shared' && r.k > homeSince) {
      emit(`Note over ${S}: the same server again, by chance: the state is found`);
    }
    if (r.end === 'dropped') {
      emit(`${S}--xLB: dropped · its queue is full`);
      emit('LB--xC: error 503');
      return;
    }
    if (r.end === 'failed') {
      emit(
        r.failure === 'undetected'
          ? `${S}--xLB: failed · ${r.server} is dead, but the balancer has not noticed yet`
          : r.failure === 'store'
            ? `${S}--xLB: error 500 · the session store is unreachable`
            : `${S}--xLB: failed · ${r.server} went down while serving it`,
      );
      emit(r.failure === 'store' ? 'LB-->>C: error 500' : 'LB--xC: error 503');
      return;
    }
    if (r.end === undefined) {
      emit(`Note over ${S}: still being served when the trace ends`);
      return;
    }
    const fresh = r.outcome === 'created' || r.outcome === 'loss';
    emit(`${S}-->>LB: response${fresh ? ' + new session id' : ''} (${ms(r.latency ?? 0)})`);
    const setCookie = b.kind === 'cookie' && sn.acceptsCookies && cookie !== r.server;
    emit(`LB-->>C: response${setCookie ? ` · Set-Cookie SRV=${r.server}` : ''}`);
    const rebound = setCookie && cookie !== null;
    if (setCookie) cookie = r.server;
    if (fresh) {
      home = r.server;
      homeSince = r.k;
    }
    if (!established) {
      established = true;
      const note = establishNote(r);
      if (note !== undefined) band('yellow', note);
    } else if (rebound) {
      band('yellow', `Stickiness re-established on ${r.server}: the cookie is rewritten to SRV=${r.server}`);
      continued = false;
    } else if (!continued && r.outcome === 'hit' && ['cookie', 'hash', 'route', 'table'].includes(r.via) && r.k > homeSince) {
      continued = true;
      band('yellow', `Session continues on ${r.server}`);
    }
  };

  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    for (const e of trace.events) {
      if (e.type === 'fleet' && e.t > lastT && e.t <= r.t) fleetNote(e);
    }
    const kind = repeats.get(r.k);
    if (kind !== undefined) {
      let j = i;
      while (j + 1 < order.length && repeats.get(order[j + 1]!.k) === kind) j++;
      if (j > i) {
        const n = j - i + 1;
        emit(`loop ${n} more requests like the one before (${label(r.k)} to ${label(order[j]!.k)}), ${clock(r.t)} to ${clock(order[j]!.t)}`);
        lines.push(`        ${text(`C->>LB: request${carries(r)}`)}`);
        const hops = new Set(order.slice(i, j + 1).map((x) => x.server)).size;
        if (kind === 'hit' && hops > 1) {
          lines.push(`        ${text(`Note over LB,${last}: ${b.balancer} sends each to any server (${hops} different servers), each reads the state from the shared store`)}`);
        } else if (kind === 'hit') {
          lines.push(`        ${text(`LB->>${id(r.server!)}: forward · ${why(r)}`)}`);
          lines.push(`        ${text(`${id(r.server!)}-->>LB: response`)}`);
        } else {
          lines.push(`        ${text(`Note over LB,${last}: ${b.balancer} sends each to a server without the state (${hops} different servers): ${n} more session losses (${r.cause})`)}`);
        }
        lines.push('        LB-->>C: response');
        emit('end');
        if (kind === 'loss') {
          for (const x of [home, ...order.slice(i, j).map((y) => y.server)]) if (x !== null) orphans.add(x);
          home = order[j]!.server;
        }
        lastT = order[j]!.t;
        i = j;
        continue;
      }
    }
    drawRequest(r);
    lastT = r.t;
  }

  function fleetNote(e: Extract<PlainEvent, { type: 'fleet' }>): void {
    const verbs: Record<string, string> = {
      crash: 'crashes: its memory is gone',
      recover: 'recovers, with empty memory',
      up: 'is running again, with empty memory',
      add: 'joins the fleet',
      remove: 'is removed from the fleet',
      restart: 'is restarted: its memory is gone',
      drain: 'starts draining: only requests bound to it',
      'marked down': 'is marked down after failed requests',
    };
    if (e.server === '') {
      // Fleet-wide events (a deploy starting, an autoscaler decision).
      emit(`Note over LB: ${clock(e.t)} · ${e.event}`);
      return;
    }
    const verb = verbs[e.event] ?? e.event;
    if (e.event === 'crash' || e.event === 'remove' || e.event === 'restart') {
      up.delete(e.server);
      lastLoss.set(e.server, { event: e.event, t: e.t });
    } else if (e.event !== 'drain' && e.event !== 'marked down') {
      up.add(e.server);
    }
    emit(`Note over ${servers.includes(e.server) ? id(e.server) : 'LB'}: ${clock(e.t)} · ${e.server} ${verb}`);
  }
  for (const e of trace.events) if (e.type === 'fleet' && e.t > lastT) fleetNote(e);

  if (home !== null) orphans.delete(home);
  const orphaned =
    orphans.size === 0
      ? ''
      : `. Orphaned copies of it stay on ${[...orphans].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1))).join(', ')} until they idle out (TTL ${formatDuration(trace.ttl)})`;
  const endEvent = trace.events.find((e) => e.type === 'session-end');
  const n = order.length;
  if (endEvent === undefined) {
    band('grey', `The run ends at ${clock(trace.duration)} with the session still active after ${n} request${n === 1 ? '' : 's'}${orphaned}`);
  } else if (sn.logout) {
    const where = b.kind === 'shared' ? 'the shared store' : (home ?? 'the server');
    band('yellow', `Session ended: logged out after ${n} requests at ${clock(endEvent.t)}, ${where} deletes its state${orphaned}`);
  } else {
    const where = b.kind === 'shared' ? 'the shared store' : (home ?? 'its server');
    band(
      'yellow',
      `Session ended: the user left without logging out after ${n} request${n === 1 ? '' : 's'}, ` +
        `its state stays on ${where} until it idles out (TTL ${formatDuration(trace.ttl)})${orphaned}`,
    );
  }
  const onlyOne = touched.size === 1 ? [...touched][0] : undefined;
  for (const s of servers) {
    if (touched.has(s)) continue;
    const reason =
      onlyOne !== undefined && ['cookie', 'hash', 'route', 'table'].includes(b.kind) ? ` — stickiness kept the session on ${onlyOne}` : '';
    emit(`Note right of ${id(s)}: ${s} unused by this session${reason}`);
  }
  return lines.join('\n') + '\n';
}
