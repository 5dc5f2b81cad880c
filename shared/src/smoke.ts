/**
 * HTTP(S) smoke checks: the library behind the smoke-test action and deploy-bluegreen's test-traffic
 * checks.
 *
 * Each check is retried with exponential backoff and full jitter on transient failures — connection
 * refused, reset, DNS, request timeout, HTTP 5xx, 408 and 429 (honouring Retry-After) — until it passes
 * or the overall deadline passes. Definitive failures (another status, a body or JSON value that does not
 * match, a response slower than `maxLatencyMs`) end the check at once: retrying would only hide them.
 * Checks run concurrently, at most `concurrency` at a time.
 */
import { isDeepStrictEqual } from 'node:util';
import { describeThrown } from './errors.ts';
import { coreLogger, type Logger } from './logger.ts';
import { backoffCeiling, delayScale, parseRetryAfter, sleep } from './retry.ts';
import { BODY_LIMITS, readTextCapped } from './http-body.ts';

/** One check: a request and what its response must look like. */
export interface SmokeCheck {
  name: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Accepted statuses: exact codes (`'200'`) or classes (`'2xx'`); the response must match one. */
  expectStatus: string[];
  expectBody?: { contains?: string; regex?: string };
  /** Values the JSON body must hold at each path (`status`, `$.data.items[0].id`). */
  expectJson?: { path: string; equals: unknown }[];
  /** Largest accepted latency in milliseconds (request start → body read). */
  maxLatencyMs?: number;
}

/** How one check ended. */
export interface SmokeResult {
  name: string;
  url: string;
  passed: boolean;
  /** HTTP status of the last response, if any arrived. */
  status?: number;
  /** Latency of the last attempt that got a response, in milliseconds. */
  latencyMs?: number;
  attempts: number;
  /** Why the check failed (the last attempt's problem); absent when it passed. */
  reason?: string;
}

export interface SmokeOptions {
  /** Deadline for all checks together, in milliseconds from the call. */
  timeoutMs: number;
  /** Timeout of one request in milliseconds (default 10 000; never beyond the deadline). */
  requestTimeoutMs?: number;
  /** Checks in flight at once (default 10). */
  concurrency?: number;
  /** First backoff ceiling in ms (default 1 000); doubles per attempt up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  /** Largest backoff in ms (default 10 000). */
  maxRetryDelayMs?: number;
  logger?: Logger;
  /**
   * Sends each request instead of the global `fetch` (same arguments; the Response's body must be unread):
   * e.g. through the Kubernetes API server's service proxy with the kubeconfig's credentials
   * (kubernetes/service-proxy.ts). Default: `fetch`.
   */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /**
   * Says more about a status that does not match, from the body read (e.g. the API server's own message
   * when the service proxy answered rather than the Service); appended to the reason. Default: nothing.
   */
  explainStatus?: (status: number, body: string) => string | undefined;
}

/** A GET check of `url` expecting any 2xx status. */
export function simpleCheck(url: string): SmokeCheck {
  return { name: url, url, method: 'GET', headers: {}, expectStatus: ['2xx'] };
}

/**
 * Whether `status` matches one of the patterns: `'200'` exactly, `'2xx'` by class.
 * @param patterns as written in a check's `expect-status`
 */
export function statusMatches(status: number, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const text = pattern.trim().toLowerCase();
    if (/^[1-5]xx$/.test(text)) return Math.floor(status / 100) === Number(text[0]);
    return Number(text) === status;
  });
}

/**
 * Reads the value at a path in parsed JSON. Paths use dots and brackets, with an optional leading `$`:
 * `status`, `$.checks.db`, `items[0].id`, `items.0.id`, `headers["content-type"]`.
 * @returns `{ found: true, value }`, or `{ found: false }` when a step is missing
 * @throws Error for a path that cannot be parsed
 */
