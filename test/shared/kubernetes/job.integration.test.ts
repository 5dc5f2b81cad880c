/**
 * runJob (in-cluster migrations) against the Kubernetes API stand-in (or GANTRY_TEST_KUBECONFIG): a Job
 * that completes, one that fails with the Job's reason and the container's exit code, and a deadline that
 * passes before either.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TimeoutError } from '../../../shared/src/errors.ts';
import { connect, type KubernetesConnection } from '../../../shared/src/kubernetes/connection.ts';
import { runJob } from '../../../shared/src/kubernetes/job.ts';
import type { Manifest } from '../../../shared/src/kubernetes/manifests.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { startTestCluster, type TestCluster } from './cluster.ts';

let cluster: TestCluster;
let connection: KubernetesConnection;

const job = (name: string, image: string, backoffLimit = 0, script = 'echo migrated'): Manifest => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name },
  spec: {
    backoffLimit,
    template: {
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'migrate', image, command: ['sh', '-c', script] }],
      },
    },
  },
});

beforeAll(async () => {
  cluster = await startTestCluster();
  connection = await connect(
    {
      kubeconfig: cluster.kubeconfig,
      context: '',
      namespace: cluster.namespace,
      'eks-cluster': '',
      'aws-region': '',
    },
    createCaptureLogger(),
  );
});
afterAll(async () => {
  await cluster?.stop();
});

describe('runJob', () => {
  test('a Job that completes: COMPLETE, applied by field manager gantry', async () => {
    const logger = createCaptureLogger();
    const image =
      cluster.standIn === undefined ? 'registry.k8s.io/busybox:1.36' : 'registry.local/migrations:1';
    const outcome = await runJob(connection, job('migrate-ok', image), 120_000, logger);
    expect(outcome.state).toBe('COMPLETE');
    expect(outcome.reason).toBe('');
    expect(logger.text()).toContain('Job/migrate-ok in');
  });
  test('a Job that fails: FAILED with the condition reason and the container exit code', async () => {
    // On a real cluster the script fails; on the stand-in the image name does (`fail`).
    const image =
      cluster.standIn === undefined ? 'registry.k8s.io/busybox:1.36' : 'registry.local/migrations:fail';
    const outcome = await runJob(
      connection,
      job('migrate-fail', image, 0, 'echo boom; exit 1'),
      120_000,
      createCaptureLogger(),
    );
    expect(outcome.state).toBe('FAILED');
    expect(outcome.reason).toBe('BackoffLimitExceeded');
    expect(outcome.message).toMatch(/container exited 1/);
  });
  test('the deadline passes first: TimeoutError naming the Job', async () => {
    const image =
      cluster.standIn === undefined ? 'registry.invalid/never:bad' : 'registry.local/migrations:bad';
    await expect(
      runJob(connection, job('migrate-stuck', image, 6), 1_500, createCaptureLogger()),
    ).rejects.toThrow(TimeoutError);
  });
});
