/**
 * serviceProxyFetch (shared/src/kubernetes/service-proxy.ts), the transport of smoke-test's Kubernetes
 * mode, on real HTTPS on loopback: against the Kubernetes API stand-in (bearer token, its CA) — redirects
 * followed only inside the Service's proxy path, bodies and statuses as fetch gives them, timeouts and
 * refused connections as fetch reports them — and against a TLS server that requires a client certificate
 * (a kubeconfig with client-certificate-data / client-key-data), whose key is masked.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { maskKubeconfigCredentials } from '../../../shared/src/kubernetes/connection.ts';
import {
  parseServiceReference,
  serviceProblem,
  serviceProxyFetch,
  serviceProxyUrl,
} from '../../../shared/src/kubernetes/service-proxy.ts';
import { startKubernetesStandIn, type KubernetesStandIn } from '../../../testkit/kubernetes-standin/index.ts';
import { freePort } from '../../../testkit/process.ts';
import { startBlackHole } from '../../../testkit/black-hole.ts';

let k8s: KubernetesStandIn;
let backend: Server;
let elsewhere: Server;
let elsewhereHits = 0;
const proxyBase = '/api/v1/namespaces/default/services/web:http/proxy';

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

beforeAll(async () => {
  elsewhere = createServer((_req, res) => {
    elsewhereHits++;
    res.end('elsewhere');
  });
  const elsewherePort = await listen(elsewhere);
  backend = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend');
    if (url.pathname === '/inside') {
      // what the real API server makes of a Service's own redirect: a path under the proxy
      res.writeHead(302, { Location: `${proxyBase}/target?from=inside` }).end();
    } else if (url.pathname === '/outside') {
      res.writeHead(302, { Location: `http://127.0.0.1:${elsewherePort}/steal` }).end();
    } else if (url.pathname === '/api-path') {
      res.writeHead(307, { Location: '/api/v1/namespaces/default/secrets' }).end();
    } else if (url.pathname === '/see-other') {
      res.writeHead(303, { Location: `${proxyBase}/target` }).end();
    } else if (url.pathname === '/empty') {
      res.writeHead(204).end();
    } else if (url.pathname.endsWith('/hang')) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
    } else {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Set-Cookie': ['a=1', 'b=2'] });
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            body,
            auth: req.headers.authorization ?? null,
            smoke: req.headers['x-smoke'] ?? null,
          }),
        );
      });
    }
  });
  const port = await listen(backend);
  k8s = await startKubernetesStandIn();
  k8s.create('services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { ports: [{ name: 'http', port: 80 }] },
  });
  k8s.setServiceBackend('default', 'web', `http://127.0.0.1:${port}`);
});
afterAll(async () => {
  await k8s?.stop();
  backend?.close();
  elsewhere?.close();
});

function standInFetch(): { fetch: ReturnType<typeof serviceProxyFetch>; url: (path: string) => string } {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(k8s.kubeconfigPath);
  const reference = parseServiceReference('web:http', 'kubernetes-service');
  return {
    fetch: serviceProxyFetch(kubeConfig, createCaptureLogger()),
    url: (path) => serviceProxyUrl(k8s.url, reference, 'default', path),
  };
}

describe('serviceProxyFetch through the stand-in', () => {
  test('GET and POST reach the Service with the caller headers; the token reaches the API server only', async () => {
    const { fetch, url } = standInFetch();
    const get = await fetch(url('/echo?x=1'), { headers: { 'X-Smoke': 'yes' }, redirect: 'follow' });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('application/json');
    expect(await get.json()).toEqual({ method: 'GET', url: '/echo?x=1', body: '', auth: null, smoke: 'yes' });
    const post = await fetch(url('/echo'), { method: 'POST', body: '{"ping":1}', redirect: 'follow' });
    expect(await post.json()).toMatchObject({ method: 'POST', body: '{"ping":1}' });
    const seen = k8s.requests.filter((r) => r.path === `${proxyBase}/echo`);
    expect(seen.length).toBe(2);
  });

  test("a redirect inside the Service's proxy path is followed; 303 turns a POST into a GET", async () => {
    const { fetch, url } = standInFetch();
    const followed = await fetch(url('/inside'), { redirect: 'follow' });
    expect(followed.status).toBe(200);
    expect(await followed.json()).toMatchObject({ url: '/target?from=inside' });
    const seeOther = await fetch(url('/see-other'), { method: 'POST', body: 'x', redirect: 'follow' });
    expect(await seeOther.json()).toMatchObject({ method: 'GET', url: '/target', body: '' });
  });

  test('a redirect elsewhere (another host, another API path) is returned as it is, never followed', async () => {
    const { fetch, url } = standInFetch();
    const before = elsewhereHits;
    const outside = await fetch(url('/outside'), { redirect: 'follow' });
    expect(outside.status).toBe(302);
    expect(outside.headers.get('location')).toMatch(/\/steal$/);
    expect(elsewhereHits).toBe(before);
    const secrets = await fetch(url('/api-path'), { redirect: 'follow' });
    expect(secrets.status).toBe(307);
    expect(k8s.requests.some((r) => r.path === '/api/v1/namespaces/default/secrets')).toBe(false);
  });

  test('204 has a null body; an answer that never ends is cut by the signal with its reason', async () => {
    const { fetch, url } = standInFetch();
    const empty = await fetch(url('/empty'), { redirect: 'follow' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    // the stand-in's proxy waits for the whole body, so the signal fires before the headers arrive
    const error = await fetch(url('/hang'), { redirect: 'follow', signal: AbortSignal.timeout(300) })
      .then((response) => response.text())
      .then(
        () => undefined,
        (thrown: unknown) => thrown as Error,
      );
    expect(error?.name).toBe('TimeoutError');
  });

  test('a body that stops after the headers is cut by the signal, with its reason (a TimeoutError)', async () => {
    // straight to a server that sends headers and then nothing (plain http, insecure-skip-tls-verify)
    const kubeConfig = new KubeConfig();
    const server = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'unused' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const url = serviceProxyUrl(server, parseServiceReference('web', 'x'), 'default', '/hang');
    const response = await serviceProxyFetch(kubeConfig, createCaptureLogger())(url, {
      redirect: 'follow',
      signal: AbortSignal.timeout(300),
    });
    expect(response.status).toBe(200);
    const error = await response.text().then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    expect(error?.name).toBe('TimeoutError');
  });

  test('the API server answering itself: a Status body with its code', async () => {
    const { fetch } = standInFetch();
    const reference = parseServiceReference('web:nope', 'kubernetes-service');
    const answer = await fetch(serviceProxyUrl(k8s.url, reference, 'default', '/'), { redirect: 'follow' });
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({
      kind: 'Status',
      message: 'no endpoints available for service "web:nope"',
    });
  });

  test('a refused connection rejects as fetch does (TypeError with cause.code)', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(k8s.kubeconfigPath);
    const port = await freePort();
    const reference = parseServiceReference('web', 'kubernetes-service');
    const error = await serviceProxyFetch(kubeConfig, createCaptureLogger())(
      serviceProxyUrl(`https://127.0.0.1:${port}`, reference, 'default', '/'),
      { redirect: 'follow' },
    ).then(
      () => undefined,
      (thrown: unknown) => thrown as TypeError & { cause?: { code?: string } },
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.cause?.code).toBe('ECONNREFUSED');
  });
});

describe('serviceProblem reads the Service before the checks', () => {
  const problem = (text: string, kubeConfig?: KubeConfig, timeoutMs = 5_000): Promise<string | undefined> => {
    const config = kubeConfig ?? new KubeConfig();
    if (kubeConfig === undefined) config.loadFromFile(k8s.kubeconfigPath);
    return serviceProblem(config, parseServiceReference(text, 'kubernetes-service'), 'default', timeoutMs);
  };
  test('a port it has: none; a port it lacks, or no port for named ports: said at once; no Service: said', async () => {
    expect(await problem('web:http')).toBeUndefined();
    expect(await problem('default/web:80')).toBeUndefined();
    expect(await problem('web:nope')).toBe('the Service has no port "nope" (its ports: http (80))');
    expect(await problem('web')).toMatch(/^the Service's ports are named, so name one/);
    expect(await problem('missing:http')).toBe('the Service "default/missing" does not exist');
  });
  test('a Service that cannot be read (forbidden, no answer in time): no problem, the checks run', async () => {
    const forbidden = new KubeConfig();
    forbidden.loadFromString(
      readFileSync(k8s.kubeconfigPath, 'utf8').replace(/token: \S+/, 'token: not-the-token'),
    );
    expect(await problem('web:nope', forbidden)).toBeUndefined();
    const hole = await startBlackHole();
    try {
      const silent = new KubeConfig();
      silent.loadFromOptions({
        clusters: [{ name: 'c', server: hole.url, skipTLSVerify: true }],
        users: [{ name: 'u', token: 't' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      expect(await problem('web:nope', silent, 300)).toBeUndefined();
    } finally {
      await hole.stop();
    }
  });
});

describe('serviceProxyFetch with a client certificate', () => {
  let dir: string;
  let tls: ReturnType<typeof createHttpsServer>;
  let kubeconfig: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gantry-client-cert-'));
    const openssl = (args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    };
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      'server.key',
      '-out',
      'server.crt',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      'client.key',
      '-out',
      'client.crt',
      '-subj',
      '/CN=gantry-smoke/O=system:masters',
    ]);
    const read = (file: string): Buffer => readFileSync(path.join(dir, file));
    tls = createHttpsServer(
      {
        key: read('server.key'),
        cert: read('server.crt'),
        ca: read('client.crt'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({ cn: peer.subject?.CN, path: req.url, auth: req.headers.authorization ?? null }),
        );
      },
    );
    const port = await new Promise<number>((resolve) =>
      tls.listen(0, '127.0.0.1', () => resolve((tls.address() as AddressInfo).port)),
    );
    const b64 = (file: string): string => read(file).toString('base64');
    kubeconfig = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:${port}", certificate-authority-data: ${b64('server.crt')} } }]
users: [{ name: u, user: { client-certificate-data: ${b64('client.crt')}, client-key-data: ${b64('client.key')} } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;
  });
  afterAll(() => {
    tls?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the client certificate is presented; no Authorization; the key is masked', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kubeconfig);
    const logger = createCaptureLogger();
    maskKubeconfigCredentials(kubeConfig, logger);
    const keyData = kubeConfig.getCurrentUser()?.keyData ?? '';
    logger.info(`key ${keyData}`);
    expect(keyData.length).toBeGreaterThan(100);
    expect(logger.text()).toContain('key ***');
    expect(logger.text()).not.toContain(keyData);
    const server = kubeConfig.getCurrentCluster()?.server ?? '';
    const url = serviceProxyUrl(
      server,
      parseServiceReference('staging/web:8080', 'x'),
      'default',
      '/healthz',
    );
    const answer = await serviceProxyFetch(kubeConfig, logger)(url, { redirect: 'follow' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      cn: 'gantry-smoke',
      path: '/api/v1/namespaces/staging/services/web:8080/proxy/healthz',
      auth: null,
    });
  });

  test('without the client certificate the server refuses the handshake: a TypeError, as fetch', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(
      kubeconfig.replace(/client-certificate-data: \S+, client-key-data: \S+/, 'token: t0ken-value'),
    );
    const server = kubeConfig.getCurrentCluster()?.server ?? '';
    const url = serviceProxyUrl(server, parseServiceReference('web', 'x'), 'default', '/');
    const error = await serviceProxyFetch(kubeConfig, createCaptureLogger())(url, {
      redirect: 'follow',
    }).then(
      async (response) => {
        await response.text();
        return undefined;
      },
      (thrown: unknown) => thrown as Error,
    );
    expect(error).toBeInstanceOf(TypeError);
  });
});
