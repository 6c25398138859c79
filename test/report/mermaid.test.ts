import { describe, expect, it } from 'vitest';
import type { PlainEvent, PlainSession } from '../../src/report/trace/events.js';
import { clock, sessionDiagram } from '../../src/report/trace/mermaid.js';
import type { SessionTrace } from '../../src/report/trace/record.js';

const session = (over: Partial<PlainSession> = {}): PlainSession => ({
  id: 3, start: 10, ip: '10.0.0.7', clientId: 42, acceptsCookies: true, sendsHeader: true, logout: true, requests: 3, ...over,
});

/** A request k at time t: routed via `via` to `server`, state `outcome`, answered. */
function req(k: number, t: number, server: string, via: string, outcome: 'created' | 'hit' | 'loss', cause?: string): PlainEvent[] {
  return [
    { t, type: 'route', session: 3, request: k, server, via },
    { t, type: 'state', session: 3, request: k, server, outcome, ...(cause ? { cause } : {}) },
    { t: t + 0.1, type: 'complete', session: 3, request: k, server, latency: 0.1 },
  ];
}

function trace(name: string, s: PlainSession, events: PlainEvent[], over: Partial<SessionTrace> = {}): SessionTrace {
  return {
    scenario: 'lesson', strategy: { label: name, name, options: name === 'cookie' ? { fallback: 'least-conn' } : {} }, seed: 7,
    session: s, events: [{ t: s.start, type: 'session-start', session: s }, ...events], servers: ['s1', 's2'], upAtStart: ['s1', 's2'],
    ttl: 600, duration: 1800, ...over,
  };
}

