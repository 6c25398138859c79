/**
 * std::mt19937 (the 32-bit Mersenne Twister of the C++ standard library),
 * which Envoy's bounded-load probe seeds with the request hash
 * (thread_aware_lb_impl.cc, BoundedLoadHashingLoadBalancer::chooseHost).
 * Seeding with a 64-bit value keeps its low 32 bits, as libstdc++'s
 * `seed()` does (`__mod<_UIntType, 2^32>`). The state is reused: no
 * allocation per seeding.
 */
export class Mt19937 {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  /** std::mt19937::seed(value): the low 32 bits of `seed`. */
  seed(seed: number): void {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = 624;
  }

  /** The next output, 0 … 2^32 − 1 (std::mt19937::operator()). */
  next(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * BoundedLoadHashingLoadBalancer::chooseHost's `uniform_int(random, k)`: a
   * uniform integer in [0, k) by rejection, `random() / ((max + 1) / k)`
   * in integer arithmetic.
   */
  uniformInt(k: number): number {
    const bucket = Math.floor(4294967296 / k);
    let x = k;
    while (x >= k) x = Math.floor(this.next() / bucket);
    return x;
  }
}
