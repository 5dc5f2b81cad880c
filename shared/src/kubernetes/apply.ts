/**
 * Server-side apply of manifests (https://kubernetes.io/docs/reference/using-api/server-side-apply/) with
 * field manager `gantry` and `force` (Gantry owns the fields it applies, as `kubectl apply
 * --server-side --force-conflicts` in a pipeline does). Objects are applied in the order kubectl's
 * "apply order" favours: namespaces and config before the workloads that use them.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { ConfigurationError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { inert } from './inert.ts';
import type { KubernetesConnection } from './connection.ts';
import { k8sSdk } from './connection.ts';
import type { Manifest } from './manifests.ts';

/** The field manager Gantry applies with. */
export const FIELD_MANAGER = 'gantry';

/** Kinds that live in a namespace, among the ones a deploy usually holds; others keep their own. */
const NAMESPACED = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Service',
  'ConfigMap',
  'Secret',
  'Job',
  'CronJob',
  'Pod',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Ingress',
  'PersistentVolumeClaim',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'NetworkPolicy',
]);

const ORDER = [
  'Namespace',
  'CustomResourceDefinition',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'Service',
];

function rank(kind: string): number {
  const index = ORDER.indexOf(kind);
  return index === -1 ? ORDER.length : index;
}

/** What one apply did. */
export interface AppliedObject {
  kind: string;
  name: string;
  namespace: string;
  /** metadata.generation after the apply (workloads), else 0. */
  generation: number;
  /** The object as the server returned it. */
  object: KubernetesObject;
}

/** `Deployment/web` */
export function objectName(object: { kind?: string; metadata?: { name?: string } }): string {
  return `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`;
}

/**
 * Fills in `namespace` on namespaced objects that name none (in place).
 * @returns the manifests, sorted for applying (config before workloads; otherwise the given order)
 */
export function placeInNamespace(manifests: Manifest[], namespace: string): Manifest[] {
  for (const object of manifests)
    if (NAMESPACED.has(object.kind) && object.metadata.namespace === undefined)
      object.metadata.namespace = namespace;
  return manifests
    .map((object, index) => ({ object, index }))
    .sort((a, b) => rank(a.object.kind) - rank(b.object.kind) || a.index - b.index)
    .map(({ object }) => object);
}

/**
 * Server-side applies each manifest, in order.
 * @param options.dryRun send `dryRun=All` (the server validates and answers, nothing is stored)
 * @returns one entry per object
 * @throws ConfigurationError naming the object and the API server's message when an apply is refused
 */
export async function serverSideApply(
  connection: KubernetesConnection,
  manifests: Manifest[],
  logger: Logger,
  options: { dryRun?: boolean } = {},
): Promise<AppliedObject[]> {
  const { KubernetesObjectApi, PatchStrategy } = await k8sSdk();
  const client = KubernetesObjectApi.makeApiClient(connection.kubeConfig);
  const applied: AppliedObject[] = [];
  for (const manifest of manifests) {
    const name = objectName(manifest);
    let object: KubernetesObject;
    try {
      object = await client.patch(
        manifest as KubernetesObject,
        undefined,
        options.dryRun === true ? 'All' : undefined,
        FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      );
    } catch (error) {
      throw new ConfigurationError(`Server-side apply of ${name} was refused: ${apiMessage(error)}`);
    }
    const namespace = object.metadata?.namespace ?? '';
    logger.info(
      `${inert(name)}${namespace === '' ? '' : ` in ${inert(namespace)}`}: ${options.dryRun === true ? 'would be applied (server dry run)' : 'applied'}`,
    );
    applied.push({
      kind: manifest.kind,
      name: manifest.metadata.name,
      namespace,
      generation: object.metadata?.generation ?? 0,
      object,
    });
  }
  return applied;
}

/**
 * The message of a client-node ApiException (the Status object's `message`), else the error's text;
 * bounded to 500 characters.
 */
export function apiMessage(error: unknown): string {
  const shape = error as { code?: unknown; body?: unknown; message?: unknown };
  let text = typeof shape.message === 'string' ? shape.message : String(error);
  if (typeof shape.body === 'string') {
    try {
      const status = JSON.parse(shape.body) as { message?: unknown };
      if (typeof status.message === 'string') text = status.message;
    } catch {
      text = shape.body;
    }
  } else if (typeof shape.body === 'object' && shape.body !== null) {
    const message = (shape.body as { message?: unknown }).message;
    if (typeof message === 'string') text = message;
  }
  const code = typeof shape.code === 'number' ? `HTTP ${shape.code}: ` : '';
  return inert(`${code}${text}`).slice(0, 500);
}

/** The HTTP status of a client-node ApiException, or undefined. */
export function apiStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}
