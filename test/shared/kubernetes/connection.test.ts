/**
 * shared/src/kubernetes/connection.ts: connect() registers the kubeconfig's credentials as masks (the
 * runner's `::add-mask::` commands, captured from stdout as the runner reads them) exactly once, whichever
 * way the kubeconfig came — a KUBECONFIG file (masked nowhere else) or the kubeconfig input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { connect } from '../../../shared/src/kubernetes/connection.ts';
import type { KubernetesConnectionInputs } from '../../../shared/src/kubernetes/connection-inputs.ts';
import { coreLogger } from '../../../shared/src/logger.ts';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c2VydmljZWFjY291bnQ.NotARealKubernetesToken0042';
const PASSWORD = 'NotARealBasicAuthPassword-0042';
const KEY_DATA = Buffer.from(
  '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEINotARealClientKeyNotARealClientKey0042oAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n',
).toString('base64');
const CERT_DATA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString(
  'base64',
);

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: { server: "https://127.0.0.1:6443" }
users:
- name: sa
  user: { token: "${TOKEN}" }
- name: basic
  user: { username: deployer, password: "${PASSWORD}" }
- name: cert
  user: { client-certificate-data: "${CERT_DATA}", client-key-data: "${KEY_DATA}" }
contexts:
- name: with-token
  context: { cluster: local, user: sa, namespace: apps }
- name: with-password
  context: { cluster: local, user: basic }
- name: with-key
  context: { cluster: local, user: cert }
current-context: with-token
`;

let dir: string;
const saved = {
  KUBECONFIG: process.env['KUBECONFIG'],
  RUNNER_TEMP: process.env['RUNNER_TEMP'],
  GITHUB_STATE: process.env['GITHUB_STATE'],
};
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gantry-connection-test-'));
  writeFileSync(path.join(dir, 'config'), KUBECONFIG, { mode: 0o600 });
  process.env['RUNNER_TEMP'] = dir;
  // The kubeconfig input's folder is saved for the post step: into this test's state file, not a CI job's.
  process.env['GITHUB_STATE'] = path.join(dir, 'state');
  writeFileSync(process.env['GITHUB_STATE'], '');
});
afterEach(() => {
  if (saved.KUBECONFIG === undefined) delete process.env['KUBECONFIG'];
  else process.env['KUBECONFIG'] = saved.KUBECONFIG;
});
afterAll(() => {
  for (const name of ['RUNNER_TEMP', 'GITHUB_STATE'] as const) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  rmSync(dir, { recursive: true, force: true });
});

function inputs(given: Partial<KubernetesConnectionInputs>): KubernetesConnectionInputs {
  return { kubeconfig: '', context: '', namespace: '', 'eks-cluster': '', 'aws-region': '', ...given };
}

/**
 * Connects with the runner's logger, returning the values of the `::add-mask::` commands it wrote (kept
 * from the real stdout, so a CI runner running this test registers none of them).
 */
async function masksOfConnect(
  given: KubernetesConnectionInputs,
): Promise<{ masks: string[]; namespace: string }> {
  const masks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    for (const line of String(chunk).split(/\r?\n/))
      if (line.startsWith('::add-mask::')) masks.push(line.slice('::add-mask::'.length));
    return true;
  }) as typeof process.stdout.write;
  try {
    const connection = await connect(given, coreLogger);
    return { masks, namespace: connection.namespace };
  } finally {
    process.stdout.write = write;
  }
}

describe('connect masks the current user credentials once, as whole values', () => {
  test.each([
    ['with-token', TOKEN],
    ['with-password', PASSWORD],
    ['with-key', KEY_DATA],
  ])('a KUBECONFIG file, context %s', async (context, secret) => {
    process.env['KUBECONFIG'] = path.join(dir, 'config');
    const { masks } = await masksOfConnect(inputs({ context }));
    expect(masks.filter((mask) => mask === secret)).toHaveLength(1);
    // only the chosen user's credentials: the others are never sent, so never printed
    for (const other of [TOKEN, PASSWORD, KEY_DATA].filter((value) => value !== secret))
      expect(masks).not.toContain(other);
  });

  test('the current context of a KUBECONFIG file (a token), its namespace used', async () => {
    process.env['KUBECONFIG'] = path.join(dir, 'config');
    const { masks, namespace } = await masksOfConnect(inputs({}));
    expect(masks).toEqual([TOKEN]);
    expect(namespace).toBe('apps');
  });

  test('the kubeconfig input: the token as a whole value, not only its line', async () => {
    delete process.env['KUBECONFIG'];
    const { masks } = await masksOfConnect(inputs({ kubeconfig: KUBECONFIG, context: 'with-key' }));
    expect(masks).toEqual([KEY_DATA]);
  });
});
