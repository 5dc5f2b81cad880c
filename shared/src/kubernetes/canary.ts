/**
 * The canary Deployment of a Kubernetes canary, made the way Azure/k8s-deploy's pod canary and Argo
 * Rollouts' basic canary make theirs: `<deployment>-canary`, a copy of the stable Deployment's pod
 * template with the new images, its selector and pods labelled `gantry.dev/track: canary` (so its pods are
 * its own while the stable Service, which selects the labels both share, reaches them). The canary's
 * state across runs (paused at which weight, the stable images before) lives in its annotations.
 */
import type { KubeConfig, V1Deployment, V1Service } from '@kubernetes/client-node';
import { ConfigurationError, describeThrown } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { apiMessage, apiStatus } from './apply.ts';
import { k8sSdk } from './connection.ts';
import { inert } from './inert.ts';
import { isRecord, substituteImages, type ImageSubstitution, type Manifest } from './manifests.ts';
import { templateImages } from './rollout.ts';
import { setRouteWeight } from './traffic.ts';

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
  /** The HTTPRoute whose weights move the canary's traffic; '' or absent: by replica ratio. */
  httpRoute: 'gantry.dev/canary-http-route',
  /** The stable Service the HTTPRoute sends to (HTTPRoute mode). */
  stableService: 'gantry.dev/canary-stable-service',
  /** The canary Service the HTTPRoute sends to (HTTPRoute mode). */
  canaryService: 'gantry.dev/canary-service',
} as const;

/** How a canary's traffic moves: by replica ratio (`route` undefined) or by an HTTPRoute's weights. */
export interface CanaryTraffic {
  route?: { name: string; stable: string; canary: string };
}

/**
 * The annotations that record a canary's traffic mode on its Deployment (pure), so that a later run that is
 * not given the traffic inputs (rollback) can end the canary the same way: the HTTPRoute and the two
 * Services, '' for replica ratio.
 */
export function trafficAnnotations(traffic: CanaryTraffic): Record<string, string> {
  return {
    [CANARY_ANNOTATIONS.httpRoute]: traffic.route?.name ?? '',
    [CANARY_ANNOTATIONS.stableService]: traffic.route?.stable ?? '',
    [CANARY_ANNOTATIONS.canaryService]: traffic.route?.canary ?? '',
  };
}

/**
 * The traffic mode a canary Deployment recorded ({@link trafficAnnotations}); replica ratio when it names
 * no HTTPRoute or not both Services (a canary made before Gantry recorded them).
 * @throws ConfigurationError when one of the annotations is not a resource name
 */
export function trafficOf(canary: V1Deployment): CanaryTraffic {
  const annotations = canary.metadata?.annotations ?? {};
  const read = (key: string): string => {
    const value = annotations[key] ?? '';
    if (value !== '' && !RESOURCE_NAME.test(value))
      throw new ConfigurationError(
        `deployment/${canary.metadata?.name ?? '?'}: its ${key} annotation is not a resource name ("${inert(value.slice(0, 100))}")`,
      );
    return value;
  };
  const name = read(CANARY_ANNOTATIONS.httpRoute);
  const stable = read(CANARY_ANNOTATIONS.stableService);
  const service = read(CANARY_ANNOTATIONS.canaryService);
  return name === '' || stable === '' || service === '' ? {} : { route: { name, stable, canary: service } };
}

/** A Kubernetes object name (RFC 1123 subdomain). */
const RESOURCE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Whether a Deployment is a canary Gantry made (deploy-bluegreen canaryDeployment): labelled
 * `gantry.dev/track: canary` and carrying the {@link CANARY_ANNOTATIONS.stableImages} annotation it writes at
 * creation. A Deployment that merely has the `-canary` name is not one, and is never touched.
 */
export function isGantryCanary(deployment: V1Deployment): boolean {
  return (
    deployment.metadata?.labels?.[TRACK_LABEL] === 'canary' &&
    deployment.metadata.annotations?.[CANARY_ANNOTATIONS.stableImages] !== undefined
  );
}

