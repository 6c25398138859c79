/**
 * `{ system: kube-proxy, … }`: a Kubernetes Service reached through
 * kube-proxy, configured by the Service's own fields and kube-proxy's mode:
 *
 *     apiVersion: v1
 *     kind: Service
 *     spec:
 *       sessionAffinity: ClientIP          # or None (the default)
 *       sessionAffinityConfig:
 *         clientIP:
 *           timeoutSeconds: 10800          # default 3 h, at most 86400
 *     # kube-proxy --proxy-mode=iptables   (default) or ipvs (scheduler rr)
 *
 * Reproduced from Kubernetes' documentation (Service API reference,
 * "Virtual IPs and Service Proxies") and source — kubernetes/kubernetes as of
 * 2025–26 (Kubernetes 1.3x): pkg/proxy/iptables/proxier.go
 * (writeServiceToEndpointRules, the KUBE-SEP `--set` rule, computeProbability),
 * pkg/proxy/topology.go (CategorizeEndpoints), pkg/proxy/ipvs/proxier.go
 * (syncService/syncEndpoint: scheduler rr, persistence = timeoutSeconds),
 * pkg/apis/core/validation (the limits) — and from the Linux kernel parts the
 * rules run on: net/netfilter/xt_statistic.c, xt_recent.c, ipvs/ip_vs_rr.c,
 * ip_vs_ctl.c, and iptables' extensions/libxt_statistic.c. Not calibrated
 * against a live cluster.
 *
 * kube-proxy balances connections, stickysim requests: here every request is
 * a new connection (no keep-alive), so each one goes through the rules.
 *
 * - Endpoints: the Service's ready endpoints, or, when none is ready, those
 *   serving while terminating (balancers/kubeProxy.ts kubeEndpoints); they
 *   have no weights, a scenario's `weight` is ignored.
 * - iptables, None: a random endpoint per connection through the chain of
 *   `statistic --mode random --probability 1/(n−i)` rules (IptablesRandom).
 * - iptables, ClientIP: one xt_recent list per endpoint — sticky while the
 *   client address was last seen at most timeoutSeconds ago, at most
 *   `ipListTot` addresses per endpoint (kernel default 100: a busier endpoint
 *   forgets its least recent clients), and an endpoint that leaves the Service
 *   (not ready, terminating, deleted) takes its list with it
 *   (affinity/xtRecent.ts).
 * - ipvs, None: the `rr` scheduler (IpvsRoundRobin).
 * - ipvs, ClientIP: a persistent virtual server (`-p timeoutSeconds`): a
 *   connection template per client address, expiring timeoutSeconds after its
 *   last use (a stick table, affinity/table.ts); a template whose real server
 *   is gone or quiesced (kube-proxy sets expire_quiescent_template) is
 *   dropped when next used and the client rescheduled; one not used meanwhile
 *   is valid again if its server returns. IPVS also keeps a template while
 *   connections it controls linger (TIME_WAIT, about 2 min): not modelled.
 * - Termination (a drained `remove`/`restart`/`scale`): the endpoint is not
 *   ready while terminating, so nothing new goes there, sticky connections
 *   included.
 */
import { z } from 'zod';
import { clientIp } from '../../affinity/keys.js';
import { ConnectionAffinity } from '../../affinity/connection.js';
import { TableAffinity } from '../../affinity/table.js';
import type { Affinity } from '../../affinity/types.js';
import { XtRecentAffinity } from '../../affinity/xtRecent.js';
import { IptablesRandom, IpvsRoundRobin } from '../../balancers/kubeProxy.js';
import { DEFAULT_POLICY, LoadBalancer, type DownPolicy } from '../loadBalancer.js';
import { def } from '../parts.js';

/** sessionAffinityConfig.clientIP.timeoutSeconds default (core/v1 DefaultClientIPServiceAffinitySeconds). */
export const DEFAULT_CLIENTIP_TIMEOUT = 10_800;
/** xt_recent `ip_list_tot` default. */
export const XT_RECENT_IP_LIST_TOT = 100;
/** Memory of one IPVS connection template (struct ip_vs_conn, about 300 bytes on x86-64). */
export const IPVS_TEMPLATE_BYTES = 300;

export const kubeProxyOptions = z.strictObject({
  sessionAffinity: z.enum(['None', 'ClientIP']).default('None').meta({ description: 'Service `spec.sessionAffinity` (default None).' }),
  timeoutSeconds: z.number().int().min(1).max(86_400).optional().meta({
    description: '`spec.sessionAffinityConfig.clientIP.timeoutSeconds` (ClientIP only; 1–86400, default 10800).',
  }),
  mode: z.enum(['iptables', 'ipvs']).default('iptables').meta({ description: 'kube-proxy `--proxy-mode` (default iptables; ipvs with the rr scheduler).' }),
  ipListTot: z.number().int().min(1).max(1_000_000).optional().meta({
    description: 'iptables mode, ClientIP: the xt_recent module parameter ip_list_tot, client addresses each endpoint remembers (kernel default 100).',
  }),
});

export type KubeProxyOptions = z.output<typeof kubeProxyOptions>;

export function checkKubeProxy(o: KubeProxyOptions): string | undefined {
  if (o.sessionAffinity === 'None' && o.timeoutSeconds !== undefined) {
    return 'timeoutSeconds (sessionAffinityConfig) must not be set when sessionAffinity is None (Kubernetes rejects it)';
  }
  if (o.ipListTot !== undefined && (o.mode !== 'iptables' || o.sessionAffinity !== 'ClientIP')) {
    return 'ipListTot (xt_recent) applies to mode: iptables with sessionAffinity: ClientIP';
  }
  return undefined;
}

/** IPVS: a template whose real server is quiesced (terminating) or gone is expired and the client rescheduled. */
const IPVS_POLICY: DownPolicy = { ...DEFAULT_POLICY, onDown: 'redispatch', onRecover: 'stay', onDrain: 'move' };

export const kubeProxyPreset = def({
  name: 'kube-proxy',
  description: 'A Kubernetes Service through kube-proxy: sessionAffinity None or ClientIP (timeoutSeconds), iptables (random, xt_recent) or ipvs (rr, persistence) mode.',
  options: kubeProxyOptions,
  check: checkKubeProxy,
  build: (o, ctx) => {
    const timeout = o.timeoutSeconds ?? DEFAULT_CLIENTIP_TIMEOUT;
    // kube-proxy balances connections: conntrack keeps an established flow on its endpoint, and only a new
    // connection meets the rules (the random chain, the recent lists, IPVS templates).
    const c = ctx.clients.connection;
    const l4 = (inner: Affinity | undefined) => (c !== undefined && c.reuse !== 'request' ? new ConnectionAffinity(c, Infinity, inner) : inner);
    if (o.mode === 'iptables') {
      const balancer = new IptablesRandom(ctx.routing);
      if (o.sessionAffinity === 'None') return { lb: new LoadBalancer(l4(undefined), balancer) };
      return { lb: new LoadBalancer(l4(new XtRecentAffinity({ timeout, listSize: o.ipListTot ?? XT_RECENT_IP_LIST_TOT })), balancer) };
    }
    const balancer = new IpvsRoundRobin(ctx.routing);
    if (o.sessionAffinity === 'None') return { lb: new LoadBalancer(l4(undefined), balancer) };
    const templates = new TableAffinity(clientIp, { expire: timeout, capacity: Infinity, entryBytes: IPVS_TEMPLATE_BYTES });
    return { lb: new LoadBalancer(l4(templates), balancer, IPVS_POLICY) };
  },
});
