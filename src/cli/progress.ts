import cliProgress from 'cli-progress';

/** Where a progress bar may draw: a terminal (its isTTY is what matters). */
export type Terminal = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface Progress {
  /** `done` of `total` runs finished; `next` names the run that starts now. */
  tick(done: number, total: number, next: string): void;
  /** Removes the bar (if one was drawn). */
  stop(): void;
}

const SILENT: Progress = { tick: () => {}, stop: () => {} };

/** "1m05s", "42s". */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Seconds a job must look like taking before the bar shows: 1, or
 * STICKYSIM_PROGRESS_AFTER (tests set 0 to see the bar on a fast run).
 */
function thresholdFromEnv(): number {
  const v = Number(process.env['STICKYSIM_PROGRESS_AFTER']);
  return process.env['STICKYSIM_PROGRESS_AFTER'] !== undefined && Number.isFinite(v) && v >= 0 ? v : 1;
}

/**
 * A progress bar of runs (strategies × replications) with an ETA, on a
 * terminal only, and only when the whole job looks like it takes longer
 * than `after` seconds: it appears at the first finished run that predicts
 * so. Pipes, CI logs and `--quiet` get nothing.
 */
export function progressBar(terminal: Terminal | undefined, opts: { after?: number; now?: () => number } = {}): Progress {
  if (terminal?.isTTY !== true) return SILENT;
  const now = opts.now ?? (() => performance.now() / 1000);
  const after = opts.after ?? thresholdFromEnv();
  const started = now();
  let bar: cliProgress.SingleBar | undefined;
  return {
    tick(done, total, next) {
      const elapsed = now() - started;
      // (`left`, not `eta`: cli-progress has its own {eta}, computed from its own clock.)
      const left = formatEta(done > 0 ? (elapsed / done) * (total - done) : 0);
      const payload = { left, next: done < total ? `running ${next}` : 'writing results' };
      if (bar === undefined) {
        if (done >= total || (elapsed / Math.max(done, 1)) * total < after) return;
        bar = new cliProgress.SingleBar(
          {
            stream: terminal,
            format: 'stickysim {bar} {value}/{total} runs | {left} left | {next}',
            barsize: 24,
            hideCursor: false,
            gracefulExit: false,
            clearOnComplete: true,
            linewrap: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done, payload);
      } else {
        bar.update(done, payload);
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
