/**
 * One way to talk to GitHub's REST API: @actions/github's Octokit with the API base from `GITHUB_API_URL`
 * (GitHub Enterprise Server sets it to `https://HOST/api/v3`), Node's own fetch with a timeout per request,
 * and a retry decision that follows GitHub's "Rate limits for the REST API" (Retry-After, x-ratelimit-*).
 *
 * Runtime note: @actions/github sets its default `request.fetch` to undici's `fetch`, which the bundles
 * replace by a stub (shared/stubs/undici.ts); passing Node's fetch here makes no request depend on undici.
 */
import type { Logger } from './logger.ts';
import { parseRetryAfter, retry, type RetryDecision } from './retry.ts';
import { describeThrown } from './errors.ts';
import { formatDuration } from './duration.ts';

/** The Octokit type @actions/github's `getOctokit` returns (REST methods under `.rest`, `.paginate`). */
export type Octokit = ReturnType<(typeof import('@actions/github'))['getOctokit']>;

/** Per-request timeout in milliseconds used by {@link createOctokit} unless told otherwise. */
export const GITHUB_REQUEST_TIMEOUT_MS = 30_000;

interface RequestErrorShape {
  status?: unknown;
  response?: { headers?: Record<string, string | undefined> };
}

/** The HTTP status of an Octokit RequestError (0 when the request never got an answer). */
export function requestStatus(error: unknown): number {
  const status = (error as RequestErrorShape | null)?.status;
  return typeof status === 'number' ? status : 0;
}

/**
 * Retry decision for Octokit request errors: 408, 429 and 5xx (and status 0 for network failures)
 * retry; a 403 retries only when it is a rate limit (Retry-After, or `x-ratelimit-remaining: 0`, per
 * GitHub's "Rate limits for the REST API"), waiting as asked (`retryAfterMs`, milliseconds).
 */
export function githubRetryDecision(error: unknown): RetryDecision {
  const shape = error as RequestErrorShape | null;
  const status = requestStatus(error);
  const headers = shape?.response?.headers ?? {};
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  if (status === 403 || status === 429) {
    const reset = Number(headers['x-ratelimit-reset']);
    const limited = retryAfterMs !== undefined || headers['x-ratelimit-remaining'] === '0' || status === 429;
    if (!limited) return { retry: false };
    if (retryAfterMs !== undefined) return { retry: true, retryAfterMs };
    if (Number.isFinite(reset) && reset > 0)
      return { retry: true, retryAfterMs: Math.max(0, reset * 1_000 - Date.now()) };
    return { retry: true };
  }
  if (status === 0) return { retry: true };
  const retryable = status === 408 || status === 429 || status >= 500;
  return retryAfterMs === undefined ? { retry: retryable } : { retry: retryable, retryAfterMs };
}

/**
 * Runs one GitHub call with retries (4 attempts, backoff from 1 s up to 30 s with full jitter, scaled by
 * `GANTRY_RETRY_DELAY_SCALE`), logging each retry.
 * @param what names the call for logs, e.g. `GitHub list reviews of #12`
 * @throws the last error when attempts run out or it is not retryable (see {@link githubRetryDecision})
 */
export async function githubCall<T>(what: string, fn: () => Promise<T>, logger: Logger): Promise<T> {
  const attempts = 4;
  return retry(() => fn(), {
    attempts,
    baseDelayMs: 1_000,
    maxDelayMs: 30_000,
    shouldRetry: (error) => githubRetryDecision(error),
    onRetry: (error, attempt, delayMs) =>
      logger.info(
        `${what} failed (attempt ${attempt} of ${attempts}): ${describeThrown(error)}; retrying in ${formatDuration(delayMs)}`,
      ),
  });
}

/**
 * Builds an Octokit for `token` against `apiUrl` (e.g. `https://api.github.com`, or a loopback stand-in
 * in tests), using Node's fetch with `timeoutMs` (milliseconds) per request; retries are left to
 * {@link githubCall}. Octokit's own log goes to debug.
 */
export async function createOctokit(
  token: string,
  apiUrl: string,
  logger: Logger,
  timeoutMs: number = GITHUB_REQUEST_TIMEOUT_MS,
): Promise<Octokit> {
  const { getOctokit } = await import('@actions/github');
  return getOctokit(token, {
    baseUrl: apiUrl.replace(/\/+$/, ''),
    request: {
      fetch: (url: string | URL, init?: RequestInit) =>
        globalThis.fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
    },
    log: {
      debug: (message: string) => logger.debug(`github: ${message}`),
      info: (message: string) => logger.debug(`github: ${message}`),
      warn: (message: string) => logger.debug(`github: ${message}`),
      error: (message: string) => logger.debug(`github: ${message}`),
    },
  });
}

/**
 * Makes remote text safe to print on one log line: line breaks (CR, LF, U+2028/9) become spaces, so no
 * text from GitHub can start a runner `::command::` line; at most `max` characters (default 200).
 */
export function inertLine(text: string, max = 200): string {
  const flat = text.replace(/[\r\n\u2028\u2029]+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
