/**
 * rollback: puts an ECS service back on the last task-definition revision that completed a rollout (or an
 * explicit one) and waits for it; for alb-weighted blue/green services, returns all traffic of the
 * listener (or rule) to the previous colour. With `platform: kubernetes`, ends a canary deploy-bluegreen
 * left for a Deployment, puts each Deployment back on its last revision that completed a rollout
 * (shared/src/kubernetes/rollback.ts) and waits for it.
 */
import * as core from '@actions/core';
import { createEcsClient, createElbv2Client } from '../../../shared/src/aws.ts';
import { ConfigurationError, describeThrown } from '../../../shared/src/errors.ts';
import { formatDuration } from '../../../shared/src/duration.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { writeTimeline } from '../../../shared/src/ecs/report.ts';
import { resolveRollbackTarget, restoreTaskDefinition } from '../../../shared/src/ecs/rollback.ts';
import { describeService, shortTaskDefinition } from '../../../shared/src/ecs/service.ts';
import {
  readActions,
  readTrafficTags,
  setWeights,
  targetGroupName,
  TRAFFIC_TAGS,
  weightsOf,
  writeTrafficTags,
  type TrafficLocation,
} from '../../../shared/src/ecs/traffic.ts';
import { inert } from '../../../shared/src/kubernetes/inert.ts';
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import { getInputs, type EcsInputs, type KubernetesInputs } from './inputs.ts';

/**
 * The flow.
 * @throws InputError for bad inputs; ConfigurationError when there is nothing to roll back to or the
 *   cluster/service/listener is unknown (nothing changed); Error when the restored deployment fails
 */
export async function run(logger: Logger = coreLogger): Promise<void> {
  const inputs = await getInputs();
  if (inputs.platform === 'kubernetes') return rollbackKubernetes(inputs, logger);
  if (inputs['listener-arn'] !== '') return rollbackTraffic(inputs, logger);

  const ecs = await createEcsClient({ region: inputs['aws-region'] });
  const { cluster, service } = inputs;
  const { current, target } = await logger.group(`Find the revision to restore (${inputs.to})`, async () => {
    const described = await describeService(ecs, cluster, service);
    const current = described.taskDefinition ?? '';
    const target = await resolveRollbackTarget(ecs, { cluster, service, current, to: inputs.to, logger });
    logger.info(
      `Service ${service} runs ${shortTaskDefinition(current)}; restoring ${shortTaskDefinition(target.taskDefinitionArn)} (from ${target.source})`,
    );
    return { current, target };
  });
  core.setOutput('rolled-back-from', current);
  if (inputs.reason !== '') logger.info(`Reason: ${inputs.reason}`);

  const restored = await logger.group(`Restore ${shortTaskDefinition(target.taskDefinitionArn)}`, () =>
    restoreTaskDefinition(ecs, {
      cluster,
      service,
      taskDefinitionArn: target.taskDefinitionArn,
      wait: inputs.wait,
      timeoutMs: inputs.timeout,
      reason: inputs.reason,
      logger,
    }),
  );
  core.setOutput('task-definition-arn', target.taskDefinitionArn);
  const state = restored.outcome?.state ?? 'IN_PROGRESS (not waited for)';
  await writeSummaryTable(
    `rollback: ${service}`,
    ['', ''],
    [
      ['Cluster / service', `${cluster} / ${service}`],
      ['Rolled back from', shortTaskDefinition(current)],
      ['Restored', `${shortTaskDefinition(target.taskDefinitionArn)} (from ${target.source})`],
      ['Deployment', restored.deploymentId],
      ['Result', state],
      ...(restored.outcome === undefined ? [] : [['Time', formatDuration(restored.outcome.elapsedMs)]]),
      ...(inputs.reason === '' ? [] : [['Reason', inputs.reason]]),
    ],
  );
  if (restored.outcome !== undefined) await writeTimeline('Rollback timeline', restored.outcome.timeline);
  if (restored.outcome !== undefined && restored.outcome.state !== 'COMPLETED')
    throw new Error(
      `Rollback of ${service} to ${shortTaskDefinition(target.taskDefinitionArn)} ${restored.outcome.state}: ${restored.outcome.reason}`,
    );
  logger.info(`Rolled back ${service} to ${shortTaskDefinition(target.taskDefinitionArn)}: ${state}`);
}

/**
 * alb-weighted: all weight back to the target group recorded as previous in the listener's (rule's) tags
 * by deploy-bluegreen. The record is cleared afterwards, so a second rollback does not flip back, and so is
 * a paused canary's `gantry:canary-paused` tag, so a later `action: promote` refuses instead of shifting
 * traffic back onto the rolled-back colour.
 */
