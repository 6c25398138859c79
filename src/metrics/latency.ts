/**
 * Latency distribution: quantiles to within 1/1024 (< 0.1%) relative error
 * of the exact sample quantiles, and an exact count, mean, minimum and
 * maximum, in constant memory (512 KiB, however many values).
 *
 * A log-linear histogram (the layout of HdrHistogram): every power of two is
 * split into 2^10 = 1024 equal buckets, so a bucket is at most 1/1024 of its
 * lower bound wide. The bucket of a value is read straight off its IEEE-754
 * bits (exponent and top ten mantissa bits), with no logarithm. Within a
 * bucket the values are taken as evenly spread, so the k-th smallest value is
 * placed by its rank inside its bucket rather than at a fixed point of it:
 * two runs whose p99 falls in the same bucket still report different values
 * when their ranks differ, and a confidence interval over replications has
 * the width the replications give it, not the histogram's. (With 64 buckets
 * per power of two and a fixed point per bucket, replications of one
 * scenario often reported the identical p99, and intervals of zero width.)
 *
 * Values from 2⁻³² s (0.23 ns) to 2³² s (136 years) have buckets of their
 * own; smaller ones count as the smallest, larger as the largest, and a
 * reported quantile is clamped to [min, max].
 */
export class LatencyHistogram {
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;
  private readonly counts = new Float64Array(BUCKETS);

  add(seconds: number): void {
    F64[0] = seconds;
    let b = (U32[HI]! >>> SHIFT) - FIRST;
    if (b < 0) b = 0;
    else if (b >= BUCKETS) b = BUCKETS - 1;
    this.counts[b]!++;
    this.count++;
    this.sum += seconds;
    if (seconds > this.max) this.max = seconds;
    if (seconds < this.min) this.min = seconds;
  }

  /**
   * The q-quantile (0…1) in seconds, 0 when empty: with the values sorted
   * x₀ ≤ … ≤ xₙ₋₁, the value at rank h = q·(n − 1), interpolated linearly
   * between x⌊h⌋ and x⌊h⌋₊₁ (Hyndman and Fan's type 7, the default of R and
   * NumPy), each xₖ estimated to within 1/1024; the extremes exactly.
   */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = q * (this.count - 1);
    if (rank <= 0) return this.min;
    if (rank >= this.count - 1) return this.max;
    const k = Math.floor(rank);
    const lo = this.valueAt(k);
    const f = rank - k;
    return f === 0 ? lo : lo + f * (this.valueAt(k + 1) - lo);
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /**
   * The k-th smallest value (0-based), estimated: its bucket holds c values
   * of which it is the j-th (0-based), placed at (j + ½)/c of the bucket's
   * width; clamped to [min, max], exact at both ends.
   */
  private valueAt(k: number): number {
    if (k <= 0) return this.min;
    if (k >= this.count - 1) return this.max;
    const counts = this.counts;
    let seen = 0;
    let b = 0;
    for (; b < BUCKETS - 1; b++) {
      const c = counts[b]!;
      if (seen + c > k) break;
      seen += c;
    }
    const c = counts[b]!;
    const lo = lowerBound(b);
    const hi = lowerBound(b + 1);
    const v = lo + ((k - seen + 0.5) / c) * (hi - lo);
    return Math.min(this.max, Math.max(this.min, v));
  }
}

/** Mantissa bits kept: 2^10 buckets per power of two (a bucket at most 1/1024 of its lower bound wide). */
const SUB_BITS = 10;
/** The high 32 bits of a double: sign, 11 exponent bits, 20 mantissa bits. */
const SHIFT = 20 - SUB_BITS;
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
/** Index of the high word in U32 (1 on little-endian machines). */
const HI = (() => {
  F64[0] = 1;
  return U32[1] === 0x3ff00000 ? 1 : 0;
})();
/** Biased exponents covered: 2⁻³² … 2³². */
const FIRST = (1023 - 32) << SUB_BITS;
const BUCKETS = 64 << SUB_BITS;

/** The smallest value of bucket b. */
function lowerBound(b: number): number {
  U32[HI] = (b + FIRST) << SHIFT;
  U32[1 - HI] = 0;
  return F64[0]!;
}
