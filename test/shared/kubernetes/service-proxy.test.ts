/**
 * The service proxy's pure parts (shared/src/kubernetes/service-proxy.ts): Service references as the API
 * server splits them, path checks, proxy URLs, and telling the API server's own answers from the Service's.
 * The requests themselves are tested against the stand-in (and a real cluster) in
 * test/actions/smoke-test/service-proxy.integration.test.ts.
 */
import { describe, expect, test } from 'vitest';
import {
  apiServerStatusMessage,
  formatServiceReference,
  parseServiceReference,
  servicePortProblem,
  serviceProxyUrl,
  servicePathProblem,
  type ServiceReference,
} from '../../../shared/src/kubernetes/service-proxy.ts';

describe('parseServiceReference', () => {
  test.each<[string, ServiceReference]>([
    ['web', { name: 'web' }],
    ['web:8080', { name: 'web', port: '8080' }],
    ['web:http', { name: 'web', port: 'http' }],
    ['staging/web:http', { namespace: 'staging', name: 'web', port: 'http' }],
    ['https:web:443', { scheme: 'https', name: 'web', port: '443' }],
    ['https:web:', { scheme: 'https', name: 'web' }],
    // two parts are name and port, never scheme and name (SplitSchemeNamePort)
    ['http:web', { name: 'http', port: 'web' }],
    ['prod-eu/api-v2:metrics', { namespace: 'prod-eu', name: 'api-v2', port: 'metrics' }],
    ['  web:1  ', { name: 'web', port: '1' }],
    ['web:65535', { name: 'web', port: '65535' }],
  ])('%j → %j', (text, expected) => {
    expect(parseServiceReference(text, 'kubernetes-service')).toEqual(expected);
  });

  test.each<[string, RegExp]>([
    ['', /names no Service/],
    ['a/b/c', /more than one "\/"/],
    ['Staging/web', /"Staging" is not a namespace name/],
    ['web:80:x:y', /more than two ":"/],
    ['ftp:web:21', /"ftp" is not a scheme/],
    ['Web', /"Web" is not a Service name/],
    ['1web', /"1web" is not a Service name/],
    ['web:0', /port 0 is not between 1 and 65535/],
    ['web:70000', /port 70000 is not between 1 and 65535/],
    ['web:HTTP', /"HTTP" is neither a port number nor a port name/],
    ['web:a--b', /neither a port number nor a port name/],
    ['web:much-too-long-name', /neither a port number nor a port name/],
    ['https://web.example.com', /more than one "\/"|is not a/],
  ])('%j is refused: %s, naming the input with an example', (text, problem) => {
    expect(() => parseServiceReference(text, 'kubernetes-service')).toThrow(problem);
    expect(() => parseServiceReference(text, 'kubernetes-service')).toThrow(
      /^Input 'kubernetes-service': .*Example of a good value: staging\/web:http$/,
    );
  });

  test('formatServiceReference writes the reference back', () => {
    for (const text of ['web', 'web:8080', 'staging/web:http', 'https:web:443', 'https:web:'])
      expect(formatServiceReference(parseServiceReference(text, 'x'))).toBe(text);
  });
});

describe('servicePathProblem', () => {
  test.each(['/', '/healthz', '/api/v1/status?verbose=1&x=%20', '/a.b/c..d/'])('%j is fine', (path) => {
    expect(servicePathProblem(path)).toBeUndefined();
  });
  test.each<[string, RegExp]>([
    ['healthz', /does not start with "\/"/],
    ['/a b', /a space/],
    ['/a\nb', /a control character/],
    ['/a#top', /"#"/],
    ['/../../pods', /"\." or "\.\." segment/],
    ['/x/%2e%2e/y', /"\." or "\.\." segment/],
    ['/./x', /"\." or "\.\." segment/],
    ['/%zz', /bad percent-encoding/],
  ])('%j: %s', (path, problem) => {
    expect(servicePathProblem(path)).toMatch(problem);
  });
});

