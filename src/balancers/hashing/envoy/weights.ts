/**
 * What Envoy's hashing load balancers are built from (Envoy 1.36,
 * source/extensions/load_balancing_policies/common/thread_aware_lb_impl.{h,cc}).
 */

/**
 * A hashing load balancer as ThreadAwareLoadBalancerBase::HashingLoadBalancer:
 * `chooseHost(hash, attempt)` for a 64-bit hash given as unsigned 32-bit
 * halves. Returns the index of the chosen host in the normalized host weight
 * vector it was built from, or −1 when built over no hosts. Never allocates.
 */
export interface EnvoyHashingLb {
  chooseHost(hi: number, lo: number, attempt?: number): number;
}

/** A NormalizedHostWeightVector with its extremes, as `refresh()` passes them to createLoadBalancer. */
export interface NormalizedHostWeights {
  /** Each host's weight ÷ the sum of weights, in host-set order. */
  weights: number[];
  /** min_normalized_weight (1.0 when there are no hosts). */
  min: number;
  /** max_normalized_weight (0.0 when there are no hosts). */
  max: number;
}

/**
 * normalizeHostWeights (thread_aware_lb_impl.cc), without locality weights:
 * `weight = host->weight() * 1.0 / sum`, the extremes starting from
 * min = 1.0, max = 0.0 as in refresh().
 */
export function normalizeHostWeights(hostWeights: readonly number[]): NormalizedHostWeights {
  let sum = 0;
  for (const w of hostWeights) sum += w;
  let min = 1.0;
  let max = 0.0;
  const weights = hostWeights.map((w) => {
    const weight = (w * 1.0) / sum;
    min = Math.min(min, weight);
    max = Math.max(max, weight);
    return weight;
  });
  return { weights, min, max };
}
