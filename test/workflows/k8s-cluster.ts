/**
 * The cluster side of the Kubernetes workflow tests (gantry-deploy-k8s.yml through the offline runner): the
 * real kubectl against the Kubernetes API stand-in (testkit/kubernetes-standin), a Deployment seeded and
 * rolled out before a run, and its image (and a canary deploy-bluegreen made for it) read back after it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Runs the real kubectl in `namespace` and resolves to its trimmed stdout; rejects when it fails. */
export type Kubectl = (namespace: string, ...args: string[]) => Promise<string>;

/** The real kubectl with the kubeconfig at `kubeconfigPath`, each call bounded to 30 s. */
export function kubectlFor(kubeconfigPath: string): Kubectl {
  return async (namespace, ...args) => {
    const { stdout } = await exec('kubectl', ['--kubeconfig', kubeconfigPath, '-n', namespace, ...args], {
      timeout: 30_000,
    });
    return stdout.trim();
  };
}

/**
 * Applies the manifest file `file` server-side in `namespace` (`kubectl apply --server-side`) and waits at
 * most 60 s for deployment/`name` to roll out (`kubectl rollout status`).
 */
export async function seedDeployment(
  kubectl: Kubectl,
  namespace: string,
  file: string,
  name: string,
): Promise<void> {
  await kubectl(namespace, 'apply', '--server-side', '-f', file);
  await kubectl(namespace, 'rollout', 'status', `deployment/${name}`, '--timeout=60s');
}

/** The image of deployment/`name`'s first container in `namespace`, as the API server holds it. */
export function deploymentImage(kubectl: Kubectl, namespace: string, name: string): Promise<string> {
  return kubectl(
    namespace,
    'get',
    `deployment/${name}`,
    '-o',
    'jsonpath={.spec.template.spec.containers[0].image}',
  );
}

/**
 * The canary Deployment `<name>-canary` deploy-bluegreen made for deployment/`name` in `namespace`, as
 * `<spec.replicas> <gantry.dev/canary-weight>` (e.g. `1 25`; `0 0` once ended), or `-` when there is none.
 */
export async function canaryState(kubectl: Kubectl, namespace: string, name: string): Promise<string> {
  const names = await kubectl(namespace, 'get', 'deployments', '-o', 'name');
  if (!names.split('\n').includes(`deployment.apps/${name}-canary`)) return '-';
  return kubectl(
    namespace,
    'get',
    `deployment/${name}-canary`,
    '-o',
    'jsonpath={.spec.replicas} {.metadata.annotations.gantry\\.dev/canary-weight}',
  );
}

/**
 * The `gantry.dev/canary-paused` annotation of deployment/`name`-canary in `namespace`: the weight it is
 * paused at, or empty when it is not paused (cleared, or never set).
 */
export function canaryPause(kubectl: Kubectl, namespace: string, name: string): Promise<string> {
  return kubectl(
    namespace,
    'get',
    `deployment/${name}-canary`,
    '-o',
    'jsonpath={.metadata.annotations.gantry\\.dev/canary-paused}',
  );
}
