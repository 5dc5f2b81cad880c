/**
 * deploy-bluegreen: a blue/green deployment on ECS, by ECS's native BLUE_GREEN strategy (lifecycle hooks
 * answered with smoke checks) or by ALB weighted target groups shifted in steps, and a canary judged on
 * metrics on ECS or Kubernetes (platform: kubernetes, kubernetes-canary.ts). A failure is a red step with
 * the reason on screen, and production traffic back on the previous version.
 */
import * as core from '@actions/core';
import { createEcsClient, createElbv2Client } from '../../../shared/src/aws.ts';
import { formatDuration } from '../../../shared/src/duration.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { prepareRevision, registerRevision } from '../../../shared/src/ecs/prepare.ts';
import { writeImageDiff, writeTimeline } from '../../../shared/src/ecs/report.ts';
import {
  describeService,
  ecsSdk,
  shortTaskDefinition,
  TAGS,
  tagTaskDefinition,
} from '../../../shared/src/ecs/service.ts';
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import { deployAlbWeighted } from './alb-weighted.ts';
import { runCanary } from './canary.ts';
import { checkNativeService } from './ecs-native.ts';
import {
  findServiceDeployment,
  followServiceDeployment,
} from '../../../shared/src/ecs/service-deployment.ts';
import { getInputs, getKubernetesInputs, PLATFORM_INPUTS, type Inputs } from './inputs.ts';
import { getPlatform } from '../../../shared/src/deploy/platform.ts';
import { smokeGate } from './smoke-gate.ts';

function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}

/**
 * The flow.
 * @throws InputError / ConfigurationError before any change; Error naming why the deployment failed
 *   (after traffic went back to the previous colour)
 */
export async function run(logger: Logger = coreLogger): Promise<void> {
  if (getPlatform(PLATFORM_INPUTS) === 'kubernetes') {
    const inputs = await getKubernetesInputs();
    // loaded only on Kubernetes: the client, the EKS token signer and the canary flow stay out of ECS runs
    const { runKubernetesCanary } = await import('./kubernetes-canary.ts');
    return runKubernetesCanary(inputs, logger);
  }
  const inputs = getInputs();
  const deadline = Date.now() + inputs.timeout;
  if (inputs.strategy === 'alb-weighted') return runAlbWeighted(inputs, deadline, logger);
  if (inputs.strategy === 'canary') return runCanary(inputs, deadline, logger);
  return runNative(inputs, deadline, logger);
}

async function runAlbWeighted(inputs: Inputs, deadline: number, logger: Logger): Promise<void> {
  const ecs = await createEcsClient({ region: inputs['aws-region'] });
  const elb = await createElbv2Client({ region: inputs['aws-region'] });
  const result = await deployAlbWeighted({ ecs, elb, inputs, logger, deadline });
  setOutputs({
    'active-color': result.activeColor,
    'previous-color': result.previousColor,
    'task-definition-arn': result.taskDefinitionArn,
    'previous-task-definition-arn': result.previousTaskDefinitionArn,
    'deployment-arn': '',
  });
  await writeSummaryTable(
    `deploy-bluegreen (alb-weighted): ${inputs['blue-service']} / ${inputs['green-service']}`,
    ['step', 'weights', 'checks'],
    result.steps.map((step) => [step.step, step.weights, step.checks]),
    result.failure === undefined
      ? `${result.activeColor} now serves all traffic with ${shortTaskDefinition(result.taskDefinitionArn)}`
      : `FAILED: ${result.failure}`,
  );
  if (result.revision !== undefined)
    await writeImageDiff(result.revision.beforeImages, result.revision.afterImages);
  await writeTimeline('Rollout timeline', result.timeline);
  if (result.failure !== undefined) throw new Error(`Blue/green deployment failed: ${result.failure}`);
  logger.info(
    `All production traffic is on ${result.activeColor} (${shortTaskDefinition(result.taskDefinitionArn)})`,
  );
}

