/**
 * Faults during push against real parts: a TCP proxy in front of a real docker-registry kills the registry
 * when the first blob upload starts and drops every connection, so buildah's push fails mid-way.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, runBundle } from '../../../testkit/bundle-runner.ts';
import { buildahSandbox, makeWorkspace, type BuildahSandbox } from '../../../testkit/buildah.ts';
import { readManifest, startFaultProxy, startRegistry } from '../../../testkit/registry.ts';

const entry = path.join(repoRoot, 'actions', 'build-push', 'src', 'index.ts');

describe('build-push when the registry goes away mid-push', () => {
  let buildah: BuildahSandbox;
  let workspace: string;
  beforeAll(async () => {
    [buildah, workspace] = await Promise.all([buildahSandbox(), makeWorkspace()]);
  });
  afterAll(async () => {
    await Promise.all([buildah.cleanup(), rm(workspace, { recursive: true, force: true })]);
  });

  test('registry stopped during the blob upload: bounded retries are shown, then a clear failure naming the tag', async () => {
    const registry = await startRegistry();
    const proxy = await startFaultProxy(registry.port, /^POST \/v2\/[^ ]+\/blobs\/uploads\//, () =>
      registry.kill(),
    );
    try {
      const result = await runBundle('build-push', {
        bundlePath: entry,
        cwd: workspace,
        inputs: {
          builder: 'buildah',
          image: `${proxy.host}/acme/app`,
          context: 'app',
          'tls-verify': 'false',
          'push-attempts': '3',
        },
        env: { ...buildah.env, GANTRY_RETRY_DELAY_SCALE: '0.01' },
      });
      assert.ok(proxy.triggered(), 'the registry was stopped during the push');
      assert.equal(result.exitCode, 1);
      const retries = result.annotations.filter(
        (a) =>
          a.level === 'warning' &&
          /^push of 127\.0\.0\.1:\d+\/acme\/app:main: attempt \d of 3 failed/.test(a.message),
      );
      assert.equal(retries.length, 2, result.log);
      assert.match(retries[0]?.message ?? '', /retrying in/);
      const failure = result.annotations.find(
        (a) => a.title === `Push of ${proxy.host}/acme/app:main failed`,
      );
      assert.ok(failure, result.log);
      assert.match(failure.message, /failed after 3 attempt\(s\)/);
      assert.match(failure.message, /connection refused|connection reset|EOF/i);
      assert.equal(result.outputs['digest'], '');
      assert.match(result.outputs['tags'] ?? '', /acme\/app:main/);
    } finally {
      await proxy.close();
      await registry.stop();
    }
  });

  test('registry back after a restart: a later attempt succeeds and the digest is read back', async () => {
    const registry = await startRegistry();
    // Kill on the first upload, then bring the registry back shortly after: buildah's own retries may
    // absorb the gap, ours must when they do not; either way the push ends with the registry's digest.
    const proxy = await startFaultProxy(registry.port, /^POST \/v2\/[^ ]+\/blobs\/uploads\//, async () => {
      await registry.kill();
      setTimeout(() => void registry.restart(), 300);
    });
    try {
      const result = await runBundle('build-push', {
        bundlePath: entry,
        cwd: workspace,
        inputs: {
          builder: 'buildah',
          image: `${proxy.host}/acme/back`,
          context: 'app',
          'tls-verify': 'false',
          'push-attempts': '6',
        },
        env: { ...buildah.env, GANTRY_RETRY_DELAY_SCALE: '0.5' },
      });
      assert.ok(proxy.triggered());
      assert.equal(result.exitCode, 0, result.log);
      const served = await readManifest(registry, 'acme/back', 'main');
      assert.equal(served.digest, result.outputs['digest']);
    } finally {
      await proxy.close();
      await registry.stop();
    }
  });
});
