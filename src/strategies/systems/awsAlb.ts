/**
 * `{ system: aws-alb, … }`: an AWS Application Load Balancer target group,
 * configured by its attribute names camelCased (`stickiness.type` →
 * `stickiness`, `stickiness.lb_cookie.duration_seconds` → `lbCookieDuration`,
 * `load_balancing.algorithm.type` → `algorithm`, `slow_start.duration_seconds`
 * → `slowStart`), with AWS's defaults.
 *
 * Reproduced from AWS's documentation — there is no ALB to run here, and the
 * preset is not calibrated against a live one:
 * - ALB user guide, "Edit target group attributes for your Application Load
 *   Balancer" (docs.aws.amazon.com/elasticloadbalancing/latest/application/
 *   edit-target-group-attributes.html): routing algorithm, slow start mode,
 *   deregistration delay, health settings (fail open), sticky sessions;
 * - "Sticky sessions for your Application Load Balancer" (…/sticky-sessions.html,
 *   awsdocs/elb-application-load-balancers-user-guide doc_source/sticky-sessions.md);
 * - the Elastic Load Balancing API reference, TargetGroupAttribute (ranges
 *   and defaults of every attribute).
 * Read in 2026; the ALB has no version number.
 *
 *     aws elbv2 modify-target-group-attributes --target-group-arn … --attributes \
 *       Key=stickiness.enabled,Value=true Key=stickiness.type,Value=lb_cookie \
 *       Key=stickiness.lb_cookie.duration_seconds,Value=86400 \
 *       Key=load_balancing.algorithm.type,Value=round_robin Key=slow_start.duration_seconds,Value=120
 *
 * What each part does here:
 * - `algorithm`: round_robin ("evenly across healthy targets … in a sequential
 *   order"), least_outstanding_requests ("the lowest number of in progress
 *   requests"), weighted_random ("evenly … in a random order"; its weights
 *   come only from anomaly mitigation, which is not modelled). Targets have no
 *   weights: a scenario's `weight` is ignored (balancers/unweighted.ts).
 * - `stickiness`: AWSALB (lb_cookie) or AWSALBAPP (app_cookie) cookie
 *   stickiness, the cookie's life reset by every response
 *   (affinity/albCookie.ts); a target gone unhealthy or deregistered: the
 *   request goes to a new target and the cookie follows it (the session
 *   stays there when the old target returns).
 * - `slowStart`: a target that becomes healthy while others are in service
 *   gets a linearly growing share of new requests (balancers/slowStart.ts);
 *   sticky requests are not affected.
 * - Deregistration (a drained `remove`, `restart` or `scale` in the
 *   timeline): the target gets no new request, sticky ones included ("If the
 *   Application Load Balancer receives a new request while the target is
 *   draining due to deregistration, the request is routed to a healthy
 *   target"), its requests in flight finish: policy `onDrain: move`. How long
 *   the drain may last is the timeline's `drainTimeout`, which is where
 *   deregistration_delay.timeout_seconds belongs.
 * - No healthy target at all: the ALB fails open and routes to every
 *   registered target (the default target_group_health minimum of 1 healthy
 *   target); the dead ones fail the request.
 */
import { z } from 'zod';
import { AlbCookieAffinity } from '../../affinity/albCookie.js';
import { SlowStart } from '../../balancers/slowStart.js';
import type { Balancer } from '../../balancers/types.js';
import { CyclicRoundRobin, LeastOutstanding, UniformRandom, type Targets } from '../../balancers/unweighted.js';
import { duration } from '../../model/units.js';
import { LoadBalancer, type DownPolicy } from '../loadBalancer.js';
import { def } from '../parts.js';

const SEVEN_DAYS = 604_800;
const cookieDuration = (what: string) =>
  duration
    .pipe(z.number().int('expected whole seconds').min(1, 'expected at least 1 second').max(SEVEN_DAYS, 'expected at most 7 days (604800 s)'))
    .default(86_400)
    .meta({ description: `${what} (seconds or "1d"; 1 s – 7 days; default 1 day).` });

