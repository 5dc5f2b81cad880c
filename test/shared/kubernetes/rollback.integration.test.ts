/**
 * The rollback action's Kubernetes side against the stand-in (or GANTRY_TEST_KUBECONFIG): nothing to roll
 * back to is a ConfigurationError that changes nothing; `previous` skips a failed revision; an explicit
 * revision number is honoured.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDeployFlow } from '../../../shared/src/deploy/flow.ts';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import { kubernetesRollingAdapter } from '../../../shared/src/kubernetes/adapter.ts';
import { connect, type KubernetesConnection } from '../../../shared/src/kubernetes/connection.ts';
import { parseImagesInput } from '../../../shared/src/kubernetes/manifests.ts';
import { rollBackDeployments } from '../../../shared/src/kubernetes/rollback.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { connectionInputs, startTestCluster, webManifest, type TestCluster } from './cluster.ts';

let cluster: TestCluster;
let workspace: string;
let connection: KubernetesConnection;
const ref = (): { kind: 'Deployment'; name: string; namespace: string } => ({
  kind: 'Deployment',
  name: 'web',
  namespace: cluster.namespace,
});

async function deploy(
  image: string,
  timeoutMs: number,
  rollback = true,
  folder = 'k8s/',
  container = 'web',
): Promise<void> {
  const logger = createCaptureLogger();
  const inputs = connectionInputs(cluster);
  await runDeployFlow(
    kubernetesRollingAdapter(
      { ...inputs, manifests: [folder], images: parseImagesInput([`${container}=${image}`], 'images') },
      'deploy-rolling',
      logger,
      { workspace },
    ),
    { wait: true, rollbackOnFailure: rollback, dryRun: false, timeoutMs, logger },
  ).catch(() => undefined);
}

async function image(): Promise<string> {
  const { AppsV1Api } = await import('@kubernetes/client-node');
  const deployment = await connection.kubeConfig
    .makeApiClient(AppsV1Api)
    .readNamespacedDeployment({ name: 'web', namespace: cluster.namespace });
  return deployment.spec?.template.spec?.containers[0]?.image ?? '';
}

beforeAll(async () => {
  cluster = await startTestCluster();
  process.env['KUBECONFIG'] = cluster.kubeconfigPath;
  workspace = mkdtempSync(path.join(tmpdir(), 'gantry-k8s-rollback-'));
  mkdirSync(path.join(workspace, 'k8s'));
  writeFileSync(path.join(workspace, 'k8s', 'web.yaml'), webManifest(cluster.goodImages[0], { replicas: 1 }));
  connection = await connect(connectionInputs(cluster), createCaptureLogger());
});
afterAll(async () => {
  delete process.env['KUBECONFIG'];
  await cluster?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

describe('rollBackDeployments', () => {
  const options = { reason: 'test', wait: true, timeoutMs: 60_000, logger: createCaptureLogger() };
  test('one completed revision only: nothing to roll back to, nothing changed', async () => {
    await deploy(cluster.goodImages[0], 60_000);
    await expect(rollBackDeployments(connection, [ref()], { ...options, to: 'previous' })).rejects.toThrow(
      ConfigurationError,
    );
    await expect(rollBackDeployments(connection, [ref()], { ...options, to: 'previous' })).rejects.toThrow(
      /Nothing to roll back to for deployment\/web/,
    );
    expect(await image()).toBe(cluster.goodImages[0]);
  });
  test('previous skips a failed revision left in place and returns to the last completed one', async () => {
    await deploy(cluster.goodImages[1], 60_000);
    await deploy(cluster.badImage, 3_000, false); // failed, left running (rollback-on-failure false)
    expect(await image()).toBe(cluster.badImage);
    const { restored, watch } = await rollBackDeployments(connection, [ref()], {
      ...options,
      to: 'previous',
    });
    expect(watch?.state).toBe('COMPLETED');
    expect(restored[0]?.images).toBe(`web=${cluster.goodImages[1]}`);
    expect(await image()).toBe(cluster.goodImages[1]);
  });
  test('an explicit revision number is restored; an unknown one is refused naming the revisions', async () => {
    await expect(rollBackDeployments(connection, [ref()], { ...options, to: '999' })).rejects.toThrow(
      /has no revision 999 \(it has: /,
    );
    const { restored } = await rollBackDeployments(connection, [ref()], { ...options, to: '1' });
    expect(restored[0]?.to).toBe(1);
    expect(await image()).toBe(cluster.goodImages[0]);
  });
});

describe('rollBackDeployments with a StatefulSet', () => {
  const options = { reason: 'test', wait: true, timeoutMs: 60_000, logger: createCaptureLogger() };
  const sts = (): { kind: 'StatefulSet'; name: string; namespace: string } => ({
    kind: 'StatefulSet',
    name: 'db',
    namespace: cluster.namespace,
  });
  async function stsImage(): Promise<string> {
    const { AppsV1Api } = await import('@kubernetes/client-node');
    const set = await connection.kubeConfig
      .makeApiClient(AppsV1Api)
      .readNamespacedStatefulSet({ name: 'db', namespace: cluster.namespace });
    return set.spec?.template.spec?.containers[0]?.image ?? '';
  }
  test('a failed release left in place: previous restores the last completed template and rolls it out', async () => {
    mkdirSync(path.join(workspace, 'sets'));
    writeFileSync(
      path.join(workspace, 'sets', 'db.yaml'),
      `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  replicas: 2
  serviceName: db
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: db, image: ${cluster.goodImages[0]} }] }
`,
    );
    await deploy(cluster.goodImages[0], 60_000, true, 'sets/', 'db');
    await expect(rollBackDeployments(connection, [sts()], { ...options, to: 'previous' })).rejects.toThrow(
      /Nothing to roll back to for statefulset\/db: the last completed template is the running one/,
    );
    await expect(rollBackDeployments(connection, [sts()], { ...options, to: '1' })).rejects.toThrow(
      /last completed template only/,
    );
    await deploy(cluster.badImage, 3_000, false, 'sets/', 'db');
    expect(await stsImage()).toBe(cluster.badImage);
    const logger = createCaptureLogger();
    const { restored, watch } = await rollBackDeployments(connection, [sts()], {
      ...options,
      logger,
      to: 'previous',
    });
    expect(watch?.state).toBe('COMPLETED');
    expect(restored[0]?.images).toBe(`db=${cluster.goodImages[0]}`);
    expect(restored[0]!.to).toBe(restored[0]!.from + 1);
    expect(logger.text()).toContain(
      "statefulset/db: deleted the failed revision's pods that were not ready: db-1",
    );
    expect(await stsImage()).toBe(cluster.goodImages[0]);
  });
});