describe('sessionDiagram', () => {
  it('draws the textbook sticky session: established on s1, continues on s1, ended, s2 unused', () => {
    const s = session();
    const d = sessionDiagram(
      trace('cookie', s, [...req(0, 10, 's1', 'fallback', 'created'), ...req(1, 30, 's1', 'cookie', 'hit'), ...req(2, 50, 's1', 'cookie', 'hit'), { t: 50.1, type: 'session-end', session: 3, logout: true }]),
    );
    expect(d).toBe(`sequenceDiagram
    participant C as Client
    participant LB as Load Balancer
    participant S1 as Server s1
    participant S2 as Server s2
    rect rgb(235, 235, 235)
        Note over C,S2: Session 3 of lesson under cookie (seed 7): starts at 10s, 3 requests, the client keeps cookies
    end
    C->>LB: login at 10s
    LB->>S1: forward · no cookie yet, least-conn → s1
    S1-->>LB: response + new session id (100 ms)
    LB-->>C: response · Set-Cookie SRV=s1
    rect rgb(255, 245, 200)
        Note over C,S2: Sticky session established on s1: the cookie SRV=s1 brings the client back
    end
    C->>LB: request 2 at 30s · cookie SRV=s1
    LB->>S1: forward · cookie names s1
    S1-->>LB: response (100 ms)
    LB-->>C: response
    rect rgb(255, 245, 200)
        Note over C,S2: Session continues on s1
    end
    C->>LB: logout at 50s · cookie SRV=s1
    LB->>S1: forward · cookie names s1
    S1-->>LB: response (100 ms)
    LB-->>C: response
    rect rgb(255, 245, 200)
        Note over C,S2: Session ended: logged out after 3 requests at 50s, s1 deletes its state
    end
    Note right of S2: s2 unused by this session — stickiness kept the session on s1
`);
  });

  it('a crash: the cookie is redispatched and rewritten, the loss is server-lost, stickiness is re-established', () => {
    const s = session({ requests: 4, logout: false });
    const d = sessionDiagram(
      trace('cookie', s, [
        ...req(0, 10, 's1', 'fallback', 'created'),
        ...req(1, 30, 's1', 'cookie', 'hit'),
        { t: 40, type: 'fleet', event: 'crash', server: 's1' },
        ...req(2, 50, 's2', 'redispatch', 'loss', 'server-lost'),
        ...req(3, 70, 's2', 'cookie', 'hit'),
        { t: 70.1, type: 'session-end', session: 3, logout: false },
      ]),
    );
    expect(d).toContain('    Note over S1: 40s · s1 crashes: its memory is gone\n    C->>LB: request 3 at 50s · cookie SRV=s1\n    LB->>S2: forward · s1 is down: redispatch, least-conn → s2');
    expect(d).toContain('Note over C,S2: Session lost (server-lost) at 50s: its state was on s1, which crashed at 40s. The user is logged out, s2 starts a new session');
    expect(d).toContain('LB-->>C: response · Set-Cookie SRV=s2');
    expect(d).toContain('Note over C,S2: Stickiness re-established on s2: the cookie is rewritten to SRV=s2');
    expect(d).toContain('Session ended: the user left without logging out after 4 requests, its state stays on s2 until it idles out (TTL 10m)');
    expect(d).not.toContain('unused');
  });

  it('no stickiness: round robin sends the session elsewhere and it is lost (rerouted)', () => {
    const d = sessionDiagram(trace('round-robin', session({ requests: 2, logout: false }), [...req(0, 10, 's1', 'balancer', 'created'), ...req(1, 20, 's2', 'balancer', 'loss', 'rerouted')]));
    expect(d).toContain('Note over C,S2: No stickiness: nothing brings the client back to s1');
    expect(d).toContain('LB->>S2: forward · round-robin → s2 (no stickiness)');
    expect(d).toContain('Session lost (rerouted) at 20s: its state is on s1, which is up, but round-robin sent the request to s2.');
    expect(d).toContain('The run ends at 30m00s with the session still active after 2 requests. Orphaned copies of it stay on s1 until they idle out (TTL 10m)');
  });

  it('hashing: a fleet change remaps the client IP', () => {
    const d = sessionDiagram(
      trace('ip-hash', session({ requests: 2, logout: false }), [
        ...req(0, 10, 's1', 'hash', 'created'),
        { t: 15, type: 'fleet', event: 'add', server: 's3' },
        ...req(1, 20, 's3', 'hash', 'loss', 'rerouted'),
      ], { servers: ['s1', 's2', 's3'] }),
    );
    expect(d).toContain('LB->>S1: forward · client IP hash mod 2 up servers → s1');
    expect(d).toContain('Sticky by hash: the client IP maps to s1 while the fleet stays the same');
    expect(d).toContain('Note over S3: 15s · s3 joins the fleet');
    expect(d).toContain('LB->>S3: forward · client IP hash mod 3 up servers → s3');
    expect(d).toContain('but the fleet changed and the client IP now maps to s3');
  });

  it('dropped and failed requests, and a request with no server up', () => {
    const d = sessionDiagram(
      trace('round-robin', session({ requests: 4, logout: false }), [
        ...req(0, 10, 's1', 'balancer', 'created'),
        { t: 20, type: 'route', session: 3, request: 1, server: 's2', via: 'balancer' },
        { t: 20, type: 'dropped', session: 3, request: 1, server: 's2' },
        { t: 30, type: 'route', session: 3, request: 2, server: 's1', via: 'balancer' },
        { t: 30, type: 'state', session: 3, request: 2, server: 's1', outcome: 'hit' },
        { t: 30.05, type: 'fleet', event: 'crash', server: 's1' },
        { t: 30.05, type: 'failed', session: 3, request: 2, server: 's1', reason: 'crash' },
        { t: 40, type: 'route', session: 3, request: 3, server: null, via: 'balancer' },
        { t: 40, type: 'failed', session: 3, request: 3, server: null, reason: 'no-server' },
        { t: 40, type: 'session-end', session: 3, logout: false },
      ]),
    );
    expect(d).toContain('    S2--xLB: dropped · its queue is full\n    LB--xC: error 503');
    expect(d).toContain('    S1--xLB: failed · s1 went down while serving it\n    LB--xC: error 503');
    expect(d).toContain('    C->>LB: request 4 at 40s\n    LB--xC: error 503 · no server is up');
  });

  it('draws repeated continuations once, inside a loop', () => {
    const events = [...req(0, 10, 's2', 'fallback', 'created')];
    for (let k = 1; k < 8; k++) events.push(...req(k, 10 + 20 * k, 's2', 'cookie', 'hit'));
    const d = sessionDiagram(trace('cookie', session({ requests: 8, logout: true }), events));
    expect(d).toContain('    loop 5 more requests like the one before (request 3 to request 7), 50s to 2m10s\n        C->>LB: request · cookie SRV=s2\n        LB->>S2: forward · cookie names s2\n');
    expect(d).toContain('C->>LB: logout at 2m30s'); // the logout is always drawn
    expect(d.match(/C->>LB: /g)).toHaveLength(4); // login, request 2, the loop's one, logout
  });

  it('draws only the servers the session touched when asked, or for a big fleet', () => {
    const events = req(0, 10, 's2', 'balancer', 'created');
    const servers = ['s1', 's2', 's3', 's4', 's5'];
    const auto = sessionDiagram(trace('round-robin', session({ requests: 1 }), events, { servers, upAtStart: servers }));
    expect(auto).not.toContain('participant S1');
    expect(auto).toContain('participant S2 as Server s2');
    const all = sessionDiagram(trace('round-robin', session({ requests: 1 }), events, { servers, upAtStart: servers }), { servers: 'all' });
    expect(all).toContain('Note right of S5: s5 unused by this session\n');
  });

  it('keeps Mermaid-unsafe characters out of the text', () => {
    const d = sessionDiagram(trace('weird;label#1', session({ requests: 1 }), req(0, 10, 's1', 'balancer', 'created')));
    expect(d).toContain('under weird,labelno. 1');
  });

  it('formats simulated time without colons', () => {
    expect([clock(0), clock(59.9), clock(93.3), clock(3723)]).toEqual(['0s', '59s', '1m33s', '1h02m03s']);
  });
});