export const awsAlbOptions = z.strictObject({
  stickiness: z.enum(['none', 'lb_cookie', 'app_cookie']).default('none').meta({
    description: '`stickiness.enabled` + `stickiness.type`: none (disabled, the default), lb_cookie (AWSALB, duration-based), app_cookie (AWSALBAPP, application-based).',
  }),
  lbCookieDuration: cookieDuration('`stickiness.lb_cookie.duration_seconds`: the AWSALB cookie is stale this long after the last response'),
  appCookieDuration: cookieDuration('`stickiness.app_cookie.duration_seconds`: the AWSALBAPP cookie is stale this long after the last response'),
  algorithm: z.enum(['round_robin', 'least_outstanding_requests', 'weighted_random']).default('round_robin').meta({
    description: '`load_balancing.algorithm.type` (default round_robin).',
  }),
  slowStart: duration
    .pipe(z.number().int('expected whole seconds').refine((v) => v === 0 || (v >= 30 && v <= 900), 'expected 0 (off) or 30–900 seconds'))
    .default(0)
    .meta({ description: '`slow_start.duration_seconds`: 0 (off, the default) or 30–900 s of linear ramp for a target that becomes healthy.' }),
  deregistrationDelay: duration.optional().meta({
    description: '`deregistration_delay.timeout_seconds`: not an option of the preset; the timeline\'s drainTimeout plays its part (see check).',
  }),
});

export type AwsAlbOptions = z.output<typeof awsAlbOptions>;

export function checkAwsAlb(o: AwsAlbOptions): string | undefined {
  if (o.slowStart > 0 && o.algorithm !== 'round_robin') {
    return `slowStart cannot be enabled with algorithm ${o.algorithm} (AWS: not with least outstanding requests or weighted random)`;
  }
  if (o.algorithm === 'weighted_random' && o.stickiness !== 'none') return 'the weighted_random algorithm cannot be used with sticky sessions (AWS)';
  if (o.deregistrationDelay !== undefined) {
    return 'deregistrationDelay is the drain of the timeline: give the remove/restart/scale event drain: true and drainTimeout (ALB default 300s); during it the preset sends the target nothing new, sticky requests included';
  }
  return undefined;
}

/** The healthy targets; with none healthy the ALB fails open: every registered (not deregistering) target. */
export const albTargets: Targets = (fleet) => (fleet.available.length > 0 ? fleet.available : fleet.members.filter((s) => !s.draining));

/** A cookie naming an unhealthy or deregistered target: new target, cookie rewritten, no return; a draining one gets nothing new. */
export const ALB_POLICY: DownPolicy = { onDown: 'redispatch', retries: 0, retryDelay: 0, onRecover: 'stay', onDrain: 'move' };

export function albBalancer(o: Pick<AwsAlbOptions, 'algorithm' | 'slowStart'>, routing: () => number): Balancer {
  const plain: Balancer =
    o.algorithm === 'round_robin'
      ? new CyclicRoundRobin(albTargets)
      : o.algorithm === 'least_outstanding_requests'
        ? new LeastOutstanding(albTargets)
        : new UniformRandom(routing, albTargets);
  return o.slowStart > 0 ? new SlowStart(plain, { duration: o.slowStart, baseWeight: () => 1 }) : plain;
}

export const awsAlbPreset = def({
  name: 'aws-alb',
  description: 'AWS Application Load Balancer target group by its attributes: stickiness (lb_cookie, app_cookie), algorithm (round_robin, least_outstanding_requests, weighted_random), slow start.',
  options: awsAlbOptions,
  check: checkAwsAlb,
  build: (o, ctx) => {
    const balancer = albBalancer(o, ctx.routing);
    if (o.stickiness === 'none') return { lb: new LoadBalancer(undefined, balancer, ALB_POLICY) };
    const cookie = new AlbCookieAffinity({
      duration: o.stickiness === 'lb_cookie' ? o.lbCookieDuration : o.appCookieDuration,
      sharedCache: ctx.clients.nat?.sharedCache ?? false,
    });
    return { lb: new LoadBalancer(cookie, balancer, ALB_POLICY) };
  },
});
