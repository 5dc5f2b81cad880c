/**
 * The cluster Kubernetes integration tests run against: the Kubernetes API stand-in (testkit) by default,
 * or a real cluster when `GANTRY_TEST_KUBECONFIG` names a kubeconfig (CI runs them on kind). Each test
 * file gets its own namespace, removed at the end on a real cluster.
 * Images: on the stand-in, pods become ready or not from the image name (`bad` never pulls); on a real
 * cluster the good images are real pause images and the bad one a registry that does not resolve.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesConnectionInputs } from '../../../shared/src/kubernetes/connection-inputs.ts';
import {
  startKubernetesStandIn,
  type KubernetesStandIn,
  type KubernetesStandInOptions,
} from '../../../testkit/kubernetes-standin/index.ts';

const execFileAsync = promisify(execFile);

/** A cluster for one test file. */
export interface TestCluster {
  kubeconfigPath: string;
  /** The kubeconfig's text (for the `kubeconfig` input). */
  kubeconfig: string;
  namespace: string;
  /** Two images that become ready, for two successive good releases. */
  goodImages: [string, string];
  /** An image whose pods never become ready (ImagePullBackOff). */
  badImage: string;
  /** The stand-in, when not on a real cluster. */
  standIn?: KubernetesStandIn;
  stop(): Promise<void>;
}

/**
 * Starts (or connects to) the test cluster and creates a namespace.
 * @param standInOptions for the stand-in only (e.g. `podStartDelayMs`); ignored on a real cluster
 */
export async function startTestCluster(
  standInOptions: Omit<KubernetesStandInOptions, 'namespaces'> = {},
): Promise<TestCluster> {
  const namespace = `gantry-test-${randomBytes(3).toString('hex')}`;
  const real = process.env['GANTRY_TEST_KUBECONFIG'];
  const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node');
  let standIn: KubernetesStandIn | undefined;
  let kubeconfigPath: string;
  if (real !== undefined && real !== '') kubeconfigPath = real;
  else {
    standIn = await startKubernetesStandIn({ ...standInOptions, namespaces: [namespace] });
    kubeconfigPath = standIn.kubeconfigPath;
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  if (standIn === undefined) await core.createNamespace({ body: { metadata: { name: namespace } } });
  return {
    kubeconfigPath,
    kubeconfig: readFileSync(kubeconfigPath, 'utf8'),
    namespace,
    goodImages:
      standIn === undefined
        ? ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.10']
        : ['registry.local/web:1', 'registry.local/web:2'],
    badImage: standIn === undefined ? 'registry.invalid/web:bad' : 'registry.local/web:bad',
    ...(standIn === undefined ? {} : { standIn }),
    async stop() {
      if (standIn !== undefined) await standIn.stop();
      else await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    },
  };
}

/**
 * The connection inputs (shared/src/kubernetes/connection.ts connect) for the test cluster's namespace, the
 * kubeconfig loaded from KUBECONFIG: set `process.env.KUBECONFIG` to {@link TestCluster.kubeconfigPath}.
 */
export function connectionInputs(cluster: TestCluster): KubernetesConnectionInputs {
  return { kubeconfig: '', context: '', namespace: cluster.namespace, 'eks-cluster': '', 'aws-region': '' };
}

/** A Deployment (and its Service) manifest: `replicas` pods of container `web` running `image`. */
export function webManifest(
  image: string,
  options: { replicas?: number; progressDeadlineSeconds?: number } = {},
): string {
  return deploymentManifest('web', image, {
    replicas: options.replicas ?? 2,
    progressDeadlineSeconds: options.progressDeadlineSeconds ?? 600,
  });
}

/**
 * A Deployment `name` of `replicas` pods of container `web` running `image`, pod labels `app: name` plus
 * `labels`, and its Service `name` (port 80 → 8080) selecting the same labels.
 */
function deploymentManifest(
  name: string,
  image: string,
  options: { replicas: number; progressDeadlineSeconds?: number; labels?: Record<string, string> },
): string {
  const labels = JSON.stringify({ app: name, ...options.labels });
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${options.replicas}
${options.progressDeadlineSeconds === undefined ? '' : `  progressDeadlineSeconds: ${options.progressDeadlineSeconds}\n`}  selector:
    matchLabels: ${labels}
  template:
    metadata:
      labels: ${labels}
    spec:
      containers:
        - name: web
          image: ${image}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector: ${labels}
  ports: [{ port: 80, targetPort: 8080 }]
`;
}

/** The real kubectl against the test cluster, in its namespace (30 s at most); its trimmed stdout. */
export async function kubectlIn(cluster: TestCluster, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(
    'kubectl',
    ['--kubeconfig', cluster.kubeconfigPath, '-n', cluster.namespace, ...args],
    { timeout: 30_000 },
  );
  return stdout.trim();
}

/** Writes `yaml` to `<folder>/<name>.yaml` and applies it with `kubectl apply --server-side`. */
export async function applyIn(
  cluster: TestCluster,
  folder: string,
  yaml: string,
  name: string,
): Promise<void> {
  const file = path.join(folder, `${name}.yaml`);
  writeFileSync(file, yaml);
  await kubectlIn(cluster, 'apply', '--server-side', '-f', file);
}

/**
 * The stable side of a canary: a Deployment `name` (4 replicas, container `web`, pod labels `app: name`
 * plus `extra`) and its Service `name` (port 80 → 8080) selecting the same labels.
 */
export function stableManifest(name: string, image: string, extra: Record<string, string> = {}): string {
  return deploymentManifest(name, image, { replicas: 4, labels: extra });
}

/** A Gateway API HTTPRoute `name` with one rule sending all traffic (weight 100) to Service `service` port 80. */
export function routeManifest(name: string, service: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
spec:
  parentRefs: [{ name: gateway }]
  rules:
    - matches: [{ path: { type: PathPrefix, value: / } }]
      backendRefs:
        - { name: ${service}, port: 80, weight: 100 }
`;
}

/** The first rule's backendRefs of HTTPRoute `route` as kubectl reads them: `web=75 web-canary=25 `, trimmed. */
export async function routeWeights(cluster: TestCluster, route: string): Promise<string> {
  return kubectlIn(
    cluster,
    'get',
    `httproute/${route}`,
    '-o',
    'jsonpath={range .spec.rules[0].backendRefs[*]}{.name}={.weight} {end}',
  );
}

/** Whether the cluster serves the Gateway API (gateway.networking.k8s.io/v1 in `kubectl api-versions`). */
export async function servesGatewayApi(cluster: TestCluster): Promise<boolean> {
  return (await kubectlIn(cluster, 'api-versions')).split('\n').includes('gateway.networking.k8s.io/v1');
}
