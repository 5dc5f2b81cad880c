/**
 * Fidelity check of the Kubernetes API stand-in: the REAL kubectl (1.32 on the machine image; Debian's
 * kubernetes-client elsewhere) drives it through the flows Gantry's Kubernetes deploy depends on — get,
 * apply --server-side, rollout status (good and bad image), rollout undo, logs, create job + wait, scale,
 * delete. A stand-in kubectl cannot use is wrong. With GANTRY_TEST_KUBECONFIG set the same tests run against
 * that real cluster (in a namespace of their own).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kubernetesForTests, type KubernetesForTests } from '../../../testkit/kubernetes-standin/index.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let k8s: KubernetesForTests;
let work: string;
const ns = `gantry-kubectl-${Date.now().toString(36)}`;

function kubectl(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      ['--cache-dir', path.join(work, 'cache'), '--request-timeout', '60s', '-n', ns, ...args],
      { env: { ...process.env, KUBECONFIG: k8s.kubeconfigPath }, timeout: 90_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

async function ok(args: string[], stdin?: string): Promise<string> {
  const run = await kubectl(args, stdin);
  expect(run.stderr, `kubectl ${args.join(' ')}`).not.toMatch(/^error/im);
  expect(run.code, `kubectl ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run.stdout;
}

async function json<T = Record<string, unknown>>(args: string[]): Promise<T> {
  return JSON.parse(await ok([...args, '-o', 'json'])) as T;
}

function manifests(image: string, progressDeadlineSeconds = 6): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  progressDeadlineSeconds: ${progressDeadlineSeconds}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ${image}
          ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;
}

interface Deployment {
  metadata: {
    annotations?: Record<string, string>;
    generation?: number;
    managedFields?: { manager: string; operation: string }[];
  };
  spec: { template: { spec: { containers: { image: string }[] } } };
  status: {
    observedGeneration?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    conditions?: { type: string; reason: string; status: string }[];
  };
}
interface RsList {
  items: {
    metadata: { name: string; annotations: Record<string, string> };
    spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
    status: { availableReplicas?: number };
  }[];
}

beforeAll(async () => {
  k8s = await kubernetesForTests({ podStartDelayMs: 150, crashLoopRestartMs: 400, jobPodRunMs: 150 });
  work = await mkdtemp(path.join(tmpdir(), 'gantry-kubectl-'));
  await ok(['create', 'namespace', ns]);
});

afterAll(async () => {
  if (k8s && work) await kubectl(['delete', 'namespace', ns, '--wait=false']);
  await k8s?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kubectl against the Kubernetes stand-in', () => {
  test('discovery: version, api-resources and get work', async () => {
    const version = JSON.parse(await ok(['version', '-o', 'json'])) as {
      serverVersion?: { major: string; minor: string };
    };
    expect(version.serverVersion?.major).toBe('1');
    const resources = await ok(['api-resources', '--no-headers']);
    for (const kind of [
      'Deployment',
      'ReplicaSet',
      'Pod',
      'Service',
      'Job',
      'Secret',
      'ConfigMap',
      'Event',
      'StatefulSet',
      'DaemonSet',
    ]) {
      expect(resources).toMatch(new RegExp(`\\s${kind}\\s*$`, 'm'));
    }
    const namespaces = await ok(['get', 'namespaces']);
    expect(namespaces).toMatch(new RegExp(`^${ns}\\s+Active`, 'm'));
    const missing = await kubectl(['get', 'deployment', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('deployments.apps "nope" not found');
  });

  test('apply --server-side of a Deployment and a Service, then rollout status succeeds', async () => {
    await writeFile(path.join(work, 'good.yaml'), manifests(k8s.images.good));
    const applied = await ok([
      'apply',
      '--server-side',
      '--field-manager',
      'gantry-test',
      '-f',
      path.join(work, 'good.yaml'),
    ]);
    expect(applied).toContain('deployment.apps/web serverside-applied');
    expect(applied).toContain('service/web serverside-applied');
    const status = await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    expect(status).toContain('deployment "web" successfully rolled out');
    const d = await json<Deployment>(['get', 'deployment', 'web', '--show-managed-fields']);
    expect(d.status.availableReplicas).toBe(3);
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(
      d.metadata.managedFields?.some((f) => f.manager === 'gantry-test' && f.operation === 'Apply'),
    ).toBe(true);
    const table = await ok(['get', 'deployment', 'web']);
    expect(table).toMatch(/^web\s+3\/3\s+3\s+3\s+/m);
    const svc = await json<{
      spec: { clusterIP: string; ports: { port: number; targetPort: number; protocol: string }[] };
    }>(['get', 'service', 'web']);
    expect(svc.spec.ports[0]).toMatchObject({ port: 80, targetPort: 8080, protocol: 'TCP' });
    expect(svc.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  test('a second apply that changes nothing keeps the generation; kubectl logs shows the container output', async () => {
    const before = await json<Deployment>(['get', 'deployment', 'web']);
    await ok([
      'apply',
      '--server-side',
      '--field-manager',
      'gantry-test',
      '-f',
      path.join(work, 'good.yaml'),
    ]);
    const after = await json<Deployment>(['get', 'deployment', 'web']);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    const logs = await kubectl(['logs', 'deployment/web']);
    expect(logs.code).toBe(0);
    if (k8s.standIn) expect(logs.stdout).toContain('listening on :8080');
  });

  test('a bad image: rollout status fails with the progress deadline; old pods stay available', async () => {
    await writeFile(path.join(work, 'bad.yaml'), manifests(k8s.images.bad, 3));
    await ok(['apply', '--server-side', '--field-manager', 'gantry-test', '-f', path.join(work, 'bad.yaml')]);
    const status = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('deployment "web" exceeded its progress deadline');
    const d = await json<Deployment>(['get', 'deployment', 'web']);
    const progressing = d.status.conditions?.find((c) => c.type === 'Progressing');
    expect(progressing).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    // maxUnavailable 25% of 3 rounds down to 0: the old ReplicaSet keeps all 3 pods available.
    expect(d.status.availableReplicas).toBe(3);
    const pods = await json<{
      items: {
        metadata: { name: string };
        status: { containerStatuses?: { state: { waiting?: { reason: string } } }[] };
      }[];
    }>(['get', 'pods', '-l', 'app=web']);
    const waiting = pods.items
      .map((p) => p.status.containerStatuses?.[0]?.state.waiting?.reason)
      .filter(Boolean);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((r) => r === 'ImagePullBackOff' || r === 'ErrImagePull')).toBe(true);
    const events = await ok(['get', 'events', '--field-selector', 'reason=BackOff']);
    expect(events).toMatch(/Back-off pulling image/);
    const badPod = pods.items.find((p) => p.status.containerStatuses?.[0]?.state.waiting)!;
    const logs = await kubectl(['logs', badPod.metadata.name]);
    expect(logs.code).toBe(1);
    expect(logs.stderr).toMatch(/is waiting to start/);
  });

  test('rollout undo restores the previous template and completes; the old ReplicaSet is reused', async () => {
    const undo = await ok(['rollout', 'undo', 'deployment/web']);
    expect(undo).toContain('deployment.apps/web rolled back');
    const status = await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    expect(status).toContain('successfully rolled out');
    const d = await json<Deployment>(['get', 'deployment', 'web']);
    expect(d.spec.template.spec.containers[0]!.image).toBe(k8s.images.good);
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    const rs = await json<RsList>(['get', 'replicasets', '-l', 'app=web']);
    expect(rs.items).toHaveLength(2);
    const active = rs.items.filter((r) => r.spec.replicas > 0);
    expect(active).toHaveLength(1);
    expect(active[0]!.spec.template.spec.containers[0]!.image).toBe(k8s.images.good);
    expect(active[0]!.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    const history = await ok(['rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/^2\s/m);
    expect(history).toMatch(/^3\s/m);
  });

  test('after undo, applying another image conflicts with kubectl-rollout unless forced', async () => {
    await writeFile(path.join(work, 'good2.yaml'), manifests(k8s.images.good2));
    const conflict = await kubectl([
      'apply',
      '--server-side',
      '--field-manager',
      'gantry-test',
      '-f',
      path.join(work, 'good2.yaml'),
    ]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/conflict/i);
    expect(conflict.stderr).toContain('.spec.template.spec.containers[name="web"].image');
    await ok([
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager',
      'gantry-test',
      '-f',
      path.join(work, 'good2.yaml'),
    ]);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const d = await json<Deployment>(['get', 'deployment', 'web']);
    expect(d.spec.template.spec.containers[0]!.image).toBe(k8s.images.good2);
  });

  test('scale through the scale subresource; delete cascades to ReplicaSets and pods', async () => {
    await ok(['scale', 'deployment/web', '--replicas=1']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const d = await json<Deployment>(['get', 'deployment', 'web']);
    expect(d.status.availableReplicas).toBe(1);
    await ok(['delete', 'deployment', 'web', '--wait=true', '--timeout=60s']);
    await ok(['wait', '--for=delete', 'pods', '-l', 'app=web', '--timeout=60s']);
    const rs = await json<RsList>(['get', 'replicasets', '-l', 'app=web']);
    expect(rs.items).toHaveLength(0);
  });

  test('create job + wait for complete + logs; a failing job reaches condition failed', async () => {
    const created = await ok([
      'create',
      'job',
      'migrate',
      `--image=${k8s.images.job}`,
      '--',
      'sh',
      '-c',
      'echo migrated',
    ]);
    expect(created).toContain('job.batch/migrate created');
    await ok(['wait', '--for=condition=complete', 'job/migrate', '--timeout=60s']);
    const logs = await ok(['logs', 'job/migrate']);
    expect(logs).toMatch(k8s.standIn ? /running: sh -c echo migrated/ : /migrated/);
    await ok(['create', 'job', 'migrate-bad', `--image=${k8s.images.crash}`, '--', 'sh', '-c', 'exit 1']);
    await ok(['patch', 'job', 'migrate-bad', '--type=merge', '-p', '{"spec":{"backoffLimit":1}}']);
    await ok(['wait', '--for=condition=failed', 'job/migrate-bad', '--timeout=60s']);
    const job = await json<{ status: { failed?: number; conditions: { type: string; reason: string }[] } }>([
      'get',
      'job',
      'migrate-bad',
    ]);
    expect(job.status.conditions.find((c) => c.type === 'Failed')?.reason).toBe('BackoffLimitExceeded');
    expect(job.status.failed).toBe(2);
  });

  test('rollout status of a StatefulSet and a DaemonSet; set image to a bad one fails the DaemonSet rollout', async () => {
    const sets = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "${k8s.images.good}"}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: "${k8s.images.good}"}]}
`;
    await writeFile(path.join(work, 'sets.yaml'), sets);
    await ok(['apply', '--server-side', '-f', path.join(work, 'sets.yaml')]);
    expect(await ok(['rollout', 'status', 'statefulset/db', '--timeout=60s'])).toMatch(
      /roll(ed)? out|complete/,
    );
    expect(await ok(['rollout', 'status', 'daemonset/agent', '--timeout=60s'])).toContain(
      'daemon set "agent" successfully rolled out',
    );
    await ok(['set', 'image', 'daemonset/agent', `agent=${k8s.images.bad}`]);
    const failed = await kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=5s']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('Waiting for daemon set "agent" rollout to finish');
  });

  test('rollout history and undo --to-revision of a Deployment: revisions on Deployment and ReplicaSets, ReplicaSet annotations kept', async () => {
    const hist = (image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: hist}
spec:
  replicas: 2
  selector: {matchLabels: {app: hist}}
  template:
    metadata: {labels: {app: hist}}
    spec: {containers: [{name: hist, image: "${image}"}]}
`;
    await ok(['apply', '--server-side', '-f', '-'], hist(k8s.images.good));
    await ok(['rollout', 'status', 'deployment/hist', '--timeout=60s']);
    await ok(['annotate', 'replicasets', '-l', 'app=hist', 'gantry.dev/rollout=COMPLETED']);
    await ok(['apply', '--server-side', '-f', '-'], hist(k8s.images.good2));
    await ok(['rollout', 'status', 'deployment/hist', '--timeout=60s']);
    const history = await ok(['rollout', 'history', 'deployment/hist']);
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);
    expect(await ok(['rollout', 'history', 'deployment/hist', '--revision=1'])).toContain(k8s.images.good);
    expect(await ok(['rollout', 'undo', 'deployment/hist', '--to-revision=1'])).toContain('rolled back');
    await ok(['rollout', 'status', 'deployment/hist', '--timeout=60s']);
    const d = await json<Deployment>(['get', 'deployment', 'hist']);
    expect(d.spec.template.spec.containers[0]!.image).toBe(k8s.images.good);
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    const sets = await json<RsList>(['get', 'replicasets', '-l', 'app=hist']);
    const restored = sets.items.find((rs) => rs.spec.template.spec.containers[0]!.image === k8s.images.good);
    expect(restored?.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(restored?.metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(restored?.metadata.annotations['gantry.dev/rollout']).toBe('COMPLETED');
    const after = await ok(['rollout', 'history', 'deployment/hist']);
    expect(after).toMatch(/^2\s/m);
    expect(after).toMatch(/^3\s/m);
    expect(after).not.toMatch(/^1\s/m);
  });

  test('rollout history and undo --to-revision of a StatefulSet (ControllerRevisions); a broken pod must be deleted after the undo', async () => {
    const sts = (image: string): string => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: store}
spec:
  replicas: 2
  serviceName: store
  selector: {matchLabels: {app: store}}
  template:
    metadata: {labels: {app: store}}
    spec: {containers: [{name: store, image: "${image}"}]}
`;
    await ok(['apply', '--server-side', '-f', '-'], sts(k8s.images.good));
    await ok(['rollout', 'status', 'statefulset/store', '--timeout=60s']);
    await ok(['apply', '--server-side', '-f', '-'], sts(k8s.images.good2));
    await ok(['rollout', 'status', 'statefulset/store', '--timeout=60s']);
    const history = await ok(['rollout', 'history', 'statefulset/store']);
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);
    interface Sts {
      spec: { template: { spec: { containers: { image: string }[] } } };
      status: { currentRevision?: string; updateRevision?: string; updatedReplicas?: number };
    }
    const good2 = await json<Sts>(['get', 'statefulset', 'store']);
    expect(good2.status.currentRevision).toBe(good2.status.updateRevision);
    const pods = await json<{ items: { metadata: { labels: Record<string, string> } }[] }>([
      'get',
      'pods',
      '-l',
      'app=store',
    ]);
    expect(pods.items.map((pod) => pod.metadata.labels['controller-revision-hash'])).toEqual([
      good2.status.updateRevision,
      good2.status.updateRevision,
    ]);
    // A bad template: the last pod is replaced and never becomes ready; the rollout stops there.
    await ok(['apply', '--server-side', '-f', '-'], sts(k8s.images.bad));
    const stuck = await kubectl(['rollout', 'status', 'statefulset/store', '--timeout=3s']);
    expect(stuck.code).toBe(1);
    expect(stuck.stdout).toContain('Waiting for 1 pods to be ready...');
    expect(await ok(['rollout', 'undo', 'statefulset/store', '--to-revision=2'])).toContain('rolled back');
    const undone = await json<Sts>(['get', 'statefulset', 'store']);
    expect(undone.spec.template.spec.containers[0]!.image).toBe(k8s.images.good2);
    // OrderedReady waits for the broken pod even after the undo (the documented forced rollback).
    expect((await kubectl(['rollout', 'status', 'statefulset/store', '--timeout=2s'])).code).toBe(1);
    await ok(['delete', 'pod', 'store-1']);
    await ok(['rollout', 'status', 'statefulset/store', '--timeout=60s']);
    const after = await ok(['rollout', 'history', 'statefulset/store']);
    expect(after).toMatch(/^3\s/m);
    expect(after).toMatch(/^4\s/m);
  });

  // Checked against a real kube-apiserver 1.32 built here: the messages and codes below are its own.
  test('an unknown field: server-side apply refuses it always; create refuses it (strict) or warns and drops it', async () => {
    const typo = manifests(k8s.images.good)
      .replace('image:', 'imagee: x\n          image:')
      .replace(/name: web/g, 'name: typo');
    await writeFile(path.join(work, 'typo.yaml'), typo);
    for (const validate of ['--validate=strict', '--validate=warn']) {
      const applied = await kubectl(['apply', '--server-side', validate, '-f', path.join(work, 'typo.yaml')]);
      expect(applied.code).toBe(1);
      expect(applied.stderr).toContain(
        `failed to create typed patch object (${ns}/typo; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="typo"].imagee: field not declared in schema`,
      );
    }
    const strict = await kubectl(['create', '-f', path.join(work, 'typo.yaml')]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagee"',
    );
    await kubectl(['delete', '-f', path.join(work, 'typo.yaml'), '--ignore-not-found']);
    const warn = await kubectl(['create', '--validate=warn', '-f', path.join(work, 'typo.yaml')]);
    expect(warn.code).toBe(0);
    expect(warn.stderr).toContain('Warning: unknown field "spec.template.spec.containers[0].imagee"');
    expect(await ok(['get', 'deployment', 'typo', '-o', 'json'])).not.toContain('imagee');
    await ok(['delete', '-f', path.join(work, 'typo.yaml')]);
  });

  test('create secret and configmap (protobuf bodies), get them back', async () => {
    await ok(['create', 'secret', 'generic', 'db', '--from-literal=password=s3cret']);
    const secret = await json<{ type: string; data: Record<string, string> }>(['get', 'secret', 'db']);
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data.password!, 'base64').toString()).toBe('s3cret');
    await ok(['create', 'configmap', 'settings', '--from-literal=mode=fast']);
    const cm = await json<{ data: Record<string, string> }>(['get', 'configmap', 'settings']);
    expect(cm.data).toEqual({ mode: 'fast' });
  });
});
