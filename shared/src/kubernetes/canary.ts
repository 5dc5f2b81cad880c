/**
 * The canary Deployment of a Kubernetes canary, made the way Azure/k8s-deploy's pod canary and Argo
 * Rollouts' basic canary make theirs: `<deployment>-canary`, a copy of the stable Deployment's pod
 * template with the new images, its selector and pods labelled `gantry.dev/track: canary` (so its pods are
 * its own while the stable Service, which selects the labels both share, reaches them). The canary's
 * state across runs (paused at which weight, the stable images before) lives in its annotations.
 */
import type { KubeConfig, V1Deployment, V1Service } from '@kubernetes/client-node';
import { ConfigurationError } from '../errors.ts';
import { apiMessage, apiStatus } from './apply.ts';
import { k8sSdk } from './connection.ts';
import { isRecord, substituteImages, type ImageSubstitution, type Manifest } from './manifests.ts';

/** The label that tells the canary's pods (and Service) from the stable ones. */
export const TRACK_LABEL = 'gantry.dev/track';

/** Annotations on the canary Deployment. */
export const CANARY_ANNOTATIONS = {
  /** The weight (percentage) the canary was paused at, '' or absent when not paused. */
  paused: 'gantry.dev/canary-paused',
  /** The canary's current traffic weight (percentage). */
  weight: 'gantry.dev/canary-weight',
  /** The stable Deployment's container images when the canary started: `name=image`, comma separated. */
  stableImages: 'gantry.dev/canary-stable-images',
} as const;

/** `web` → `web-canary`. */
export function canaryName(deployment: string): string {
  return `${deployment}-canary`;
}

/** Labels the controller writes, which a copy must not carry. */
const CONTROLLER_LABELS = ['pod-template-hash'];

/**
 * The canary Deployment manifest for a stable Deployment (pure): the stable one's pod template and
 * strategy with `images` substituted, `replicas` replicas, the `gantry.dev/track: canary` label added to its
 * labels, selector and pod labels (replacing a `gantry.dev/track` value the stable one has), and
 * `annotations` on it.
 * @returns the manifest and the image changes (`Deployment/web-canary web: a → b`)
 * @throws InputError (input `images`) for an image line that matches no container of the template
 */
export function canaryDeployment(
  stable: V1Deployment,
  images: ImageSubstitution[],
  replicas: number,
  annotations: Record<string, string>,
): { manifest: Manifest; changes: string[] } {
  const name = canaryName(stable.metadata?.name ?? '');
  const template = structuredClone(stable.spec?.template ?? {}) as Record<string, unknown>;
  const templateMetadata = isRecord(template['metadata']) ? template['metadata'] : {};
  const podLabels = { ...(templateMetadata['labels'] as Record<string, string> | undefined) };
  for (const label of CONTROLLER_LABELS) delete podLabels[label];
  template['metadata'] = { ...templateMetadata, labels: { ...podLabels, [TRACK_LABEL]: 'canary' } };
  const selector = structuredClone(stable.spec?.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [TRACK_LABEL]: 'canary' };
  const labels = { ...stable.metadata?.labels, [TRACK_LABEL]: 'canary' };
  const manifest: Manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: stable.metadata?.namespace ?? 'default',
      labels,
      annotations,
    },
    spec: {
      replicas,
      selector,
      template,
      ...(stable.spec?.strategy === undefined ? {} : { strategy: structuredClone(stable.spec.strategy) }),
      ...(stable.spec?.minReadySeconds === undefined ? {} : { minReadySeconds: stable.spec.minReadySeconds }),
      ...(stable.spec?.progressDeadlineSeconds === undefined
        ? {}
        : { progressDeadlineSeconds: stable.spec.progressDeadlineSeconds }),
    },
  };
  const changes = substituteImages([manifest], images);
  return { manifest, changes };
}

/**
 * The canary Service for a stable Service (pure): the same ports and type (ClusterIP for a LoadBalancer
 * or NodePort one), its selector plus `gantry.dev/track: canary`.
 */
export function canaryService(stable: V1Service, name: string): Manifest {
  const ports = (stable.spec?.ports ?? []).map((port) => {
    const copy: Record<string, unknown> = { port: port.port };
    if (port.name !== undefined) copy['name'] = port.name;
    if (port.protocol !== undefined) copy['protocol'] = port.protocol;
    if (port.targetPort !== undefined) copy['targetPort'] = port.targetPort;
    if (port.appProtocol !== undefined) copy['appProtocol'] = port.appProtocol;
    return copy;
  });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: stable.metadata?.namespace ?? 'default',
      labels: { ...stable.metadata?.labels, [TRACK_LABEL]: 'canary' },
    },
    spec: {
      type: 'ClusterIP',
      selector: { ...stable.spec?.selector, [TRACK_LABEL]: 'canary' },
      ports,
    },
  };
}

