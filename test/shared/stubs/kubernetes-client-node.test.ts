/**
 * shared/stubs/kubernetes-client-node.ts and the stand-ins for the client's dependencies Gantry leaves out
 * (socks, socks-proxy-agent, openid-client, jsonpath-plus): the narrowed module hands out the client's own
 * classes, and every left-out feature fails with an error naming it.
 */
import { describe, expect, test } from 'vitest';
import * as real from '../../../node_modules/@kubernetes/client-node/dist/index.js';
import * as narrowed from '../../../shared/stubs/kubernetes-client-node.ts';
import { JSONPath } from '../../../shared/stubs/jsonpath-plus.ts';
import { customFetch, discovery, refreshTokenGrant } from '../../../shared/stubs/openid-client.ts';
import { SocksClient } from '../../../shared/stubs/socks.ts';
import { SocksProxyAgent } from '../../../shared/stubs/socks-proxy-agent.ts';

describe('the narrowed @kubernetes/client-node', () => {
  test('each value it exports is the real client’s own, unchanged', () => {
    const names = Object.keys(narrowed).sort();
    expect(names).toEqual([
      'ApisApi',
      'AppsV1Api',
      'BatchV1Api',
      'CoreV1Api',
      'KubeConfig',
      'KubernetesObjectApi',
      'Log',
      'PatchStrategy',
      'Watch',
      'makeInformer',
      'setHeaderOptions',
    ]);
    for (const name of names)
      expect((narrowed as Record<string, unknown>)[name], name).toBe((real as Record<string, unknown>)[name]);
  });

  test('it leaves out exec, attach, port-forward and cp (ws, tar-fs)', () => {
    for (const name of ['Exec', 'Attach', 'PortForward', 'Cp']) {
      expect(name in real, name).toBe(true);
      expect(name in narrowed, name).toBe(false);
    }
  });

  test('a KubeConfig loads, names its cluster and builds API clients', () => {
    const config = new narrowed.KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true }],
      users: [{ name: 'u', token: 'token-0123' }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
      currentContext: 'ctx',
    });
    expect(config.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    expect(config.makeApiClient(narrowed.AppsV1Api)).toBeInstanceOf(narrowed.AppsV1Api);
    expect(narrowed.KubernetesObjectApi.makeApiClient(config)).toBeInstanceOf(narrowed.KubernetesObjectApi);
  });
});

describe('left-out features fail naming themselves', () => {
  test('a SOCKS proxy-url', () => {
    expect(() => new SocksProxyAgent()).toThrow(/does not support a SOCKS proxy-url in the kubeconfig/);
    let reported: Error | undefined;
    SocksClient.createConnection({}, (error) => (reported = error));
    expect(reported?.message).toMatch(/SOCKS proxy-url.*socks-proxy-agent/);
    expect(() => SocksClient.createConnection({})).toThrow(/SOCKS proxy-url/);
  });

  test("refreshing the oidc auth-provider's id-token", async () => {
    expect(typeof customFetch).toBe('symbol');
    await expect(discovery()).rejects.toThrow(/oidc auth-provider.*openid-client.*exec credential plugin/);
    await expect(refreshTokenGrant()).rejects.toThrow(/oidc auth-provider/);
  });

  test("refreshing the gcp/azure auth-provider's access-token", () => {
    expect(() => JSONPath()).toThrow(/gcp or azure auth-provider.*jsonpath-plus/);
  });
});
