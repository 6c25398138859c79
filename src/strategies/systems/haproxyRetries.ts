/**
 * HAProxy 2.6's connection retries, as a {@link ConnectRetry}: what happens
 * to a request whose server refuses the connection, from
 * src/backend.c back_handle_st_cer and include/haproxy/stream.h
 * stream_choose_redispatch, with the two fixes 2.6 took after 2.6.0 —
 * bc6b238 ("Don't increment conn_retries counter too early": the limit is
 * tested before the count goes up) and 406efb9 ("only enforce turn-around
 * state when not redispatching").
 *
 * Per failed attempt (conn_retries starts at 0):
 *   1. conn_retries ≥ `retries`: the request fails (503).
 *   2. conn_retries += 1; redispatch when `option redispatch` is set and
 *      - the server is not RUNNING (a check marked it DOWN: `option persist`
 *        sent the request there), or
 *      - conn_retries % retries = 0 (redispatch_after −1, the default of a
 *        bare `option redispatch`: the last retry), or
 *      - the request was not sent by a binding (not SF_DIRECT), more than
 *        one server is active and the algorithm is not a hash (roundrobin,
 *        leastconn, random: another server is as good).
 *   3. A redispatch asks the algorithm again, passing over the refusing
 *      server (assign_server's prev_srv; a map-based hash cannot and lands on
 *      it again); the binding no longer holds (SF_DIRECT cleared), so the
 *      cookie is rewritten by the server that answers. It waits no turn
 *      unless a single server is active.
 *   4. Otherwise the same server is tried again after a turn-around of
 *      min(`timeout connect`, 1 s) (the policy's retryDelay).
 *
 * Measured on HAProxy 2.6.12 on loopback (a killed backend refuses at once):
 * a cookie bound to the dead server answers 503 after 3.0 s without
 * `option redispatch` (4 attempts, 3 turns) and is served by another server
 * after 2.0 s with it (3 attempts, 2 turns, the cookie rewritten); a request
 * without a cookie under roundrobin is redispatched at once (docs/CALIBRATION.md).
 *
 * Not modelled: a refusal that takes time (a host gone: each attempt waits
 * `timeout connect` and no turn-around follows), `retry-on`, a connection
 * reused to the server, `redispatch <interval>` other than the default.
 */
import type { Fleet } from '../../model/fleet.js';
import type { Server } from '../../model/server.js';
import type { ConnectRetry } from '../loadBalancer.js';

export interface HaproxyRetryOptions {
  /** `retries` (default 3). */
  retries: number;
  /** `option redispatch`. */
  redispatch: boolean;
  /** The `balance` algorithm is a hash (source, hdr, url_param): BE_LB_KIND_HI, which waits for its own server. */
  hashing: boolean;
}

export class HaproxyConnectRetry implements ConnectRetry {
  constructor(private readonly o: HaproxyRetryOptions) {}

  refused(target: Server, direct: boolean, fleet: Fleet, repick: (avoid: Server) => Server | undefined): { server: Server | undefined; turns: number } {
    const { retries, redispatch, hashing } = this.o;
    let server: Server | undefined = target;
    let connRetries = 0;
    let turns = 0;
    // Each pass is one failed attempt on `server`.
    while (server !== undefined && !server.up) {
      if (connRetries >= retries) break; // 503 after this attempt: the request fails at the server that refused
      connRetries++;
      const active = fleet.available.length; // srv_act: servers the checks hold usable
      const again =
        redispatch && (!server.healthy || connRetries % retries === 0 || (!direct && active > 1 && !hashing));
      if (again) {
        direct = false;
        const next = repick(server);
        if (active <= 1) turns++;
        if (next === undefined) break;
        server = next;
      } else {
        turns++;
      }
    }
    return { server, turns };
  }
}
