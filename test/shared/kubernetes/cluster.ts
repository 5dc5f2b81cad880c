/**
 * The cluster Kubernetes integration tests run against: the Kubernetes API stand-in (testkit) by default,
 * or a real cluster when `GANTRY_TEST_KUBECONFIG` names a kubeconfig (CI runs them on kind). Each test
 * file gets its own namespace, removed at the end on a real cluster.
 * Images: on the stand-in, pods become ready or not from the image name (`bad` never pulls); on a real
 * cluster the good images are real pause images and the bad one a registry that does not resolve.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startKubernetesStandIn, type KubernetesStandIn } from '../../../testkit/kubernetes-standin/index.ts';

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

/** Starts (or connects to) the test cluster and creates a namespace. */
export async function startTestCluster(): Promise<TestCluster> {
  const namespace = `gantry-test-${randomBytes(3).toString('hex')}`;
  const real = process.env['GANTRY_TEST_KUBECONFIG'];
  const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node');
  let standIn: KubernetesStandIn | undefined;
  let kubeconfigPath: string;
  if (real !== undefined && real !== '') kubeconfigPath = real;
  else {
    standIn = await startKubernetesStandIn({ namespaces: [namespace] });
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

/** A Deployment (and its Service) manifest: `replicas` pods of container `web` running `image`. */
export function webManifest(
  image: string,
  options: { replicas?: number; progressDeadlineSeconds?: number } = {},
): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${options.replicas ?? 2}
  progressDeadlineSeconds: ${options.progressDeadlineSeconds ?? 600}
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: ${image}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;
}
