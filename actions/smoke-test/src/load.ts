/**
 * smoke-test's load mode: N requests at concurrency C against one URL with autocannon
 * (https://github.com/mcollina/autocannon), then p50/p95/p99 latency and the error ratio, gated on a
 * largest p95 and error ratio. smoke-test loads this module with `import()` only when load mode is on, so
 * smoke checks without it never load autocannon.
 *
 * Latencies are those of 2xx responses, as autocannon itself counts them; percentiles are nearest-rank
 * over every recorded latency. autocannon's own result keeps the same latencies in an HdrHistogram
 * (hdr-histogram-js, 1 ms lowest discernible value) whose `getValueAtPercentile` is also nearest-rank but
 * over whole milliseconds (a value is truncated when recorded), and it exposes only p0.001…p99.999 from a
 * fixed list without p95. So Gantry computes its own percentiles over the exact latencies: for one run,
 * `Math.floor(report.pXMs)` equals autocannon's `latency.pX` (checked in bench/smoke-load.bench.ts), and
 * Gantry's figure is at most 1 ms above it. Errors are connection errors, timeouts and non-2xx responses,
 * over every request sent.
 */
import autocannon from 'autocannon';
import type { Logger } from '../../../shared/src/logger.ts';

/** What to send and what passes. */
export interface LoadSettings {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Total requests (N). */
  requests: number;
  /** Connections in flight at once (C). */
  concurrency: number;
  /** Milliseconds before one request counts as timed out. */
  requestTimeoutMs: number;
  /** Milliseconds for the whole run; it is stopped (and fails) when they pass. */
  timeoutMs: number;
  /** Largest accepted p95 latency, milliseconds. */
  maxP95Ms: number;
  /** Largest accepted share of failed requests, 0 to 1. */
  maxErrorRatio: number;
}

/** What a load run measured; latencies in milliseconds. */
export interface LoadReport {
  url: string;
  requests: number;
  succeeded: number;
  errors: number;
  errorRatio: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /**
   * Wall time of the run, milliseconds, including autocannon's wait for its next sample tick (up to 1 s)
   * after the last response.
   */
  durationMs: number;
  /** Responses and errors per second, from the start to the last response (without the tick wait). */
  requestsPerSecond: number;
  passed: boolean;
  /** Why it failed ([] when it passed). */
  reasons: string[];
}

/**
 * The nearest-rank percentile (the smallest value with at least `p` % of values at or below it), as
 * HdrHistogram's `getValueAtPercentile` ranks: the rank `p / 100 × n` is rounded up after taking off the
 * floating-point error of that product (e.g. 99.9 % of 1000 is rank 999, not 1000), and is at least 1.
 * @param sorted values in ascending order
 * @param p percentile, 0 < p ≤ 100
 * @returns the value, or 0 for no values
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const exact = (p / 100) * sorted.length;
  const rank = Math.max(1, Math.ceil(exact - exact * 4 * Number.EPSILON));
  return sorted[Math.min(rank, sorted.length) - 1] ?? 0;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/**
 * Runs the load and judges it.
 * @returns the report; never throws for a failed gate (the caller fails the step)
 * @throws when autocannon cannot start (e.g. an invalid URL)
 */
export async function runLoad(settings: LoadSettings, logger: Logger): Promise<LoadReport> {
  const latencies: number[] = [];
  let sent = 0;
  let failed = 0;
  let stoppedAtDeadline = false;
  const started = performance.now();
  let lastAnswer = started;
  const options: Parameters<typeof autocannon>[0] = {
    url: settings.url,
    method: settings.method,
    headers: settings.headers,
    connections: settings.concurrency,
    amount: settings.requests,
    timeout: Math.max(1, Math.ceil(settings.requestTimeoutMs / 1_000)),
  };
  if (settings.body !== undefined) options.body = settings.body;
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(options, (error) => {
      clearTimeout(timer);
      if (error !== null) reject(error);
      else resolve();
    });
    const timer = setTimeout(() => {
      stoppedAtDeadline = true;
      instance.stop();
    }, settings.timeoutMs);
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      sent += 1;
      lastAnswer = performance.now();
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else failed += 1;
    });
    instance.on('reqError', () => {
      sent += 1;
      lastAnswer = performance.now();
      failed += 1;
    });
  });
  const durationMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const report: LoadReport = {
    url: settings.url,
    requests: sent,
    succeeded: latencies.length,
    errors: failed,
    errorRatio: sent === 0 ? 1 : failed / sent,
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? 0),
    durationMs: Math.round(durationMs),
    // autocannon ends a run on its next sample tick (sampleInt, 1 s), up to 1 s after the last answer
    requestsPerSecond: lastAnswer > started ? Math.round((sent / (lastAnswer - started)) * 1_000) : 0,
    passed: false,
    reasons: [],
  };
  if (stoppedAtDeadline)
    report.reasons.push(
      `stopped at the ${settings.timeoutMs} ms deadline after ${sent} of ${settings.requests} requests`,
    );
  if (report.p95Ms > settings.maxP95Ms)
    report.reasons.push(`p95 ${report.p95Ms} ms is above ${settings.maxP95Ms} ms`);
  if (report.errorRatio > settings.maxErrorRatio)
    report.reasons.push(
      `${(report.errorRatio * 100).toFixed(2)} % of requests failed (at most ${(settings.maxErrorRatio * 100).toFixed(2)} % allowed)`,
    );
  report.passed = report.reasons.length === 0;
  logger.info(
    `${sent} requests at concurrency ${settings.concurrency}: p50 ${report.p50Ms} ms, p95 ${report.p95Ms} ms, p99 ${report.p99Ms} ms, ` +
      `${failed} failed, ${report.requestsPerSecond} req/s`,
  );
  return report;
}
