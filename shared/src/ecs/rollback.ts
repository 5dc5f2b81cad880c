/**
 * Rollback code shared by deploy-rolling (rollback-on-failure), deploy-bluegreen and the rollback action:
 * finding the revision to return to and restoring it.
 *
 * "Previous" is the last task-definition revision that completed a rollout before the current one — not
 * simply revision − 1 (that revision may never have run, or may have failed). Two sources, in order:
 * 1. the service's deployment history: ListServiceDeployments (SUCCESSFUL and ROLLBACK_SUCCESSFUL service
 *    deployments, newest first) → DescribeServiceRevisions → task definition
 *    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html);
 * 2. Gantry's revision tags: revisions of the family tagged `gantry:rollout=COMPLETED`, the one with the
 *    latest `gantry:rollout-completed-at` first.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { ConfigurationError, describeThrown } from '../errors.ts';
import type { Logger } from '../logger.ts';
import {
  describeService,
  describeTaskDefinition,
  ecsSdk,
  primaryDeployment,
  shortTaskDefinition,
  tagRecord,
  TAGS,
  tagTaskDefinition,
  updateService,
} from './service.ts';
import { findServiceDeployment, followServiceDeployment } from './service-deployment.ts';
import { watchRollout, type RolloutOutcome } from './watch.ts';

/** A revision to return to and where that answer came from. */
export interface PreviousRevision {
  taskDefinitionArn: string;
  /** `deployment history` or `gantry tags`. */
  source: string;
}

/** The family of a task-definition ARN or `family:revision`. */
export function familyOf(taskDefinition: string): string {
  return shortTaskDefinition(taskDefinition).split(':')[0] ?? taskDefinition;
}

async function fromDeploymentHistory(
  ecs: ECSClient,
  cluster: string,
  service: string,
  current: string,
  logger: Logger,
): Promise<string | undefined> {
  const { ListServiceDeploymentsCommand, DescribeServiceRevisionsCommand } = await ecsSdk();
  try {
    const listed = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster,
        service,
        status: ['SUCCESSFUL', 'ROLLBACK_SUCCESSFUL'],
        maxResults: 20,
      }),
    );
    const deployments = (listed.serviceDeployments ?? [])
      .filter((d) => d.targetServiceRevisionArn !== undefined)
      .sort((a, b) => (b.finishedAt?.getTime() ?? 0) - (a.finishedAt?.getTime() ?? 0));
    if (deployments.length === 0) return undefined;
    const revisions = await ecs.send(
      new DescribeServiceRevisionsCommand({
        serviceRevisionArns: deployments.slice(0, 20).map((d) => d.targetServiceRevisionArn ?? ''),
      }),
    );
    const byArn = new Map(
      (revisions.serviceRevisions ?? []).map((r) => [r.serviceRevisionArn, r.taskDefinition]),
    );
    for (const deployment of deployments) {
      const taskDefinition = byArn.get(deployment.targetServiceRevisionArn);
      if (taskDefinition !== undefined && taskDefinition !== current) return taskDefinition;
    }
    return undefined;
  } catch (error) {
    logger.info(
      `The service deployment history is not available (${describeThrown(error).split('\n')[0] ?? ''}); using Gantry's revision tags`,
    );
    return undefined;
  }
}

async function fromGantryTags(
  ecs: ECSClient,
  current: string,
  logger: Logger,
  scan = 25,
): Promise<string | undefined> {
  const { ListTaskDefinitionsCommand } = await ecsSdk();
  const family = familyOf(current);
  const listed = await ecs.send(
    new ListTaskDefinitionsCommand({ familyPrefix: family, sort: 'DESC', maxResults: 100 }),
  );
  const arns = (listed.taskDefinitionArns ?? [])
    .filter((arn) => familyOf(arn) === family && arn !== current)
    .slice(0, scan);
  let best: { arn: string; at: string } | undefined;
  for (const arn of arns) {
    const { tags } = await describeTaskDefinition(ecs, arn);
    const record = tagRecord(tags);
    if (record[TAGS.rollout] !== 'COMPLETED') continue;
    const at = record[TAGS.completedAt] ?? '';
    if (best === undefined || at > best.at) best = { arn, at };
  }
  if (best === undefined) logger.info(`No earlier revision of ${family} is tagged ${TAGS.rollout}=COMPLETED`);
  return best?.arn;
}

