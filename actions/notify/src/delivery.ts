/**
 * Delivery plumbing shared by the channels: retries with backoff that honour Retry-After / HTTP 429, a
 * small JSON-over-HTTP poster on Node's fetch for the webhook and PagerDuty, and the record of what each
 * channel did.
 */
import { describeThrown } from '../../../shared/src/errors.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { parseRetryAfter, retry, type RetryDecision } from '../../../shared/src/retry.ts';
import { formatDuration } from '../../../shared/src/duration.ts';
import { BODY_LIMITS, readTextCapped } from '../../../shared/src/http-body.ts';

/** Attempts per request including the first (three retries). */
export const ATTEMPTS = 4;
/** First backoff ceiling and largest single wait, in milliseconds (scaled by GANTRY_RETRY_DELAY_SCALE). */
export const BASE_DELAY_MS = 1_000;
export const MAX_DELAY_MS = 30_000;
/** Per-request timeout in milliseconds. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** An HTTP response that is not a success, with what the server said and asked for. */
export class HttpStatusError extends Error {
  readonly status: number;
  readonly body: string;
  readonly retryAfterMs: number | undefined;
  constructor(what: string, status: number, body: string, retryAfterMs?: number) {
    super(`${what} answered HTTP ${status}${body.trim() === '' ? '' : `: ${body.trim().slice(0, 300)}`}`);
    this.name = 'HttpStatusError';
    this.status = status;
    this.body = body;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Whether an HTTP status is worth retrying: 408, 429 and every 5xx (RFC 9110 §15.6; Slack, PagerDuty and
 * GitHub all document 429 for rate limits and 5xx as transient).
 */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Retry decision for {@link postJson} failures: HTTP statuses per {@link retryableStatus}; network errors and timeouts retry. */
export function httpRetryDecision(error: unknown): RetryDecision {
  if (error instanceof HttpStatusError) {
    return error.retryAfterMs === undefined
      ? { retry: retryableStatus(error.status) }
      : { retry: retryableStatus(error.status), retryAfterMs: error.retryAfterMs };
  }
  return { retry: true };
}

/**
 * Runs one request with retries (shared `retry`: exponential backoff with full jitter, a server's
 * Retry-After wins), logging each retry.
 * @param what      the request, for logs: `Slack chat.postMessage`
 * @param classify  which failures to retry and how long the server asked to wait
 * @throws the last error when attempts run out or a failure is not retryable
 */
export async function withRetries<T>(
  what: string,
  fn: () => Promise<T>,
  classify: (error: unknown) => RetryDecision,
  logger: Logger,
): Promise<T> {
  return retry(() => fn(), {
    attempts: ATTEMPTS,
    baseDelayMs: BASE_DELAY_MS,
    maxDelayMs: MAX_DELAY_MS,
    shouldRetry: (error) => classify(error),
    onRetry: (error, attempt, delayMs) =>
      logger.info(
        `${what} failed (attempt ${attempt} of ${ATTEMPTS}): ${describeThrown(error)}; retrying in ${formatDuration(delayMs)}`,
      ),
  });
}

/**
 * POSTs a JSON body with Node's fetch and returns the response text.
 * @param what a name for errors that never contains the URL (the webhook URL is a secret)
 * @param timeoutMs per-request timeout in milliseconds
 * @returns status and body text of a 2xx response
 * @throws HttpStatusError for any other status (with Retry-After parsed); fetch's TypeError for network
 *   failures; a TimeoutError DOMException when `timeoutMs` passes
 */
export async function postJson(
  what: string,
  url: string,
  body: unknown,
  timeoutMs: number = REQUEST_TIMEOUT_MS,
): Promise<{ status: number; text: string }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    // fetch's messages do not include the URL, but its cause may; keep only the cause's message.
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new Error(`${what} could not be reached (${describeThrown(error)}${cause})`);
  }
  // Capped: an answer is only quoted (shortened) in messages; a huge one is not read to the end.
  const { text } = await readTextCapped(response, BODY_LIMITS.errorAnswer);
  if (!response.ok)
    throw new HttpStatusError(
      what,
      response.status,
      text,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  return { status: response.status, text };
}

/** A request notify would send, for dry-run output. */
export interface PlannedRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
}

/**
 * Prints planned requests for a dry run: method, URL and pretty JSON body, with every secret value
 * replaced by `***` (as well as masked through the logger).
 */
export function printPlanned(requests: PlannedRequest[], secrets: string[], logger: Logger): void {
  const redact = (text: string): string => {
    let out = text;
    for (const secret of [...secrets].filter((s) => s !== '').sort((a, b) => b.length - a.length))
      out = out.split(secret).join('***');
    return out;
  };
  for (const request of requests) {
    logger.info(redact(`${request.method} ${request.url}`));
    if (request.body !== undefined) logger.info(redact(JSON.stringify(request.body, null, 2)));
  }
}