/** Whether a Service selector (equality only, as Services have) selects pods with `labels`; an empty one selects none. */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

/** The pod labels of a Deployment's template. */
export function podLabels(deployment: {
  spec?: { template?: { metadata?: { labels?: Record<string, string> } } };
}): Record<string, string> {
  return { ...deployment.spec?.template?.metadata?.labels };
}

/**
 * The JSON patch (RFC 6902) that sets container images on a Deployment's pod template: for each container
 * whose image changes, a `test` of its name and a `replace` of its image (a template changed in between
 * fails the test instead of getting the wrong image).
 * @returns the operations ([] when nothing changes) and the changes made
 * @throws InputError (input `images`) for a line that matches no container
 */
export function imagePatch(
  deployment: V1Deployment,
  images: ImageSubstitution[],
): { operations: Record<string, unknown>[]; changes: string[] } {
  const manifest = structuredClone(deployment) as unknown as Manifest;
  const changes = substituteImages([manifest], images);
  const before = deployment.spec?.template?.spec?.containers ?? [];
  const after = (manifest['spec'] as V1Deployment['spec'])?.template?.spec?.containers ?? [];
  const operations: Record<string, unknown>[] = [];
  after.forEach((container, index) => {
    if (container.image === before[index]?.image) return;
    operations.push(
      { op: 'test', path: `/spec/template/spec/containers/${index}/name`, value: container.name },
      { op: 'replace', path: `/spec/template/spec/containers/${index}/image`, value: container.image },
    );
  });
  return { operations, changes };
}

/**
 * `name=image` lines back into image substitutions by container name (for the annotation
 * {@link CANARY_ANNOTATIONS.stableImages}).
 */
export function imagesFromText(text: string): ImageSubstitution[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.includes('='))
    .map((entry) => {
      const equals = entry.indexOf('=');
      const image = entry.slice(equals + 1);
      return { container: entry.slice(0, equals), image, repository: image.replace(/[@:][^/]*$/, '') };
    });
}

/** Reads a Deployment; undefined when it does not exist. @throws the API's error otherwise */
export async function readDeployment(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
): Promise<V1Deployment | undefined> {
  const { AppsV1Api } = await k8sSdk();
  try {
    return await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name, namespace });
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw error;
  }
}

/** Reads a Service; @throws ConfigurationError when it does not exist */
export async function readService(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
): Promise<V1Service> {
  const { CoreV1Api } = await k8sSdk();
  try {
    return await kubeConfig.makeApiClient(CoreV1Api).readNamespacedService({ name, namespace });
  } catch (error) {
    if (apiStatus(error) === 404)
      throw new ConfigurationError(`Service ${name} does not exist in namespace ${namespace}`);
    throw new ConfigurationError(`Cannot read Service ${name}: ${apiMessage(error)}`);
  }
}

/**
 * A JSON merge patch (RFC 7386) of a Deployment: `spec.replicas` and/or annotations (null removes one).
 * @returns the Deployment after the patch
 */
export async function patchDeployment(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
  change: { replicas?: number; annotations?: Record<string, string | null> },
): Promise<V1Deployment> {
  const { KubernetesObjectApi, PatchStrategy } = await k8sSdk();
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  return (await client.patch(
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name,
        namespace,
        ...(change.annotations === undefined
          ? {}
          : { annotations: change.annotations as Record<string, string> }),
      },
      ...(change.replicas === undefined ? {} : { spec: { replicas: change.replicas } }),
    },
    undefined,
    undefined,
    'gantry',
    undefined,
    PatchStrategy.MergePatch,
  )) as V1Deployment;
}

/**
 * Sets container images on a Deployment's template by a JSON patch ({@link imagePatch}).
 * @returns the changes made ([] when the images were already those)
 */
export async function setImages(
  kubeConfig: KubeConfig,
  deployment: V1Deployment,
  images: ImageSubstitution[],
): Promise<string[]> {
  const { operations, changes } = imagePatch(deployment, images);
  if (operations.length === 0) return [];
  const { AppsV1Api } = await k8sSdk();
  await kubeConfig.makeApiClient(AppsV1Api).patchNamespacedDeployment({
    name: deployment.metadata?.name ?? '',
    namespace: deployment.metadata?.namespace ?? 'default',
    body: operations,
  });
  return changes;
}

/** Deletes a Deployment (its ReplicaSets and pods in the background); absent already is fine. */
export async function deleteDeployment(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
): Promise<void> {
  const { AppsV1Api } = await k8sSdk();
  try {
    await kubeConfig
      .makeApiClient(AppsV1Api)
      .deleteNamespacedDeployment({ name, namespace, propagationPolicy: 'Background' });
  } catch (error) {
    if (apiStatus(error) !== 404) throw error;
  }
}
