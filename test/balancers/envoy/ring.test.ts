/**
 * Envoy's RING_HASH against the concrete values Envoy's own unit tests
 * assert (test/extensions/load_balancing_policies/ring_hash/ring_hash_lb_test.cc):
 * ring sizes and per-host counts, the ring's points, and the host chosen for
 * given 64-bit hashes. Hosts there are "tcp://127.0.0.1:<port>", hashed by
 * their address "127.0.0.1:<port>".
 */
import { describe, expect, it } from 'vitest';
import { EnvoyRingHash, fromBigInt, normalizeHostWeights, toBigInt, xxHash64Text, type EnvoyRingOptions } from '../../../src/balancers/hashing/envoy/index.js';

const U64_MAX = (1n << 64n) - 1n;
const addr = (port: number) => `127.0.0.1:${port}`;

function ring(ports: number[], options: EnvoyRingOptions, weights = ports.map(() => 1)) {
  const nw = normalizeHostWeights(weights);
  return new EnvoyRingHash(ports.map(addr), nw.weights, nw.min, options);
}

const pick = (r: EnvoyRingHash, h: bigint, attempt = 0) => {
  const { hi, lo } = fromBigInt(h);
  return r.chooseHost(hi, lo, attempt);
};

/** The ring's points as (port, position), as the tests' comments list them. */
const layout = (r: EnvoyRingHash, ports: number[]) =>
  Array.from(r.hosts, (h, j) => [ports[h]!, toBigInt({ hi: r.hi[j]!, lo: r.lo[j]! })]);

/** Host of each of `n` hashes spread evenly: i × (UINT64_MAX / n), as the "LargeRing" tests do. */
function histogram(r: EnvoyRingHash, n: number, hosts: number): number[] {
  const counts = new Array<number>(hosts).fill(0);
  const step = U64_MAX / BigInt(n);
  for (let i = 0; i < n; i++) counts[pick(r, BigInt(i) * step)]!++;
  return counts;
}

