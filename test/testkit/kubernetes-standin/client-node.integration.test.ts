/**
 * Fidelity check of the Kubernetes API stand-in with the official JavaScript client (@kubernetes/client-node,
 * the client Gantry's Kubernetes adapter uses): server-side apply through KubernetesObjectApi.patch, watches
 * through Watch (ADDED/MODIFIED, resume from a resourceVersion, timeoutSeconds), Status errors, pod logs,
 * Jobs, the service proxy, CrashLoopBackOff and Recreate. With GANTRY_TEST_KUBECONFIG set, the same tests
 * run against that real cluster; checks that need the stand-in's handles say so with `k8s.handle`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { kubernetesForTests, type KubernetesForTests } from '../../../testkit/kubernetes-standin/index.ts';

let cluster: KubernetesForTests;
let kc: k8s.KubeConfig;
let objects: k8s.KubernetesObjectApi;
let apps: k8s.AppsV1Api;
let core: k8s.CoreV1Api;
let batch: k8s.BatchV1Api;
const ns = `gantry-client-${Date.now().toString(36)}`;
const standIn = !process.env.GANTRY_TEST_KUBECONFIG;

function deployment(
  name: string,
  image: string,
  extra: Partial<k8s.V1DeploymentSpec> = {},
): k8s.V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      replicas: 2,
      progressDeadlineSeconds: 4,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
      ...extra,
    },
  };
}

/** kubectl rollout status's rule (kubectl/pkg/polymorphichelpers/rollout_status.go) on a Deployment. */
function rolloutDone(d: k8s.V1Deployment): 'done' | 'waiting' | 'deadline' {
  if ((d.metadata?.generation ?? 0) > (d.status?.observedGeneration ?? 0)) return 'waiting';
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return 'deadline';
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.updatedReplicas ?? 0) < want) return 'waiting';
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0)) return 'waiting';
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0)) return 'waiting';
  return 'done';
}

/** Watches one Deployment until rolloutDone says done or deadline; returns the verdict and event types seen. */
async function watchRollout(name: string, timeoutMs = 60_000): Promise<{ verdict: string; types: string[] }> {
  const types: string[] = [];
  const watch = new k8s.Watch(kc);
  return new Promise((resolve, reject) => {
    let controller: AbortController | undefined;
    const timer = setTimeout(() => {
      controller?.abort();
      reject(new Error(`rollout of ${name} not finished in ${timeoutMs} ms`));
    }, timeoutMs);
    watch
      .watch(
        `/apis/apps/v1/namespaces/${ns}/deployments`,
        { fieldSelector: `metadata.name=${name}` },
        (type, obj: k8s.V1Deployment) => {
          types.push(type);
          const verdict = rolloutDone(obj);
          if (verdict !== 'waiting') {
            clearTimeout(timer);
            controller?.abort();
            resolve({ verdict, types });
          }
        },
        (err) => {
          if (err && (err as Error).name !== 'AbortError') {
            clearTimeout(timer);
            reject(err as Error);
          }
        },
      )
      .then((c) => (controller = c), reject);
  });
}

