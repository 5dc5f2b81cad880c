/**
 * Retry with exponential backoff and full jitter, honouring a server's Retry-After.
 *
 * Backoff follows the "full jitter" scheme of the AWS Architecture Blog, "Exponential Backoff And
 * Jitter" (2015): delay = random(0, min(maxDelay, base × factor^(attempt-1))). A Retry-After the server
 * sent wins over the computed delay (capped by `maxDelayMs` and the deadline).
 *
 * Test knob: `GANTRY_RETRY_DELAY_SCALE` (a number, default 1) multiplies every delay, so tests shorten
 * waits without skipping retries.
 */
import { describeThrown } from './errors.ts';

/** What `shouldRetry` decides for one failure. */
export interface RetryDecision {
  retry: boolean;
  /** A delay the server asked for (Retry-After), in milliseconds. */
  retryAfterMs?: number;
}

export interface RetryOptions {
  /** Total attempts including the first; ≥ 1. */
  attempts: number;
  /** First backoff ceiling in milliseconds (default 500). */
  baseDelayMs?: number;
  /** Largest single delay in milliseconds (default 20 000). */
  maxDelayMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Absolute time (ms since epoch) after which no new attempt starts. */
  deadline?: number;
  /** Whether a failure is worth another attempt; default: every error. */
  shouldRetry?: (error: unknown, attempt: number) => boolean | RetryDecision;
  /** Called before each wait, e.g. to log "attempt 2 failed: …; retrying in 1.2s". */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Random source in [0, 1) for jitter (tests pass a fixed one). */
  random?: () => number;
  /** Sleep implementation (tests may record delays). */
  sleep?: (ms: number) => Promise<void>;
}

/** Promise-based sleep in milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** The delay multiplier from `GANTRY_RETRY_DELAY_SCALE` (default 1; invalid values count as 1). */
export function delayScale(): number {
  const scale = Number(process.env['GANTRY_RETRY_DELAY_SCALE'] ?? '1');
  return Number.isFinite(scale) && scale >= 0 ? scale : 1;
}

/**
 * The backoff ceiling before jitter for a 1-based attempt: `min(maxDelayMs, baseDelayMs × factor^(attempt-1))`.
 */
export function backoffCeiling(
  attempt: number,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'factor'>,
): number {
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 20_000;
  return Math.min(max, base * (options.factor ?? 2) ** Math.max(0, attempt - 1));
}

/**
 * Parses an HTTP `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * @returns milliseconds to wait (≥ 0), or undefined when absent or unparsable
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1_000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** An error that carries the server's requested delay (from Retry-After or a throttling response). */
export class RetryableError extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'RetryableError';
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Runs `fn` until it resolves, a failure is not retryable, the attempts are spent or the deadline is
 * near. Rethrows the last error unchanged.
 *
 * @param fn receives the 1-based attempt number
 * @returns what `fn` resolved to
 * @throws the last error `fn` threw
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const raw = options.shouldRetry === undefined ? true : options.shouldRetry(error, attempt);
      const decision: RetryDecision = typeof raw === 'boolean' ? { retry: raw } : raw;
      const retryAfterMs =
        decision.retryAfterMs ?? (error instanceof RetryableError ? error.retryAfterMs : undefined);
      if (!decision.retry || attempt >= options.attempts) throw error;
      const maxDelay = options.maxDelayMs ?? 20_000;
      let delay =
        retryAfterMs !== undefined
          ? Math.min(retryAfterMs, maxDelay)
          : random() * backoffCeiling(attempt, options);
      delay *= delayScale();
      if (options.deadline !== undefined && Date.now() + delay >= options.deadline) throw error;
      options.onRetry?.(error, attempt, delay);
      await wait(delay);
    }
  }
}

/** A one-line "why it failed" for retry logs. */
export function retryReason(error: unknown): string {
  return describeThrown(error);
}