/**
 * Finds the last revision that completed a rollout before `current` (see the module comment).
 * @param current the task definition ARN the service runs now
 * @returns the revision and its source, or undefined when there is nothing to roll back to
 */
export async function findPreviousRevision(
  ecs: ECSClient,
  cluster: string,
  service: string,
  current: string,
  logger: Logger,
): Promise<PreviousRevision | undefined> {
  const history = await fromDeploymentHistory(ecs, cluster, service, current, logger);
  if (history !== undefined) return { taskDefinitionArn: history, source: 'deployment history' };
  const tagged = await fromGantryTags(ecs, current, logger);
  if (tagged !== undefined) return { taskDefinitionArn: tagged, source: 'gantry tags' };
  return undefined;
}

/**
 * Resolves the rollback action's `to`: `previous`, a task-definition ARN, `family:revision`, or a bare
 * revision number of the current family.
 * @returns the full ARN to restore and where it came from
 * @throws ConfigurationError when there is nothing to roll back to, or the target is what runs now
 */
export async function resolveRollbackTarget(
  ecs: ECSClient,
  options: { cluster: string; service: string; current: string; to: string; logger: Logger },
): Promise<PreviousRevision> {
  const { cluster, service, current, to, logger } = options;
  let target: PreviousRevision;
  if (to === 'previous') {
    const found = await findPreviousRevision(ecs, cluster, service, current, logger);
    if (found === undefined)
      throw new ConfigurationError(
        `Nothing to roll back to: no revision of ${familyOf(current)} other than the current ` +
          `${shortTaskDefinition(current)} completed a rollout (checked the service deployment history and ` +
          `the ${TAGS.rollout} tags). Pass an explicit task definition in 'to' to restore one anyway.`,
      );
    target = found;
  } else {
    const reference = /^\d+$/.test(to) ? `${familyOf(current)}:${to}` : to;
    const { taskDefinition } = await describeTaskDefinition(ecs, reference);
    target = { taskDefinitionArn: taskDefinition.taskDefinitionArn ?? reference, source: `'to: ${to}'` };
  }
  if (target.taskDefinitionArn === current)
    throw new ConfigurationError(
      `Nothing to roll back: service ${service} already runs ${shortTaskDefinition(current)} (from ${target.source})`,
    );
  return target;
}