export function valueAtPath(document: unknown, path: string): { found: boolean; value?: unknown } {
  const steps: (string | number)[] = [];
  const re = /\.?([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]|\['([^']*)'\]/gy;
  let text = path.trim();
  if (text.startsWith('$')) text = text.slice(1);
  let consumed = 0;
  for (let match = re.exec(text); match !== null; match = re.exec(text)) {
    consumed = re.lastIndex;
    if (match[1] !== undefined) steps.push(/^\d+$/.test(match[1]) ? Number(match[1]) : match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
    else steps.push(match[3] ?? match[4] ?? '');
  }
  if (consumed !== text.length) throw new Error(`"${path}" is not a JSON path (example: $.data.items[0].id)`);
  let node: unknown = document;
  for (const step of steps) {
    if (typeof step === 'number' && Array.isArray(node) && step < node.length) node = node[step];
    else if (
      node !== null &&
      typeof node === 'object' &&
      !Array.isArray(node) &&
      Object.hasOwn(node, String(step))
    ) {
      node = (node as Record<string, unknown>)[String(step)];
    } else return { found: false };
  }
  return { found: true, value: node };
}

/** One attempt's verdict: passed, failed for good, or failed in a way worth retrying. */
interface Attempt {
  outcome: 'passed' | 'failed' | 'transient';
  reason?: string;
  status?: number;
  latencyMs?: number;
  retryAfterMs?: number;
}

/** The most of a body a check reads (streamed; the rest is never downloaded). */
const MAX_BODY_BYTES = BODY_LIMITS.check;

function networkReason(error: unknown): string {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'request timed out';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'request timed out';
  return cause?.message ?? describeThrown(error);
}

async function attemptCheck(
  check: SmokeCheck,
  requestTimeoutMs: number,
  options: Pick<SmokeOptions, 'fetch' | 'explainStatus'>,
): Promise<Attempt> {
  const started = performance.now();
  let response: Response;
  let text: string;
  try {
    const init: RequestInit = {
      method: check.method,
      headers: check.headers,
      redirect: 'follow',
      signal: AbortSignal.timeout(Math.max(1, requestTimeoutMs)),
    };
    if (check.body !== undefined) init.body = check.body;
    response = await (options.fetch ?? fetch)(check.url, init);
    // Streamed and capped: a 250 MB answer costs MAX_BODY_BYTES of memory, not 250 MB.
    text = (await readTextCapped(response, MAX_BODY_BYTES)).text;
  } catch (error) {
    return { outcome: 'transient', reason: networkReason(error) };
  }
  const latencyMs = Math.round(performance.now() - started);
  const base = { status: response.status, latencyMs };
  if (!statusMatches(response.status, check.expectStatus)) {
    const transient = response.status >= 500 || response.status === 408 || response.status === 429;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const explained = options.explainStatus?.(response.status, text);
    const attempt: Attempt = {
      ...base,
      outcome: transient ? 'transient' : 'failed',
      reason: `status ${response.status}, expected ${check.expectStatus.join(' or ')}${explained === undefined ? '' : ` (${explained})`}`,
    };
    if (retryAfterMs !== undefined) attempt.retryAfterMs = retryAfterMs;
    return attempt;
  }
  if (check.expectBody?.contains !== undefined && !text.includes(check.expectBody.contains)) {
    return { ...base, outcome: 'failed', reason: `body does not contain "${check.expectBody.contains}"` };
  }
  if (check.expectBody?.regex !== undefined && !new RegExp(check.expectBody.regex).test(text)) {
    return { ...base, outcome: 'failed', reason: `body does not match /${check.expectBody.regex}/` };
  }
  if (check.expectJson !== undefined && check.expectJson.length > 0) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ...base, outcome: 'failed', reason: 'body is not JSON' };
    }
    for (const { path, equals } of check.expectJson) {
      const found = valueAtPath(json, path);
      if (!found.found) return { ...base, outcome: 'failed', reason: `JSON has no value at ${path}` };
      if (!isDeepStrictEqual(found.value, equals)) {
        return {
          ...base,
          outcome: 'failed',
          reason: `JSON ${path} is ${JSON.stringify(found.value)}, expected ${JSON.stringify(equals)}`,
        };
      }
    }
  }
  if (check.maxLatencyMs !== undefined && latencyMs > check.maxLatencyMs) {
    return {
      ...base,
      outcome: 'failed',
      reason: `latency ${latencyMs} ms is over the maximum of ${check.maxLatencyMs} ms`,
    };
  }
  return { ...base, outcome: 'passed' };
}

