/** HAProxy 2.6's deterministic balancing, reproduced exactly (see each file for the source it follows). */
export * from './hash.js';
export * from './weights.js';
export * from './map.js';
export * from './chash.js';
export * from './random.js';