async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  until: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (until(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function statusOf(error: unknown): {
  code?: number;
  body: { reason?: string; message?: string; details?: { causes?: { field?: string }[] } };
} {
  const e = error as { code?: number; body?: unknown };
  const body = typeof e.body === 'string' ? (JSON.parse(e.body) as object) : ((e.body ?? {}) as object);
  return { code: e.code, body };
}

beforeAll(async () => {
  // Job pods run 800 ms on the stand-in, so a log follow starts while the pod runs.
  cluster = await kubernetesForTests({ podStartDelayMs: 150, crashLoopRestartMs: 300, jobPodRunMs: 800 });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  core = kc.makeApiClient(k8s.CoreV1Api);
  batch = kc.makeApiClient(k8s.BatchV1Api);
  await core.createNamespace({ body: { metadata: { name: ns } } });
});

afterAll(async () => {
  if (core) await core.deleteNamespace({ name: ns }).catch(() => undefined);
  await cluster?.stop();
});

describe('@kubernetes/client-node against the Kubernetes stand-in', () => {
  test('server-side apply creates a Deployment owned by the field manager; a Watch follows it to done', async () => {
    const applied = await objects.patch(
      deployment('api', cluster.images.good),
      undefined,
      undefined,
      'gantry',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect(applied.metadata?.managedFields?.find((f) => f.manager === 'gantry')?.operation).toBe('Apply');
    const { verdict, types } = await watchRollout('api');
    expect(verdict).toBe('done');
    expect(types[0]).toBe('ADDED');
    const d = await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    expect(d.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe(
      'NewReplicaSetAvailable',
    );
    const rs = await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=api' });
    expect(rs.items).toHaveLength(1);
    const hash = rs.items[0]!.metadata?.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[a-z0-9]+$/);
    expect(rs.items[0]!.metadata?.name).toBe(`api-${hash}`);
    const pods = await core.listNamespacedPod({
      namespace: ns,
      labelSelector: `app=api,pod-template-hash=${hash}`,
    });
    expect(pods.items).toHaveLength(2);
    expect(
      pods.items.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
    ).toBe(true);
  });

  test('a rolling update with a bad image: the Watch sees ProgressDeadlineExceeded; old pods stay', async () => {
    await objects.patch(
      deployment('api', cluster.images.bad),
      undefined,
      undefined,
      'gantry',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    const { verdict } = await watchRollout('api');
    expect(verdict).toBe('deadline');
    const d = await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    // 2 replicas, maxUnavailable 25% → 0: both old pods stay available.
    expect(d.status?.availableReplicas).toBe(2);
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
  });

  test('watch resumes from a resourceVersion and ends at timeoutSeconds', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    const rv = list.metadata?.resourceVersion ?? '';
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'one' }, data: { a: '1' } },
    });
    await core.patchNamespacedConfigMap(
      { name: 'one', namespace: ns, body: { data: { a: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: 'one', namespace: ns });
    const seen: string[] = [];
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      new k8s.Watch(kc)
        .watch(
          `/api/v1/namespaces/${ns}/configmaps`,
          { resourceVersion: rv, timeoutSeconds: 1 },
          (type, obj: k8s.V1ConfigMap) => seen.push(`${type} ${obj.metadata?.name} ${obj.data?.a}`),
          (err) => (err && (err as Error).name !== 'AbortError' ? reject(err as Error) : resolve()),
        )
        .catch(reject);
    });
    expect(seen).toEqual(['ADDED one 1', 'MODIFIED one 2', 'DELETED one 2']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  test('errors are Status objects: 404 NotFound, 409 AlreadyExists, 422 Invalid, 409 apply conflict', async () => {
    const missing = await apps
      .readNamespacedDeployment({ name: 'nope', namespace: ns })
      .catch((e: unknown) => e);
    expect(statusOf(missing)).toMatchObject({
      code: 404,
      body: { reason: 'NotFound', message: 'deployments.apps "nope" not found' },
    });
    const again = await apps
      .createNamespacedDeployment({ namespace: ns, body: deployment('api', cluster.images.good) })
      .catch((e: unknown) => e);
    expect(statusOf(again)).toMatchObject({ code: 409, body: { reason: 'AlreadyExists' } });
    const bad = deployment('mismatch', cluster.images.good);
    bad.spec!.selector = { matchLabels: { app: 'other' } };
    const invalid = await apps
      .createNamespacedDeployment({ namespace: ns, body: bad })
      .catch((e: unknown) => e);
    const s = statusOf(invalid);
    expect(s).toMatchObject({ code: 422, body: { reason: 'Invalid' } });
    expect(s.body.details?.causes?.map((c) => c.field)).toContain('spec.template.metadata.labels');
    // another manager takes the image; an apply of a different image without force conflicts
    await apps.patchNamespacedDeployment(
      {
        name: 'api',
        namespace: ns,
        fieldManager: 'someone-else',
        body: {
          spec: { template: { spec: { containers: [{ name: 'main', image: cluster.images.good2 }] } } },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    const conflict = await objects
      .patch(
        deployment('api', cluster.images.good),
        undefined,
        undefined,
        'gantry',
        false,
        k8s.PatchStrategy.ServerSideApply,
      )
      .catch((e: unknown) => e);
    const c = statusOf(conflict);
    expect(c).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
    expect(c.body.message).toContain('someone-else');
    await objects.patch(
      deployment('api', cluster.images.good),
      undefined,
      undefined,
      'gantry',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect((await watchRollout('api')).verdict).toBe('done');
  });

  test('pod logs, a Job that completes and a Job that fails', async () => {
    const pods = await core.listNamespacedPod({
      namespace: ns,
      labelSelector: 'app=api',
      fieldSelector: 'status.phase=Running',
    });
    expect(pods.items.length).toBeGreaterThan(0);
    const log = await core.readNamespacedPodLog({ name: pods.items[0]!.metadata!.name!, namespace: ns });
    expect(typeof log).toBe('string');
    const job = (name: string, image: string, script: string): k8s.V1Job => ({
      metadata: { name },
      spec: {
        backoffLimit: 1,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'migrate', image, command: ['sh', '-c', script] }],
          },
        },
      },
    });
    await batch.createNamespacedJob({
      namespace: ns,
      body: job('migrate', cluster.images.job, 'echo migrated'),
    });
    await batch.createNamespacedJob({
      namespace: ns,
      body: job('migrate-bad', cluster.images.crash, 'exit 1'),
    });
    const finished = (j: k8s.V1Job): string | undefined =>
      j.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')
        ?.type;
    const good = await waitFor(
      'job migrate',
      () => batch.readNamespacedJob({ name: 'migrate', namespace: ns }),
      (j) => !!finished(j),
    );
    expect(finished(good)).toBe('Complete');
    expect(good.status?.succeeded).toBe(1);
    const failed = await waitFor(
      'job migrate-bad',
      () => batch.readNamespacedJob({ name: 'migrate-bad', namespace: ns }),
      (j) => !!finished(j),
    );
    expect(finished(failed)).toBe('Failed');
    expect(failed.status?.conditions?.find((c) => c.type === 'Failed')?.reason).toBe('BackoffLimitExceeded');
    const jobPods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'job-name=migrate' });
    const jobLog = await core.readNamespacedPodLog({
      name: jobPods.items[0]!.metadata!.name!,
      namespace: ns,
    });
    expect(jobLog).toMatch(cluster.standIn ? /running: sh -c echo migrated/ : /migrated/);
  });

  test('Log follows a Job pod until it exits; an informer sees the Job complete', async () => {
    const informer = k8s.makeInformer(kc, `/apis/batch/v1/namespaces/${ns}/jobs`, () =>
      batch.listNamespacedJob({ namespace: ns }),
    );
    const completed = new Promise<string>((resolve) => {
      informer.on('update', (j: k8s.V1Job) => {
        if (j.metadata?.name === 'follow' && j.status?.conditions?.some((c) => c.type === 'Complete'))
          resolve('Complete');
      });
    });
    await informer.start();
    await batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: { name: 'follow' },
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'step',
                  image: cluster.images.job,
                  command: ['sh', '-c', 'echo step-one; sleep 1; echo step-two'],
                },
              ],
            },
          },
        },
      },
    });
    const pod = await waitFor(
      'the follow pod to run',
      () => core.listNamespacedPod({ namespace: ns, labelSelector: 'job-name=follow' }),
      (l) => l.items[0]?.status?.phase === 'Running',
    );
    let text = '';
    const { PassThrough } = await import('node:stream');
    const { finished } = await import('node:stream/promises');
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => (text += c.toString()));
    // client-node 2.0.1's Log never calls its `done` callback: the end of the piped stream is the signal.
    await new k8s.Log(kc).log(ns, pod.items[0]!.metadata!.name!, 'step', sink, { follow: true });
    await finished(sink);
    expect(text).toMatch(cluster.standIn ? /exit 0\n$/ : /step-two\n$/);
    expect(await completed).toBe('Complete');
    await informer.stop();
  });

  test('a crashing image: CrashLoopBackOff with restarts and BackOff events', async () => {
    await objects.patch(
      deployment('crashy', cluster.images.crash, { replicas: 1 }),
      undefined,
      undefined,
      'gantry',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    const pods = await waitFor(
      'a restarted crashy pod',
      () => core.listNamespacedPod({ namespace: ns, labelSelector: 'app=crashy' }),
      (l) => (l.items[0]?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2,
    );
    const pod = pods.items[0]!;
    const cs = pod.status!.containerStatuses![0]!;
    expect(cs.ready).toBe(false);
    expect(cs.lastState?.terminated).toBeDefined();
    const previous = await core.readNamespacedPodLog({
      name: pod.metadata!.name!,
      namespace: ns,
      previous: true,
      tailLines: 1,
      limitBytes: 16_384,
    });
    // busybox (the real-cluster crash image) exits without output; the stand-in's crash logs a panic line.
    expect(previous.split('\n').filter(Boolean)).toHaveLength(cluster.standIn ? 1 : 0);
    if (cluster.standIn) expect(previous).toMatch(/^panic: cannot start/);
    const events = await core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: `involvedObject.name=${pod.metadata!.name}`,
    });
    expect(
      events.items.some(
        (e) => e.reason === 'BackOff' && /Back-off restarting failed container/.test(e.message ?? ''),
      ),
    ).toBe(true);
  });

  test('Recreate: all old pods go before new ones start', async () => {
    const spec = { replicas: 2, strategy: { type: 'Recreate' } } as Partial<k8s.V1DeploymentSpec>;
    await objects.patch(
      deployment('batchy', cluster.images.good, spec),
      undefined,
      undefined,
      'gantry',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect((await watchRollout('batchy')).verdict).toBe('done');
    const overlap: number[] = [];
    const watch = new k8s.Watch(kc);
    const pods = new Map<string, string>();
    const controller = await watch.watch(
      `/api/v1/namespaces/${ns}/pods`,
      { labelSelector: 'app=batchy' },
      (type, pod: k8s.V1Pod) => {
        const hash = pod.metadata?.labels?.['pod-template-hash'] ?? '';
        if (type === 'DELETED') pods.delete(pod.metadata!.name!);
        else pods.set(pod.metadata!.name!, hash);
        overlap.push(new Set(pods.values()).size);
      },
      () => undefined,
    );
    await objects.patch(
      deployment('batchy', cluster.images.good2, spec),
      undefined,
      undefined,
      'gantry',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect((await watchRollout('batchy')).verdict).toBe('done');
    controller.abort();
    expect(overlap.length).toBeGreaterThan(0);
    expect(Math.max(...overlap)).toBe(1);
  });

  // A real cluster proxies to real pods; naming the backend is the stand-in's hook.
  test.skipIf(!standIn)('service proxy forwards to the backend the test names; none → 503', async () => {
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'api' },
        spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    if (!cluster.handle) throw new Error('the stand-in is running, so its handle is there');
    const none = await core
      .connectGetNamespacedServiceProxyWithPath({ name: 'api', namespace: ns, path: 'healthz' })
      .catch((e: unknown) => e);
    expect(statusOf(none).code).toBe(503);
    const backend: Server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`backend saw ${req.method} ${req.url}`);
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    try {
      cluster.handle.setServiceBackend(
        ns,
        'api',
        `http://127.0.0.1:${(backend.address() as AddressInfo).port}`,
      );
      const answer = await core.connectGetNamespacedServiceProxyWithPath({
        name: 'api',
        namespace: ns,
        path: 'healthz',
      });
      expect(answer).toBe('backend saw GET /healthz');
      expect(
        cluster.handle.requests.some((r) => r.path === `/api/v1/namespaces/${ns}/services/api/proxy/healthz`),
      ).toBe(true);
    } finally {
      backend.close();
    }
  });
});