async function rollbackTraffic(inputs: EcsInputs, logger: Logger): Promise<void> {
  const elb = await createElbv2Client({ region: inputs['aws-region'] });
  const location: TrafficLocation = { listenerArn: inputs['listener-arn'] };
  if (inputs['rule-arn'] !== '') location.ruleArn = inputs['rule-arn'];
  const { actions, tags, weights } = await logger.group('Read listener weights', async () => {
    const actions = await readActions(elb, location);
    const tags = await readTrafficTags(elb, location);
    const weights = weightsOf(actions);
    logger.info(`Weights: ${[...weights].map(([arn, w]) => `${targetGroupName(arn)} ${w}%`).join(', ')}`);
    return { actions, tags, weights };
  });
  const previous = tags[TRAFFIC_TAGS.previousTargetGroup] ?? '';
  if (previous === '' || !weights.has(previous))
    throw new ConfigurationError(
      `Nothing to roll back to: the listener has no ${TRAFFIC_TAGS.previousTargetGroup} tag naming one of its ` +
        'target groups (deploy-bluegreen writes it when it shifts traffic; a completed rollback clears it)',
    );
  const from = [...weights].filter(([arn, w]) => arn !== previous && w > 0).map(([arn]) => arn);
  await logger.group(`Return all traffic to ${targetGroupName(previous)}`, async () => {
    const next = new Map([...weights.keys()].map((arn) => [arn, arn === previous ? 100 : 0]));
    await setWeights(elb, location, actions, next);
    const after = weightsOf(await readActions(elb, location));
    if (after.get(previous) !== 100)
      throw new Error(`The listener did not take the weights: ${JSON.stringify([...after])}`);
    await writeTrafficTags(elb, location, {
      [TRAFFIC_TAGS.activeTargetGroup]: previous,
      [TRAFFIC_TAGS.activeColor]: tags[TRAFFIC_TAGS.previousColor] ?? '',
      [TRAFFIC_TAGS.previousColor]: '',
      [TRAFFIC_TAGS.previousTargetGroup]: '',
      [TRAFFIC_TAGS.activeTaskDefinition]: tags[TRAFFIC_TAGS.previousTaskDefinition] ?? '',
      [TRAFFIC_TAGS.previousTaskDefinition]: '',
      // A canary paused by deploy-bluegreen is over once its traffic is gone: a later promote must not revive it.
      [TRAFFIC_TAGS.canaryPaused]: '',
    });
  });
  core.setOutput('active-color', tags[TRAFFIC_TAGS.previousColor] || targetGroupName(previous));
  core.setOutput('task-definition-arn', tags[TRAFFIC_TAGS.previousTaskDefinition] ?? '');
  core.setOutput('rolled-back-from', tags[TRAFFIC_TAGS.activeTaskDefinition] ?? '');
  await writeSummaryTable(
    `rollback: traffic of ${inputs.service}`,
    ['', ''],
    [
      ['Listener', inputs['listener-arn']],
      ['Before', [...weights].map(([arn, w]) => `${targetGroupName(arn)} ${w}%`).join(', ')],
      ['After', `${targetGroupName(previous)} 100%`],
      ['Moved away from', from.map(targetGroupName).join(', ') || '(nothing)'],
      ...(inputs.reason === '' ? [] : [['Reason', inputs.reason]]),
    ],
  );
  logger.info(`All traffic is on ${targetGroupName(previous)}`);
}

/**
 * platform kubernetes: first a canary deploy-bluegreen left for a Deployment (paused or mid-analysis) is
 * ended — its traffic back on stable, scaled to 0, its pause cleared — then each Deployment goes back to its
 * last completed revision (or `to`), each StatefulSet or DaemonSet to its last completed template, waited
 * for. A Deployment that still runs the images it ran when its canary began is kept (with `to: previous`):
 * the canary was the version being tried.
 * Outputs: `revision` (`deployment/web=4`, `statefulset/db@6`), `rolled-back-from` (`deployment/web=5`,
 * `statefulset/db@5`) and `canary` (`deployment/web-canary scaled to 0`).
 * @throws ConfigurationError as rollBackDeployments (a canary found is ended first); Error naming what was
 *   and was not done when a canary could not be ended completely, or the restored rollout failed
 */
