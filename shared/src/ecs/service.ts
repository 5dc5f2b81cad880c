/**
 * The ECS calls the three actions share, with the failures a user must fix (unknown cluster, service or
 * task definition) turned into ConfigurationErrors that say so — before anything is changed.
 * API reference: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/
 */
import type {
  Deployment,
  DeploymentConfiguration,
  ECSClient,
  Service,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { ConfigurationError, describeThrown } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { keepUnknownFields } from './keep-unknown-fields.ts';
import type { TaskDefinitionDocument } from './render.ts';

/** The lazily loaded ECS SDK module (one import per process). */
export async function ecsSdk(): Promise<typeof import('@aws-sdk/client-ecs')> {
  return import('@aws-sdk/client-ecs');
}

/** Tag keys Gantry writes on task-definition revisions. */
export const TAGS = {
  commit: 'gantry:commit',
  runUrl: 'gantry:run-url',
  /** COMPLETED when a rollout of the revision completed; FAILED when one failed. */
  rollout: 'gantry:rollout',
  /** ISO time the last rollout of the revision completed. */
  completedAt: 'gantry:rollout-completed-at',
  rollbackReason: 'gantry:rollback-reason',
} as const;

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
}

/**
 * DescribeServices for one service.
 * @returns the service (status ACTIVE or DRAINING)
 * @throws ConfigurationError when the cluster or the service does not exist or is INACTIVE; SDK errors
 *   otherwise (access denied, network)
 */
export async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  const { DescribeServicesCommand } = await ecsSdk();
  let response;
  try {
    response = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  } catch (error) {
    if (errorName(error) === 'ClusterNotFoundException')
      throw new ConfigurationError(
        `ECS cluster "${cluster}" was not found: check the cluster input and region`,
      );
    throw error;
  }
  const found = response.services?.[0];
  if (found === undefined || found.status === 'INACTIVE') {
    const reason = response.failures?.[0]?.reason ?? found?.status ?? 'MISSING';
    throw new ConfigurationError(
      `ECS service "${service}" was not found in cluster "${cluster}" (${reason}): check the service input`,
    );
  }
  return found;
}

/**
 * DescribeTaskDefinition with its tags.
 * @param taskDefinition family, family:revision or ARN
 * @throws ConfigurationError when ECS does not know it
 */
export async function describeTaskDefinition(
  ecs: ECSClient,
  taskDefinition: string,
): Promise<{ taskDefinition: TaskDefinition; tags: Tag[] }> {
  const { DescribeTaskDefinitionCommand } = await ecsSdk();
  try {
    const response = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }));
    if (response.taskDefinition === undefined)
      throw new Error('DescribeTaskDefinition returned no task definition');
    return { taskDefinition: response.taskDefinition, tags: response.tags ?? [] };
  } catch (error) {
    if (['ClientException', 'InvalidParameterException'].includes(errorName(error)))
      throw new ConfigurationError(
        `Task definition "${taskDefinition}" was not found: ${describeThrown(error)}`,
      );
    throw error;
  }
}

/** `family:revision` of a task-definition ARN (or the text itself when it is not an ARN). */
export function shortTaskDefinition(arn: string | undefined): string {
  if (arn === undefined || arn === '') return '(none)';
  const slash = arn.lastIndexOf('task-definition/');
  return slash === -1 ? arn : arn.slice(slash + 'task-definition/'.length);
}

/**
 * RegisterTaskDefinition from a rendered document, keeping fields the SDK does not model, with tags
 * merged over the document's own.
 * @returns the registered task definition (with its ARN and revision)
 */
export async function registerTaskDefinition(
  ecs: ECSClient,
  document: TaskDefinitionDocument,
  tags: Record<string, string>,
  logger: Logger,
): Promise<TaskDefinition> {
  const { RegisterTaskDefinitionCommand } = await ecsSdk();
  const own = Array.isArray(document['tags']) ? (document['tags'] as Tag[]) : [];
  const merged: Tag[] = [
    ...own.filter((tag) => tag.key === undefined || !(tag.key in tags)),
    ...Object.entries(tags)
      .filter(([, value]) => value !== '')
      .map(([key, value]) => ({ key, value })),
  ];
  const request = { ...document, tags: merged };
  const command = new RegisterTaskDefinitionCommand(
    request as unknown as ConstructorParameters<typeof RegisterTaskDefinitionCommand>[0],
  );
  keepUnknownFields(command, request, (paths) =>
    logger.info(`Kept fields the SDK does not model yet: ${paths.join(', ')}`),
  );
  const response = await ecs.send(command);
  if (response.taskDefinition?.taskDefinitionArn === undefined)
    throw new Error('RegisterTaskDefinition returned no task definition ARN');
  return response.taskDefinition;
}

