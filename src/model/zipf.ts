import type { Uniform } from '../engine/index.js';

/**
 * Picks one of `count` items (0-based) with probability ∝ 1/(k+1)^exponent:
 * a heavy-tailed popularity (exponent 0 is uniform; around 1 a few items take
 * a large share, as one corporate proxy fronting thousands of users does).
 */
export class Zipf {
  private readonly cumulative: Float64Array;

  constructor(
    readonly count: number,
    readonly exponent: number,
  ) {
    this.cumulative = new Float64Array(count);
    let total = 0;
    for (let k = 0; k < count; k++) {
      total += 1 / (k + 1) ** exponent;
      this.cumulative[k] = total;
    }
  }

  /** The share of picks item k receives. */
  share(k: number): number {
    const c = this.cumulative;
    return (c[k]! - (k > 0 ? c[k - 1]! : 0)) / c[this.count - 1]!;
  }

  pick(u: Uniform): number {
    const c = this.cumulative;
    const x = u() * c[this.count - 1]!;
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
