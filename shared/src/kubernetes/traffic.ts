/**
 * Traffic on Kubernetes for a canary, in the two ways the field moves it:
 * - by replica ratio (Azure/k8s-deploy's pod canary): the stable Service selects both Deployments by
 *   their shared labels, so the canary's share is its share of the endpoints;
 * - by Gateway API HTTPRoute weights (https://gateway-api.sigs.k8s.io/guides/traffic-splitting/, as Argo
 *   Rollouts' Gateway API plugin does): a rule's backendRefs name the stable and the canary Service with
 *   weights `100 - w` and `w`.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { ConfigurationError } from '../errors.ts';
import { retry } from '../retry.ts';
import { apiMessage, apiStatus } from './apply.ts';
import { k8sSdk } from './connection.ts';

/** The Gateway API group and the version Gantry writes. */
export const GATEWAY_API = { group: 'gateway.networking.k8s.io', version: 'v1' } as const;

/**
 * Canary replicas for a traffic weight, by replica ratio: `ceil(stableReplicas × weight / 100)`, at least
 * 1 while the weight is above 0 (Azure/k8s-deploy's pod canary rounds the same way); 0 for weight 0.
 * @param stableReplicas the stable Deployment's `spec.replicas` (≥ 0)
 * @param weight percentage 0–100
 */
export function canaryReplicas(stableReplicas: number, weight: number): number {
  if (weight <= 0) return 0;
  return Math.max(1, Math.ceil((Math.max(0, stableReplicas) * Math.min(100, weight)) / 100));
}

/**
 * The share of a Service's endpoints the canary holds when it selects `stable` and `canary` ready pods
 * alike (kube-proxy spreads connections evenly over endpoints): a percentage 0–100, rounded to one decimal.
 */
export function endpointShare(stable: number, canary: number): number {
  if (stable + canary <= 0) return 0;
  return Math.round((1000 * canary) / (stable + canary)) / 10;
}

/** A backendRef of an HTTPRoute rule (gateway.networking.k8s.io/v1 HTTPBackendRef). */
export interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
  [field: string]: unknown;
}

/** The part of an HTTPRoute Gantry reads and writes. */
export interface HttpRoute extends KubernetesObject {
  spec?: { rules?: { backendRefs?: BackendRef[]; [field: string]: unknown }[]; [field: string]: unknown };
}

const isService = (ref: BackendRef): boolean =>
  (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service';

/**
 * The route's rules with the weights of one step: in every rule that sends to the stable Service, the
 * stable backendRef gets `100 - weight` and the canary's `weight` (a canary backendRef is added, on the
 * stable one's port, where missing). Other rules and backendRefs are kept as they are. Pure.
 * @returns the new `spec.rules`
 * @throws ConfigurationError when no rule sends to the stable Service
 */
export function weightedRules(
  route: HttpRoute,
  services: { stable: string; canary: string },
  weight: number,
): NonNullable<NonNullable<HttpRoute['spec']>['rules']> {
  const rules = structuredClone(route.spec?.rules ?? []);
  let found = 0;
  for (const rule of rules) {
    const refs = rule.backendRefs ?? [];
    const stable = refs.find((ref) => isService(ref) && ref.name === services.stable);
    if (stable === undefined) continue;
    found++;
    stable.weight = 100 - weight;
    let canary = refs.find((ref) => isService(ref) && ref.name === services.canary);
    if (canary === undefined) {
      canary = { name: services.canary, ...(stable.port === undefined ? {} : { port: stable.port }) };
      if (stable.namespace !== undefined) canary.namespace = stable.namespace;
      refs.push(canary);
    }
    canary.weight = weight;
    rule.backendRefs = refs;
  }
  if (found === 0)
    throw new ConfigurationError(
      `HTTPRoute ${route.metadata?.name ?? '?'} has no rule with a backendRef to the stable Service ${services.stable}`,
    );
  return rules;
}

/**
 * The canary's weight in a route, as a percentage of the stable + canary weights of the first rule that
 * sends to the stable Service (Gateway API: a backendRef without weight weighs 1); undefined when none does.
 */
export function canaryWeightOf(
  route: HttpRoute,
  services: { stable: string; canary: string },
): number | undefined {
  for (const rule of route.spec?.rules ?? []) {
    const refs = rule.backendRefs ?? [];
    const stable = refs.find((ref) => isService(ref) && ref.name === services.stable);
    if (stable === undefined) continue;
    const canary = refs.find((ref) => isService(ref) && ref.name === services.canary);
    const s = stable.weight ?? 1;
    const c = canary === undefined ? 0 : (canary.weight ?? 1);
    return s + c === 0 ? 0 : Math.round((100 * c) / (s + c));
  }
  return undefined;
}

/**
 * Whether the cluster serves the Gateway API (`gateway.networking.k8s.io/v1` in discovery, `/apis`).
 * @throws the client's error when discovery cannot be read
 */
export async function hasGatewayApi(kubeConfig: KubeConfig): Promise<boolean> {
  const { ApisApi } = await k8sSdk();
  const groups = await kubeConfig.makeApiClient(ApisApi).getAPIVersions();
  return groups.groups.some(
    (group) =>
      group.name === GATEWAY_API.group &&
      group.versions.some((version) => version.version === GATEWAY_API.version),
  );
}

/**
 * Reads an HTTPRoute.
 * @throws ConfigurationError when it does not exist, or the cluster has no Gateway API
 */
export async function readHttpRoute(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
): Promise<HttpRoute> {
  const { KubernetesObjectApi } = await k8sSdk();
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  try {
    return (await client.read({
      apiVersion: `${GATEWAY_API.group}/${GATEWAY_API.version}`,
      kind: 'HTTPRoute',
      metadata: { name, namespace },
    })) as HttpRoute;
  } catch (error) {
    if (apiStatus(error) === 404)
      throw new ConfigurationError(`HTTPRoute ${name} does not exist in namespace ${namespace}`);
    throw new ConfigurationError(`Cannot read HTTPRoute ${name}: ${apiMessage(error)}`);
  }
}

/**
 * Sets the canary's weight on an HTTPRoute by a JSON merge patch of `spec.rules` carrying the
 * resourceVersion read (optimistic concurrency: a route changed in between is re-read and patched again,
 * 3 attempts), then reads the weight back.
 * @param weight percentage 0–100 on the canary Service
 * @throws ConfigurationError when the route or its stable backendRef is missing; Error when the route
 *   does not read back `weight`
 */
export async function setRouteWeight(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
  services: { stable: string; canary: string },
  weight: number,
): Promise<void> {
  const { KubernetesObjectApi, PatchStrategy } = await k8sSdk();
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  await retry(
    async () => {
      const route = await readHttpRoute(kubeConfig, namespace, name);
      const patch = {
        apiVersion: route.apiVersion ?? `${GATEWAY_API.group}/${GATEWAY_API.version}`,
        kind: 'HTTPRoute',
        metadata: { name, namespace, resourceVersion: route.metadata?.resourceVersion },
        spec: { rules: weightedRules(route, services, weight) },
      };
      const written = (await client.patch(
        patch,
        undefined,
        undefined,
        'gantry',
        undefined,
        PatchStrategy.MergePatch,
      )) as HttpRoute;
      const now = canaryWeightOf(written, services);
      if (now !== weight)
        throw new Error(
          `HTTPRoute ${name} reads ${now ?? '?'}% on ${services.canary} after setting ${weight}%`,
        );
    },
    {
      attempts: 3,
      baseDelayMs: 200,
      shouldRetry: (error) => !(error instanceof ConfigurationError),
    },
  );
}
