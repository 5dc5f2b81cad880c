/**
 * Builder failures, carrying the builder's last output lines for error annotations and retry decisions.
 */
import { describeThrown } from '../../../shared/src/errors.ts';

/** A builder build that exited non-zero; `tail` holds its last output lines. */
export class BuildFailure extends Error {
  readonly exitCode: number;
  readonly tail: string[];
  readonly attempt: number;
  constructor(builder: string, exitCode: number, tail: string[], attempt: number) {
    super(`${builder} build failed with exit code ${exitCode}: ${tail[tail.length - 1] ?? 'no output'}`);
    this.name = 'BuildFailure';
    this.exitCode = exitCode;
    this.tail = tail;
    this.attempt = attempt;
  }
}

/** A push of one reference that exited non-zero. */
export class PushFailure extends Error {
  readonly exitCode: number;
  readonly tail: string[];
  readonly attempt: number;
  constructor(reference: string, exitCode: number, tail: string[], attempt: number) {
    super(
      `Pushing ${reference} failed (exit code ${exitCode}, attempt ${attempt}): ${tail[tail.length - 1] ?? 'no output'}`,
    );
    this.name = 'PushFailure';
    this.exitCode = exitCode;
    this.tail = tail;
    this.attempt = attempt;
  }
}

/** The last output line of a builder failure, or any thrown value described in one line. */
export function lastLine(error: unknown): string {
  if (error instanceof BuildFailure || error instanceof PushFailure)
    return error.tail[error.tail.length - 1] ?? `exit code ${error.exitCode}`;
  return describeThrown(error);
}