/**
 * Whether a Gantry canary still takes part: paused, with replicas, or a recorded weight above 0 (a
 * canary ended by abort, an anomaly or a rollback has none of these).
 */
export function isCanaryActive(deployment: V1Deployment): boolean {
  const annotations = deployment.metadata?.annotations ?? {};
  return (
    (annotations[CANARY_ANNOTATIONS.paused] ?? '') !== '' ||
    (deployment.spec?.replicas ?? 0) > 0 ||
    Number(annotations[CANARY_ANNOTATIONS.weight] ?? '0') > 0
  );
}

/**
 * The value of {@link CANARY_ANNOTATIONS.stableImages} for a pod template: its containers' `name=image`,
 * comma separated without spaces (rollout.ts templateImages). deploy-bluegreen writes it when the canary
 * starts; rollback compares the stable Deployment's template with it.
 */
export function stableImagesValue(template: Parameters<typeof templateImages>[0]): string {
  return templateImages(template).replace(/, /g, ',');
}

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

/** An API server's answer by its Status message (client-node's text carries headers), else the error's text. */
export function explainApiError(error: unknown): string {
  return apiStatus(error) === undefined ? describeThrown(error) : apiMessage(error);
}

/** What {@link endCanary} did: each step in order (one that could not be done ends in `FAILED`), and why each failed one failed. */
export interface EndedCanary {
  steps: string[];
  failures: string[];
}

/**
 * Ends a canary, traffic first, as deploy-bluegreen does on an anomaly or `action: abort` and rollback does
 * for a canary it finds (Argo Rollouts' abort: traffic back on stable, the canary scaled down): the canary's
 * weight 0 on the HTTPRoute when `traffic.route` is set (traffic.ts setRouteWeight, read back), then the
 * canary Deployment scaled to 0 replicas with its `gantry.dev/canary-paused` annotation cleared (a later
 * `action: promote` then finds nothing to promote) and its `gantry.dev/canary-weight` set to 0 — kept as it
 * was when the route could not be set, so that the canary still reads as in progress and a later run
 * (rollback again) retries the route. The Deployment is kept (deploy-bluegreen deletes it on promotion only).
 * Never throws: a step that cannot be done is logged as a warning and recorded as `FAILED` with its reason.
 * @param name the canary Deployment's name (`web-canary`)
 * @returns the steps (`HTTPRoute web web 100% / web-canary 0%`, `deployment/web-canary scaled to 0`) and
 *   the failures (empty when everything was done)
 */
export async function endCanary(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
  traffic: CanaryTraffic,
  logger: Logger,
): Promise<EndedCanary> {
  const ended: EndedCanary = { steps: [], failures: [] };
  const route = traffic.route;
  let routeCleared = true;
  if (route !== undefined) {
    try {
      await setRouteWeight(kubeConfig, namespace, route.name, route, 0);
      ended.steps.push(`HTTPRoute ${route.name} ${route.stable} 100% / ${route.canary} 0%`);
      logger.info(`HTTPRoute ${route.name}: ${route.stable} 100 / ${route.canary} 0`);
    } catch (error) {
      routeCleared = false;
      const why = `could not set the canary's weight to 0 on HTTPRoute ${route.name}: ${explainApiError(error)}`;
      logger.warning(why.charAt(0).toUpperCase() + why.slice(1));
      ended.steps.push(`setting HTTPRoute ${route.name} to 0% FAILED`);
      ended.failures.push(why);
    }
  }
  try {
    await patchDeployment(kubeConfig, namespace, name, {
      replicas: 0,
      annotations: {
        [CANARY_ANNOTATIONS.paused]: '',
        ...(routeCleared ? { [CANARY_ANNOTATIONS.weight]: '0' } : {}),
      },
    });
    ended.steps.push(`deployment/${name} scaled to 0`);
    logger.info(`deployment/${name} scaled to 0 replicas`);
  } catch (error) {
    const why = `could not scale deployment/${name} to 0: ${explainApiError(error)}`;
    logger.warning(why.charAt(0).toUpperCase() + why.slice(1));
    ended.steps.push(`scaling deployment/${name} to 0 FAILED`);
    ended.failures.push(why);
  }
  return ended;
}
