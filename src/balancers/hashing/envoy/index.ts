/**
 * Envoy 1.36's load balancing reproduced from its source: RING_HASH,
 * MAGLEV, bounded loads (hash_balance_factor), the hash-policy texts, and
 * ROUND_ROBIN / RANDOM / LEAST_REQUEST with the healthy-panic host set.
 */
export { EnvoyLeastRequest, EnvoyRandom, EnvoyRoundRobin } from './balancers.js';
export { EnvoyBoundedLoadHashing, envoyHostOverloadFactor, type EnvoyActiveRequests } from './bounded.js';
export { EdfScheduler } from './edf.js';
export {
  STD_HASH_SEED, fromBigInt, mod64, murmurHash2, murmurHash2Text, toBigInt, writeAscii, writeIpv4, xxHash64, xxHash64Text, type U64,
} from './hash.js';
export { ENVOY_DEFAULT_HEALTHY_PANIC_THRESHOLD, EnvoyHostSet, hostWeightsAreEqual, isHostSetInPanic } from './hostSet.js';
export {
  ENVOY_MAGLEV_DEFAULT_TABLE_SIZE, ENVOY_MAGLEV_MAX_TABLE_SIZE, EnvoyMaglevTable, isPrimeTableSize, type EnvoyMaglevStats,
} from './maglev.js';
export { Mt19937 } from './mt19937.js';
export {
  ENVOY_DEFAULT_MAX_RING_SIZE, ENVOY_DEFAULT_MIN_RING_SIZE, EnvoyRingHash, ringSizeBoundsError,
  type EnvoyRingHashFunction, type EnvoyRingOptions, type EnvoyRingStats,
} from './ring.js';
export { EnvoyThreadAwareLb, type EnvoyHashingSpec } from './threadAware.js';
export { normalizeHostWeights, type EnvoyHashingLb, type NormalizedHostWeights } from './weights.js';
