/**
 * The one HTTP GET the metric providers share: bounded in time (per request and overall), in size (the
 * body is streamed and capped), retried with backoff on 429/5xx and dropped connections (honouring
 * Retry-After), and never echoing credentials: errors name the host and path, not the query string.
 */
import { parseRetryAfter, retry, RetryableError } from '../retry.ts';

/** Options of {@link getJson}. */
export interface GetJsonOptions {
  headers?: Record<string, string>;
  /** Per-request timeout in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Largest body accepted, in bytes (default 8 MiB). */
  maxBytes?: number;
  /** Attempts including the first (default 3). */
  attempts?: number;
}

/** An HTTP answer that is not 2xx, with the start of its body (for the provider's error message). */
export class HttpStatusError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(where: string, status: number, body: string) {
    super(`${where} answered HTTP ${status}${body === '' ? '' : `: ${oneLine(body)}`}`);
    this.name = 'HttpStatusError';
    this.status = status;
    this.body = body;
  }
}

/**
 * GETs `url` and parses the JSON body.
 * @returns the parsed body (unknown: the caller checks its shape)
 * @throws HttpStatusError for a non-2xx answer after the retries; Error for a body over `maxBytes`, bad
 *   JSON, or a timeout / connection failure after the retries
 */
export async function getJson(url: URL, options: GetJsonOptions = {}): Promise<unknown> {
  const where = `${url.origin}${url.pathname}`;
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  return retry(
    async () => {
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { accept: 'application/json', ...options.headers },
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        throw new RetryableError(`${where}: ${(error as Error).cause ?? (error as Error).message}`);
      }
      const text = await readCapped(response, maxBytes, where);
      if (response.status === 429 || response.status >= 500)
        throw new RetryableError(
          new HttpStatusError(where, response.status, text).message,
          parseRetryAfter(response.headers.get('retry-after')),
        );
      if (!response.ok) throw new HttpStatusError(where, response.status, text);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new Error(`${where} answered HTTP ${response.status} with a body that is not JSON`);
      }
    },
    {
      attempts: options.attempts ?? 3,
      baseDelayMs: 300,
      maxDelayMs: 5_000,
      shouldRetry: (error) => error instanceof RetryableError,
    },
  );
}

async function readCapped(response: Response, maxBytes: number, where: string): Promise<string> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new Error(`${where} answered more than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The first 300 characters of `text` on one line (a remote answer must not start a runner command). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
