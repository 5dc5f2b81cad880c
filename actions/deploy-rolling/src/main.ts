/**
 * deploy-rolling: one rolling deploy flow (shared/src/deploy/flow.ts) on ECS or Kubernetes.
 * - ECS: render a task definition from a template, register it (tagged with the commit and run), update
 *   the service and watch the rollout to COMPLETED — or report FAILED with the stopped tasks' reasons,
 *   roll back to the previous task definition, and fail the step.
 * - Kubernetes: server-side apply the manifests (images substituted, commit and run annotated), watch
 *   each workload's rollout as `kubectl rollout status` does — or report why per pod, roll back to the
 *   last revision that completed a rollout, and fail the step.
 */
import * as core from '@actions/core';
import { createEcsClient } from '../../../shared/src/aws.ts';
import { runDeployFlow, type DeployAdapter, type FlowReport } from '../../../shared/src/deploy/flow.ts';
import { ecsRollingAdapter } from '../../../shared/src/ecs/adapter.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { getInputs, type Inputs } from './inputs.ts';

/** The outputs of deploy-rolling (action.yml), by name. */
interface Outputs {
  'task-definition-arn': string;
  'previous-task-definition-arn': string;
  revision: string;
  'previous-revision': string;
  'deployment-id': string;
  'rollout-state': string;
  'duration-seconds': string;
}

function writeOutputs(outputs: Partial<Outputs>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}

/** The outputs for a report, per platform: ECS fills the task-definition ARNs, Kubernetes the revisions. */
function outputsOf(inputs: Inputs, report: FlowReport): Partial<Outputs> {
  const outputs: Partial<Outputs> =
    inputs.platform === 'ecs'
      ? { 'previous-task-definition-arn': report.previous }
      : { 'previous-revision': report.previous };
  if (report.state === 'DRY_RUN') {
    if (inputs.platform === 'ecs') outputs['task-definition-arn'] = '';
    else outputs.revision = '';
    return { ...outputs, 'deployment-id': '', 'rollout-state': 'DRY_RUN', 'duration-seconds': '0' };
  }
  // Kubernetes: the revision is known once the controller has acted on the change (after the watch).
  if (report.revision !== '') {
    if (inputs.platform === 'ecs') outputs['task-definition-arn'] = report.revision;
    else outputs.revision = report.revision;
  }
  if (report.deploymentId !== '') outputs['deployment-id'] = report.deploymentId;
  if (report.state !== undefined) {
    outputs['rollout-state'] = report.state;
    outputs['duration-seconds'] = String(report.durationSeconds);
  }
  return outputs;
}

async function adapterFor(inputs: Inputs, logger: Logger): Promise<DeployAdapter> {
  if (inputs.platform === 'ecs') {
    const ecs = await createEcsClient({ region: inputs['aws-region'] });
    return ecsRollingAdapter(ecs, inputs, 'deploy-rolling');
  }
  const { kubernetesRollingAdapter } = await import('../../../shared/src/kubernetes/adapter.ts');
  return kubernetesRollingAdapter(inputs, 'deploy-rolling', logger);
}

/**
 * The flow: read inputs, build the platform's adapter, run the deploy flow, set the outputs as each is known.
 * @throws InputError / ConfigurationError before any change for bad inputs or an unknown cluster, service,
 *   container or workload; Error naming the rollout's failure reasons (after rolling back) when it fails
 */
export async function run(logger: Logger = coreLogger): Promise<void> {
  const inputs = await getInputs();
  const adapter = await adapterFor(inputs, logger);
  await runDeployFlow(adapter, {
    wait: inputs.wait,
    rollbackOnFailure: inputs['rollback-on-failure'],
    dryRun: inputs['dry-run'],
    timeoutMs: inputs.timeout,
    logger,
    onProgress: (report) => writeOutputs(outputsOf(inputs, report)),
  });
}
