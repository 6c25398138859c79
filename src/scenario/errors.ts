/**
 * Bad input from the user: a scenario, an argument, a results directory.
 * The CLI prints its one-line message and exits 2; anything else is a bug.
 */
export class InputError extends Error {
  override readonly name = 'InputError';

  /**
   * @param all every problem found, one line each, the first being `message`'s
   *   (a scenario with several mistakes: `validate` prints them all).
   * @param reported the lines were printed already: the CLI only exits 2.
   */
  constructor(
    message: string,
    readonly all: readonly string[] = [message],
    readonly reported = false,
  ) {
    super(message);
  }
}

/**
 * The machine refused, not the input and not stickysim: a full disk, a
 * permission, a directory missing or read-only, a worker thread out of
 * memory. The CLI prints its one-line message (what happened, where, and
 * what was or was not written) and exits 1, without calling it a bug.
 */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';

  /**
   * @param unsaid the message does not say yet what was written: the command
   *   that catches it adds that (a worker out of memory knows nothing of files).
   */
  constructor(
    message: string,
    readonly unsaid = false,
  ) {
    super(message);
  }
}
