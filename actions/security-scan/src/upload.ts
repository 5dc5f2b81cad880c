/**
 * Uploading SARIF to GitHub code scanning through the REST API:
 * `POST /repos/{owner}/{repo}/code-scanning/sarifs` with `commit_sha`, `ref` and `sarif` (the log,
 * gzip-compressed then base64-encoded), answered by `202 {id, url}`
 * (https://docs.github.com/en/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data).
 * The token needs `security-events: write`. Logs are first split to the code scanning limits
 * (shared/src/sarif/split.ts). 5xx, 429 and dropped connections are retried with backoff; a 403/404 says
 * which permission is missing. Processing is then awaited through
 * `GET /repos/{owner}/{repo}/code-scanning/sarifs/{sarif_id}` (`processing_status`: pending → complete |
 * failed, with `errors`), https://docs.github.com/en/rest/code-scanning/code-scanning#get-information-about-a-sarif-upload.
 */
import type { Logger } from '../../../shared/src/logger.ts';
import { pollUntil } from '../../../shared/src/poll.ts';
import { delayScale, parseRetryAfter, retry, RetryableError } from '../../../shared/src/retry.ts';
import type { SarifUpload } from '../../../shared/src/sarif/split.ts';
import { BODY_LIMITS, readTextCapped } from '../../../shared/src/http-body.ts';

/** Where an upload goes and what it describes. */
export interface UploadTarget {
  /** e.g. https://api.github.com (GITHUB_API_URL). */
  apiUrl: string;
  /** `owner/repo`. */
  repository: string;
  commitSha: string;
  /** e.g. refs/heads/main or refs/pull/42/merge. */
  ref: string;
  token: string;
  /** Absolute path of the checkout, sent as `checkout_uri` (file URI). */
  checkoutUri?: string;
  /** ISO 8601 time the analysis started. */
  startedAt?: string;
}

