/**
 * Following an ECS service deployment (the 2025 deployment model: ListServiceDeployments,
 * DescribeServiceDeployments) through its lifecycle stages — RECONCILE_SERVICE → PRE_SCALE_UP → SCALE_UP →
 * POST_SCALE_UP → TEST_TRAFFIC_SHIFT → POST_TEST_TRAFFIC_SHIFT → PRODUCTION_TRAFFIC_SHIFT →
 * POST_PRODUCTION_TRAFFIC_SHIFT → BAKE_TIME → CLEAN_UP — printing each stage, answering PAUSE lifecycle
 * hooks with ContinueServiceDeployment, and stopping the deployment with a ROLLBACK at the deadline.
 * Used by deploy-bluegreen (strategy ecs-native) and by rollbacks of BLUE_GREEN/LINEAR/CANARY services.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
 */
import type { DeploymentLifecycleHookDetail, ECSClient, ServiceDeployment } from '@aws-sdk/client-ecs';
import { isThrottlingError, isTransientError } from '../aws.ts';
import { formatDuration } from '../duration.ts';
import { describeThrown } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { sleep as realSleep } from '../retry.ts';
import { ecsSdk } from './service.ts';
import { defaultPollIntervalMs, type TimelineEntry } from './watch.ts';

/** The verdict of the checks run for a PAUSE hook: CONTINUE when passed, else ROLLBACK. */
export interface PauseVerdict {
  passed: boolean;
  /** One line per check, for logs and the summary. */
  lines: string[];
}

/** Terminal statuses of a service deployment. */
const TERMINAL = new Set(['SUCCESSFUL', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED', 'STOPPED']);

/** One PAUSE hook Gantry answered. */
export interface HookAnswer {
  hookId: string;
  stage: string;
  action: 'CONTINUE' | 'ROLLBACK';
  gate: PauseVerdict;
}

/** How a followed service deployment ended. */
export interface NativeOutcome {
  /** The service deployment's final status, or TIMED_OUT. */
  status: string;
  reason: string;
  serviceDeploymentArn: string;
  timeline: TimelineEntry[];
  hooks: HookAnswer[];
  describeCalls: number;
}

export interface FollowOptions {
  serviceDeploymentArn: string;
  /** Milliseconds since epoch after which Gantry stops the deployment with a ROLLBACK. */
  deadline: number;
  rollbackOnTimeout: boolean;
  /** Runs the checks for a PAUSE hook; its verdict decides CONTINUE or ROLLBACK. */
  onPause: (hook: DeploymentLifecycleHookDetail, stage: string, timeoutMs: number) => Promise<PauseVerdict>;
  /** Time allowed to the checks of one hook, in milliseconds (capped by the hook's expiry). */
  smokeTimeoutMs: number;
  logger: Logger;
  intervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The service deployment an UpdateService started: the newest one created since `since`, polled until it
 * appears (ListServiceDeployments is eventually consistent).
 * @throws Error when none appears before `deadline`
 */
export async function findServiceDeployment(
  ecs: ECSClient,
  cluster: string,
  service: string,
  since: Date,
  deadline: number,
  options: { intervalMs?: number; sleep?: (ms: number) => Promise<void>; now?: () => number } = {},
): Promise<string> {
  const { ListServiceDeploymentsCommand } = await ecsSdk();
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? realSleep;
  for (;;) {
    const listed = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service, createdAt: { after: since }, maxResults: 10 }),
    );
    const newest = (listed.serviceDeployments ?? []).sort(
      (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0),
    )[0];
    if (newest?.serviceDeploymentArn !== undefined) return newest.serviceDeploymentArn;
    if (now() >= deadline)
      throw new Error(`No service deployment of ${service} appeared after UpdateService`);
    await wait(Math.min(options.intervalMs ?? defaultPollIntervalMs(), Math.max(0, deadline - now())));
  }
}

function describeStage(deployment: ServiceDeployment): string {
  const target = deployment.targetServiceRevision;
  const counts =
    target === undefined
      ? ''
      : `; green ${target.runningTaskCount ?? 0}/${target.requestedTaskCount ?? 0} running` +
        (target.requestedTestTrafficWeight === undefined
          ? ''
          : `, test traffic ${target.requestedTestTrafficWeight}%`) +
        (target.requestedProductionTrafficWeight === undefined
          ? ''
          : `, production traffic ${target.requestedProductionTrafficWeight}%`);
  return `stage ${deployment.lifecycleStage ?? '?'} — ${deployment.status ?? '?'}${counts}`;
}