async function runOne(
  check: SmokeCheck,
  deadline: number,
  options: SmokeOptions,
  logger: Logger,
): Promise<SmokeResult> {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  // The last attempt that got an answer: when the deadline cuts the final attempt short, that answer (a 500,
  // say) is what the check failed on, not the cut-off request.
  let answered: { status: number; reason: string; latencyMs?: number } | undefined;
  for (let attempts = 1; ; attempts++) {
    const remaining = deadline - Date.now();
    const timeoutMs = Math.min(requestTimeoutMs, Math.max(remaining, 1));
    const attempt = await attemptCheck(check, timeoutMs, options);
    const result: SmokeResult = {
      name: check.name,
      url: check.url,
      passed: attempt.outcome === 'passed',
      attempts,
    };
    if (attempt.status !== undefined) result.status = attempt.status;
    if (attempt.latencyMs !== undefined) result.latencyMs = attempt.latencyMs;
    if (attempt.outcome === 'passed') {
      logger.info(`✓ ${check.name}: ${attempt.status} in ${attempt.latencyMs} ms (attempt ${attempts})`);
      return result;
    }
    result.reason = attempt.reason ?? 'failed';
    if (attempt.status !== undefined) {
      answered = { status: attempt.status, reason: result.reason };
      if (attempt.latencyMs !== undefined) answered.latencyMs = attempt.latencyMs;
    } else if (answered !== undefined && timeoutMs < requestTimeoutMs && Date.now() >= deadline) {
      // cut short by the deadline, not by the service: report the last answer
      result.status = answered.status;
      result.reason = answered.reason;
      if (answered.latencyMs !== undefined) result.latencyMs = answered.latencyMs;
      else delete result.latencyMs;
    }
    const ceiling = backoffCeiling(attempts, {
      baseDelayMs: options.retryDelayMs ?? 1_000,
      maxDelayMs: options.maxRetryDelayMs ?? 10_000,
    });
    // Full jitter, but never less than a tenth of the ceiling, so a flapping service gets a moment.
    const delay = (attempt.retryAfterMs ?? ceiling * (0.1 + 0.9 * Math.random())) * delayScale();
    if (attempt.outcome === 'failed' || Date.now() + delay >= deadline) {
      if (attempt.outcome === 'transient')
        result.reason = `${result.reason} (gave up at the deadline after ${attempts} attempts)`;
      logger.info(`✗ ${check.name}: ${result.reason}`);
      return result;
    }
    logger.info(
      `… ${check.name}: attempt ${attempts} failed (${result.reason}); retrying in ${(delay / 1000).toFixed(1)}s`,
    );
    await sleep(delay);
  }
}

/**
 * Runs the checks concurrently until each passes, fails for good or the deadline passes.
 * @returns one result per check, in the order given
 */
export async function runSmokeChecks(checks: SmokeCheck[], options: SmokeOptions): Promise<SmokeResult[]> {
  const logger = options.logger ?? coreLogger;
  const deadline = Date.now() + options.timeoutMs;
  const results: SmokeResult[] = new Array<SmokeResult>(checks.length);
  let next = 0;
  const workers = Array.from(
    { length: Math.max(1, Math.min(options.concurrency ?? 10, checks.length)) },
    async () => {
      for (let index = next++; index < checks.length; index = next++) {
        results[index] = await runOne(checks[index] as SmokeCheck, deadline, options, logger);
      }
    },
  );
  await Promise.all(workers);
  return results;
}
