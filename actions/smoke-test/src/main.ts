/**
 * smoke-test: read the checks, run them concurrently with retries until the deadline (HTTP checks of URLs
 * or, with `kubernetes-service`, of paths on an in-cluster Service through the API server's service proxy;
 * and `tcp` / `ecs-service` probes), report tables, set outputs, push the results to a Prometheus
 * Pushgateway when one is configured (a failed push is a warning), then the optional load run; fail the step
 * when any check failed or the load gate did not pass.
 */
import * as core from '@actions/core';
import { formatDuration } from '../../../shared/src/duration.ts';
import { describeThrown } from '../../../shared/src/errors.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { pushToGateway, renderHealthMetrics } from '../../../shared/src/pushgateway.ts';
import { runSmokeChecks, type SmokeOptions, type SmokeResult } from '../../../shared/src/smoke.ts';
import type { HealthSample } from '../../../shared/src/pushgateway.ts';
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import { getInputs, getPushgatewayInputs, type Inputs, type PushgatewayInputs } from './inputs.ts';

/** Runs the smoke-test flow; throws when a check failed (after outputs and summary are written). */
export async function run(logger: Logger = coreLogger): Promise<void> {
  const inputs = await getInputs();
  const pushgateway = await getPushgatewayInputs(logger);
  const started = Date.now();
  const settings = {
    timeoutMs: inputs.timeout,
    requestTimeoutMs: inputs['request-timeout'],
    retryDelayMs: inputs['retry-delay'],
    maxRetryDelayMs: Math.min(inputs['retry-delay'] * 10, 30_000),
    concurrency: inputs.concurrency,
    logger,
  };
  const serviceChecks = inputs.kubernetes?.checks.length ?? 0;
  const results = await logger.group(
    `Running ${inputs.checks.length + serviceChecks + inputs.probes.length} check(s), deadline ${formatDuration(inputs.timeout)}`,
    async () => [
      ...(inputs.checks.length > 0 ? await runSmokeChecks(inputs.checks, settings) : []),
      ...(inputs.kubernetes !== undefined && serviceChecks > 0
        ? await serviceProxyStep(inputs.kubernetes, settings)
        : []),
      ...(inputs.probes.length > 0 ? await probeStep(inputs, settings) : []),
    ],
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
  if (pushgateway !== undefined) await pushStep(pushgateway, inputs, results, logger);
  if (failed.length === 0 && inputs.load !== undefined) await loadStep(inputs.load, logger);
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

/**
 * Pushes the results to the Pushgateway (PUT: they replace the group's previous push). Never throws: a
 * failed push is a warning, the health verdict stands; the `pushed` output says whether it went through.
 * Results are HTTP checks first, then probes, in input order (as the run step returns them).
 */
async function pushStep(
  target: PushgatewayInputs,
  inputs: Inputs,
  results: readonly SmokeResult[],
  logger: Logger,
): Promise<void> {
  const kinds = [...inputs.checks.map(() => 'http'), ...inputs.probes.map((probe) => probe.kind)];
  const samples = results.map((result, index) => {
    const sample: HealthSample = {
      check: result.name,
      kind: kinds[index] ?? 'http',
      passed: result.passed,
      attempts: result.attempts,
    };
    if (result.latencyMs !== undefined) sample.latencyMs = result.latencyMs;
    return sample;
  });
  await logger.group('Pushing the results to the Pushgateway', async () => {
    try {
      const pushed = await pushToGateway(target, renderHealthMetrics(samples, Date.now()));
      logger.info(`Pushed ${samples.length} result(s) to ${pushed.url} (HTTP ${pushed.status}).`);
      core.setOutput('pushed', 'true');
    } catch (error) {
      logger.warning(
        `The results were not pushed to the Pushgateway (the checks' verdict stands): ${describeThrown(error)}`,
      );
      core.setOutput('pushed', 'false');
    }
  });
}

/**
 * The load run (only when `load-requests` > 0): loads ./load.ts, and with it autocannon, on demand, so
 * smoke checks without load mode start as fast as before.
 * @throws when the load gate does not pass (after the `load` output and the summary are written)
 */
async function loadStep(settings: NonNullable<Inputs['load']>, logger: Logger): Promise<void> {
  const { runLoad } = await import('./load.ts');
  const report = await logger.group(
    `Load: ${settings.requests} requests at concurrency ${settings.concurrency} on ${settings.url}`,
    () => runLoad(settings, logger),
  );
  core.setOutput('load', JSON.stringify(report));
  await writeSummaryTable(
    'Load',
    ['Requests', 'Concurrency', 'p50', 'p95', 'p99', 'Errors', 'Req/s', 'Verdict'],
    [
      [
        String(report.requests),
        String(settings.concurrency),
        `${report.p50Ms} ms`,
        `${report.p95Ms} ms`,
        `${report.p99Ms} ms`,
        `${report.errors} (${(report.errorRatio * 100).toFixed(2)} %)`,
        String(report.requestsPerSecond),
        report.passed ? '✅ passed' : `❌ ${report.reasons.join('; ')}`,
      ],
    ],
    `Gate: p95 ≤ ${settings.maxP95Ms} ms, errors ≤ ${(settings.maxErrorRatio * 100).toFixed(2)} %.`,
  );
  if (!report.passed) throw new Error(`Load gate failed on ${settings.url}: ${report.reasons.join('; ')}`);
}

/** The checks of in-cluster Services (`kubernetes-service`), loaded on demand (URL-only runs never load them). */
async function serviceProxyStep(
  kubernetes: NonNullable<Inputs['kubernetes']>,
  settings: SmokeOptions & { logger: Logger },
): Promise<SmokeResult[]> {
  const { runServiceChecks } = await import('./service-checks.ts');
  return runServiceChecks(kubernetes, settings);
}

/** The `tcp` / `ecs-service` checks, loaded on demand (HTTP-only runs never load them). */
async function probeStep(
  inputs: Inputs,
  settings: {
    timeoutMs: number;
    requestTimeoutMs: number;
    retryDelayMs: number;
    maxRetryDelayMs: number;
    logger: Logger;
  },
): Promise<SmokeResult[]> {
  const { runProbeChecks } = await import('../../../shared/src/smoke-probes.ts');
  const { createEcsClient } = await import('../../../shared/src/aws.ts');
  return runProbeChecks(inputs.probes, {
    ...settings,
    ecsClient: () => createEcsClient({ region: inputs['aws-region'] }),
  });
}
