/**
 * Kubernetes manifests: loading (files, folders, globs, multi-document YAML), image substitution (the
 * `images` input, as Azure/k8s-deploy substitutes images: a reference replaces every container image of
 * the same repository; `container=reference` replaces the image of the containers of that name), and the
 * commit/run annotations Gantry records on every object and pod template.
 * Pod-template locations follow the workload kinds of apps/v1 and batch/v1.
 */
import { globSync, readFileSync, realpathSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigurationError, InputError } from '../errors.ts';
import { parseImageReference } from '../ecs/image.ts';

/** One Kubernetes object as read from a manifest (apiVersion, kind, metadata.name at least). */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A manifest and where it came from (`k8s/web.yaml#2`: the second document of the file). */
export interface LoadedManifest {
  object: Manifest;
  source: string;
}

/** One line of the `images` input. */
export interface ImageSubstitution {
  /** Replace the image of containers of this name (undefined: match by repository). */
  container?: string;
  /** The full reference to set. */
  image: string;
  /** Repository of `image` (registry and path, no tag or digest). */
  repository: string;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const EXAMPLE_IMAGE = 'ghcr.io/acme/web@sha256:<64 hex digits>';

/**
 * Reads the `images` input lines: `reference` or `container=reference`.
 * @param inputName the input name for errors
 * @throws InputError for a line that is not a valid image reference, or a container given twice
 */
export function parseImagesInput(lines: string[], inputName: string): ImageSubstitution[] {
  const seen = new Set<string>();
  return lines.map((line, index) => {
    const equals = line.indexOf('=');
    const container = equals > 0 ? line.slice(0, equals).trim() : undefined;
    const image = (equals > 0 ? line.slice(equals + 1) : line).trim();
    const reference = parseImageReference(image);
    if (reference === undefined)
      throw new InputError(
        inputName,
        `line ${index + 1}: "${image}" is not a valid image reference`,
        `web=${EXAMPLE_IMAGE}`,
      );
    const key = container ?? `repository ${reference.name}`;
    if (seen.has(key)) throw new InputError(inputName, `line ${index + 1}: ${key} is given twice`);
    seen.add(key);
    return container === undefined
      ? { image, repository: reference.name }
      : { container, image, repository: reference.name };
  });
}

/**
 * Expands the `manifests` entries (a file, a folder — its .yaml/.yml/.json files, recursively, in name
 * order —, or a glob such as `k8s/**\/*.yaml`) into files, every one inside `workspace`.
 * @param entries paths relative to `workspace`
 * @param workspace absolute GITHUB_WORKSPACE
 * @param inputName the input named in errors (default `manifests`)
 * @returns absolute file paths, in the order given, each once
 * @throws InputError (input `manifests`) for an entry outside the workspace (also through a symlink) or
 *   one that matches no file
 */
export function expandManifestPaths(entries: string[], workspace: string, inputName = 'manifests'): string[] {
  const root = realpathSync(workspace);
  const files: string[] = [];
  let matched = 0;
  const add = (file: string, entry: string): void => {
    matched++;
    const real = realpathSync(file);
    if (real !== root && !real.startsWith(root + path.sep))
      throw new InputError(inputName, `"${entry}" leads outside the workspace (${real})`, 'k8s/');
    if (!files.includes(real)) files.push(real);
  };
  for (const entry of entries) {
    const full = path.resolve(root, entry);
    if (full !== root && !full.startsWith(root + path.sep))
      throw new InputError(inputName, `"${entry}" is outside the workspace`, 'k8s/');
    matched = 0;
    if (/[*?[{]/.test(entry)) {
      for (const match of globSync(entry, { cwd: root }).sort()) {
        const file = path.resolve(root, match);
        if (statSync(file).isFile()) add(file, entry);
      }
    } else {
      let stats;
      try {
        stats = statSync(full);
      } catch {
        throw new InputError(inputName, `"${entry}" does not exist in the workspace`, 'k8s/deployment.yaml');
      }
      if (stats.isDirectory()) for (const file of filesUnder(full)) add(file, entry);
      else add(full, entry);
    }
    if (matched === 0)
      throw new InputError(inputName, `"${entry}" matches no manifest file (.yaml, .yml, .json)`, 'k8s/');
  }
  return files;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) return filesUnder(full);
      return (entry.isFile() || entry.isSymbolicLink()) && EXTENSIONS.has(path.extname(entry.name))
        ? [full]
        : [];
    });
}

/**
 * Parses manifest text: every YAML document (`---` separated; JSON is YAML) that is not empty. A `List`
 * (kind `List`, `items`) is expanded into its items.
 * @param source a name for errors (`k8s/web.yaml`)
 * @throws ConfigurationError naming the source and document for YAML errors or objects without
 *   apiVersion, kind or metadata.name
 */
