/**
 * Rendering a task definition for RegisterTaskDefinition from a template — the service's current task
 * definition or a file (the JSON `aws ecs describe-task-definition` prints, as is) — the job
 * aws-actions/amazon-ecs-render-task-definition does, without its limits: several containers at once,
 * fields the SDK does not model yet kept (its issues #22, #810), environment merged by key.
 *
 * The template stays plain data (`Record<string, unknown>`) end to end, so nothing is lost on the way;
 * `keep-unknown-fields.ts` puts the fields the SDK's serializer drops back into the request body.
 */
import { InputError } from '../errors.ts';
import { quote } from '../output.ts';

/** A task definition as plain JSON data (RegisterTaskDefinition's request shape plus anything unknown). */
export type TaskDefinitionDocument = Record<string, unknown>;
/** One entry of `containerDefinitions`. */
export type ContainerDefinition = Record<string, unknown>;

/**
 * Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not accept (read-only), per the
 * ECS API reference of TaskDefinition (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskDefinition.html).
 */
export const READ_ONLY_FIELDS: readonly string[] = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
];

/** What to set: per container, an image; on each of those containers, environment variables. */
export interface RenderPlan {
  /** Container name → image reference. */
  images: Map<string, string>;
  /** Environment variables set on every container in `images` (existing names replaced, order kept). */
  environment: Map<string, string>;
}

/** The image input: one image for the chosen containers, or one image per named container. */
export type ImageSpec =
  { kind: 'one'; image: string } | { kind: 'per-container'; images: Map<string, string> };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns a template into a registrable document: unwraps `{ "taskDefinition": {…}, "tags": […] }` (the
 * describe-task-definition output), drops the read-only fields and `null` values, keeps everything else.
 * @returns a deep copy; `tags` of a describe output are kept as the document's `tags`
 * @throws Error when the template has no `family` or no `containerDefinitions` array
 */
export function normalizeTemplate(template: unknown, source: string): TaskDefinitionDocument {
  if (!isRecord(template)) throw new Error(`${source}: a task definition must be a JSON/YAML object`);
  let body: Record<string, unknown> = template;
  if (isRecord(template['taskDefinition'])) {
    body = { ...template['taskDefinition'] };
    if (Array.isArray(template['tags']) && template['tags'].length > 0) body['tags'] = template['tags'];
  }
  const copy = stripNulls(structuredClone(body)) as TaskDefinitionDocument;
  for (const field of READ_ONLY_FIELDS) delete copy[field];
  if (typeof copy['family'] !== 'string' || copy['family'] === '')
    throw new Error(`${source}: the task definition has no "family"`);
  if (!Array.isArray(copy['containerDefinitions']) || copy['containerDefinitions'].length === 0)
    throw new Error(`${source}: the task definition has no "containerDefinitions"`);
  return copy;
}

function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== null) out[key] = stripNulls(item);
    return out;
  }
  return value;
}

/** The container definitions of a normalized document. */
export function containersOf(document: TaskDefinitionDocument): ContainerDefinition[] {
  const list = document['containerDefinitions'];
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

/**
 * Decides which containers get which image.
 * @param containerNames the `container` input (may be empty: then the only essential container — ECS
 *   treats a container without `essential` as essential)
 * @returns container name → image
 * @throws InputError (`container` or `image`) naming the containers the task definition has, when a name
 *   is not among them, or when no name is given and there is not exactly one essential container
 */
export function planImages(
  document: TaskDefinitionDocument,
  spec: ImageSpec,
  containerNames: string[],
  describe: string,
): Map<string, string> {
  const containers = containersOf(document);
  const names = containers.map((container) => String(container['name']));
  const known = `the containers of ${describe} are: ${names.join(', ')}`;
  if (spec.kind === 'per-container') {
    for (const name of spec.images.keys())
      if (!names.includes(name))
        throw new InputError('image', `${quote(name)} is not a container of ${describe}; ${known}`);
    if (containerNames.length > 0 && containerNames.some((name) => !spec.images.has(name)))
      throw new InputError('container', 'with CONTAINER=IMAGE lines in `image`, leave `container` empty');
    return new Map(spec.images);
  }
  let targets = containerNames;
  if (targets.length === 0) {
    const essential = containers.filter((container) => container['essential'] !== false);
    if (essential.length !== 1)
      throw new InputError(
        'container',
        `${describe} has ${essential.length} essential containers (${essential.map((c) => String(c['name'])).join(', ')}); name the one(s) to update`,
        names[0],
      );
    targets = [String(essential[0]?.['name'])];
  }
  for (const name of targets)
    if (!names.includes(name))
      throw new InputError('container', `${quote(name)} is not a container of ${describe}; ${known}`);
  return new Map(targets.map((name) => [name, spec.image]));
}

/**
 * Applies a plan to a normalized document.
 * @returns a new document; the input is not changed
 */
export function renderTaskDefinition(
  document: TaskDefinitionDocument,
  plan: RenderPlan,
): TaskDefinitionDocument {
  const rendered = structuredClone(document);
  for (const container of containersOf(rendered)) {
    const image = plan.images.get(String(container['name']));
    if (image === undefined) continue;
    container['image'] = image;
    if (plan.environment.size === 0) continue;
    const existing = Array.isArray(container['environment']) ? container['environment'].filter(isRecord) : [];
    const environment = existing.map((entry) => ({ ...entry }));
    for (const [name, value] of plan.environment) {
      const found = environment.find((entry) => entry['name'] === name);
      if (found !== undefined) found['value'] = value;
      else environment.push({ name, value });
    }
    container['environment'] = environment;
  }
  return rendered;
}

/** The images of a document by container name. */
export function imagesOf(document: TaskDefinitionDocument): Map<string, string> {
  return new Map(
    containersOf(document).map((container) => [String(container['name']), String(container['image'])]),
  );
}

function flatten(value: unknown, path: string, out: Map<string, string>): void {
  if (Array.isArray(value)) {
    const keyed = value.every((item) => isRecord(item) && typeof item['name'] === 'string');
    value.forEach((item, index) =>
      flatten(item, `${path}[${keyed ? String((item as Record<string, unknown>)['name']) : index}]`, out),
    );
    if (value.length === 0) out.set(path, '[]');
    return;
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    for (const [key, item] of entries) flatten(item, path === '' ? key : `${path}.${key}`, out);
    if (entries.length === 0) out.set(path, '{}');
    return;
  }
  out.set(path, JSON.stringify(value));
}

/**
 * A line-per-field diff of two task definitions, arrays of named objects (containers, environment)
 * keyed by name: `~ path: old → new`, `+ path: value`, `- path: value`.
 * @returns the lines, sorted by path; empty when the documents are equal
 */
export function diffTaskDefinitions(before: TaskDefinitionDocument, after: TaskDefinitionDocument): string[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flatten(before, '', a);
  flatten(after, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const lines: string[] = [];
  for (const path of paths) {
    const old = a.get(path);
    const now = b.get(path);
    if (old === now) continue;
    if (old === undefined) lines.push(`+ ${path}: ${now}`);
    else if (now === undefined) lines.push(`- ${path}: ${old}`);
    else lines.push(`~ ${path}: ${old} → ${now}`);
  }
  return lines;
}