/**
 * Follows a service deployment to a terminal status, answering PAUSE hooks.
 * @returns the outcome; never throws for a failed deployment, only for errors that are not throttling or
 *   transient (and after 5 transient errors in a row)
 */
export async function followServiceDeployment(
  ecs: ECSClient,
  options: FollowOptions,
): Promise<NativeOutcome> {
  const {
    DescribeServiceDeploymentsCommand,
    ContinueServiceDeploymentCommand,
    StopServiceDeploymentCommand,
  } = await ecsSdk();
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? realSleep;
  const base = options.intervalMs ?? defaultPollIntervalMs();
  const started = now();
  const timeline: TimelineEntry[] = [];
  const hooks: HookAnswer[] = [];
  const answered = new Set<string>();
  const note = (text: string): void => {
    timeline.push({ atMs: now() - started, text });
    options.logger.info(text);
  };
  let interval = base;
  let describeCalls = 0;
  let transient = 0;
  let last = '';
  let stopped = false;
  let deadline = options.deadline;
  for (;;) {
    let deployment: ServiceDeployment | undefined;
    try {
      describeCalls++;
      const response = await ecs.send(
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [options.serviceDeploymentArn] }),
      );
      deployment = response.serviceDeployments?.[0];
      interval = Math.max(base, Math.floor(interval / 2));
      transient = 0;
    } catch (error) {
      if (isThrottlingError(error)) {
        interval = Math.min(30_000, interval * 2);
        note(`throttled by ECS; next look in ${formatDuration(interval)}`);
      } else if (isTransientError(error) && ++transient < 5)
        note(`DescribeServiceDeployments failed (${describeThrown(error)})`);
      else throw error;
    }
    if (deployment !== undefined) {
      const line = describeStage(deployment);
      if (line !== last) {
        last = line;
        note(line);
      }
      const status = deployment.status ?? '';
      if (TERMINAL.has(status))
        return {
          status,
          reason:
            (stopped
              ? `timed out; Gantry stopped the deployment with a ROLLBACK, which ended ${status}: `
              : '') + (deployment.statusReason ?? deployment.rollback?.reason ?? status),
          serviceDeploymentArn: options.serviceDeploymentArn,
          timeline,
          hooks,
          describeCalls,
        };
      for (const hook of deployment.lifecycleHookDetails ?? []) {
        if (hook.targetType !== 'PAUSE' || hook.status !== 'AWAITING_ACTION' || hook.hookId === undefined)
          continue;
        if (answered.has(hook.hookId)) continue;
        answered.add(hook.hookId);
        const stage = deployment.lifecycleStage ?? '?';
        const expiresIn = hook.expiresAt === undefined ? Infinity : hook.expiresAt.getTime() - now() - 5_000;
        const budget = Math.max(1_000, Math.min(options.smokeTimeoutMs, expiresIn, deadline - now()));
        note(`PAUSE hook at ${stage}: running smoke checks (up to ${formatDuration(budget)})`);
        const gate = await options.onPause(hook, stage, budget);
        const action = gate.passed ? 'CONTINUE' : 'ROLLBACK';
        await ecs.send(
          new ContinueServiceDeploymentCommand({
            serviceDeploymentArn: options.serviceDeploymentArn,
            hookId: hook.hookId,
            action,
          }),
        );
        hooks.push({ hookId: hook.hookId, stage, action, gate });
        note(`ContinueServiceDeployment ${action} at ${stage} (${gate.lines.join('; ')})`);
      }
    }
    if (now() >= deadline) {
      if (stopped || !options.rollbackOnTimeout)
        return {
          status: 'TIMED_OUT',
          reason: `timed out waiting for the service deployment; last: ${last}`,
          serviceDeploymentArn: options.serviceDeploymentArn,
          timeline,
          hooks,
          describeCalls,
        };
      stopped = true;
      note('timeout reached: StopServiceDeployment ROLLBACK');
      await ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: options.serviceDeploymentArn,
          stopType: 'ROLLBACK',
        }),
      );
      // Give the rollback the time it takes to finish, bounded: 15 minutes.
      deadline = now() + 15 * 60_000;
    }
    await wait(Math.min(interval, Math.max(0, deadline - now())));
  }
}
