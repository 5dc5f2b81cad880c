/**
 * Smoke checks that are not HTTP requests, run beside the HTTP checks of smoke.ts with the same retry
 * rules (exponential backoff with full jitter until the deadline) and reported as the same
 * {@link SmokeResult}s:
 *
 * - `tcp`: a TCP connection to `host:port` opens (a database port, a broker) within the request timeout;
 * - `ecs-service`: an ECS service is steady — `ACTIVE`, `runningCount` equal to `desiredCount`, and no
 *   deployment whose `rolloutState` is `FAILED` (ECS API DescribeServices; the deployment circuit breaker
 *   marks a failed rollout so).
 */
import { connect } from 'node:net';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { describeThrown } from './errors.ts';
import { coreLogger, type Logger } from './logger.ts';
import { backoffCeiling, delayScale, sleep } from './retry.ts';
import type { SmokeResult } from './smoke.ts';

/** A check that is not an HTTP request. */
export type ProbeCheck =
  | { kind: 'tcp'; name: string; host: string; port: number }
  | { kind: 'ecs-service'; name: string; cluster: string; service: string };

export interface ProbeOptions {
  /** Deadline for all probes together, in milliseconds from the call. */
  timeoutMs: number;
  /** Timeout of one attempt in milliseconds (default 10 000; never beyond the deadline). */
  requestTimeoutMs?: number;
  /** First backoff ceiling in ms (default 1 000), doubling up to `maxRetryDelayMs` (default 10 000). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Builds the ECS client, only when an `ecs-service` probe runs. */
  ecsClient?: () => Promise<ECSClient>;
  logger?: Logger;
}

/** The `url` a probe reports as: `tcp://host:port` or `ecs://cluster/service`. */
export function probeTarget(probe: ProbeCheck): string {
  return probe.kind === 'tcp'
    ? `tcp://${probe.host}:${probe.port}`
    : `ecs://${probe.cluster}/${probe.service}`;
}

/** One attempt's answer: passed, or why not. */
type Attempt = { passed: true; latencyMs: number } | { passed: false; reason: string; latencyMs?: number };

/**
 * Opens a TCP connection to `host:port` and closes it at once.
 * @param timeoutMs milliseconds before the attempt counts as failed
 * @returns passed with the connect latency (ms), or the reason (refused, timed out, DNS…)
 */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<Attempt> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (attempt: Attempt): void => {
      socket.destroy();
      resolve(attempt);
    };
    socket.setTimeout(timeoutMs, () =>
      finish({ passed: false, reason: `no connection within ${timeoutMs} ms` }),
    );
    socket.once('connect', () =>
      finish({ passed: true, latencyMs: Math.round(performance.now() - started) }),
    );
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ passed: false, reason: `connection failed: ${error.code ?? describeThrown(error)}` }),
    );
  });
}

/**
 * Describes the service and judges it steady: ACTIVE, running = desired, no FAILED deployment.
 * @returns passed, or what is wrong (`2 of 3 tasks running`, `deployment ecs-svc/1 FAILED: …`)
 */
export async function ecsServiceSteady(
  client: ECSClient,
  cluster: string,
  service: string,
): Promise<Attempt> {
  const started = performance.now();
  const { DescribeServicesCommand } = await import('@aws-sdk/client-ecs');
  const answer = await client.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const latencyMs = Math.round(performance.now() - started);
  const found = answer.services?.[0];
  if (found === undefined) {
    const why = answer.failures?.[0]?.reason ?? 'not found';
    return { passed: false, reason: `service ${service}: ${why}`, latencyMs };
  }
  if (found.status !== 'ACTIVE')
    return { passed: false, reason: `service status ${found.status ?? '?'}`, latencyMs };
  const failed = (found.deployments ?? []).find((deployment) => deployment.rolloutState === 'FAILED');
  if (failed !== undefined)
    return {
      passed: false,
      reason: `deployment ${failed.id ?? '?'} FAILED${failed.rolloutStateReason ? `: ${failed.rolloutStateReason}` : ''}`,
      latencyMs,
    };
  const running = found.runningCount ?? 0;
  const desired = found.desiredCount ?? 0;
  if (running !== desired)
    return { passed: false, reason: `${running} of ${desired} task(s) running`, latencyMs };
  return { passed: true, latencyMs };
}

/**
 * Runs the probes concurrently, each retried until it passes or the deadline passes.
 * @returns one result per probe, in the order given (`status` is never set: these are not HTTP)
 */
export async function runProbeChecks(
  probes: readonly ProbeCheck[],
  options: ProbeOptions,
): Promise<SmokeResult[]> {
  const logger = options.logger ?? coreLogger;
  const deadline = Date.now() + options.timeoutMs;
  let ecs: Promise<ECSClient> | undefined;
  const client = (): Promise<ECSClient> => {
    if (options.ecsClient === undefined) throw new Error('an ecs-service check needs an ECS client');
    ecs ??= options.ecsClient();
    return ecs;
  };
  return Promise.all(
    probes.map(async (probe): Promise<SmokeResult> => {
      const result: SmokeResult = { name: probe.name, url: probeTarget(probe), passed: false, attempts: 0 };
      for (;;) {
        result.attempts += 1;
        const timeout = Math.max(1, Math.min(options.requestTimeoutMs ?? 10_000, deadline - Date.now()));
        let attempt: Attempt;
        try {
          attempt =
            probe.kind === 'tcp'
              ? await tcpConnect(probe.host, probe.port, timeout)
              : await ecsServiceSteady(await client(), probe.cluster, probe.service);
        } catch (error) {
          attempt = { passed: false, reason: describeThrown(error) };
        }
        if (attempt.latencyMs !== undefined) result.latencyMs = attempt.latencyMs;
        if (attempt.passed) {
          result.passed = true;
          delete result.reason;
          return result;
        }
        result.reason = attempt.reason;
        const delay =
          Math.random() *
          backoffCeiling(result.attempts, {
            baseDelayMs: options.retryDelayMs ?? 1_000,
            maxDelayMs: options.maxRetryDelayMs ?? 10_000,
          }) *
          delayScale();
        if (Date.now() + delay >= deadline) return result;
        logger.info(`${probe.name}: attempt ${result.attempts} failed (${attempt.reason}); retrying`);
        await sleep(delay);
      }
    }),
  );
}