export interface RestoreOptions {
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  wait: boolean;
  timeoutMs: number;
  reason?: string;
  intervalMs?: number;
  logger: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What a restore did. */
export interface RestoreResult {
  deploymentId: string;
  /** Whether ECS already ran the revision (its circuit breaker rolled back) so no UpdateService was sent. */
  alreadyRestoring: boolean;
  /** The watched outcome (undefined when `wait` is false). */
  outcome?: RolloutOutcome;
}

/**
 * Puts a service back on a task definition and (when `wait`) follows that deployment to its end. When the
 * service's primary deployment already runs the revision (ECS's circuit breaker rolled back on its own),
 * no UpdateService is sent and that deployment is followed instead.
 * On COMPLETED the revision is tagged `gantry:rollout=COMPLETED` (and the reason, when given).
 * @returns the deployment followed and its outcome; a failed outcome is returned, not thrown
 */
export async function restoreTaskDefinition(ecs: ECSClient, options: RestoreOptions): Promise<RestoreResult> {
  const { cluster, service, taskDefinitionArn, logger } = options;
  const described = await describeService(ecs, cluster, service);
  let deploymentId: string;
  let alreadyRestoring = false;
  const strategy = described.deploymentConfiguration?.strategy ?? 'ROLLING';
  if (strategy !== 'ROLLING') return restoreByServiceDeployment(ecs, options, strategy);
  const primary = described.deployments?.find((d) => d.status === 'PRIMARY');
  if (
    described.taskDefinition === taskDefinitionArn &&
    primary?.taskDefinition === taskDefinitionArn &&
    primary.id !== undefined
  ) {
    alreadyRestoring = true;
    deploymentId = primary.id;
    logger.info(
      `Service ${service} already runs ${shortTaskDefinition(taskDefinitionArn)} (deployment ${deploymentId}); following it`,
    );
  } else {
    const { deployment } = await updateService(ecs, { cluster, service, taskDefinition: taskDefinitionArn });
    deploymentId = deployment.id ?? primaryDeployment(described).id ?? '?';
    logger.info(
      `UpdateService: ${service} → ${shortTaskDefinition(taskDefinitionArn)} (deployment ${deploymentId})`,
    );
  }
  if (!options.wait) return { deploymentId, alreadyRestoring };
  const outcome = await watchRollout(ecs, {
    cluster,
    service,
    deploymentId,
    timeoutMs: options.timeoutMs,
    logger,
    prefix: 'rollback: ',
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  });
  if (outcome.state === 'COMPLETED') await tagRestored(ecs, options);
  return { deploymentId, alreadyRestoring, outcome };
}

async function tagRestored(ecs: ECSClient, options: RestoreOptions): Promise<void> {
  const tags: Record<string, string> = {
    [TAGS.rollout]: 'COMPLETED',
    [TAGS.completedAt]: new Date().toISOString(),
  };
  if (options.reason !== undefined && options.reason !== '')
    tags[TAGS.rollbackReason] = options.reason.slice(0, 256);
  await tagTaskDefinition(ecs, options.taskDefinitionArn, tags, options.logger);
}

/**
 * Restore for services on the BLUE_GREEN/LINEAR/CANARY strategies: UpdateService starts a service
 * deployment, followed through its lifecycle stages. A PAUSE hook on the way is answered CONTINUE — the
 * revision being restored is the one that last completed — and said so in the log.
 */
async function restoreByServiceDeployment(
  ecs: ECSClient,
  options: RestoreOptions,
  strategy: string,
): Promise<RestoreResult> {
  const { UpdateServiceCommand } = await ecsSdk();
  const { cluster, service, taskDefinitionArn, logger } = options;
  const now = options.now ?? Date.now;
  const since = new Date(now() - 1_000);
  await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: taskDefinitionArn }));
  const timing = {
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  };
  const deadline = now() + (options.wait ? options.timeoutMs : Math.min(options.timeoutMs, 60_000));
  const arn = await findServiceDeployment(ecs, cluster, service, since, deadline, timing);
  logger.info(
    `UpdateService: ${service} → ${shortTaskDefinition(taskDefinitionArn)} (${strategy} service deployment ${arn})`,
  );
  if (!options.wait) return { deploymentId: arn, alreadyRestoring: false };
  const followed = await followServiceDeployment(ecs, {
    serviceDeploymentArn: arn,
    deadline,
    rollbackOnTimeout: false,
    smokeTimeoutMs: 0,
    logger,
    onPause: async () => ({
      passed: true,
      lines: ['rollback to the last revision that completed: continued without checks'],
    }),
    ...timing,
  });
  const state =
    followed.status === 'SUCCESSFUL' ? 'COMPLETED' : followed.status === 'TIMED_OUT' ? 'TIMED_OUT' : 'FAILED';
  const outcome: RolloutOutcome = {
    state,
    reason: `service deployment ${followed.status}: ${followed.reason}`,
    stoppedTasks: [],
    timeline: followed.timeline,
    describeCalls: followed.describeCalls,
    throttled: 0,
    elapsedMs: followed.timeline.at(-1)?.atMs ?? 0,
  };
  if (state === 'COMPLETED') await tagRestored(ecs, options);
  return { deploymentId: arn, alreadyRestoring: false, outcome };
}
