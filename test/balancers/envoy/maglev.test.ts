/**
 * Envoy's MAGLEV against the tables Envoy's own unit tests assert
 * (test/extensions/load_balancing_policies/maglev/maglev_lb_test.cc): entry
 * counts and the host chosen for hashes 0 … 3 × table size.
 */
import { describe, expect, it } from 'vitest';
import { MaglevHash } from '../../../src/balancers/hashing/index.js';
import { ENVOY_MAGLEV_DEFAULT_TABLE_SIZE, EnvoyMaglevTable, mod64, normalizeHostWeights, xxHash64Text } from '../../../src/balancers/hashing/envoy/index.js';
import { makeFleet } from '../../helpers.js';

const addr = (port: number) => `127.0.0.1:${port}`;

function table(keys: string[], weights: number[], size: number) {
  const nw = normalizeHostWeights(weights);
  return new EnvoyMaglevTable(keys, nw.weights, nw.max, size);
}

/** Hosts chosen for hashes 0 … 3 × size − 1 (the tests' loop) must repeat `expected`. */
function expectAssignments(t: EnvoyMaglevTable, expected: number[]) {
  for (let i = 0; i < 3 * expected.length; i++) expect(t.chooseHost(0, i)).toBe(expected[i % expected.length]);
}

describe('Envoy MAGLEV, as maglev_lb_test.cc asserts it', () => {
  const six = [90, 91, 92, 93, 94, 95];

  it('Basic: 6 hosts, table 7 → 1 or 2 entries each, the test\'s table', () => {
    const t = table(six.map(addr), six.map(() => 1), 7);
    expect(t.stats).toEqual({ minEntriesPerHost: 1, maxEntriesPerHost: 2 });
    expectAssignments(t, [2, 4, 0, 1, 5, 0, 3]);
  });

  it('BasicWithRetryHostPredicate: a retry XORs the hash with 2^64 − attempt', () => {
    const t = table(six.map(addr), six.map(() => 1), 7);
    expect(t.chooseHost(0, 10)).toBe(1);
    expect(t.chooseHost(0, 10, 1)).toBe(0);
    expect(t.chooseHost(0, 10, 2)).toBe(5);
  });

  it('BasicWithHostName: hostnames "90" … "95" give the other table the test lists', () => {
    const t = table(six.map(String), six.map(() => 1), 7);
    expectAssignments(t, [2, 5, 0, 3, 4, 1, 0]);
  });

  it('BasicStability: the table does not depend on the order hosts are given in (sorted by key)', () => {
    const order = [3, 0, 5, 1, 4, 2];
    const t = table(order.map((i) => addr(six[i]!)), order.map(() => 1), 7);
    expectAssignments(t, [2, 4, 0, 1, 5, 0, 3].map((h) => order.indexOf(h)));
  });

  it('Weighted: weights 1 and 2, table 17 → 6 and 11 entries', () => {
    const t = table([addr(90), addr(91)], [1, 2], 17);
    expect(t.stats).toEqual({ minEntriesPerHost: 6, maxEntriesPerHost: 11 });
    expectAssignments(t, [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1]);
  });

  it('LocalityWeightedSameLocalityWeights: normalized weights 0.5 and 0.5 → 8 and 9 entries', () => {
    // Each host alone in its locality: weight × locality share ÷ the locality's weight sum.
    const t = new EnvoyMaglevTable([addr(90), addr(91)], [(1 * 0.5) / 1, (2 * 0.5) / 2], 0.5, 17);
    expect(t.stats).toEqual({ minEntriesPerHost: 8, maxEntriesPerHost: 9 });
    expectAssignments(t, [1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1]);
  });

  it('LocalityWeightedDifferentLocalityWeights: normalized weights 0.8 and 0.2 → 13 and 4 entries', () => {
    const weights = [(1 * (8 / 10)) / 1, (2 * (2 / 10)) / 2];
    const t = new EnvoyMaglevTable([addr(90), addr(91)], weights, Math.max(...weights), 17);
    expect(t.stats).toEqual({ minEntriesPerHost: 4, maxEntriesPerHost: 13 });
    expectAssignments(t, [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('LocalityWeightedLopsided: 1023 light hosts get one entry each, the heavy one the rest of 65537', () => {
    const weights = Array.from({ length: 1024 }, (_, i) => (i === 0 ? (1 * (127 / 128)) / 1 : (1 * (1 / 128)) / 1023));
    const keys = weights.map((_, i) => addr(i));
    const t = new EnvoyMaglevTable(keys, weights, Math.max(...weights), ENVOY_MAGLEV_DEFAULT_TABLE_SIZE);
    expect(t.stats).toEqual({ minEntriesPerHost: 1, maxEntriesPerHost: ENVOY_MAGLEV_DEFAULT_TABLE_SIZE - 1023 });
    const counts = t.entriesPerHost(1024);
    expect(counts.slice(1).every((c) => c === 1)).toBe(true);
    expect(counts[0]).toBe(ENVOY_MAGLEV_DEFAULT_TABLE_SIZE - 1023);
  });

  it('SingleHost and NoHost; NoPrimeNumber is rejected with Envoy\'s message', () => {
    const t = table([addr(90)], [1], 7);
    for (let i = 0; i < 5; i++) expect(t.chooseHost(0, i)).toBe(0);
    expect(table([], [], 7).chooseHost(0, 1)).toBe(-1);
    expect(() => table([addr(90)], [1], 8)).toThrow('The table size of maglev must be prime number');
  });

  it('offset = xxHash64(address) % M and skip = xxHash64(address, 1) % (M − 1) + 1, on all 64 bits', () => {
    const t = table(six.map(addr), six.map(() => 1), 65537);
    const h0 = xxHash64Text(addr(92), 0);
    const h1 = xxHash64Text(addr(92), 1);
    const big = (h: { hi: number; lo: number }) => (BigInt(h.hi) << 32n) | BigInt(h.lo);
    expect(t.offsets[2]).toBe(Number(big(h0) % 65537n));
    expect(t.skips[2]).toBe(Number(big(h1) % 65536n) + 1);
    expect(mod64(0xffffffff, 0xffffffff, 5000011)).toBe(Number(((1n << 64n) - 1n) % 5000011n));
  });

  it('differs from the generic MaglevHash, which hashes server names on 32 bits in host order', () => {
    const fleet = makeFleet(6);
    const generic = new MaglevHash(7);
    generic.build(fleet.servers);
    const envoy = table(fleet.servers.map((s) => `10.0.0.${s.id + 1}:80`), six.map(() => 1), 7);
    const g = Array.from({ length: 7 }, (_, i) => generic.pick(i)!.id);
    const e = Array.from({ length: 7 }, (_, i) => envoy.chooseHost(0, i));
    expect(g).not.toEqual(e);
  });
});