async function rollbackKubernetes(inputs: KubernetesInputs, logger: Logger): Promise<void> {
  const { connect } = await import('../../../shared/src/kubernetes/connection.ts');
  const { rollBackDeployments, restoredLabel, findCanaries, endCanaries } =
    await import('../../../shared/src/kubernetes/rollback.ts');
  const connection = await logger.group('Connect to the cluster', () => connect(inputs, logger));
  const refs = inputs.workloads.map(({ kind, name }) => ({ kind, name, namespace: connection.namespace }));
  const names = refs.map((ref) => `${ref.kind.toLowerCase()}/${ref.name}`).join(', ');
  if (inputs.reason !== '') logger.info(`Reason: ${inputs.reason}`);
  const plans = await logger.group('Find canaries to end', () =>
    findCanaries(connection, refs, { to: inputs.to, logger }),
  );
  const canaries =
    plans.length === 0
      ? []
      : await logger.group(`End ${plans.map((plan) => `deployment/${plan.name}`).join(', ')}`, () =>
          endCanaries(connection, plans, logger),
        );
  const canaryText = canaries.map((entry) => entry.ended.steps.join(', ')).join('; ');
  core.setOutput('canary', canaryText);
  const kept = plans.filter((plan) => plan.keepStable);
  for (const plan of kept)
    logger.info(
      `deployment/${plan.ref.name} runs the images it ran when its canary began (${inert(plan.stableImages)}): kept, the canary was the version being tried`,
    );
  const toRestore = refs.filter(
    (ref) => !kept.some((plan) => plan.ref.kind === ref.kind && plan.ref.name === ref.name),
  );
  const failures = canaries.flatMap((entry) => entry.ended.failures);
  const canaryState = (): string =>
    failures.length === 0 ? canaryText : `${canaryText}; NOT done: ${failures.join('; ')}`;
  let result: Awaited<ReturnType<typeof rollBackDeployments>> = { restored: [] };
  if (toRestore.length > 0)
    result = await logger
      .group(
        `Restore ${inputs.to === 'previous' ? 'the last completed revision' : `revision ${inputs.to}`}`,
        () =>
          rollBackDeployments(connection, toRestore, {
            to: inputs.to,
            reason: inputs.reason,
            wait: inputs.wait,
            timeoutMs: inputs.timeout,
            logger,
          }),
      )
      .catch((error: unknown) => {
        if (canaries.length === 0) throw error;
        const message = `${describeThrown(error)} (the canary was ended before: ${canaryState()})`;
        throw error instanceof ConfigurationError ? new ConfigurationError(message) : new Error(message);
      });
  const { restored, watch } = result;
  core.setOutput('rolled-back-from', restored.map((r) => restoredLabel(r.ref, r.from)).join(', '));
  core.setOutput('revision', restored.map((r) => restoredLabel(r.ref, r.to)).join(', '));
  const state =
    toRestore.length === 0 ? 'no rollout needed' : (watch?.state ?? 'IN_PROGRESS (not waited for)');
  const step = (ref: { kind: string }, value: number): string =>
    ref.kind === 'Deployment' ? `revision ${value}` : `generation ${value}`;
  await writeSummaryTable(
    `rollback: ${names} in ${connection.namespace}`,
    ['workload', 'from', 'restored', 'images'],
    [
      ...canaries.map((entry) => [
        `deployment/${entry.plan.name} (canary)`,
        entry.plan.state,
        entry.ended.failures.length === 0 ? 'ended' : 'NOT fully ended',
        entry.ended.steps.join(', '),
      ]),
      ...kept.map((plan) => [
        `deployment/${plan.ref.name}`,
        'unchanged',
        'kept (runs the images it ran when its canary began)',
        plan.stableImages,
      ]),
      ...restored.map((r) => [
        `${r.ref.kind.toLowerCase()}/${r.ref.name}`,
        step(r.ref, r.from),
        `${step(r.ref, r.to)} (from ${r.source})`,
        r.images,
      ]),
      ['Result', state, watch === undefined ? '' : formatDuration(watch.elapsedMs), inputs.reason],
    ],
  );
  if (watch !== undefined) await writeTimeline('Rollback timeline', watch.timeline);
  if (failures.length > 0)
    throw new Error(
      `Rollback of ${names}: the canary was not fully ended — done: ${
        canaries
          .flatMap((entry) => entry.ended.steps.filter((text) => !text.endsWith('FAILED')))
          .join(', ') || 'nothing'
      }; NOT done: ${failures.join('; ')}` + (watch === undefined ? '' : `; restored rollout ${watch.state}`),
    );
  if (watch !== undefined && watch.state !== 'COMPLETED')
    throw new Error(
      `Rollback of ${names} ${watch.state}: ${watch.reason}` +
        (canaries.length === 0 ? '' : ` (the canary was ended before: ${canaryState()})`),
    );
  logger.info(
    `Rolled back ${[...canaries.map((entry) => `deployment/${entry.plan.name} ended`), ...kept.map((plan) => `deployment/${plan.ref.name} kept`), ...restored.map((r) => restoredLabel(r.ref, r.to))].join(', ')}: ${state}`,
  );
}
