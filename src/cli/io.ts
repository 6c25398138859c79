import type { Terminal } from './progress.js';

/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Where a progress bar may draw (drawn only if it is a TTY); none in tests. */
  terminal?: Terminal;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  terminal: process.stderr,
};
