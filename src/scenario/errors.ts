/**
 * Bad input from the user: a scenario, an argument, a results directory.
 * The CLI prints its one-line message and exits 2; anything else is a bug.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}