async function runNative(inputs: Inputs, deadline: number, logger: Logger): Promise<void> {
  const ecs = await createEcsClient({ region: inputs['aws-region'] });
  const { cluster, service } = inputs;
  const { described } = await logger.group(`Read service ${service} in ${cluster}`, async () => {
    const described = await describeService(ecs, cluster, service);
    const pauses = checkNativeService(described, inputs['test-url'], logger);
    logger.info(
      `Running ${shortTaskDefinition(described.taskDefinition)}; BLUE_GREEN` +
        (pauses.length > 0 ? `; PAUSE hooks at ${pauses.join(', ')}` : '; no PAUSE hooks') +
        `; bake time ${inputs['bake-time'] ?? described.deploymentConfiguration?.bakeTimeInMinutes ?? 0} min`,
    );
    const bakeMinutes = inputs['bake-time'] ?? described.deploymentConfiguration?.bakeTimeInMinutes ?? 0;
    if (bakeMinutes * 60_000 >= inputs.timeout)
      logger.warning(
        `timeout ${formatDuration(inputs.timeout)} is not longer than the bake time (${bakeMinutes} min): ` +
          'the deployment will be stopped with a ROLLBACK before it can finish',
      );
    return { described };
  });
  const previousArn = described.taskDefinition ?? '';
  setOutputs({ 'previous-task-definition-arn': previousArn, 'previous-color': 'blue' });

  const { revision } = await logger.group('Render task definition', () =>
    prepareRevision(ecs, previousArn, inputs, logger),
  );
  const registered = await logger.group('Register task definition', () =>
    registerRevision(ecs, revision, logger),
  );
  setOutputs({ 'task-definition-arn': registered });

  const started = new Date(Date.now() - 1_000);
  const serviceDeploymentArn = await logger.group('Update service', async () => {
    const { UpdateServiceCommand } = await ecsSdk();
    const configuration =
      inputs['bake-time'] === undefined
        ? {}
        : {
            deploymentConfiguration: {
              ...described.deploymentConfiguration,
              bakeTimeInMinutes: inputs['bake-time'],
            },
          };
    await ecs.send(
      new UpdateServiceCommand({ cluster, service, taskDefinition: registered, ...configuration }),
    );
    const arn = await findServiceDeployment(
      ecs,
      cluster,
      service,
      started,
      Math.min(deadline, Date.now() + 60_000),
    );
    logger.info(`UpdateService: ${service} → ${shortTaskDefinition(registered)}; service deployment ${arn}`);
    return arn;
  });
  setOutputs({ 'deployment-arn': serviceDeploymentArn });

  const outcome = await logger.group(
    `Follow the service deployment (timeout ${formatDuration(inputs.timeout)})`,
    () =>
      followServiceDeployment(ecs, {
        serviceDeploymentArn,
        deadline,
        rollbackOnTimeout: inputs['rollback-on-failure'],
        smokeTimeoutMs: inputs['smoke-timeout'],
        logger,
        onPause: (_hook, _stage, timeoutMs) => smokeGate(inputs['test-url'], timeoutMs, logger),
      }),
  );
  const success = outcome.status === 'SUCCESSFUL';
  setOutputs({ 'active-color': success ? 'green' : 'blue' });
  await tagTaskDefinition(
    ecs,
    registered,
    success
      ? { [TAGS.rollout]: 'COMPLETED', [TAGS.completedAt]: new Date().toISOString() }
      : { [TAGS.rollout]: 'FAILED' },
    logger,
  );
  await writeSummaryTable(
    `deploy-bluegreen (ecs-native): ${service}`,
    ['', ''],
    [
      ['Before (blue)', shortTaskDefinition(previousArn)],
      ['After (green)', shortTaskDefinition(registered)],
      ['Service deployment', serviceDeploymentArn],
      ['Result', `${outcome.status}${success ? '' : `: ${outcome.reason}`}`],
      ...outcome.hooks.map((hook) => [
        `PAUSE at ${hook.stage}`,
        `${hook.action}: ${hook.gate.lines.join('; ')}`,
      ]),
    ],
  );
  await writeImageDiff(revision.beforeImages, revision.afterImages);
  await writeTimeline('Lifecycle stages', outcome.timeline);
  if (!success) {
    const failedChecks = outcome.hooks.filter((hook) => hook.action === 'ROLLBACK');
    throw new Error(
      `Blue/green deployment of ${shortTaskDefinition(registered)} to ${service} ended ${outcome.status}: ${outcome.reason}` +
        (failedChecks.length > 0
          ? `; smoke checks failed at ${failedChecks.map((hook) => `${hook.stage} (${hook.gate.lines.filter((line) => line.startsWith('FAILED')).join('; ')})`).join(', ')}`
          : '') +
        '. Production traffic stays on the previous revision.',
    );
  }
  logger.info(`Service deployment SUCCESSFUL: ${service} runs ${shortTaskDefinition(registered)}`);
}
