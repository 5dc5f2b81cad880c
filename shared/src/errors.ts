/**
 * Error kinds shared by every action.
 *
 * An {@link InputError} is "the user must fix this" (a configuration error, as github/codeql-action calls
 * it): `runAction` reports its message alone, without a stack. Anything else thrown is "we failed" and gets
 * its stack printed under debug logging.
 */

/** A bad input value: names the input, the value's problem and an example of a good value. */
export class InputError extends Error {
  /** The action input at fault, as declared in action.yml (kebab-case). */
  readonly input: string;

  /**
   * @param input   the input's name, e.g. `timeout`
   * @param problem what is wrong with the value, e.g. `"10 minutes" is not a duration`
   * @param example a good value, e.g. `10m`; omitted when none helps
   */
  constructor(input: string, problem: string, example?: string) {
    super(
      `Input '${input}': ${problem}${example === undefined ? '' : `. Example of a good value: ${example}`}`,
    );
    this.name = 'InputError';
    this.input = input;
  }
}

/** A configuration problem that is not tied to one input (a missing tool, a file the user must add). */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** A deadline passed while waiting for something (a rollout, a health check, a lock). */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

const REPORTED = Symbol.for('gantry.reported');

/**
 * Marks a thrown value as already reported (an `::error::` annotation with a file and a title was
 * printed for it), so `runAction` sets the exit code without printing the same error a second time.
 * @returns the same value, for `throw markReported(error)`
 */
export function markReported<T>(thrown: T): T {
  if (typeof thrown === 'object' && thrown !== null)
    Object.defineProperty(thrown, REPORTED, { value: true, enumerable: false });
  return thrown;
}

/** True for a value passed to {@link markReported}. */
export function isReported(thrown: unknown): boolean {
  return (
    typeof thrown === 'object' && thrown !== null && (thrown as Record<symbol, unknown>)[REPORTED] === true
  );
}

/**
 * Runs `read` (reading a file an input names) and turns a ConfigurationError it throws — a missing file,
 * one in the wrong format — into an {@link InputError} naming that input, so the user knows which input to
 * fix. Other errors pass unchanged.
 * @param input the input that named the file, e.g. `coverage-file`
 * @returns what `read` returns
 */
export async function blameInput<T>(input: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ConfigurationError) throw new InputError(input, error.message);
    throw error;
  }
}

/** True for errors that are the user's to fix: reported without a stack trace. */
export function isUserError(error: unknown): boolean {
  return error instanceof InputError || error instanceof ConfigurationError;
}

/**
 * Turns any thrown value into a one-line message: an `Error`'s message, a string as is, anything else
 * as JSON (falling back to `String()`), so a `throw 'text'` or `throw {code: 1}` is never lost.
 */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message || thrown.name;
  if (typeof thrown === 'string') return thrown;
  try {
    const json = JSON.stringify(thrown);
    if (json !== undefined) return json;
  } catch {
    // fall through: circular values and BigInts cannot be serialised
  }
  return String(thrown);
}