/** An accepted upload. */
export interface UploadReceipt {
  id: string;
  url: string;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

async function postOne(upload: SarifUpload, target: UploadTarget): Promise<UploadReceipt> {
  const body: Record<string, string> = {
    commit_sha: target.commitSha,
    ref: target.ref,
    sarif: upload.gzip.toString('base64'),
    tool_name: 'gantry-security-scan',
  };
  if (target.checkoutUri !== undefined) body['checkout_uri'] = `file://${target.checkoutUri}`;
  if (target.startedAt !== undefined) body['started_at'] = target.startedAt;
  let response: Response;
  try {
    response = await fetch(
      `${target.apiUrl.replace(/\/+$/, '')}/repos/${target.repository}/code-scanning/sarifs`,
      {
        method: 'POST',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${target.token}`,
          'content-type': 'application/json',
          'x-github-api-version': '2022-11-28',
          'user-agent': 'gantry-security-scan',
        },
        body: JSON.stringify(body),
      },
    );
  } catch (error) {
    throw new RetryableError(`code scanning upload failed: ${(error as Error).message}`);
  }
  const { text } = await readTextCapped(response, BODY_LIMITS.apiAnswer);
  if (response.status === 202 || response.status === 200) {
    const receipt = JSON.parse(text) as { id?: unknown; url?: unknown };
    return { id: String(receipt.id ?? ''), url: String(receipt.url ?? '') };
  }
  const message = (() => {
    try {
      return String((JSON.parse(text) as { message?: unknown }).message ?? text);
    } catch {
      return text;
    }
  })().slice(0, 300);
  if (response.status === 429 || response.status >= 500)
    throw new RetryableError(
      `code scanning upload: HTTP ${response.status} ${message}`,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  if (response.status === 403 || response.status === 404)
    throw new HttpError(
      response.status,
      `code scanning upload refused (HTTP ${response.status}: ${message}). The job needs ` +
        '`permissions: security-events: write` (and code scanning enabled on the repository).',
    );
  throw new HttpError(response.status, `code scanning upload failed: HTTP ${response.status} ${message}`);
}

/**
 * Uploads each SARIF part in order, retrying transient failures (5 attempts).
 * @returns the receipts, one per part
 * @throws HttpError for a refused upload (403/404 name the missing permission); the last error after the
 *   retries are spent
 */
export async function uploadSarif(
  uploads: readonly SarifUpload[],
  target: UploadTarget,
  logger: Logger,
): Promise<UploadReceipt[]> {
  const receipts: UploadReceipt[] = [];
  for (const [index, upload] of uploads.entries()) {
    const receipt = await retry(() => postOne(upload, target), {
      attempts: 5,
      baseDelayMs: 1_000,
      shouldRetry: (error) => error instanceof RetryableError,
      onRetry: (error, attempt, delayMs) =>
        logger.warning(
          `${(error as Error).message}; attempt ${attempt} failed, retrying in ${Math.round(delayMs)} ms`,
        ),
    });
    logger.info(
      `Uploaded SARIF part ${index + 1}/${uploads.length} (${upload.log.runs.length} runs, ${upload.gzip.length} bytes gzipped): id ${receipt.id}`,
    );
    receipts.push(receipt);
  }
  return receipts;
}

/** What `GET …/code-scanning/sarifs/{id}` answers. */
interface ProcessingStatus {
  processing_status?: string;
  analyses_url?: string | null;
  errors?: string[] | null;
}

/**
 * Waits until code scanning has processed each upload (`processing_status: complete`).
 * A 404 right after an upload, 5xx answers and dropped connections count as "still pending".
 * @param options.timeoutMs  per upload (default 5 minutes)
 * @param options.intervalMs between probes (default 5 s, scaled by GANTRY_RETRY_DELAY_SCALE)
 * @throws Error listing code scanning's errors when it reports `failed`; TimeoutError when an upload is
 *   still pending at the deadline; HttpError for 401/403
 */
export async function waitForProcessing(
  receipts: readonly UploadReceipt[],
  target: UploadTarget,
  logger: Logger,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  for (const receipt of receipts) {
    const url = `${target.apiUrl.replace(/\/+$/, '')}/repos/${target.repository}/code-scanning/sarifs/${receipt.id}`;
    await pollUntil(
      async () => {
        let response: Response;
        try {
          response = await fetch(url, {
            headers: {
              accept: 'application/vnd.github+json',
              authorization: `Bearer ${target.token}`,
              'x-github-api-version': '2022-11-28',
              'user-agent': 'gantry-security-scan',
            },
          });
        } catch (error) {
          return {
            done: false,
            progress: `upload ${receipt.id}: status unknown (${(error as Error).message})`,
          };
        }
        if (response.status === 401 || response.status === 403)
          throw new HttpError(
            response.status,
            `reading the status of SARIF upload ${receipt.id} was refused (HTTP ${response.status})`,
          );
        if (response.status !== 200) {
          await response.body?.cancel();
          return { done: false, progress: `upload ${receipt.id}: not visible yet (HTTP ${response.status})` };
        }
        const status = JSON.parse(
          (await readTextCapped(response, BODY_LIMITS.apiAnswer)).text,
        ) as ProcessingStatus;
        if (status.processing_status === 'complete') return { done: true, value: status };
        if (status.processing_status === 'failed')
          throw new Error(
            `code scanning could not process SARIF upload ${receipt.id}: ${(status.errors ?? []).join('; ') || 'no reason given'}`,
          );
        return { done: false, progress: `upload ${receipt.id}: ${status.processing_status ?? 'pending'}` };
      },
      {
        timeoutMs: options.timeoutMs ?? 300_000,
        intervalMs: options.intervalMs ?? 5_000 * delayScale(),
        description: `code scanning to process SARIF upload ${receipt.id}`,
        logger,
      },
    );
    logger.info(`Code scanning processed SARIF upload ${receipt.id}`);
  }
}