describe('Envoy RING_HASH, as ring_hash_lb_test.cc asserts it', () => {
  const six = [90, 91, 92, 93, 94, 95];

  it('Basic: 6 hosts, minimum_ring_size 12 → 2 hashes each; the ring and the picks', () => {
    const r = ring(six, { minimumRingSize: 12 });
    expect(r.stats).toEqual({ size: 12, minHashesPerHost: 2, maxHashesPerHost: 2 });
    expect(layout(r, six)).toEqual([
      [94, 833437586790550860n], [92, 928266305478181108n], [90, 1033482794131418490n], [95, 3551244743356806947n],
      [93, 3851675632748031481n], [91, 5583722120771150861n], [91, 6311230543546372928n], [93, 7700377290971790572n],
      [95, 13144177310400110813n], [92, 13444792449719432967n], [94, 15516499411664133160n], [90, 16117243373044804889n],
    ]);
    expect(pick(r, 0n)).toBe(4);
    expect(pick(r, U64_MAX)).toBe(4); // past the last point: wraps to the first
    expect(pick(r, 3551244743356806947n)).toBe(5); // exactly on a point: that point
    expect(pick(r, 3551244743356806948n)).toBe(3);
    expect(pick(r, 16117243373044804880n)).toBe(0); // the test's random() value
  });

  it('BasicWithRetryHostPredicate: a retry attempt steps along the ring', () => {
    const r = ring(six, { minimumRingSize: 12 });
    expect(pick(r, 0n, 0)).toBe(4);
    expect(pick(r, 0n, 1)).toBe(2); // second attempt: the next host in the ring
    expect(pick(r, 0n, 2)).toBe(0); // exhausted retries return the last checked host
    expect(pick(r, 0n, 13)).toBe(2); // retries wrap around the ring
  });

  it('BasicWithMurmur2: hash_function MURMUR_HASH_2 builds the ring the test lists', () => {
    const ports = [80, 81, 82, 83, 84, 85];
    const r = ring(ports, { minimumRingSize: 12, hashFunction: 'MURMUR_HASH_2' });
    expect(r.stats).toEqual({ size: 12, minHashesPerHost: 2, maxHashesPerHost: 2 });
    expect(layout(r, ports)).toEqual([
      [85, 1358027074129602068n], [83, 4361834613929391114n], [84, 7224494972555149682n], [81, 7701421856454313576n],
      [82, 8649315368077433379n], [84, 8739448859063030639n], [81, 9887544217113020895n], [82, 10150910876324007731n],
      [83, 15168472011420622455n], [80, 15427156902705414897n], [85, 16375050414328759093n], [80, 17613279263364193813n],
    ]);
    expect(pick(r, 0n)).toBe(5);
    expect(pick(r, U64_MAX)).toBe(5);
    expect(pick(r, 1358027074129602068n)).toBe(5);
    expect(pick(r, 1358027074129602069n)).toBe(3);
    expect(pick(r, 10150910876324007730n)).toBe(2);
  });

  it('BasicWithHostname: the same test hashing hostnames "90" … "95" (the ring Envoy lists)', () => {
    const nw = normalizeHostWeights(six.map(() => 1));
    const r = new EnvoyRingHash(six.map(String), nw.weights, nw.min, { minimumRingSize: 12 });
    expect(layout(r, six).map(([p, h]) => `${p}|${h}`)).toEqual([
      '95|1975508444536362413', '95|2376063919839173711', '93|2386806903309390596', '94|6749904478991551885',
      '93|6803900775736438537', '92|7225015537174310577', '90|8787465352164086522', '92|11282020843382717940',
      '91|13723418369486627818', '90|13776502110861797421', '91|14338313586354474791', '94|15364271037087512980',
    ]);
    expect([pick(r, 0n), pick(r, U64_MAX), pick(r, 7225015537174310577n), pick(r, 6803900775736438537n)]).toEqual([5, 5, 2, 3]);
  });

  it('UnevenHosts: 2 hosts, minimum_ring_size 3 → 2 hashes each (ring of 4); a host replaced', () => {
    const r = ring([80, 81], { minimumRingSize: 3 });
    expect(r.stats).toEqual({ size: 4, minHashesPerHost: 2, maxHashesPerHost: 2 });
    expect(layout(r, [80, 81])).toEqual([[80, 5454692015285649509n], [81, 7859399908942313493n], [80, 13838424394637650569n], [81, 16064866803292627174n]]);
    expect(pick(r, 0n)).toBe(0);
    const r2 = ring([81, 82], { minimumRingSize: 3 });
    expect(layout(r2, [81, 82])).toEqual([[81, 7859399908942313493n], [82, 8241336090459785962n], [82, 12882406409176325258n], [81, 16064866803292627174n]]);
    expect(pick(r2, 0n)).toBe(0);
  });

  it('HostWeightedTinyRing: weights 1, 2, 3 on a ring of exactly 6', () => {
    const r = ring([90, 91, 92], { minimumRingSize: 6, maximumRingSize: 6 }, [1, 2, 3]);
    expect(r.stats).toEqual({ size: 6, minHashesPerHost: 1, maxHashesPerHost: 3 });
    const expected: [bigint, number][] = [
      [928266305478181108n, 2], [4443673547860492590n, 2], [5583722120771150861n, 1],
      [6311230543546372928n, 1], [13444792449719432967n, 2], [16117243373044804889n, 0],
    ];
    for (const [h, host] of expected) expect(pick(r, h)).toBe(host);
  });

  it('HostWeightedLargeRing: weights 1, 2, 3, minimum 6144 → 1024 … 3072 hashes; 6000 spread hashes land 987 / 1932 / 3081', () => {
    const r = ring([90, 91, 92], { minimumRingSize: 6144 }, [1, 2, 3]);
    expect(r.stats).toEqual({ size: 6144, minHashesPerHost: 1024, maxHashesPerHost: 3072 });
    expect(histogram(r, 6000, 3)).toEqual([987, 1932, 3081]);
  });

  it('HostAndLocalityWeightedTinyRing: normalized weights w × locality share / hosts in locality, ring of exactly 9', () => {
    // Localities A (1/3: :90 w1, :91 w2) and B (2/3: :92 w1, :93 w2): weight × (locality/Σ) / Σhost weights in it.
    const weights = [(1 * (1 / 3)) / 3, (2 * (1 / 3)) / 3, (1 * (2 / 3)) / 3, (2 * (2 / 3)) / 3];
    const r = new EnvoyRingHash([90, 91, 92, 93].map(addr), weights, Math.min(...weights), { minimumRingSize: 9, maximumRingSize: 9 });
    expect(r.stats).toEqual({ size: 9, minHashesPerHost: 1, maxHashesPerHost: 4 });
    const expected: [bigint, number][] = [
      [928266305478181108n, 2], [3851675632748031481n, 3], [5583722120771150861n, 1], [6311230543546372928n, 1], [7700377290971790572n, 3],
      [12559126875973811811n, 3], [13444792449719432967n, 2], [13784988426630141778n, 3], [16117243373044804889n, 0],
    ];
    for (const [h, host] of expected) expect(pick(r, h)).toBe(host);
    const large = new EnvoyRingHash([90, 91, 92, 93].map(addr), weights, Math.min(...weights), { minimumRingSize: 9216 });
    expect(large.stats).toEqual({ size: 9216, minHashesPerHost: 1024, maxHashesPerHost: 4096 });
    expect(histogram(large, 9000, 4)).toEqual([924, 2009, 2053, 4014]);
  });

  it('SmallFractionalScale: 4 hosts on a ring of exactly 2 → two hosts absent', () => {
    const r = ring([90, 91, 92, 93], { minimumRingSize: 2, maximumRingSize: 2 });
    expect(r.stats).toEqual({ size: 2, minHashesPerHost: 0, maxHashesPerHost: 1 });
    const counts = histogram(r, 1024, 4);
    expect(counts.filter((c) => c === 0)).toHaveLength(2);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1024);
  });

  it('LargeFractionalScale: 2 hosts on a ring of exactly 1023 → 511 and 512; 1023 spread hashes land 526 / 497', () => {
    const r = ring([90, 91], { minimumRingSize: 1023, maximumRingSize: 1023 });
    expect(r.stats).toEqual({ size: 1023, minHashesPerHost: 511, maxHashesPerHost: 512 });
    expect(histogram(r, 1023, 2)).toEqual([526, 497]);
  });

  it('LopsidedWeightSmallScale: one host of weight 127/128 and 1023 of (1/128)/1023 on 1024 points', () => {
    const weights = Array.from({ length: 1024 }, (_, i) => (i === 0 ? (1 * (127 / 128)) / 1 : (1 * (1 / 128)) / 1023));
    const ports = Array.from({ length: 1024 }, (_, i) => i);
    const r = new EnvoyRingHash(ports.map(addr), weights, Math.min(...weights), { minimumRingSize: 1024, maximumRingSize: 1024 });
    expect(r.stats).toEqual({ size: 1024, minHashesPerHost: 0, maxHashesPerHost: 1016 });
    const expected: [bigint, number][] = [
      [11664790346325243808n, 1], [15894554872961148518n, 128], [13958138884277627155n, 256], [15803774069438192949n, 384],
      [3829253010855396576n, 512], [17918147347826565154n, 640], [6442769608292299103n, 768], [5881074926069334434n, 896],
    ];
    for (const [h, host] of expected) expect(pick(r, h)).toBe(host);
  });

  it('BadRingSizeBounds: minimum_ring_size above maximum_ring_size is rejected with Envoy\'s message', () => {
    expect(() => ring(six, { minimumRingSize: 20, maximumRingSize: 10 })).toThrow('ring hash: minimum_ring_size (20) > maximum_ring_size (10)');
  });

  it('the default ring: 1024 points over 8 equal hosts, 128 each; no hosts → no host', () => {
    const r = ring([1, 2, 3, 4, 5, 6, 7, 8], {});
    expect(r.stats).toEqual({ size: 1024, minHashesPerHost: 128, maxHashesPerHost: 128 });
    expect(r.pointsPerHost(8)).toEqual(new Array(8).fill(128));
    expect(new EnvoyRingHash([], [], 1, {}).chooseHost(1, 2)).toBe(-1);
  });

  it('point keys are "<address>_<i>" hashed with XXH64 (seed 0), 64 bits', () => {
    // :94's two points in the Basic ring above.
    expect(toBigInt(xxHash64Text('127.0.0.1:94_0'))).toBe(15516499411664133160n);
    expect(toBigInt(xxHash64Text('127.0.0.1:94_1'))).toBe(833437586790550860n);
  });
});
