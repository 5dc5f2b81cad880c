/**
 * Health results pushed to a Prometheus Pushgateway: smoke-test's results rendered in the Prometheus text
 * exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/) and sent with
 * `PUT /metrics/job/<job>{/<label>/<value>}`, which replaces every metric of that grouping key
 * (https://github.com/prometheus/pushgateway#api). Job and grouping values travel base64url-encoded
 * (`<name>@base64/<value>`, RFC 4648 §5), the only spelling that carries `/` and empty values.
 *
 * What is pushed, per check (labels `check` and `kind`, plus the grouping labels the Pushgateway adds):
 * `gantry_health_up` (1 passed, 0 failed), `gantry_health_check_duration_seconds` (latency of the last
 * attempt that got an answer), `gantry_health_check_attempts`; per run: `gantry_health_last_run_timestamp_seconds`
 * and `gantry_health_checks_failed`. Label values never carry a secret: a check named by its URL is
 * labelled with the URL's origin and path only (no userinfo, query or fragment), and every value is
 * redacted against the registered masks.
 */
import { describeThrown } from './errors.ts';
import { BODY_LIMITS, readTextCapped } from './http-body.ts';
import { redact, truncate } from './output.ts';
import { parseRetryAfter, retry, RetryableError } from './retry.ts';

/** A Prometheus label name (data model: `[a-zA-Z_][a-zA-Z0-9_]*`; `__` is reserved). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One check's result as the Pushgateway gets it. */
export interface HealthSample {
  /** The check's name (a URL is reduced to origin + path by {@link labelSafeName}). */
  check: string;
  /** `http`, `tcp` or `ecs-service`. */
  kind: string;
  passed: boolean;
  /** Latency of the last attempt that got an answer, milliseconds. */
  latencyMs?: number;
  attempts: number;
}

/** Where and how to push. */
export interface PushTarget {
  /** The Pushgateway's base URL (`https://pushgateway.example.com:9091`); userinfo becomes Basic auth. */
  url: string;
  /** The `job` label (the first part of the grouping key). */
  job: string;
  /** Further grouping labels, in order (e.g. `environment`, `service`). */
  grouping: ReadonlyMap<string, string>;
  /** An `Authorization` header value (`Basic …`, `Bearer …`), or undefined. */
  authorization?: string;
  /** Milliseconds for the whole push, retries included. */
  timeoutMs: number;
}

/**
 * Escapes a label value for the text format: backslash → `\\`, double quote → `\"`, line feed → `\n`
 * (exposition formats, "Text format details"). A carriage return is not escaped by the format; it is
 * written as `\n` too, so a value never breaks a line.
 * @returns the value, ready to go between double quotes
 */
export function escapeLabelValue(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * A check name fit for a label: a name that is an absolute http(s) URL keeps only its origin and path
 * (userinfo, query and fragment often carry tokens); every value is redacted against registered masks.
 * @returns the label value
 */
export function labelSafeName(name: string): string {
  let value = name;
  if (/^https?:\/\//i.test(name)) {
    try {
      const url = new URL(name);
      value = `${url.protocol}//${url.host}${url.pathname}`;
    } catch {
      value = name;
    }
  }
  return redact(value);
}

function sampleLine(name: string, labels: Record<string, string>, value: number): string {
  const pairs = Object.entries(labels).map(([key, text]) => `${key}="${escapeLabelValue(text)}"`);
  const rendered = Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  return `${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${rendered}`;
}

/**
 * Renders health samples in the text exposition format 0.0.4, each family with `# HELP` and `# TYPE`
 * (gauges), samples without timestamps (the Pushgateway refuses pushed timestamps).
 * @param samples one per check; two with the same check and kind are told apart by a ` #2` suffix
 * @param runAtMs when the run ended, milliseconds since the epoch
 * @returns the body, ending with a line feed
 */
export function renderHealthMetrics(samples: readonly HealthSample[], runAtMs: number): string {
  const seen = new Map<string, number>();
  const labelled = samples.map((sample) => {
    const base = labelSafeName(sample.check);
    const key = `${sample.kind}\u0000${base}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    return { sample, labels: { check: count > 1 ? `${base} #${count}` : base, kind: sample.kind } };
  });
  const lines: string[] = [];
  const family = (name: string, help: string, rows: string[]): void => {
    if (rows.length === 0) return;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...rows);
  };
  family(
    'gantry_health_up',
    'Whether the health check passed in the last run (1) or failed (0).',
    labelled.map(({ sample, labels }) => sampleLine('gantry_health_up', labels, sample.passed ? 1 : 0)),
  );
  family(
    'gantry_health_check_duration_seconds',
    'Latency of the last attempt of the health check that got an answer, in seconds.',
    labelled
      .filter(({ sample }) => sample.latencyMs !== undefined)
      .map(({ sample, labels }) =>
        sampleLine('gantry_health_check_duration_seconds', labels, (sample.latencyMs ?? 0) / 1_000),
      ),
  );
  family(
    'gantry_health_check_attempts',
    'Attempts the health check took in the last run (retries included).',
    labelled.map(({ sample, labels }) => sampleLine('gantry_health_check_attempts', labels, sample.attempts)),
  );
  family('gantry_health_checks_failed', 'Health checks that failed in the last run.', [
    sampleLine('gantry_health_checks_failed', {}, samples.filter((sample) => !sample.passed).length),
  ]);
  family(
    'gantry_health_last_run_timestamp_seconds',
    'When the last health run ended, Unix time in seconds.',
    [sampleLine('gantry_health_last_run_timestamp_seconds', {}, Math.round(runAtMs) / 1_000)],
  );
  return `${lines.join('\n')}\n`;
}

