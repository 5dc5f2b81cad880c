/**
 * The stand-in's Gateway API (gateway.networking.k8s.io/v1), driven by the real kubectl: discovery,
 * server-side apply, get/list, merge patch, watch, the CRD's weight check; and a stand-in started with
 * `gatewayApi: false` lacks the group, as a cluster without the CRDs does.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startKubernetesStandIn, type KubernetesStandIn } from '../../../testkit/kubernetes-standin/index.ts';

const run = promisify(execFile);
let k8s: KubernetesStandIn;
let kubectl: (...args: string[]) => Promise<string>;

beforeAll(async () => {
  k8s = await startKubernetesStandIn();
  kubectl = async (...args) =>
    (await run('kubectl', ['--kubeconfig', k8s.kubeconfigPath, ...args], { timeout: 30_000 })).stdout.trim();
});
afterAll(async () => {
  await k8s?.stop();
});

const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
spec:
  parentRefs: [{ name: gateway }]
  rules:
    - backendRefs:
        - { name: web, port: 80, weight: 90 }
        - { name: web-canary, port: 80, weight: 10 }
`;

describe('Gateway API on the stand-in (real kubectl)', () => {
  test('discovery lists the group; apply --server-side, get, list and merge patch work', async () => {
    expect((await kubectl('api-versions')).split('\n')).toContain('gateway.networking.k8s.io/v1');
    expect(await kubectl('api-resources', '--api-group=gateway.networking.k8s.io', '-o', 'name')).toBe(
      'gateways.gateway.networking.k8s.io\nhttproutes.gateway.networking.k8s.io',
    );
    const file = path.join(path.dirname(k8s.kubeconfigPath), 'route.yaml');
    writeFileSync(file, ROUTE);
    expect(await kubectl('apply', '--server-side', '-f', file)).toBe(
      'httproute.gateway.networking.k8s.io/web serverside-applied',
    );
    expect(await kubectl('get', 'httproutes', '-o', 'name')).toBe('httproute.gateway.networking.k8s.io/web');
    const weights = (): Promise<string> =>
      kubectl('get', 'httproute/web', '-o', 'jsonpath={.spec.rules[0].backendRefs[*].weight}');
    expect(await weights()).toBe('90 10');
    await kubectl(
      'patch',
      'httproute/web',
      '--type=merge',
      '-p',
      JSON.stringify({
        spec: {
          rules: [
            {
              backendRefs: [
                { name: 'web', port: 80, weight: 75 },
                { name: 'web-canary', port: 80, weight: 25 },
              ],
            },
          ],
        },
      }),
    );
    expect(await weights()).toBe('75 25');
    const stored = k8s.get('httproutes', 'default', 'web');
    expect(stored?.metadata.managedFields?.map((entry) => entry.manager)).toContain('kubectl');
  });

  test('a watch sees a weight change', async () => {
    const watcher = spawn('kubectl', [
      '--kubeconfig',
      k8s.kubeconfigPath,
      'get',
      'httproute/web',
      '--watch',
      '-o',
      'jsonpath={.spec.rules[0].backendRefs[1].weight}{"\\n"}',
    ]);
    let seen = '';
    const changed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no watch event, saw: ${seen}`)), 20_000);
      watcher.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.split('\n').includes('50')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await kubectl(
        'patch',
        'httproute/web',
        '--type=merge',
        '-p',
        JSON.stringify({
          spec: {
            rules: [
              {
                backendRefs: [
                  { name: 'web', port: 80, weight: 50 },
                  { name: 'web-canary', port: 80, weight: 50 },
                ],
              },
            ],
          },
        }),
      );
      await changed;
      expect(seen.split('\n')).toContain('50');
    } finally {
      watcher.kill();
    }
  });

  test('a weight above 1000000 is refused as the CRD schema refuses it', async () => {
    await expect(
      kubectl(
        'patch',
        'httproute/web',
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { rules: [{ backendRefs: [{ name: 'web', weight: 2000000 }] }] } }),
      ),
    ).rejects.toThrow(/spec\.rules\[0\]\.backendRefs\[0\]\.weight: Invalid value: 2000000/);
  });

  test('started with gatewayApi: false, the group is absent and kubectl says so', async () => {
    const bare = await startKubernetesStandIn({ gatewayApi: false });
    try {
      const versions = (await run('kubectl', ['--kubeconfig', bare.kubeconfigPath, 'api-versions'])).stdout;
      expect(versions.split('\n')).not.toContain('gateway.networking.k8s.io/v1');
      expect(versions.split('\n')).toContain('apps/v1');
      await expect(
        run('kubectl', ['--kubeconfig', bare.kubeconfigPath, 'get', 'httproutes']),
      ).rejects.toThrow(/the server doesn't have a resource type "httproutes"/);
    } finally {
      await bare.stop();
    }
  });
});
