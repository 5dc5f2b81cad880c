/**
 * smoke-test's Kubernetes mode, run as the runner runs it (the built bundle), against the Kubernetes API
 * stand-in (or the real cluster GANTRY_TEST_KUBECONFIG names): a real HTTP service behind a Service —
 * on the stand-in a Node server on loopback (the Service's proxy-target annotation), on a real cluster a
 * pod running the same routes in Python — checked through the API server's service proxy. Passing checks
 * (port by name and by number, path and query forwarded, Authorization not), a 500 from the Service, a
 * Service with no endpoints (the API server's answer named), a port name the Service lacks and a missing
 * Service (failed at once, from the Service's ports); the kubeconfig's token never printed; bad input
 * refused before any connection. Fidelity: the real `kubectl get --raw …/proxy/…` gets the same answers.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SmokeResult } from '../../../shared/src/smoke.ts';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { PROXY_TARGET_ANNOTATION } from '../../../testkit/kubernetes-standin/index.ts';
import { startTestCluster, type TestCluster } from '../../shared/kubernetes/cluster.ts';

/** The routes of the Service behind the proxy, the same on loopback (Node) and in a pod (Python). */
const PYTHON_SERVICE = `
import http.server, json
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/healthz": code, body = 200, json.dumps({"status": "ok"})
        elif path == "/fail": code, body = 500, "boom"
        elif path == "/echo": code, body = 200, json.dumps({"path": self.path, "authorization": self.headers.get("Authorization")})
        else: code, body = 404, "not found"
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json" if code == 200 else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
http.server.HTTPServer(("", 8080), H).serve_forever()
`;
const REAL_CLUSTER_HTTP_IMAGE = 'python:3.13-alpine';