const base64url = (value: string): string =>
  value === '' ? '=' : Buffer.from(value, 'utf8').toString('base64url');

/**
 * The push URL of a grouping key: `<base>/metrics/job@base64/<job>{/<label>@base64/<value>}`, every value
 * base64url-encoded (an empty label value is `=`, as the Pushgateway requires).
 * @param base the Pushgateway URL without credentials; a path prefix (a proxy's) is kept
 * @throws Error when the job is empty or a label name is invalid, `job`, or reserved (`__…`)
 */
export function groupingUrl(base: string, job: string, grouping: ReadonlyMap<string, string>): string {
  if (job === '') throw new Error('the Pushgateway job name is empty');
  const parts = ['metrics', 'job@base64', base64url(job)];
  for (const [name, value] of grouping) {
    if (!LABEL_NAME.test(name) || name.startsWith('__') || name === 'job')
      throw new Error(`"${name}" cannot be a Pushgateway grouping label`);
    parts.push(`${name}@base64`, base64url(value));
  }
  return `${base.replace(/\/+$/, '')}/${parts.join('/')}`;
}

/**
 * Splits userinfo off a URL (fetch refuses URLs with credentials) into a Basic `Authorization` value.
 * @returns the URL without userinfo, and the header value when there was userinfo
 */
export function splitCredentials(text: string): { url: string; authorization?: string } {
  const url = new URL(text);
  if (url.username === '' && url.password === '') return { url: url.toString() };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return {
    url: url.toString(),
    authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`,
  };
}

/**
 * PUTs `body` to the grouping key's URL, replacing what that group held. Connection errors, timeouts,
 * 429 and 5xx are retried (Retry-After honoured) until `timeoutMs`; each request is bounded by what is
 * left of it, and an error answer is read at most {@link BODY_LIMITS.errorAnswer} bytes.
 * @returns the push URL (without credentials) and the HTTP status on success
 * @throws Error naming the status and the Pushgateway's (shortened, redacted) answer, or the network error
 */
export async function pushToGateway(
  target: PushTarget,
  body: string,
): Promise<{ url: string; status: number }> {
  const { url: base, authorization: fromUrl } = splitCredentials(target.url);
  const url = groupingUrl(base, target.job, target.grouping);
  const headers: Record<string, string> = { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' };
  const authorization = target.authorization ?? fromUrl;
  if (authorization !== undefined) headers['authorization'] = authorization;
  const deadline = Date.now() + target.timeoutMs;
  const status = await retry(
    async () => {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer within ${target.timeoutMs} ms`);
      let response: Response;
      try {
        response = await fetch(url, { method: 'PUT', headers, body, signal: AbortSignal.timeout(left) });
      } catch (error) {
        throw new RetryableError(describeThrown(error));
      }
      if (response.status >= 200 && response.status < 300) {
        await response.body?.cancel().catch(() => undefined);
        return response.status;
      }
      const { text } = await readTextCapped(response, BODY_LIMITS.errorAnswer).catch(() => ({ text: '' }));
      const message = `HTTP ${response.status}${text.trim() === '' ? '' : `: ${truncate(redact(text.trim()))}`}`;
      if (response.status === 429 || response.status >= 500)
        throw new RetryableError(message, parseRetryAfter(response.headers.get('retry-after')));
      throw new Error(message);
    },
    {
      attempts: 4,
      baseDelayMs: 250,
      maxDelayMs: 2_000,
      deadline,
      shouldRetry: (error) => error instanceof RetryableError,
    },
  );
  return { url, status };
}
