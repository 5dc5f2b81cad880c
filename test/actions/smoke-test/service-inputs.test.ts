/**
 * smoke-test's Kubernetes mode inputs (actions/smoke-test/src/service-inputs.ts, through getInputs): the
 * Service and paths become checks, `checks` items take `path`, the connection inputs are read, and every
 * mix that cannot mean one thing is refused naming the input, with a good example.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { getInputs } from '../../../actions/smoke-test/src/inputs.ts';
import { resolveServiceChecks } from '../../../actions/smoke-test/src/service-checks.ts';
import { actionDefaults, inputEnvName } from '../../../testkit/bundle-runner.ts';

const set: string[] = [];
function given(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries({ ...actionDefaults('smoke-test'), ...inputs })) {
    const key = inputEnvName(name);
    process.env[key] = value;
    set.push(key);
  }
}
afterEach(() => {
  for (const key of set.splice(0)) delete process.env[key];
});

describe('kubernetes-service with paths', () => {
  test('each path is a check with the single-check expectations; the connection inputs are read', async () => {
    given({
      'kubernetes-service': 'staging/web:http',
      paths: '/healthz\n/version?full=1',
      'expected-status': '200',
      'expected-body': 'ok',
      headers: 'X-Smoke: yes',
      context: 'ci',
      'max-latency': '800ms',
    });
    const inputs = await getInputs();
    expect(inputs.checks).toEqual([]);
    expect(inputs.kubernetes?.connection).toEqual({
      kubeconfig: '',
      context: 'ci',
      namespace: '',
      'eks-cluster': '',
      'aws-region': '',
    });
    expect(inputs.kubernetes?.checks).toEqual([
      {
        name: 'staging/web:http/healthz',
        service: { namespace: 'staging', name: 'web', port: 'http' },
        path: '/healthz',
        method: 'GET',
        headers: { 'X-Smoke': 'yes' },
        expectStatus: ['200'],
        expectBody: { contains: 'ok' },
        maxLatencyMs: 800,
      },
      expect.objectContaining({ name: 'staging/web:http/version?full=1', path: '/version?full=1' }),
    ]);
  });

  test('no paths: the Service root; URLs made once connected, in the namespace of the connection', async () => {
    given({ 'kubernetes-service': 'web:8080', namespace: 'team-a' });
    const inputs = await getInputs();
    expect(inputs.kubernetes?.checks.map((c) => c.path)).toEqual(['/']);
    expect(inputs.kubernetes?.connection.namespace).toBe('team-a');
    const [check] = resolveServiceChecks(inputs.kubernetes?.checks ?? [], 'https://127.0.0.1:6443', 'team-a');
    expect(check?.url).toBe('https://127.0.0.1:6443/api/v1/namespaces/team-a/services/web:8080/proxy/');
    expect(check?.name).toBe('web:8080/');
  });
});

describe('kubernetes-service with checks', () => {
  test('items take a path (default /) and may name their own Service; probes stay probes', async () => {
    given({
      'kubernetes-service': 'web:http',
      checks: [
        '- name: health',
        '  path: /healthz',
        '  expect-json: { "$.status": ok }',
        '- kubernetes-service: other/api:9090',
        '  expect-status: 204',
        '- tcp: 127.0.0.1:5432',
      ].join('\n'),
    });
    const inputs = await getInputs();
    expect(inputs.kubernetes?.checks).toEqual([
      expect.objectContaining({
        name: 'health',
        path: '/healthz',
        service: { name: 'web', port: 'http' },
        expectJson: [{ path: '$.status', equals: 'ok' }],
      }),
      expect.objectContaining({
        name: 'other/api:9090/',
        path: '/',
        service: { namespace: 'other', name: 'api', port: '9090' },
        expectStatus: ['204'],
      }),
    ]);
    expect(inputs.probes).toEqual([{ kind: 'tcp', name: '127.0.0.1:5432', host: '127.0.0.1', port: 5432 }]);
  });
});

describe('refused before any connection', () => {
  test.each<[Record<string, string>, string, RegExp, RegExp]>([
    [
      { url: 'https://x.example.com', 'kubernetes-service': 'web' },
      'kubernetes-service',
      /either `url`.*or `kubernetes-service`/,
      /staging\/web:http/,
    ],
    [
      { 'kubernetes-service': 'web:HTTP' },
      'kubernetes-service',
      /"HTTP" is neither a port number nor a port name/,
      /staging\/web:http/,
    ],
    [{ 'kubernetes-service': 'a/b/c' }, 'kubernetes-service', /more than one "\/"/, /staging\/web:http/],
    [
      { url: 'https://x.example.com', paths: '/healthz' },
      'paths',
      /only used with `kubernetes-service`/,
      /kubernetes-service: staging\/web:http/,
    ],
    [
      { url: 'https://x.example.com', kubeconfig: 'apiVersion: v1' },
      'kubeconfig',
      /only used with `kubernetes-service`/,
      /kubernetes-service/,
    ],
    [
      { url: 'https://x.example.com', 'eks-cluster': 'prod' },
      'eks-cluster',
      /only used with `kubernetes-service`/,
      /kubernetes-service/,
    ],
    [
      { 'kubernetes-service': 'web', paths: '/a', checks: '- path: /b' },
      'paths',
      /either `paths` or `checks`/,
      /\/healthz/,
    ],
    [{ 'kubernetes-service': 'web', paths: 'healthz' }, 'paths', /does not start with "\/"/, /\/healthz/],
    [{ 'kubernetes-service': 'web', paths: '/../../secrets' }, 'paths', /"\.\." segment/, /\/healthz/],
    [{ 'kubernetes-service': 'web', paths: '/a\n/a' }, 'paths', /listed twice/, /\/healthz/],
    [
      { 'kubernetes-service': 'web', checks: '- url: https://x.example.com/' },
      'checks',
      /line 1: check 1 has a "url"/,
      /path: \/healthz/,
    ],
    [
      { 'kubernetes-service': 'web', checks: '- path: /ok\n- path: nope' },
      'checks',
      /line 2: check 2 "path": "nope" does not start/,
      /path: \/healthz/,
    ],
    [
      { 'kubernetes-service': 'web', checks: '- path: /\n  kubernetes-service: "x:y:z"' },
      'checks',
      /line 2: check 1 "kubernetes-service": "x" is not a scheme/,
      /staging\/web:http/,
    ],
    [
      { checks: '- path: /healthz' },
      'checks',
      /"path" and "kubernetes-service" go with the kubernetes-service input/,
      /url:/,
    ],
    [
      { 'kubernetes-service': 'web', headers: 'Authorization: Bearer app-token' },
      'headers',
      /Authorization header cannot reach a Service/,
      /X-Smoke-Token/,
    ],
    [
      { 'kubernetes-service': 'web', checks: '- path: /\n  headers: { authorization: x }' },
      'checks',
      /check "web\/": an Authorization header/,
      /X-Smoke-Token/,
    ],
    [
      { 'kubernetes-service': 'web', 'load-requests': '100' },
      'load-url',
      /load mode needs a public URL/,
      /https:\/\/staging/,
    ],
    [
      { 'kubernetes-service': 'web', namespace: 'Not_A_Label' },
      'namespace',
      /not a namespace name/,
      /staging/,
    ],
  ])('%j → %s', async (inputs, name, problem, example) => {
    given(inputs);
    const error = await getInputs().then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    expect(error?.name).toBe('InputError');
    expect(error?.message).toMatch(new RegExp(`^Input '${name}': `));
    expect(error?.message).toMatch(problem);
    expect(error?.message.split('Example of a good value: ')[1]).toMatch(example);
  });
});
