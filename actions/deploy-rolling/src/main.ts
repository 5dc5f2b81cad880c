/**
 * deploy-rolling: render a task definition from a template, register it (tagged with the commit and run),
 * update the ECS service and watch the rollout to COMPLETED — or report FAILED with the stopped tasks'
 * reasons, roll back to the previous task definition, and fail the step.
 */
import * as core from '@actions/core';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { createEcsClient } from '../../../shared/src/aws.ts';
import { formatDuration } from '../../../shared/src/duration.ts';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { registerRevision, renderRevision } from '../../../shared/src/ecs/prepare.ts';
import { imagesOf, type TaskDefinitionDocument } from '../../../shared/src/ecs/render.ts';
import { writeImageDiff, writeTimeline } from '../../../shared/src/ecs/report.ts';
import { restoreTaskDefinition } from '../../../shared/src/ecs/rollback.ts';
import {
  describeService,
  describeTaskDefinition,
  shortTaskDefinition,
  tagRecord,
  TAGS,
  tagTaskDefinition,
  updateService,
} from '../../../shared/src/ecs/service.ts';
import { defaultPollIntervalMs, watchRollout, type RolloutOutcome } from '../../../shared/src/ecs/watch.ts';
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import { getInputs, type Inputs } from './inputs.ts';

/** What the step reports, set as outputs as soon as each is known. */
interface Result {
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string;
  deploymentId: string;
  rolloutState: string;
  durationSeconds: number;
}

function setOutputs(result: Partial<Result>): void {
  if (result.taskDefinitionArn !== undefined) core.setOutput('task-definition-arn', result.taskDefinitionArn);
  if (result.previousTaskDefinitionArn !== undefined)
    core.setOutput('previous-task-definition-arn', result.previousTaskDefinitionArn);
  if (result.deploymentId !== undefined) core.setOutput('deployment-id', result.deploymentId);
  if (result.rolloutState !== undefined) core.setOutput('rollout-state', result.rolloutState);
  if (result.durationSeconds !== undefined)
    core.setOutput('duration-seconds', String(result.durationSeconds));
}

/**
 * The flow. Reads inputs, then talks to ECS through a client built by `shared/src/aws.ts`.
 * @throws InputError / ConfigurationError before any change for bad inputs or an unknown cluster, service
 *   or container; Error naming the rollout's failure reasons (after rolling back) when it fails
 */
