/**
 * deploy-rolling and rollback with `platform: kubernetes`, run as the runner runs them (the built bundle,
 * action.yml defaults, file commands), against the Kubernetes API stand-in (or GANTRY_TEST_KUBECONFIG):
 * the kubeconfig input is masked and its 0600 copy removed in post; a bad release fails red with the
 * pods' reasons and is rolled back; the rollback action restores the last completed revision; inputs of
 * the other platform are refused before any connection.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { startTestCluster, webManifest, type TestCluster } from '../../shared/kubernetes/cluster.ts';

let cluster: TestCluster;
let workspace: string;
let runnerTemp: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  workspace = mkdtempSync(path.join(tmpdir(), 'gantry-k8s-bundle-'));
  runnerTemp = mkdtempSync(path.join(tmpdir(), 'gantry-runner-temp-'));
  mkdirSync(path.join(workspace, 'deploy'));
  writeFileSync(path.join(workspace, 'deploy', 'web.yaml'), webManifest(cluster.goodImages[0]));
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(workspace, { recursive: true, force: true });
  rmSync(runnerTemp, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({
  RUNNER_TEMP: runnerTemp,
  GITHUB_SHA: 'c0ffee'.repeat(6) + 'abcd',
});
const deployInputs = (image: string, timeout: string): Record<string, string> => ({
  platform: 'kubernetes',
  manifests: 'deploy/web.yaml',
  images: `web=${image}`,
  namespace: cluster.namespace,
  kubeconfig: cluster.kubeconfig,
  timeout,
});

describe('deploy-rolling platform kubernetes (bundle)', () => {
  // The stand-in counts the connections it accepts; a real API server does not tell.
  test.skipIf(Boolean(process.env['GANTRY_TEST_KUBECONFIG']))(
    "a release's requests and watch share kept-alive connections (client-node alone opens one per request)",
    async () => {
      const standIn = cluster.standIn!;
      const [connections, requests] = [standIn.connections, standIn.requests.length];
      const run = await runBundle('deploy-rolling', {
        inputs: deployInputs(cluster.goodImages[0], '2m'),
        env: env(),
        cwd: workspace,
      });
      expect(run.exitCode, run.log).toBe(0);
      const made = standIn.requests.length - requests;
      // read, apply, watch, record at least; the watch holds a connection of its own
      expect(made).toBeGreaterThanOrEqual(4);
      expect(standIn.connections - connections).toBeLessThanOrEqual(2);
    },
  );

  test('two good releases: green, outputs, kubeconfig masked, written 0600 and removed in post', async () => {
    const first = await runBundle('deploy-rolling', {
      inputs: deployInputs(cluster.goodImages[0], '2m'),
      env: env(),
      cwd: workspace,
    });
    expect(first.exitCode, first.log).toBe(0);
    expect(first.outputs['rollout-state']).toBe('COMPLETED');
    const run = await runBundle('deploy-rolling', {
      inputs: deployInputs(cluster.goodImages[1], '2m'),
      env: env(),
      cwd: workspace,
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs['previous-revision']).toBe('deployment/web=1');
    expect(run.outputs['revision']).toBe('deployment/web=2');
    expect(run.outputs['deployment-id']).toMatch(/^deployment\/web@\d+$/);
    expect(run.log).toContain('deployment "web" successfully rolled out');
    expect(run.summary).toContain('deployment/web=2');
    const token = cluster.kubeconfig.match(/token: (\S+)/)?.[1];
    if (token !== undefined) expect(run.log).not.toContain(token);
    expect(run.masks.length).toBeGreaterThan(0);
    const folder = JSON.parse(run.state['kubeconfig-dir'] ?? '""') as string;
    expect(folder.startsWith(runnerTemp)).toBe(true);
    expect(statSync(path.join(folder, 'config')).mode & 0o777).toBe(0o600);
    const post = await runBundle('deploy-rolling', { postWithState: run.state, env: env(), cwd: workspace });
    expect(post.exitCode).toBe(0);
    expect(existsSync(folder)).toBe(false);
  });

  test("a bad release: red, the pods' reason on screen, rolled back to the last completed image", async () => {
    const run = await runBundle('deploy-rolling', {
      inputs: deployInputs(cluster.badImage, '6s'),
      env: env(),
      cwd: workspace,
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['rollout-state']).toBe('TIMED_OUT');
    expect(
      run.annotations.some((a) => a.level === 'error' && /ImagePullBackOff|ErrImagePull/.test(a.message)),
    ).toBe(true);
    expect(run.log).toMatch(/rolled back \(deployment\/web to revision 2: COMPLETED\)/);
    const { KubeConfig, AppsV1Api } = await import('@kubernetes/client-node');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfigPath);
    const deployment = await kubeConfig
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: 'web', namespace: cluster.namespace });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(cluster.goodImages[1]);
  });

  test('inputs of the other platform are refused before any connection', async () => {
    const requestsBefore = cluster.standIn?.requests.length ?? 0;
    const run = await runBundle('deploy-rolling', {
      inputs: { ...deployInputs(cluster.goodImages[0], '1m'), service: 'web' },
      env: env(),
      cwd: workspace,
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/Input 'service': is an input of platform: ecs/);
    expect(cluster.standIn?.requests.length ?? 0).toBe(requestsBefore);
  });
});

describe('rollback platform kubernetes (bundle)', () => {
  test('a revision number with a StatefulSet is refused before any connection, naming the input', async () => {
    const requestsBefore = cluster.standIn?.requests.length ?? 0;
    const run = await runBundle('rollback', {
      inputs: {
        platform: 'kubernetes',
        deployment: 'web, statefulset/db',
        to: '3',
        namespace: cluster.namespace,
        kubeconfig: cluster.kubeconfig,
      },
      env: env(),
      cwd: workspace,
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(
      /Input 'to': .*statefulset\/db is rolled back to its last completed template only/,
    );
    expect(cluster.standIn?.requests.length ?? 0).toBe(requestsBefore);
  });

  test('restores the last completed revision and waits for it', async () => {
    // Put a good, completed release on top, then roll it back: the image returns to the one before.
    const up = await runBundle('deploy-rolling', {
      inputs: deployInputs(cluster.goodImages[0], '2m'),
      env: env(),
      cwd: workspace,
    });
    expect(up.exitCode, up.log).toBe(0);
    const run = await runBundle('rollback', {
      inputs: {
        platform: 'kubernetes',
        deployment: 'deployment/web',
        namespace: cluster.namespace,
        kubeconfig: cluster.kubeconfig,
        reason: 'smoke test failed',
        timeout: '2m',
      },
      env: env(),
      cwd: workspace,
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs['revision']).toMatch(/^deployment\/web=\d+$/);
    expect(run.log).toMatch(/successfully rolled out/);
    const { KubeConfig, AppsV1Api } = await import('@kubernetes/client-node');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfigPath);
    const deployment = await kubeConfig
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: 'web', namespace: cluster.namespace });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(cluster.goodImages[1]);
  });
});