export function parseManifests(text: string, source: string): LoadedManifest[] {
  const out: LoadedManifest[] = [];
  parseAllDocuments(text).forEach((document, index) => {
    const where = `${source}#${index + 1}`;
    if ('errors' in document && document.errors.length > 0)
      throw new ConfigurationError(`${where}: not valid YAML: ${document.errors[0]?.message ?? ''}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return;
    const objects =
      isRecord(value) && value['kind'] === 'List' && Array.isArray(value['items']) ? value['items'] : [value];
    for (const object of objects as unknown[]) {
      if (
        !isRecord(object) ||
        typeof object['apiVersion'] !== 'string' ||
        typeof object['kind'] !== 'string' ||
        !isRecord(object['metadata']) ||
        typeof object['metadata']['name'] !== 'string'
      )
        throw new ConfigurationError(
          `${where}: a Kubernetes object needs apiVersion, kind and metadata.name (generateName is not supported by server-side apply)`,
        );
      out.push({ object: object as Manifest, source: where });
    }
  });
  return out;
}

/**
 * Loads every manifest of the `manifests` entries.
 * @returns the objects in file order, then document order
 * @throws see {@link expandManifestPaths} and {@link parseManifests}; ConfigurationError when nothing is found
 */
export function loadManifests(
  entries: string[],
  workspace: string,
  inputName = 'manifests',
): LoadedManifest[] {
  const manifests = expandManifestPaths(entries, workspace, inputName).flatMap((file) =>
    parseManifests(readFileSync(file, 'utf8'), path.relative(workspace, file) || file),
  );
  if (manifests.length === 0)
    throw new ConfigurationError(`No Kubernetes object in the manifests (${entries.join(', ')})`);
  return manifests;
}

/** The pod template of a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod), or undefined. */
export function podSpecOf(object: Manifest): Record<string, unknown> | undefined {
  const spec = object['spec'];
  if (!isRecord(spec)) return undefined;
  if (object.kind === 'Pod') return spec;
  if (object.kind === 'CronJob') {
    const job = spec['jobTemplate'];
    const template = isRecord(job) && isRecord(job['spec']) ? job['spec']['template'] : undefined;
    return isRecord(template) && isRecord(template['spec']) ? template['spec'] : undefined;
  }
  const template = spec['template'];
  return isRecord(template) && isRecord(template['spec']) ? template['spec'] : undefined;
}

function containersOf(object: Manifest): Record<string, unknown>[] {
  const pod = podSpecOf(object);
  if (pod === undefined) return [];
  return ['initContainers', 'containers']
    .flatMap((key) => (Array.isArray(pod[key]) ? (pod[key] as unknown[]) : []))
    .filter(isRecord);
}

/**
 * Sets container images from the `images` input, in place. A repository line replaces every container
 * image of that repository (whatever its tag or digest); a `container=` line replaces the image of
 * every container of that name. Every line must match at least one container.
 * @returns `kind/name container: before → after` per change
 * @throws InputError (input `images`) naming a line that matched no container
 */
export function substituteImages(manifests: Manifest[], images: ImageSubstitution[]): string[] {
  const changes: string[] = [];
  for (const substitution of images) {
    let matched = 0;
    for (const object of manifests)
      for (const container of containersOf(object)) {
        const current = typeof container['image'] === 'string' ? container['image'] : '';
        const hit =
          substitution.container !== undefined
            ? container['name'] === substitution.container
            : parseImageReference(current)?.name === substitution.repository;
        if (!hit) continue;
        matched++;
        if (current !== substitution.image)
          changes.push(
            `${object.kind}/${object.metadata.name} ${String(container['name'])}: ${current} → ${substitution.image}`,
          );
        container['image'] = substitution.image;
      }
    if (matched === 0)
      throw new InputError(
        'images',
        `${substitution.container === undefined ? `no container image of repository ${substitution.repository}` : `no container named ${substitution.container}`} in the manifests`,
        `web=${EXAMPLE_IMAGE}`,
      );
  }
  return changes;
}

/** Annotation keys Gantry writes. */
export const ANNOTATIONS = {
  commit: 'gantry.dev/commit',
  runUrl: 'gantry.dev/run-url',
  /** On a ReplicaSet: `FAILED` when its rollout failed (`COMPLETED` in records written before 0.2.0). */
  rollout: 'gantry.dev/rollout',
  /** On a workload: when its last rollout completed (ISO 8601). */
  completedAt: 'gantry.dev/rollout-completed-at',
  /** On a Deployment: the revision (`deployment.kubernetes.io/revision`) of the last completed rollout. */
  lastCompletedRevision: 'gantry.dev/last-completed-revision',
  /**
   * On a Deployment: the ReplicaSets (by name — stable when the controller renumbers revisions) whose
   * rollout completed, oldest first, at most 10.
   */
  completedReplicaSets: 'gantry.dev/completed-replicasets',
  /**
   * On a StatefulSet or DaemonSet: the pod template (spec.template, JSON) of the last completed rollout —
   * what a rollback restores (their own history, ControllerRevisions, is not read).
   */
  lastCompletedTemplate: 'gantry.dev/last-completed-template',
} as const;

/**
 * Records the commit and run URL as annotations on each object and on each pod template (so the
 * ReplicaSet of this rollout carries them), in place.
 * @param values annotation key → value; empty values are skipped
 */
export function annotate(manifests: Manifest[], values: Record<string, string>): void {
  const set = (metadata: Record<string, unknown>): void => {
    const annotations = isRecord(metadata['annotations']) ? metadata['annotations'] : {};
    for (const [key, value] of Object.entries(values)) if (value !== '') annotations[key] = value;
    metadata['annotations'] = annotations;
  };
  for (const object of manifests) {
    set(object.metadata);
    const spec = object['spec'];
    const template = isRecord(spec) ? spec['template'] : undefined;
    if (isRecord(template) && isRecord(template['spec'])) {
      if (!isRecord(template['metadata'])) template['metadata'] = {};
      set(template['metadata'] as Record<string, unknown>);
    }
  }
}

/** True for a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
