/**
 * "Wait until" loops with a hard deadline and progress lines: the probe runs, and whenever what it
 * reports changes a progress line is printed, so a reader sees movement without a line every tick.
 */
import { TimeoutError } from './errors.ts';
import { coreLogger, type Logger } from './logger.ts';
import { sleep } from './retry.ts';

/** What one probe found: done with a value, or not yet with a description of the current state. */
export type PollResult<T> =
  { done: true; value: T } | { done: false; progress?: string; nextDelayMs?: number };

export interface PollOptions {
  /** Total time allowed, in milliseconds, counted from the call. Honoured exactly: the last sleep is cut short. */
  timeoutMs: number;
  /** Time between probes in milliseconds (a probe may ask for another with `nextDelayMs`). */
  intervalMs: number;
  /** What is being waited for, for the timeout message, e.g. `service web to become stable`. */
  description: string;
  logger?: Logger;
  /** Prefix for progress lines (default none). */
  progressPrefix?: string;
  /** Clock in ms since epoch (tests). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Probes until it reports done, printing each new progress text once.
 *
 * @returns the value of the first `done` result, with the time it took
 * @throws TimeoutError naming `description` and the last progress seen when `timeoutMs` passes; errors
 *   the probe throws propagate at once
 */
export async function pollUntil<T>(
  probe: (attempt: number) => Promise<PollResult<T>>,
  options: PollOptions,
): Promise<{ value: T; elapsedMs: number; attempts: number }> {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const logger = options.logger ?? coreLogger;
  const started = now();
  const deadline = started + options.timeoutMs;
  let lastProgress: string | undefined;
  for (let attempt = 1; ; attempt++) {
    const result = await probe(attempt);
    if (result.done) return { value: result.value, elapsedMs: now() - started, attempts: attempt };
    if (result.progress !== undefined && result.progress !== lastProgress) {
      lastProgress = result.progress;
      logger.info(`${options.progressPrefix ?? ''}${result.progress}`);
    }
    const remaining = deadline - now();
    if (remaining <= 0) {
      throw new TimeoutError(
        `Timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${options.description}` +
          (lastProgress === undefined ? '' : `; last state: ${lastProgress}`),
      );
    }
    await wait(Math.min(result.nextDelayMs ?? options.intervalMs, remaining));
  }
}