export async function run(logger: Logger = coreLogger): Promise<void> {
  const inputs = getInputs();
  const ecs: ECSClient = await createEcsClient({ region: inputs['aws-region'] });
  const { cluster, service } = inputs;

  const { previousArn, current, steady, configuration } = await logger.group(
    `Read service ${service} in ${cluster}`,
    async () => {
      const described = await describeService(ecs, cluster, service);
      const previousArn = described.taskDefinition ?? '';
      const controller = described.deploymentController?.type ?? 'ECS';
      const strategy = described.deploymentConfiguration?.strategy ?? 'ROLLING';
      if (controller !== 'ECS' || strategy !== 'ROLLING')
        throw new ConfigurationError(
          `Service ${service} deploys with ${controller === 'ECS' ? `the ${strategy} strategy` : `the ${controller} controller`}; ` +
            'deploy-rolling handles rolling updates only (use deploy-bluegreen for blue/green services)',
        );
      logger.info(
        `Running ${shortTaskDefinition(previousArn)}; desired count ${described.desiredCount ?? 0}`,
      );
      const current = await describeTaskDefinition(ecs, previousArn);
      const steady =
        described.deployments?.length === 1 && described.deployments[0]?.rolloutState === 'COMPLETED';
      return { previousArn, current, steady, configuration: described.deploymentConfiguration };
    },
  );
  setOutputs({ previousTaskDefinitionArn: previousArn });

  const revision = await logger.group('Render task definition', async () =>
    renderRevision(
      {
        ...(inputs['task-definition'] === undefined ? {} : { file: inputs['task-definition'] }),
        current,
        image: inputs.image,
        containers: inputs.container,
        environment: inputs.environment,
      },
      logger,
    ),
  );
  const rendered = revision.document;
  const beforeImages = revision.beforeImages;

  if (inputs['dry-run']) {
    setOutputs({ rolloutState: 'DRY_RUN', durationSeconds: 0, taskDefinitionArn: '', deploymentId: '' });
    await writeSummaryTable(
      `deploy-rolling (dry run): ${service}`,
      ['', ''],
      [
        ['Running revision', shortTaskDefinition(previousArn)],
        ['Would register', `${String(rendered['family'])}:<next>`],
      ],
    );
    await writeImageDiff(beforeImages, imagesOf(rendered));
    logger.notice('Dry run: nothing was registered or changed');
    return;
  }

  const registered = await logger.group('Register task definition', async () => {
    if (steady && tagRecord(current.tags)[TAGS.rollout] !== 'COMPLETED') {
      // The running revision completed its rollout: record it, so that `rollback: previous` finds it.
      const completed = { [TAGS.rollout]: 'COMPLETED', [TAGS.completedAt]: new Date().toISOString() };
      await tagTaskDefinition(ecs, previousArn, completed, logger);
    }
    return registerRevision(ecs, revision, logger);
  });
  setOutputs({ taskDefinitionArn: registered });

  const started = Date.now();
  const deploymentId = await logger.group('Update service', async () => {
    const { deployment } = await updateService(ecs, {
      cluster,
      service,
      taskDefinition: registered,
      ...(inputs['desired-count'] === undefined ? {} : { desiredCount: inputs['desired-count'] }),
      forceNewDeployment: inputs['force-new-deployment'],
      // ECS deployment alarms: the deployment fails and rolls back when one goes to ALARM.
      ...(inputs.alarms.length === 0
        ? {}
        : {
            deploymentConfiguration: {
              ...configuration,
              alarms: { alarmNames: inputs.alarms, enable: true, rollback: true },
            },
          }),
    });
    logger.info(
      `UpdateService: ${service} → ${shortTaskDefinition(registered)}; deployment ${deployment.id ?? '?'}`,
    );
    return deployment.id ?? '';
  });
  setOutputs({ deploymentId });

  const seconds = (): number => Math.round((Date.now() - started) / 1000);
  if (!inputs.wait) {
    setOutputs({ rolloutState: 'IN_PROGRESS', durationSeconds: seconds() });
    await summarize(
      inputs,
      previousArn,
      registered,
      deploymentId,
      'IN_PROGRESS (not waited for)',
      beforeImages,
      rendered,
      undefined,
    );
    return;
  }

  const outcome = await logger.group(`Watch rollout (timeout ${formatDuration(inputs.timeout)})`, () =>
    watchRollout(ecs, {
      cluster,
      service,
      deploymentId,
      timeoutMs: inputs.timeout,
      logger,
      eventsSince: new Date(started - 1_000),
      initialDelayMs: defaultPollIntervalMs(),
    }),
  );
  if (outcome.state === 'COMPLETED') {
    await tagTaskDefinition(
      ecs,
      registered,
      { [TAGS.rollout]: 'COMPLETED', [TAGS.completedAt]: new Date().toISOString() },
      logger,
    );
    setOutputs({ rolloutState: 'COMPLETED', durationSeconds: seconds() });
    logger.info(
      `Rollout COMPLETED in ${formatDuration(outcome.elapsedMs)} (${outcome.describeCalls} DescribeServices calls)`,
    );
    await summarize(
      inputs,
      previousArn,
      registered,
      deploymentId,
      'COMPLETED',
      beforeImages,
      rendered,
      outcome,
    );
    return;
  }

  // The rollout failed: say why, roll back, and fail the step.
  const state =
    outcome.state === 'TIMED_OUT' ? 'TIMED_OUT' : outcome.state === 'FAILED' ? 'FAILED' : 'REPLACED';
  setOutputs({ rolloutState: state, durationSeconds: seconds() });
  await tagTaskDefinition(ecs, registered, { [TAGS.rollout]: 'FAILED' }, logger);
  for (const task of outcome.stoppedTasks.slice(0, 5))
    logger.error(
      `Task ${task.taskArn.split('/').pop() ?? ''} stopped: ${task.stoppedReason}${task.containers.length > 0 ? ` — ${task.containers.join('; ')}` : ''}`,
    );
  let rollbackNote = 'not rolled back (rollback-on-failure: false)';
  if (inputs['rollback-on-failure'] && previousArn !== '') {
    rollbackNote = await logger.group(`Roll back to ${shortTaskDefinition(previousArn)}`, async () => {
      try {
        const restored = await restoreTaskDefinition(ecs, {
          cluster,
          service,
          taskDefinitionArn: previousArn,
          wait: true,
          timeoutMs: inputs.timeout,
          reason: `rollout of ${shortTaskDefinition(registered)} ${state}`,
          logger,
        });
        outcome.timeline.push(
          ...(restored.outcome?.timeline ?? []).map((entry) => ({
            atMs: entry.atMs + outcome.elapsedMs,
            text: `rollback: ${entry.text}`,
          })),
        );
        return `rolled back to ${shortTaskDefinition(previousArn)} (${restored.outcome?.state ?? 'not waited'}${restored.alreadyRestoring ? ', started by ECS' : ''})`;
      } catch (error) {
        return `rollback to ${shortTaskDefinition(previousArn)} failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    });
    setOutputs({ durationSeconds: seconds() });
  }
  await summarize(
    inputs,
    previousArn,
    registered,
    deploymentId,
    `${state}; ${rollbackNote}`,
    beforeImages,
    rendered,
    outcome,
  );
  throw new Error(
    `Rollout of ${shortTaskDefinition(registered)} to ${service} ${state}: ${outcome.reason}. The service was ${rollbackNote}.`,
  );
}

async function summarize(
  inputs: Inputs,
  previousArn: string,
  registered: string,
  deploymentId: string,
  result: string,
  beforeImages: Map<string, string>,
  rendered: TaskDefinitionDocument,
  outcome: RolloutOutcome | undefined,
): Promise<void> {
  const rows = [
    ['Cluster / service', `${inputs.cluster} / ${inputs.service}`],
    ['Before', shortTaskDefinition(previousArn)],
    ['After', shortTaskDefinition(registered)],
    ['Deployment', deploymentId],
    ['Result', result],
  ];
  if (outcome !== undefined) {
    rows.push(['Rollout time', formatDuration(outcome.elapsedMs)]);
    rows.push(['DescribeServices calls', `${outcome.describeCalls} (${outcome.throttled} throttled)`]);
    if (outcome.state !== 'COMPLETED') rows.push(['Why', outcome.reason]);
  }
  await writeSummaryTable(`deploy-rolling: ${inputs.service}`, ['', ''], rows);
  await writeImageDiff(beforeImages, imagesOf(rendered));
  if (outcome !== undefined) await writeTimeline('Rollout timeline', outcome.timeline);
}
