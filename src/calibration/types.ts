/**
 * Calibration: the real HAProxy and nginx run on loopback as foreground
 * processes, in front of tiny backends, driven by clients from distinct
 * 127.x.y.z source addresses; the same case is answered by stickysim's own
 * code, and the two are compared. Node-only: nothing under src/ but the CLI
 * and this directory imports it.
 */

/** Which server answered one client's request, or `null` when the request failed. */
export type Answer = string | null;

/** One comparison of a case: a real figure, stickysim's, and whether they agree. */
export interface CaseResult {
  /** Short, unique, stable: `haproxy-source-map-8to9`. */
  name: string;
  /** What the case does, in words, for docs/CALIBRATION.md. */
  description: string;
  /** `HAProxy 2.6.12`, `nginx 1.22.1`: the version the binary reported. */
  system: string;
  /**
   * `deterministic`: stickysim must give the same server per client
   * (`agree` when ≥ 99.9% of clients match); `statistical`: the real value
   * must fall inside stickysim's 95% confidence interval.
   */
  kind: 'deterministic' | 'statistical';
  clients: number;
  /** The measured figure (deterministic: share of clients on the server stickysim predicts, 0..1). */
  real: number;
  /** stickysim's figure (deterministic: 1 by construction; statistical: its mean). */
  sim: number;
  /** stickysim's 95% confidence interval (statistical cases). */
  ci?: [number, number];
  agree: boolean;
  /** What differed, when anything did: the first few mismatching clients. */
  detail: string;
}

export interface CalibrationCase {
  name: string;
  system: 'haproxy' | 'nginx';
  /** Part of the quick subset that `npm test` runs (the whole quick subset stays under a minute). */
  quick: boolean;
  run(): Promise<CaseResult[]>;
}