/**
 * A tag value ECS accepts: letters, digits, spaces and `+ - = . _ : / @` only, at most 256 characters
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-using-tags.html); others become spaces.
 */
export function tagValue(text: string): string {
  return text.replace(/[^\p{L}\p{N} +\-=._:/@]/gu, ' ').slice(0, 256);
}

/**
 * Tags a task-definition revision. Tagging is bookkeeping: a failure is a warning, never a failed step.
 */
export async function tagTaskDefinition(
  ecs: ECSClient,
  arn: string,
  tags: Record<string, string>,
  logger: Logger,
): Promise<void> {
  const { TagResourceCommand } = await ecsSdk();
  try {
    await ecs.send(
      new TagResourceCommand({
        resourceArn: arn,
        tags: Object.entries(tags).map(([key, value]) => ({ key, value: tagValue(value) })),
      }),
    );
  } catch (error) {
    logger.warning(`Could not tag ${shortTaskDefinition(arn)}: ${describeThrown(error)}`);
  }
}

/**
 * The deployment an UpdateService started: the PRIMARY one, preferring one that runs `taskDefinitionArn`.
 * @throws Error when the response has no PRIMARY deployment (e.g. an external deployment controller)
 */
export function primaryDeployment(service: Service, taskDefinitionArn?: string): Deployment {
  const deployments = service.deployments ?? [];
  const primary =
    deployments.find((d) => d.status === 'PRIMARY' && d.taskDefinition === taskDefinitionArn) ??
    deployments.find((d) => d.status === 'PRIMARY');
  if (primary?.id === undefined)
    throw new ConfigurationError(
      `Service "${service.serviceName ?? '?'}" reports no PRIMARY deployment; its deployment controller ` +
        `(${service.deploymentController?.type ?? 'ECS'}) may not be the ECS rolling controller`,
    );
  return primary;
}

/** The parts of UpdateService Gantry uses. */
export interface ServiceUpdate {
  cluster: string;
  service: string;
  taskDefinition: string;
  desiredCount?: number;
  forceNewDeployment?: boolean;
  /** Replaces the service's deployment configuration (pass the current one with changes, e.g. `alarms`). */
  deploymentConfiguration?: DeploymentConfiguration;
}

/**
 * UpdateService to a task definition.
 * @returns the updated service and the deployment it started
 */
export async function updateService(
  ecs: ECSClient,
  update: ServiceUpdate,
): Promise<{ service: Service; deployment: Deployment }> {
  const { UpdateServiceCommand } = await ecsSdk();
  const response = await ecs.send(
    new UpdateServiceCommand({
      cluster: update.cluster,
      service: update.service,
      taskDefinition: update.taskDefinition,
      ...(update.desiredCount === undefined ? {} : { desiredCount: update.desiredCount }),
      ...(update.forceNewDeployment === true ? { forceNewDeployment: true } : {}),
      ...(update.deploymentConfiguration === undefined
        ? {}
        : { deploymentConfiguration: update.deploymentConfiguration }),
    }),
  );
  if (response.service === undefined) throw new Error('UpdateService returned no service');
  return {
    service: response.service,
    deployment: primaryDeployment(response.service, update.taskDefinition),
  };
}

/** Tags as a plain record. */
export function tagRecord(tags: Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.key !== undefined) out[tag.key] = tag.value ?? '';
  return out;
}

/**
 * The URL of the workflow run (`$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID`), as the
 * GitHub docs build it; '' outside Actions.
 */
export function runUrl(): string {
  const server = process.env['GITHUB_SERVER_URL'] ?? 'https://github.com';
  const repository = process.env['GITHUB_REPOSITORY'];
  const id = process.env['GITHUB_RUN_ID'];
  return repository === undefined || id === undefined ? '' : `${server}/${repository}/actions/runs/${id}`;
}
