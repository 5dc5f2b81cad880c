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
  manifests = 'k8s/',
  containers = ['web'],
): Promise<{ logger: CaptureLogger; error?: Error; state?: string; revision?: string }> {
  const logger = createCaptureLogger();
  const adapter = kubernetesRollingAdapter(
    {
      kubeconfig: cluster.kubeconfig,
      context: '',
      namespace: cluster.namespace,
      'eks-cluster': '',
      'aws-region': '',
      manifests: [manifests],
      images: parseImagesInput(
        containers.map((name) => `${name}=${image}`),
        'images',
      ),
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
    return {
      logger,
      revision: report.revision,
      ...(report.state === undefined ? {} : { state: report.state }),
    };
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
    expect(first.revision).toBe('deployment/web=1');
    const second = await deploy(cluster.goodImages[1], 120_000);
    expect(second.error).toBeUndefined();
    expect(second.revision).toBe('deployment/web=2');
    expect(await kubectl('rollout', 'history', 'deployment/web')).toMatch(/^2\s/m);
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

/** A StatefulSet (2 pods, OrderedReady) and a DaemonSet. */
function setsManifest(image: string): string {
  return `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: 2
  serviceName: db
  selector:
    matchLabels: { app: db }
  template:
    metadata:
      labels: { app: db }
    spec:
      containers:
        - name: db
          image: ${image}
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: { app: agent }
  template:
    metadata:
      labels: { app: agent }
    spec:
      containers:
        - name: agent
          image: ${image}
`;
}

describe('StatefulSets and DaemonSets through the deploy flow (stand-in or GANTRY_TEST_KUBECONFIG)', () => {
  const image = (kind: string, name: string): Promise<string> =>
    kubectl('get', kind, name, '-o', 'jsonpath={.spec.template.spec.containers[0].image}');
  const recorded = async (kind: string, name: string): Promise<string> => {
    const text = await kubectl(
      'get',
      kind,
      name,
      '-o',
      "jsonpath={.metadata.annotations['gantry\\.dev/last-completed-template']}",
    );
    return (JSON.parse(text) as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image;
  };

  test('two releases complete; each records its pod template as last-known-good', async () => {
    mkdirSync(path.join(workspace, 'sets'));
    writeFileSync(path.join(workspace, 'sets', 'sets.yaml'), setsManifest(cluster.goodImages[0]));
    const first = await deploy(cluster.goodImages[0], 120_000, 'sets/', ['db', 'agent']);
    expect(first.error).toBeUndefined();
    expect(first.state).toBe('COMPLETED');
    expect(first.revision).toBe('statefulset/db@1, daemonset/agent@1');
    const second = await deploy(cluster.goodImages[1], 120_000, 'sets/', ['db', 'agent']);
    expect(second.error).toBeUndefined();
    expect(second.revision).toBe('statefulset/db@2, daemonset/agent@2');
    expect(await recorded('statefulset', 'db')).toBe(cluster.goodImages[1]);
    expect(await recorded('daemonset', 'agent')).toBe(cluster.goodImages[1]);
  });

  test('a bad release: reasons per pod, both restored to the last completed template and rolled out, red', async () => {
    const bad = await deploy(cluster.badImage, 6_000, 'sets/', ['db', 'agent']);
    expect(bad.error?.message).toMatch(/TIMED_OUT/);
    expect(bad.error?.message).toContain('statefulset/db to its last completed template');
    expect(bad.error?.message).toContain('daemonset/agent to its last completed template');
    expect(bad.error?.message).toMatch(/: COMPLETED\)/);
    const errors = bad.logger.lines.filter((line) => line.level === 'error').map((line) => line.message);
    expect(
      errors.some((line) =>
        /^Pod db-1 \(statefulset\/db\) not ready: db: (ImagePullBackOff|ErrImagePull)/.test(line),
      ),
    ).toBe(true);
    // OrderedReady: the broken pod had to be deleted for the restored template to roll out.
    expect(bad.logger.text()).toMatch(/deleted the failed revision's pods that were not ready: db-1/);
    expect(await image('statefulset', 'db')).toBe(cluster.goodImages[1]);
    expect(await image('daemonset', 'agent')).toBe(cluster.goodImages[1]);
    expect(await kubectl('rollout', 'status', 'statefulset/db', '--timeout=60s')).toMatch(/complete/);
    expect(await kubectl('rollout', 'status', 'daemonset/agent', '--timeout=60s')).toContain(
      'successfully rolled out',
    );
    expect(await recorded('statefulset', 'db')).toBe(cluster.goodImages[1]);
  });
});

describe('a workload with nothing recorded does not stop the others from being rolled back', () => {
  test('the Deployment is restored; the StatefulSet without a record is named as not rolled back', async () => {
    mkdirSync(path.join(workspace, 'mixed'));
    const manifest = setsManifest(cluster.goodImages[0])
      .split('---')[0]!
      .replace(/\bdb\b/g, 'cache');
    writeFileSync(
      path.join(workspace, 'mixed', 'mixed.yaml'),
      `${webManifest(cluster.goodImages[0])
        .split('---')[0]!
        .replace(/\bweb\b/g, 'api')}---\n${manifest}`,
    );
    const first = await deploy(cluster.goodImages[0], 120_000, 'mixed/', ['api', 'cache']);
    expect(first.error).toBeUndefined();
    // The StatefulSet loses its record and is left mid-rollout, so the next deploy cannot record it either.
    await kubectl('annotate', 'statefulset', 'cache', 'gantry.dev/last-completed-template-');
    await kubectl('set', 'image', 'statefulset/cache', `cache=${cluster.badImage}`);
    const bad = await deploy(cluster.badImage, 5_000, 'mixed/', ['api', 'cache']);
    expect(bad.error?.message).toContain('deployment/api to revision 1');
    expect(bad.error?.message).toMatch(
      /statefulset\/cache not rolled back \(Nothing to roll back to for statefulset\/cache: no gantry\.dev\/last-completed-template annotation/,
    );
    expect(
      await kubectl('get', 'deployment', 'api', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'),
    ).toBe(cluster.goodImages[0]);
  });
});
