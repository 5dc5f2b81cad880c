/**
 * The Kubernetes adapter through the deploy flow, against the Kubernetes API stand-in driven by the real
 * client (or a real cluster with GANTRY_TEST_KUBECONFIG): a first release, a second one, a bad one that is
 * rolled back to the last completed revision (not simply the previous ReplicaSet), and a failure reported
 * per pod. The result is checked with the real `kubectl` too.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDeployFlow } from '../../../shared/src/deploy/flow.ts';
import { kubernetesRollingAdapter } from '../../../shared/src/kubernetes/adapter.ts';
import { parseImagesInput } from '../../../shared/src/kubernetes/manifests.ts';
import { createCaptureLogger, type CaptureLogger } from '../../../shared/src/logger.ts';
import { startTestCluster, webManifest, type TestCluster } from './cluster.ts';

let cluster: TestCluster;
let workspace: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  workspace = mkdtempSync(path.join(tmpdir(), 'gantry-k8s-adapter-'));
  mkdirSync(path.join(workspace, 'k8s'));
  writeFileSync(path.join(workspace, 'k8s', 'web.yaml'), webManifest(cluster.goodImages[0]));
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

async function deploy(
  image: string,
  timeoutMs: number,
): Promise<{ logger: CaptureLogger; error?: Error; state?: string }> {
  const logger = createCaptureLogger();
  const adapter = kubernetesRollingAdapter(
    {
      kubeconfig: cluster.kubeconfig,
      context: '',
      namespace: cluster.namespace,
      'eks-cluster': '',
      'aws-region': '',
      manifests: ['k8s/'],
      images: parseImagesInput([`web=${image}`], 'images'),
    },
    'deploy-rolling',
    logger,
    { workspace },
  );
  try {
    const report = await runDeployFlow(adapter, {
      wait: true,
      rollbackOnFailure: true,
      dryRun: false,
      timeoutMs,
      logger,
    });
    return { logger, ...(report.state === undefined ? {} : { state: report.state }) };
  } catch (error) {
    return { logger, error: error as Error };
  }
}

/** The real kubectl, run without blocking (the stand-in serves from this process). */
async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'kubectl',
    ['--kubeconfig', cluster.kubeconfigPath, '-n', cluster.namespace, ...args],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return stdout;
}

describe('Kubernetes deploy flow (stand-in or GANTRY_TEST_KUBECONFIG)', () => {
  test('a first and a second release complete; each is recorded as last-known-good', async () => {
    const first = await deploy(cluster.goodImages[0], 120_000);
    expect(first.error).toBeUndefined();
    expect(first.state).toBe('COMPLETED');
    expect(first.logger.text()).toContain('deployment/web: new');
    const second = await deploy(cluster.goodImages[1], 120_000);
    expect(second.error).toBeUndefined();
    expect(second.logger.text()).toMatch(/deployment "web" successfully rolled out/);
    expect(
      await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'),
    ).toBe(cluster.goodImages[1]);
    expect(
      await kubectl(
        'get',
        'deployment',
        'web',
        '-o',
        "jsonpath={.metadata.annotations['gantry\\.dev/last-completed-revision']}",
      ),
    ).toBe('2');
    const managers = await kubectl(
      'get',
      'deployment',
      'web',
      '--show-managed-fields',
      '-o',
      'jsonpath={.metadata.managedFields[*].manager}',
    );
    expect(managers.split(' ')).toContain('gantry');
  });

  test('a bad release: reasons per pod, rolled back to the last completed image, red with why', async () => {
    const bad = await deploy(cluster.badImage, 6_000);
    expect(bad.error?.message).toMatch(/Rollout of deployment\/web=\d+ to deployment\/web in \S+ TIMED_OUT/);
    expect(bad.error?.message).toMatch(/rolled back \(deployment\/web to revision 2: COMPLETED\)/);
    const errors = bad.logger.lines.filter((line) => line.level === 'error').map((line) => line.message);
    expect(
      errors.some((line) =>
        /^Pod web-\S+ \(deployment\/web\) not ready: web: (ImagePullBackOff|ErrImagePull)/.test(line),
      ),
    ).toBe(true);
    expect(bad.logger.text()).toMatch(/rollback: deployment\/web: deployment "web" successfully rolled out/);
    expect(
      await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'),
    ).toBe(cluster.goodImages[1]);
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).toMatch(
      /successfully rolled out/,
    );
  });

  test('after a rollback the next bad release returns to the restored revision, not the failed one', async () => {
    const again = await deploy(cluster.badImage, 4_000);
    expect(again.error?.message).toMatch(/rolled back \(deployment\/web to revision \d+: COMPLETED\)/);
    expect(
      await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'),
    ).toBe(cluster.goodImages[1]);
  });
});
