/**
 * Preparing a new task-definition revision from a template (a file, or what a service runs now): the
 * steps deploy-bluegreen shares with deploy-rolling — render, show the diff, register with Gantry's tags.
 */
import type { ECSClient, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { InputError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { quote } from '../output.ts';
import { unknownFields } from './fields.ts';
import {
  diffTaskDefinitions,
  imagesOf,
  normalizeTemplate,
  planImages,
  renderTaskDefinition,
  type ImageSpec,
  type TaskDefinitionDocument,
} from './render.ts';
import {
  describeTaskDefinition,
  registerTaskDefinition,
  runUrl,
  shortTaskDefinition,
  TAGS,
} from './service.ts';

/** What to render. */
export interface RevisionRequest {
  /**
   * The template file (input `task-definition`), already loaded; undefined: the running revision.
   * `allowFamilyChange` (input `allow-family-change`) lets its `family` differ from the running one's.
   */
  file?: { file: string; document: TaskDefinitionDocument; allowFamilyChange?: boolean };
  /** The running revision, as DescribeTaskDefinition returned it. */
  current: { taskDefinition: TaskDefinition; tags: Tag[] };
  image: ImageSpec;
  containers: string[];
  environment: Map<string, string>;
}

/** A rendered revision, not registered yet. */
export interface RenderedRevision {
  document: TaskDefinitionDocument;
  diff: string[];
  beforeImages: Map<string, string>;
  afterImages: Map<string, string>;
}

/**
 * Renders the new revision and logs the diff against the running one. A template file whose fields ECS
 * does not know gets a warning naming the nearest known field (the field is kept: ECS may know it).
 * @throws InputError naming `task-definition` when the template's `family` differs from the running
 *   revision's and `allowFamilyChange` is not set (the service would silently move to another family);
 *   InputError when a container named in `containers`/`image` is not in the template
 */
export function renderRevision(request: RevisionRequest, logger: Logger): RenderedRevision {
  const source = request.file?.file ?? 'the running task definition';
  if (request.file !== undefined) {
    const family = String(request.file.document['family']);
    const running = request.current.taskDefinition.family ?? '';
    if (running !== '' && family !== running && request.file.allowFamilyChange !== true)
      throw new InputError(
        'task-definition',
        `the template's family ${quote(family)} differs from the service's ${quote(running)}: registering it ` +
          `would move the service to another family. Use family ${quote(running)}, or set allow-family-change: true`,
        `a template with "family": "${running}"`,
      );
    for (const field of unknownFields(request.file.document))
      logger.warning(`${source}: unknown task-definition field ${field}; it is sent to ECS as is`);
  }
  const ownTags = request.current.tags.filter((tag) => !(tag.key ?? '').startsWith('gantry:'));
  const template =
    request.file?.document ??
    normalizeTemplate({ taskDefinition: request.current.taskDefinition, tags: ownTags }, source);
  const images = planImages(
    template,
    request.image,
    request.containers,
    `${source} (${String(template['family'])})`,
  );
  const document = renderTaskDefinition(template, { images, environment: request.environment });
  const before = normalizeTemplate(
    { taskDefinition: request.current.taskDefinition },
    'the running task definition',
  );
  const comparable = { ...document };
  delete comparable['tags'];
  const diff = diffTaskDefinitions(before, comparable);
  const running = shortTaskDefinition(request.current.taskDefinition.taskDefinitionArn);
  logger.info(`Template: ${source}; containers updated: ${[...images.keys()].join(', ')}`);
  logger.info(
    diff.length === 0 ? `No change against ${running}` : `Changes against ${running}:\n${diff.join('\n')}`,
  );
  return { document, diff, beforeImages: imagesOf(before), afterImages: imagesOf(document) };
}

/**
 * Registers a rendered revision tagged with the commit (`GITHUB_SHA`) and the run URL.
 * @returns the new revision's ARN
 */
export async function registerRevision(
  ecs: ECSClient,
  revision: RenderedRevision,
  logger: Logger,
): Promise<string> {
  const tags = { [TAGS.commit]: process.env['GITHUB_SHA'] ?? '', [TAGS.runUrl]: runUrl() };
  const registered = await registerTaskDefinition(ecs, revision.document, tags, logger);
  logger.info(`Registered ${shortTaskDefinition(registered.taskDefinitionArn)}`);
  return registered.taskDefinitionArn ?? '';
}

/** The template inputs every ECS deploy action shares (deploy-rolling, deploy-bluegreen), as read. */
export interface TemplateInputs {
  'task-definition':
    { file: string; document: TaskDefinitionDocument; allowFamilyChange?: boolean } | undefined;
  image: ImageSpec;
  container: string[];
  environment: Map<string, string>;
}

/**
 * The "render" prologue of every ECS deploy: reads the running revision (DescribeTaskDefinition with
 * tags) and renders the new one from the `task-definition` template (or the running revision), the
 * `image`, `container` and `environment` inputs. Registering stays with the caller (deploy-rolling
 * registers only after its dry-run check).
 * @param runningArn the task-definition ARN the service runs now
 * @returns the running revision as described, and the rendered revision with its diff
 * @throws ConfigurationError when the running revision cannot be described; InputError when a
 *   container named in the inputs is not in the template
 */
export async function prepareRevision(
  ecs: ECSClient,
  runningArn: string,
  inputs: TemplateInputs,
  logger: Logger,
): Promise<{ current: { taskDefinition: TaskDefinition; tags: Tag[] }; revision: RenderedRevision }> {
  const current = await describeTaskDefinition(ecs, runningArn);
  const revision = renderRevision(
    {
      ...(inputs['task-definition'] === undefined ? {} : { file: inputs['task-definition'] }),
      current,
      image: inputs.image,
      containers: inputs.container,
      environment: inputs.environment,
    },
    logger,
  );
  return { current, revision };
}
