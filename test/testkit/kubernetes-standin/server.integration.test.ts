/**
 * The Kubernetes API stand-in's own handles and edges, over real HTTPS on loopback: the bearer token, watch
 * expiry (410), injected faults, the proxy annotation, the request log, Table output, the kubeconfig file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import {
  PROXY_TARGET_ANNOTATION,
  startKubernetesStandIn,
  type KubernetesStandIn,
} from '../../../testkit/kubernetes-standin/index.ts';

let k8s: KubernetesStandIn;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(
  method: string,
  path: string,
  opts: { token?: string; body?: string; contentType?: string; accept?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${k8s.url}${path}`,
      {
        method,
        ca: k8s.caPem,
        headers: {
          ...(opts.token !== '' ? { Authorization: `Bearer ${opts.token ?? k8s.token}` } : {}),
          ...(opts.body !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json' } : {}),
          ...(opts.accept ? { Accept: opts.accept } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

beforeAll(async () => {
  k8s = await startKubernetesStandIn({ podStartDelayMs: 50, namespaces: ['apps'] });
});
afterAll(async () => {
  await k8s?.stop();
});

describe('Kubernetes stand-in server', () => {
  test('the kubeconfig is 0600 and names the https server, its CA and the token', () => {
    expect(statSync(k8s.kubeconfigPath).mode & 0o777).toBe(0o600);
    const config = parse(k8s.kubeconfig) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { user: { token: string } }[];
    };
    expect(config.clusters[0]!.cluster.server).toBe(k8s.url);
    expect(k8s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString()).toBe(
      k8s.caPem,
    );
    expect(config.users[0]!.user.token).toBe(k8s.token);
  });

  test('without the token: 401 Status; /version needs none', async () => {
    const denied = await call('GET', '/api/v1/namespaces', { token: 'wrong' });
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await call('GET', '/version', { token: '' })).status).toBe(200);
  });

  test('authenticate replaces the token check (e.g. for an EKS k8s-aws-v1. token)', async () => {
    const eks = await startKubernetesStandIn({ authenticate: (t) => t.startsWith('k8s-aws-v1.') });
    const saved = k8s;
    try {
      k8s = eks;
      expect((await call('GET', '/api/v1/namespaces', { token: 'k8s-aws-v1.aHR0cHM6Ly9zdHM' })).status).toBe(
        200,
      );
      expect((await call('GET', '/api/v1/namespaces', { token: eks.token })).status).toBe(401);
    } finally {
      k8s = saved;
      await eks.stop();
    }
  });

  test('a namespace that does not exist is a 404; a wrong namespace in the body a 400', async () => {
    const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    const missing = await call('POST', '/api/v1/namespaces/nope/configmaps', { body: cm });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).message).toBe('namespaces "nope" not found');
    const mismatch = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'default' },
    });
    expect((await call('POST', '/api/v1/namespaces/apps/configmaps', { body: mismatch })).status).toBe(400);
    const stale = await call('POST', '/api/v1/namespaces/apps/configmaps', { body: cm });
    expect(stale.status).toBe(201);
    const created = JSON.parse(stale.body) as { metadata: { resourceVersion: string } };
    const update = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', resourceVersion: '1' },
      data: { a: 'b' },
    });
    const conflict = await call('PUT', '/api/v1/namespaces/apps/configmaps/x', { body: update });
    expect(conflict.status).toBe(409);
    expect(JSON.parse(conflict.body).reason).toBe('Conflict');
    const fresh = update.replace(
      '"resourceVersion":"1"',
      `"resourceVersion":"${created.metadata.resourceVersion}"`,
    );
    expect((await call('PUT', '/api/v1/namespaces/apps/configmaps/x', { body: fresh })).status).toBe(200);
  });

  test('apply without fieldManager is 422; apply creates (201) then updates (200)', async () => {
    const doc = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: v\n';
    const ct = 'application/apply-patch+yaml';
    expect(
      (await call('PATCH', '/api/v1/namespaces/apps/configmaps/applied', { body: doc, contentType: ct }))
        .status,
    ).toBe(422);
    expect(
      (
        await call('PATCH', '/api/v1/namespaces/apps/configmaps/applied?fieldManager=t', {
          body: doc,
          contentType: ct,
        })
      ).status,
    ).toBe(201);
    const again = await call('PATCH', '/api/v1/namespaces/apps/configmaps/applied?fieldManager=t', {
      body: doc.replace('k: v', 'k: w'),
      contentType: ct,
    });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body).data).toEqual({ k: 'w' });
  });

  test('a watch from a resourceVersion older than the history kept ends with a 410 Expired ERROR event', async () => {
    for (let i = 0; i < 3; i++)
      k8s.create('configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `c${i}`, namespace: 'apps' },
      });
    const answer = await call('GET', '/api/v1/namespaces/apps/configmaps?watch=true&resourceVersion=-5');
    const event = JSON.parse(answer.body.trim()) as {
      type: string;
      object: { code: number; reason: string };
    };
    expect(event.type).toBe('ERROR');
    expect(event.object).toMatchObject({ code: 410, reason: 'Expired' });
  });

  test('a watch by label sees an object leave the selection as DELETED; bookmarks when asked for', async () => {
    const watching = call(
      'GET',
      '/api/v1/namespaces/apps/configmaps?watch=true&labelSelector=team%3Da&allowWatchBookmarks=true&timeoutSeconds=2',
    );
    await new Promise((r) => setTimeout(r, 200));
    k8s.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'teamed', namespace: 'apps', labels: { team: 'a' } },
    });
    const relabel = await call('PATCH', '/api/v1/namespaces/apps/configmaps/teamed', {
      body: JSON.stringify({ metadata: { labels: { team: 'b' } } }),
      contentType: 'application/merge-patch+json',
    });
    expect(relabel.status).toBe(200);
    const events = (await watching).body
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { type: string; object: { metadata: { name?: string; resourceVersion: string } } },
      );
    expect(
      events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata.name}`),
    ).toEqual(['ADDED teamed', 'DELETED teamed']);
    const bookmark = events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark?.object.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  test('injected faults answer first, with Retry-After; then the real answer', async () => {
    k8s.injectFault({
      method: 'GET',
      path: '/apis/apps/v1/namespaces/apps/deployments',
      status: 429,
      retryAfterSeconds: 2,
      times: 2,
    });
    const first = await call('GET', '/apis/apps/v1/namespaces/apps/deployments');
    const second = await call('GET', '/apis/apps/v1/namespaces/apps/deployments');
    const third = await call('GET', '/apis/apps/v1/namespaces/apps/deployments');
    expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
    expect(first.headers['retry-after']).toBe('2');
    expect(JSON.parse(first.body)).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
  });

  test('the proxy annotation names the backend; only loopback; the request log records the calls', async () => {
    const backend: Server = createServer((req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Backend': 'yes' });
      req.pipe(res);
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (backend.address() as AddressInfo).port;
      const svc = (name: string, target: string): string =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, annotations: { [PROXY_TARGET_ANNOTATION]: target } },
          spec: { ports: [{ port: 80 }] },
        });
      await call('POST', '/api/v1/namespaces/apps/services', {
        body: svc('echo', `http://127.0.0.1:${port}/base`),
      });
      const echoed = await call('POST', '/api/v1/namespaces/apps/services/http:echo:80/proxy/hook?x=1', {
        body: '{"ping":1}',
      });
      expect(echoed.status).toBe(201);
      expect(echoed.headers['x-backend']).toBe('yes');
      expect(echoed.body).toBe('{"ping":1}');
      await call('POST', '/api/v1/namespaces/apps/services', { body: svc('far', 'http://192.0.2.1:80') });
      expect((await call('GET', '/api/v1/namespaces/apps/services/far/proxy/')).status).toBe(503);
      const logged = k8s.requests.filter((r) =>
        r.path.startsWith('/api/v1/namespaces/apps/services/http:echo:80/proxy'),
      );
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ method: 'POST', query: { x: '1' } });
    } finally {
      backend.close();
    }
  });

  test('Table output for kubectl get; JSON lists carry no kind on items', async () => {
    const table = await call('GET', '/api/v1/namespaces/apps/configmaps', {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    const parsed = JSON.parse(table.body) as {
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    };
    expect(parsed.kind).toBe('Table');
    expect(parsed.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(parsed.rows.map((r) => r.cells[0])).toContain('applied');
    const list = JSON.parse((await call('GET', '/api/v1/namespaces/apps/configmaps')).body) as {
      kind: string;
      items: Record<string, unknown>[];
    };
    expect(list.kind).toBe('ConfigMapList');
    expect(list.items[0]!.kind).toBeUndefined();
  });
});