describe('serviceProxyUrl', () => {
  const ref = (text: string): ServiceReference => parseServiceReference(text, 'kubernetes-service');
  test.each<[string, string, string, string, string]>([
    [
      'https://10.0.0.1:6443',
      'web:http',
      'default',
      '/healthz',
      'https://10.0.0.1:6443/api/v1/namespaces/default/services/web:http/proxy/healthz',
    ],
    [
      'https://10.0.0.1:6443/',
      'staging/web:8080',
      'default',
      '/',
      'https://10.0.0.1:6443/api/v1/namespaces/staging/services/web:8080/proxy/',
    ],
    [
      'https://k8s.example.com',
      'web',
      'team-a',
      '/status?verbose=1',
      'https://k8s.example.com/api/v1/namespaces/team-a/services/web/proxy/status?verbose=1',
    ],
    [
      'https://rancher.example.com/k8s/clusters/c-abc/',
      'https:web:443',
      'prod',
      '/ready',
      'https://rancher.example.com/k8s/clusters/c-abc/api/v1/namespaces/prod/services/https:web:443/proxy/ready',
    ],
    [
      'https://k8s.example.com',
      'https:web:',
      'prod',
      '/',
      'https://k8s.example.com/api/v1/namespaces/prod/services/https:web:/proxy/',
    ],
  ])('%s + %s (ns %s) + %s', (server, reference, namespace, path, expected) => {
    expect(serviceProxyUrl(server, ref(reference), namespace, path)).toBe(expected);
  });

  test('a server that is not http(s) is refused', () => {
    expect(() => serviceProxyUrl('unix:///run/k8s.sock', ref('web'), 'default', '/')).toThrow(
      /not an http\(s\) URL/,
    );
  });
});

describe('apiServerStatusMessage', () => {
  test('a Status body is the API server speaking, folded onto one line', () => {
    const body = JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: 'no endpoints available for service "web"\n::error::injected',
      reason: 'ServiceUnavailable',
      code: 503,
    });
    expect(apiServerStatusMessage(body)).toBe(
      'API server: no endpoints available for service "web" ⏎ ::error::injected',
    );
  });
  test.each(['', 'Internal Server Error', '{"status":"down"}', '{"kind":"Status"}', '{not json'])(
    '%j is the Service speaking (or nobody): undefined',
    (body) => {
      expect(apiServerStatusMessage(body)).toBeUndefined();
    },
  );
});

describe('servicePortProblem', () => {
  const ref = (text: string): ServiceReference => parseServiceReference(text, 'kubernetes-service');
  const named = [
    { name: 'http', port: 80 },
    { name: 'metrics', port: 9090 },
  ];
  test.each<[string, { name?: string; port: number }[]]>([
    ['web:http', named],
    ['web:80', named],
    ['web:metrics', named],
    ['web', [{ port: 8080 }]],
    ['web:8080', [{ port: 8080 }]],
    ['https:web:443', [{ name: 'https', port: 443 }]],
  ])('%s on %j can be reached', (text, ports) => {
    expect(servicePortProblem(ref(text), ports)).toBeUndefined();
  });
  test.each<[string, { name?: string; port: number }[], string]>([
    ['web:nope', named, 'the Service has no port "nope" (its ports: http (80), metrics (9090))'],
    ['web:8080', named, 'the Service has no port "8080" (its ports: http (80), metrics (9090))'],
    [
      'web',
      named,
      "the Service's ports are named, so name one (its ports: http (80), metrics (9090)), e.g. web:http",
    ],
    [
      'web',
      [{ name: 'http', port: 80 }],
      "the Service's ports are named, so name one (its ports: http (80)), e.g. web:http",
    ],
    ['web:http', [], 'the Service has no port "http" (its ports: none)'],
  ])('%s on %j: %s', (text, ports, problem) => {
    expect(servicePortProblem(ref(text), ports)).toBe(problem);
  });
});
