/**
 * The smoke-test bundle with the new check kinds and the load mode, run as the runner runs it against
 * servers on loopback; and the start-up files, which must not include autocannon or the probes.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot, runBundle } from '../../../testkit/bundle-runner.ts';

describe('smoke-test bundle: tcp checks and load mode', () => {
  let http: Server;
  let tcp: TcpServer;
  let url = '';
  let port = 0;
  beforeAll(async () => {
    http = createHttpServer((request, response) => {
      if (request.url === '/slow') setTimeout(() => response.end('slow'), 30);
      else response.end('ok');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/health`;
    tcp = createTcpServer((socket) => socket.end());
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    port = (tcp.address() as AddressInfo).port;
  });
  afterAll(async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  });

  test('an HTTP check and a tcp check in one document both pass', async () => {
    const run = await runBundle('smoke-test', {
      inputs: { checks: `- url: ${url}\n- name: database\n  tcp: 127.0.0.1:${port}` },
    });
    expect(run.exitCode, run.log).toBe(0);
    const results = JSON.parse(run.outputs['results'] ?? '[]') as {
      name: string;
      url: string;
      passed: boolean;
    }[];
    expect(results.map((r) => [r.name, r.url, r.passed])).toEqual([
      [url, url, true],
      ['database', `tcp://127.0.0.1:${port}`, true],
    ]);
  });

  test('load mode: N requests, the report as an output and in the summary', async () => {
    const run = await runBundle('smoke-test', {
      inputs: { url, 'load-requests': '300', 'load-concurrency': '5' },
    });
    expect(run.exitCode, run.log).toBe(0);
    const load = JSON.parse(run.outputs['load'] ?? '{}') as {
      requests: number;
      errors: number;
      passed: boolean;
    };
    expect(load).toMatchObject({ requests: 300, errors: 0, passed: true });
    expect(run.summary).toContain('<h3>Load</h3>');
  });

  test('load mode gate: a p95 above load-max-p95 fails the step, outputs written', async () => {
    const run = await runBundle('smoke-test', {
      inputs: {
        url,
        'load-url': url.replace('/health', '/slow'),
        'load-requests': '50',
        'load-max-p95': '10ms',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['load']).toContain('"passed":false');
    expect(run.log).toMatch(/Load gate failed on .*\/slow: p95 \d+(\.\d+)? ms is above 10 ms/);
  });

  test.each([
    [{ 'load-requests': '-1' }, "Input 'load-requests'"],
    [{ 'load-max-error-ratio': '2', 'load-requests': '10' }, "Input 'load-max-error-ratio'"],
    [{ 'load-url': 'ftp://x', 'load-requests': '10' }, "Input 'load-url'"],
  ])('bad load input %j fails naming it', async (inputs, message) => {
    const run = await runBundle('smoke-test', { inputs: { url, ...inputs } });
    expect(run.exitCode).toBe(1);
    expect(run.annotations.find((a) => a.level === 'error')?.message).toContain(message);
  });

  test('start-up files exclude autocannon and the probes (loaded by import() only when used)', () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'dist', 'manifest.json'), 'utf8')) as Record<
      string,
      { startup: string[]; reachable: string[] }
    >;
    const startup = manifest['smoke-test']?.startup ?? [];
    const text = startup.map((file) => readFileSync(path.join(repoRoot, 'dist', file), 'utf8')).join('\n');
    expect(text).not.toContain('autocannon');
    expect(text).not.toContain('DescribeServices');
    const reachable = (manifest['smoke-test']?.reachable ?? [])
      .map((file) => readFileSync(path.join(repoRoot, 'dist', file), 'utf8'))
      .join('\n');
    expect(reachable).toContain('autocannon');
  });
});
