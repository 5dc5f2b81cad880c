/**
 * A deploy-bluegreen canary on Kubernetes for in-process tests: the stable side seeded with the real
 * kubectl, the flow run in this process (testkit runFlow: the real inputs parser, outputs and summary), and
 * the canary Deployment's state read back. Used by the canary tests of deploy-bluegreen and rollback.
 */
import { runFlow, type BundleRun } from '../../../testkit/bundle-runner.ts';
import { applyIn, kubectlIn, routeManifest, stableManifest, type TestCluster } from './cluster.ts';

/**
 * Seeds a stable Deployment and Service `name` on `images[0]` (4 replicas) and waits for its rollout; with
 * `route`, its pods are labelled `gantry.dev/track: stable` and an HTTPRoute `name` sends all traffic to it.
 */
export async function seedStable(
  cluster: TestCluster,
  folder: string,
  name: string,
  options: { route?: boolean } = {},
): Promise<void> {
  const labels: Record<string, string> = options.route === true ? { 'gantry.dev/track': 'stable' } : {};
  await applyIn(cluster, folder, stableManifest(name, cluster.goodImages[0], labels), name);
  if (options.route === true) await applyIn(cluster, folder, routeManifest(name, name), `${name}-route`);
  await kubectlIn(cluster, 'rollout', 'status', `deployment/${name}`, '--timeout=60s');
}

/**
 * deploy-bluegreen inputs for a canary of `deployment` to `goodImages[1]` (steps 5, 25, 100), judged on
 * health only (`metrics-provider` none) over 1 s windows; `route` adds the HTTPRoute inputs of
 * {@link seedStable}, `extra` overrides any input.
 */
export function canaryInputs(
  cluster: TestCluster,
  deployment: string,
  options: { route?: boolean; extra?: Record<string, string> } = {},
): Record<string, string> {
  return {
    platform: 'kubernetes',
    strategy: 'canary',
    deployment,
    images: `web=${cluster.goodImages[1]}`,
    namespace: cluster.namespace,
    kubeconfig: cluster.kubeconfig,
    'stable-service': deployment,
    'analysis-window': '1s',
    'analysis-interval': '1s',
    timeout: '1m',
    ...(options.route === true ? { 'http-route': deployment } : {}),
    ...options.extra,
  };
}

/** Runs deploy-bluegreen's flow in this process with `inputs` (testkit runFlow). */
export function runCanaryFlow(inputs: Record<string, string>): Promise<BundleRun> {
  return runFlow('deploy-bluegreen', { inputs });
}

/** A canary Deployment as kubectl reads it; undefined when it does not exist. */
export interface CanaryState {
  replicas: number;
  /** `gantry.dev/canary-weight`, '' when absent. */
  weight: string;
  /** `gantry.dev/canary-paused`, '' when absent or cleared. */
  paused: string;
}

/** The state of deployment `<deployment>-canary`, or undefined when there is none. */
export async function canaryState(
  cluster: TestCluster,
  deployment: string,
): Promise<CanaryState | undefined> {
  const names = await kubectlIn(cluster, 'get', 'deployments', '-o', 'name');
  if (!names.split('\n').includes(`deployment.apps/${deployment}-canary`)) return undefined;
  const object = JSON.parse(
    await kubectlIn(cluster, 'get', `deployment/${deployment}-canary`, '-o', 'json'),
  ) as { spec?: { replicas?: number }; metadata?: { annotations?: Record<string, string> } };
  const annotations = object.metadata?.annotations ?? {};
  return {
    replicas: object.spec?.replicas ?? 0,
    weight: annotations['gantry.dev/canary-weight'] ?? '',
    paused: annotations['gantry.dev/canary-paused'] ?? '',
  };
}

/** The image of container `web` in deployment `name`'s pod template. */
export function webImage(cluster: TestCluster, name: string): Promise<string> {
  return kubectlIn(
    cluster,
    'get',
    `deployment/${name}`,
    '-o',
    'jsonpath={.spec.template.spec.containers[0].image}',
  );
}
