/**
 * The ECS adapter of the deploy flow (shared/src/deploy/flow.ts): a rolling update of one ECS service.
 * prepare = DescribeServices + DescribeTaskDefinition + render; apply = RegisterTaskDefinition (tagged with
 * the commit and run) + UpdateService; watch = the rollout watcher of watch.ts; last-known-good = the
 * `gantry:rollout=COMPLETED` tag on the revision; roll back = restoreTaskDefinition of rollback.ts.
 */
import type { DeploymentConfiguration, ECSClient, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import type { DeployAdapter, FlowReport, WatchResult } from '../deploy/flow.ts';
import { formatDuration } from '../duration.ts';
import { ConfigurationError } from '../errors.ts';
import { writeSummaryTable } from '../summary.ts';
import { prepareRevision, registerRevision, type RenderedRevision, type TemplateInputs } from './prepare.ts';
import { imagesOf } from './render.ts';
import { writeImageDiff, writeTimeline } from './report.ts';
import { restoreTaskDefinition } from './rollback.ts';
import {
  describeService,
  shortTaskDefinition,
  tagRecord,
  TAGS,
  tagTaskDefinition,
  updateService,
} from './service.ts';
import { defaultPollIntervalMs, watchRollout, type RolloutOutcome } from './watch.ts';

/** What the ECS rolling deploy needs (deploy-rolling's ECS inputs). */
export interface EcsRollingOptions extends TemplateInputs {
  cluster: string;
  service: string;
  'desired-count': number | undefined;
  'force-new-deployment': boolean;
  /** CloudWatch alarm names watched by the ECS deployment (it fails and rolls back when one goes to ALARM). */
  alarms?: string[];
}

/**
 * Builds the ECS rolling adapter for one service.
 * @param ecs a client from shared/src/aws.ts
 * @param options the cluster, service and template inputs
 * @param action the action's name, for the job-summary heading (`deploy-rolling: web`)
 */
export function ecsRollingAdapter(ecs: ECSClient, options: EcsRollingOptions, action: string): DeployAdapter {
  const { cluster, service } = options;
  let previousArn = '';
  let registered = '';
  let started = 0;
  let deploymentId = '';
  let current: { taskDefinition: TaskDefinition; tags: Tag[] } | undefined;
  let steady = false;
  let revision: RenderedRevision | undefined;
  let outcome: RolloutOutcome | undefined;
  let configuration: DeploymentConfiguration | undefined;

  return {
    target: service,
    describe: (arn) => shortTaskDefinition(arn),

    async prepare(logger) {
      await logger.group(`Read service ${service} in ${cluster}`, async () => {
        const described = await describeService(ecs, cluster, service);
        previousArn = described.taskDefinition ?? '';
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
        steady =
          described.deployments?.length === 1 && described.deployments[0]?.rolloutState === 'COMPLETED';
        configuration = described.deploymentConfiguration;
      });
      const prepared = await logger.group('Render task definition', () =>
        prepareRevision(ecs, previousArn, options, logger),
      );
      current = prepared.current;
      revision = prepared.revision;
      return previousArn;
    },

    async dryRun(logger) {
      const rendered = revision?.document ?? {};
      await writeSummaryTable(
        `${action} (dry run): ${service}`,
        ['', ''],
        [
          ['Running revision', shortTaskDefinition(previousArn)],
          ['Would register', `${String(rendered['family'])}:<next>`],
        ],
      );
      await writeImageDiff(revision?.beforeImages ?? new Map(), imagesOf(rendered));
      logger.notice('Dry run: nothing was registered or changed');
    },

    async apply(logger) {
      if (revision === undefined || current === undefined) throw new Error('apply before prepare');
      const rendered = revision;
      const running = current;
      registered = await logger.group('Register task definition', async () => {
        if (steady && tagRecord(running.tags)[TAGS.rollout] !== 'COMPLETED') {
          // The running revision completed its rollout: record it, so that `rollback: previous` finds it.
          const completed = { [TAGS.rollout]: 'COMPLETED', [TAGS.completedAt]: new Date().toISOString() };
          await tagTaskDefinition(ecs, previousArn, completed, logger);
        }
        return registerRevision(ecs, rendered, logger);
      });
      started = Date.now();
      deploymentId = await logger.group('Update service', async () => {
        const { deployment } = await updateService(ecs, {
          cluster,
          service,
          taskDefinition: registered,
          ...(options['desired-count'] === undefined ? {} : { desiredCount: options['desired-count'] }),
          forceNewDeployment: options['force-new-deployment'],
          // ECS deployment alarms: the deployment fails and rolls back when one goes to ALARM.
          ...(options.alarms === undefined || options.alarms.length === 0
            ? {}
            : {
                deploymentConfiguration: {
                  ...configuration,
                  alarms: { alarmNames: options.alarms, enable: true, rollback: true },
                },
              }),
        });
        logger.info(
          `UpdateService: ${service} → ${shortTaskDefinition(registered)}; deployment ${deployment.id ?? '?'}`,
        );
        return deployment.id ?? '';
      });
      return { revision: registered, deploymentId };
    },

    async watch(timeoutMs, logger) {
      outcome = await logger.group(`Watch rollout (timeout ${formatDuration(timeoutMs)})`, () =>
        watchRollout(ecs, {
          cluster,
          service,
          deploymentId,
          timeoutMs,
          logger,
          eventsSince: new Date(started - 1_000),
          initialDelayMs: defaultPollIntervalMs(),
        }),
      );
      return toWatchResult(outcome);
    },

    async recordLastKnownGood(logger) {
      await tagTaskDefinition(
        ecs,
        registered,
        { [TAGS.rollout]: 'COMPLETED', [TAGS.completedAt]: new Date().toISOString() },
        logger,
      );
      if (outcome !== undefined)
        logger.info(
          `Rollout COMPLETED in ${formatDuration(outcome.elapsedMs)} (${outcome.describeCalls} DescribeServices calls)`,
        );
    },

    async recordFailed(logger) {
      await tagTaskDefinition(ecs, registered, { [TAGS.rollout]: 'FAILED' }, logger);
    },

    async rollBack(reason, timeoutMs, logger) {
      const restored = await restoreTaskDefinition(ecs, {
        cluster,
        service,
        taskDefinitionArn: previousArn,
        wait: true,
        timeoutMs,
        reason,
        logger,
      });
      return {
        note: `rolled back to ${shortTaskDefinition(previousArn)} (${restored.outcome?.state ?? 'not waited'}${restored.alreadyRestoring ? ', started by ECS' : ''})`,
        ...(restored.outcome === undefined ? {} : { watch: toWatchResult(restored.outcome) }),
      };
    },

    async summarize(report: FlowReport) {
      const result =
        report.state === 'IN_PROGRESS'
          ? 'IN_PROGRESS (not waited for)'
          : report.rollback === undefined
            ? (report.state ?? '')
            : `${report.state}; ${report.rollback}`;
      const rows = [
        ['Cluster / service', `${cluster} / ${service}`],
        ['Before', shortTaskDefinition(previousArn)],
        ['After', shortTaskDefinition(registered)],
        ['Deployment', report.deploymentId],
        ['Result', result],
      ];
      if (outcome !== undefined) {
        rows.push(['Rollout time', formatDuration(outcome.elapsedMs)]);
        rows.push(['DescribeServices calls', `${outcome.describeCalls} (${outcome.throttled} throttled)`]);
        if (outcome.state !== 'COMPLETED') rows.push(['Why', outcome.reason]);
      }
      await writeSummaryTable(`${action}: ${service}`, ['', ''], rows);
      await writeImageDiff(revision?.beforeImages ?? new Map(), imagesOf(revision?.document ?? {}));
      if (outcome !== undefined) await writeTimeline('Rollout timeline', outcome.timeline);
    },
  };
}

function toWatchResult(outcome: RolloutOutcome): WatchResult {
  return {
    state:
      outcome.state === 'COMPLETED' || outcome.state === 'FAILED' || outcome.state === 'TIMED_OUT'
        ? outcome.state
        : 'REPLACED',
    reason: outcome.reason,
    failures: outcome.stoppedTasks.map(
      (task) =>
        `Task ${task.taskArn.split('/').pop() ?? ''} stopped: ${task.stoppedReason}${task.containers.length > 0 ? ` — ${task.containers.join('; ')}` : ''}`,
    ),
    elapsedMs: outcome.elapsedMs,
    timeline: outcome.timeline,
  };
}
