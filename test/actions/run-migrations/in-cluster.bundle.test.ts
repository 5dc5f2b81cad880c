/**
 * run-migrations in-cluster mode through the built bundle, against the Kubernetes API stand-in (or
 * GANTRY_TEST_KUBECONFIG): the Job runs under a name unique to the run; a failed Job fails the step with
 * the Job's reason; a manifest that is not one Job is an input error before any connection.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { startTestCluster, type TestCluster } from '../../shared/kubernetes/cluster.ts';

let cluster: TestCluster;
let workspace: string;

const jobManifest = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: registry.local/migrations:1
          command: ['sh', '-c', 'echo migrated']
`;

beforeAll(async () => {
  cluster = await startTestCluster();
  workspace = mkdtempSync(path.join(tmpdir(), 'gantry-migrate-job-'));
  mkdirSync(path.join(workspace, 'k8s'));
  writeFileSync(path.join(workspace, 'k8s', 'migrate-job.yaml'), jobManifest);
  writeFileSync(
    path.join(workspace, 'k8s', 'migrate-fail.yaml'),
    jobManifest.replace('echo migrated', 'echo boom; exit 1'),
  );
  writeFileSync(
    path.join(workspace, 'k8s', 'not-a-job.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n',
  );
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

const inputs = (image: string, file = 'k8s/migrate-job.yaml'): Record<string, string> => ({
  'kubernetes-job': file,
  images: `migrate=${image}`,
  namespace: cluster.namespace,
  kubeconfig: cluster.kubeconfig,
  'job-timeout': '2m',
});

describe('run-migrations in-cluster (bundle)', () => {
  test('a Job that completes: green, named for the run', async () => {
    const image =
      cluster.standIn === undefined ? 'registry.k8s.io/busybox:1.36' : 'registry.local/migrations:1';
    const run = await runBundle('run-migrations', {
      inputs: inputs(image),
      env: { GITHUB_RUN_ID: '4242' },
      cwd: workspace,
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toMatch(/Migrations Job migrate-4242-1 completed/);
  });
  test('a Job that fails: red with the Job reason', async () => {
    // The stand-in fails a Job by its image name (`fail`); a real cluster by the manifest's command.
    const image =
      cluster.standIn === undefined ? 'registry.k8s.io/busybox:1.36' : 'registry.local/migrations:fail';
    const run = await runBundle('run-migrations', {
      inputs: inputs(image, 'k8s/migrate-fail.yaml'),
      env: { GITHUB_RUN_ID: '4243' },
      cwd: workspace,
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /Migrations Job migrate-4243-1 failed: BackoffLimitExceeded/,
    );
  });
  test('a manifest that is not one Job: input error, no request', async () => {
    const before = cluster.standIn?.requests.length ?? 0;
    const run = await runBundle('run-migrations', {
      inputs: inputs('registry.local/x:1', 'k8s/not-a-job.yaml'),
      cwd: workspace,
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(
      /Input 'images': no container named migrate|Input 'kubernetes-job': .* must hold exactly one batch\/v1 Job/,
    );
    expect(cluster.standIn?.requests.length ?? 0).toBe(before);
  });
});
