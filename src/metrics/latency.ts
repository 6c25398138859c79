import { DDSketch } from '@datadog/sketches-js';

/**
 * Latency distribution with quantiles accurate to 1% relative error
 * (DDSketch: logarithmic buckets of ratio (1+α)/(1−α), α = 0.01), and an
 * exact count, mean and maximum.
 */
export class LatencyHistogram {
  private readonly sketch = new DDSketch({ relativeAccuracy: 0.01 });
  count = 0;
  sum = 0;
  max = 0;

  add(seconds: number): void {
    this.sketch.accept(seconds);
    this.count++;
    this.sum += seconds;
    if (seconds > this.max) this.max = seconds;
  }

  /** The q-quantile (0…1) in seconds; 0 when empty. */
  quantile(q: number): number {
    return this.count === 0 ? 0 : this.sketch.getValueAtQuantile(q);
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }
}