function startLoopbackService(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://service');
    const [code, body] =
      url.pathname === '/healthz'
        ? [200, JSON.stringify({ status: 'ok' })]
        : url.pathname === '/fail'
          ? [500, 'boom']
          : url.pathname === '/echo'
            ? [200, JSON.stringify({ path: req.url, authorization: req.headers.authorization ?? null })]
            : [404, 'not found'];
    res.writeHead(code, { 'Content-Type': code === 200 ? 'application/json' : 'text/plain' });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** `web` (port `http` 80 → 8080, backed by the service) and `idle` (same port, no pod behind it). */
function manifests(namespace: string, backend: string): string {
  const service = (name: string, app: string, annotate: boolean): string => `---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
${annotate ? `  annotations: { ${PROXY_TARGET_ANNOTATION}: "${backend}" }\n` : ''}spec:
  selector: { app: ${app} }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
`;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
spec:
  replicas: 1
  selector: { matchLabels: { app: smoke-web } }
  template:
    metadata: { labels: { app: smoke-web } }
    spec:
      containers:
        - name: web
          image: ${REAL_CLUSTER_HTTP_IMAGE}
          command: ["python3", "-c", ${JSON.stringify(PYTHON_SERVICE)}]
          ports: [{ containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /healthz, port: 8080 }, periodSeconds: 1 }
${service('web', 'smoke-web', true)}${service('idle', 'nothing-runs-this', false)}`;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let cluster: TestCluster;
let service: Server;
let runnerTemp: string;
let cacheDir: string;

/** The real kubectl (no --request-timeout: it would add `timeout=` to a raw request's query). */
function kubectl(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      ['--cache-dir', cacheDir, ...args],
      { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath }, timeout: 150_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

beforeAll(async () => {
  cluster = await startTestCluster();
  service = await startLoopbackService();
  runnerTemp = mkdtempSync(path.join(tmpdir(), 'gantry-runner-temp-'));
  cacheDir = mkdtempSync(path.join(tmpdir(), 'gantry-kubectl-cache-'));
  const backend = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  const apply = await kubectl(['apply', '-f', '-'], manifests(cluster.namespace, backend));
  expect(apply.code, apply.stderr).toBe(0);
  const rollout = await kubectl([
    'rollout',
    'status',
    'deployment/web',
    '-n',
    cluster.namespace,
    '--timeout=120s',
  ]);
  expect(rollout.code, rollout.stderr).toBe(0);
});
afterAll(async () => {
  await cluster?.stop();
  service?.close();
  rmSync(runnerTemp, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
});

const fast = { timeout: '30s', 'retry-delay': '100ms', 'request-timeout': '5s' };

async function smoke(inputs: Record<string, string>): Promise<{
  run: Awaited<ReturnType<typeof runBundle>>;
  results: Map<string, SmokeResult>;
}> {
  const run = await runBundle('smoke-test', {
    inputs: { kubeconfig: cluster.kubeconfig, ...fast, ...inputs },
    env: { RUNNER_TEMP: runnerTemp },
  });
  const results = new Map(
    (JSON.parse(run.outputs['results'] ?? '[]') as SmokeResult[]).map((result) => [result.name, result]),
  );
  return { run, results };
}

describe('smoke-test through the service proxy (bundle)', () => {
  test('passing checks: port by name and number, path and query forwarded, credentials masked and removed in post', async () => {
    const ns = cluster.namespace;
    const { run, results } = await smoke({
      'kubernetes-service': `${ns}/web:http`,
      checks: [
        '- name: health',
        '  path: /healthz',
        '  expect-json: { "$.status": ok }',
        '- name: echo',
        '  path: /echo?probe=1&x=a%20b',
        '  expect-json: { "$.path": "/echo?probe=1&x=a%20b", "$.authorization": null }',
        '- name: by-number',
        `  kubernetes-service: ${ns}/web:80`,
        '  path: /healthz',
      ].join('\n'),
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs['passed']).toBe('true');
    expect([...results.keys()]).toEqual(['health', 'echo', 'by-number']);
    const server = /server: (\S+)/.exec(cluster.kubeconfig)?.[1]?.replace(/\/$/, '');
    expect(results.get('health')?.url).toBe(
      `${server}/api/v1/namespaces/${ns}/services/web:http/proxy/healthz`,
    );
    expect(results.get('by-number')?.url).toBe(
      `${server}/api/v1/namespaces/${ns}/services/web:80/proxy/healthz`,
    );
    expect(results.get('echo')).toMatchObject({ passed: true, status: 200 });
    expect(run.summary).toContain('3 of 3 passed');
    expect(run.log).toContain("Through the Kubernetes API server's service proxy");
    const token = /token: (\S+)/.exec(cluster.kubeconfig)?.[1];
    if (token !== undefined) {
      // masked once, on connecting (shared/src/kubernetes/connection.ts), as a whole value
      expect(run.masks.filter((mask) => mask === token)).toHaveLength(1);
      const printed = run.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      expect(printed).toContain('All 3 smoke check(s) passed');
      expect(printed).not.toContain(token);
      expect(run.summary + JSON.stringify(run.outputs)).not.toContain(token);
    } else {
      expect(run.masks.length).toBeGreaterThan(0);
    }
    const folder = JSON.parse(run.state['kubeconfig-dir'] ?? '""') as string;
    expect(existsSync(path.join(folder, 'config'))).toBe(true);
    const post = await runBundle('smoke-test', {
      postWithState: run.state,
      env: { RUNNER_TEMP: runnerTemp },
    });
    expect(post.exitCode).toBe(0);
    expect(existsSync(folder)).toBe(false);
  });

  test('a 500 from the Service, a Service with no endpoints, a port name it lacks, no such Service: red, each with its reason', async () => {
    const ns = cluster.namespace;
    const { run, results } = await smoke({
      'kubernetes-service': `${ns}/web:http`,
      timeout: '4s',
      checks: [
        '- name: fails',
        '  path: /fail',
        `- name: no-endpoints`,
        `  kubernetes-service: ${ns}/idle:http`,
        '  path: /healthz',
        `- name: wrong-port`,
        `  kubernetes-service: ${ns}/web:nope`,
        '  path: /healthz',
        `- name: no-service`,
        `  kubernetes-service: ${ns}/missing:http`,
        '- name: still-ok',
        '  path: /healthz',
      ].join('\n'),
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['failed-checks']).toBe('fails,no-endpoints,wrong-port,no-service');
    const fails = results.get('fails');
    expect(fails).toMatchObject({ passed: false, status: 500 });
    // a 5xx is retried until the deadline; the Service answered, not the API server
    expect(fails?.attempts).toBeGreaterThan(1);
    expect(fails?.reason).toMatch(/^status 500, expected 2xx \(gave up at the deadline/);
    expect(fails?.reason).not.toContain('API server');
    // no ready pod: retried (pods may be starting), and the API server's own answer named
    expect(results.get('no-endpoints')).toMatchObject({ passed: false, status: 503 });
    expect(results.get('no-endpoints')?.attempts).toBeGreaterThan(1);
    expect(results.get('no-endpoints')?.reason).toContain(
      'API server: no endpoints available for service "idle"',
    );
    // what no retry can fix fails at once, from the Service itself, without a request to the proxy
    expect(results.get('wrong-port')).toMatchObject({
      passed: false,
      attempts: 0,
      reason: 'the Service has no port "nope" (its ports: http (80))',
    });
    expect(results.get('no-service')).toMatchObject({
      passed: false,
      attempts: 0,
      reason: `the Service "${ns}/missing" does not exist`,
    });
    expect(results.get('still-ok')?.passed).toBe(true);
    expect(run.summary).toContain('1 of 5 passed');
    const error = run.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toMatch(/^4 of 5 smoke check\(s\) failed: fails/);
  });

  test('bad input is refused naming the input, before any connection', async () => {
    let connections = 0;
    const listener = createTcpServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as AddressInfo).port;
    const kubeconfig = cluster.kubeconfig.replace(/server: \S+/, `server: https://127.0.0.1:${port}`);
    try {
      for (const [inputs, name] of [
        [{ 'kubernetes-service': 'web', url: 'https://staging.example.com/' }, 'kubernetes-service'],
        [{ 'kubernetes-service': 'web:no_such' }, 'kubernetes-service'],
        [{ 'kubernetes-service': 'web', paths: '/../../api/v1/secrets' }, 'paths'],
      ] as const) {
        const run = await runBundle('smoke-test', {
          inputs: { kubeconfig, ...fast, ...inputs },
          env: { RUNNER_TEMP: runnerTemp },
        });
        expect(run.exitCode).toBe(1);
        const error = run.annotations.find((a) => a.level === 'error')?.message ?? '';
        expect(error).toMatch(new RegExp(`^Input '${name}': .*Example of a good value: `));
      }
      // and a good one does connect there (so the count above can see a connection)
      const reached = await runBundle('smoke-test', {
        inputs: { kubeconfig, ...fast, timeout: '1s', 'kubernetes-service': 'web' },
        env: { RUNNER_TEMP: runnerTemp },
      });
      expect(reached.exitCode).toBe(1);
      expect(connections).toBeGreaterThan(0);
      const before = connections;
      const refused = await runBundle('smoke-test', {
        inputs: { kubeconfig, ...fast, 'kubernetes-service': 'web', url: 'https://staging.example.com/' },
        env: { RUNNER_TEMP: runnerTemp },
      });
      expect(refused.exitCode).toBe(1);
      expect(connections).toBe(before);
    } finally {
      listener.close();
    }
  });
});

