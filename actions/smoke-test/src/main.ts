/**
 * smoke-test: read the checks, run them concurrently with retries until the deadline, report a table,
 * set outputs, fail the step when any check failed.
 */
import * as core from '@actions/core';
import { formatDuration } from '../../../shared/src/duration.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { runSmokeChecks, type SmokeResult } from '../../../shared/src/smoke.ts';
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import { getInputs } from './inputs.ts';

/** Runs the smoke-test flow; throws when a check failed (after outputs and summary are written). */
export async function run(logger: Logger = coreLogger): Promise<void> {
  const inputs = getInputs();
  const started = Date.now();
  const results = await logger.group(
    `Running ${inputs.checks.length} check(s), deadline ${formatDuration(inputs.timeout)}`,
    () =>
      runSmokeChecks(inputs.checks, {
        timeoutMs: inputs.timeout,
        requestTimeoutMs: inputs['request-timeout'],
        retryDelayMs: inputs['retry-delay'],
        maxRetryDelayMs: Math.min(inputs['retry-delay'] * 10, 30_000),
        concurrency: inputs.concurrency,
        logger,
      }),
  );
  const failed = results.filter((result) => !result.passed);
  core.setOutput('passed', failed.length === 0 ? 'true' : 'false');
  core.setOutput('failed-checks', failed.map((result) => result.name).join(','));
  core.setOutput('results', JSON.stringify(results));
  await writeSummaryTable(
    'Smoke test',
    ['Check', 'Status', 'HTTP', 'Latency', 'Attempts', 'Why it failed'],
    results.map((result) => row(result)),
    `${results.length - failed.length} of ${results.length} passed in ${formatDuration(Date.now() - started)}.`,
  );
  if (failed.length > 0) {
    throw new Error(
      `${failed.length} of ${results.length} smoke check(s) failed: ${failed.map((r) => `${r.name} (${r.reason ?? 'failed'})`).join('; ')}`,
    );
  }
  logger.info(`All ${results.length} smoke check(s) passed.`);
}

function row(result: SmokeResult): string[] {
  return [
    result.name,
    result.passed ? '✅ passed' : '❌ failed',
    result.status === undefined ? '—' : String(result.status),
    result.latencyMs === undefined ? '—' : `${result.latencyMs} ms`,
    String(result.attempts),
    result.reason ?? '',
  ];
}