describe('fidelity: the real kubectl get --raw gets the same answers', () => {
  const raw = (id: string, path: string): Promise<Run> =>
    kubectl(['get', '--raw', `/api/v1/namespaces/${cluster.namespace}/services/${id}/proxy${path}`]);

  test('a passing path: the body; path and query forwarded', async () => {
    const health = await raw('web:http', '/healthz');
    expect(health.code, health.stderr).toBe(0);
    expect(JSON.parse(health.stdout)).toEqual({ status: 'ok' });
    const byNumber = await raw('web:80', '/echo?probe=1&x=y');
    expect(byNumber.code, byNumber.stderr).toBe(0);
    expect(JSON.parse(byNumber.stdout)).toEqual({ path: '/echo?probe=1&x=y', authorization: null });
  });

  test("a 500 from the Service: kubectl's generic server error quoting the body", async () => {
    const fails = await raw('web:http', '/fail');
    expect(fails.code).toBe(1);
    expect(fails.stderr).toContain('Error from server (InternalError): an error on the server ("boom")');
  });

  test.each([
    ['idle:http', '(ServiceUnavailable): no endpoints available for service "idle"'],
    ['web:nope', '(ServiceUnavailable): no endpoints available for service "web:nope"'],
    ['web:9999', '(ServiceUnavailable): no service port 9999 found for service "web"'],
    ['missing:80', '(NotFound): services "missing" not found'],
  ])('%s: the API server answers itself — %s', async (id, message) => {
    const run = await raw(id, '/healthz');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Error from server ${message}`);
  });
});
