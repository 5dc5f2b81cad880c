/**
 * The built bundle (dist/build-push/index.js) run as the runner runs it: a real image built with buildah
 * and pushed to a real docker-registry with htpasswd auth, its digest output checked against the registry;
 * the post step; fail-fast on bad input.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { buildahSandbox, makeWorkspace, type BuildahSandbox } from '../../../testkit/buildah.ts';
import { readBlob, readManifest, startRegistry, type Registry } from '../../../testkit/registry.ts';

const PASSWORD = 'bundle-pass-4f3e2d1c';
const SECRET = 'bundle-secret-Yy8-never-printed';

describe('build-push bundle', () => {
  let registry: Registry;
  let buildah: BuildahSandbox;
  let workspace: string;
  beforeAll(async () => {
    [registry, buildah, workspace] = await Promise.all([
      startRegistry({ htpasswd: { username: 'deployer', password: PASSWORD } }),
      buildahSandbox(),
      makeWorkspace(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([registry.stop(), buildah.cleanup(), rm(workspace, { recursive: true, force: true })]);
  });

  test('missing image: fails fast naming the input, no builder started', async () => {
    const result = await runBundle('build-push', { inputs: { builder: 'buildah' } });
    assert.equal(result.exitCode, 1);
    assert.equal(result.annotations.length, 1);
    assert.match(
      result.annotations[0]?.message ?? '',
      /^Input 'image': a value is required but none was given\. Example of a good value: ghcr\.io\/org\/app$/,
    );
    assert.doesNotMatch(result.log, /buildah|Pick the builder/);
  });

  test('builds, logs in, pushes a release tag; every tag resolves to the digest output; secrets stay out', async () => {
    const result = await runBundle('build-push', {
      cwd: workspace,
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/api`,
        context: 'app',
        'tls-verify': 'false',
        username: 'deployer',
        password: PASSWORD,
        secrets: `token=${SECRET}`,
        labels: 'org.opencontainers.image.vendor=Acme',
      },
      env: { ...buildah.env, GITHUB_REF: 'refs/tags/v1.4.2', GITHUB_REF_NAME: 'v1.4.2' },
    });
    assert.equal(result.exitCode, 0, result.log);
    const digest = result.outputs['digest'] ?? '';
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(result.outputs['image'], `${registry.host}/acme/api@${digest}`);
    for (const tag of ['1.4.2', '1.4', '1', 'latest', 'sha-0123456']) {
      const served = await readManifest(registry, 'acme/api', tag);
      assert.equal(served.digest, digest, tag);
    }
    const manifest = await readManifest(registry, 'acme/api', digest);
    const config = JSON.parse(
      (
        await readBlob(registry, 'acme/api', (manifest.json['config'] as { digest: string }).digest)
      ).toString(),
    ) as { config: { Labels: Record<string, string> } };
    assert.equal(config.config.Labels['org.opencontainers.image.version'], '1.4.2');
    assert.equal(config.config.Labels['org.opencontainers.image.vendor'], 'Acme');
    assert.ok(!JSON.stringify(config).includes(SECRET));
    for (const text of [
      result.log,
      result.summary,
      JSON.stringify(result.outputs),
      JSON.stringify(result.state),
    ]) {
      assert.ok(!text.includes(SECRET));
      assert.ok(!text.includes(PASSWORD));
    }
    assert.match(result.summary, /Digest/);
    assert.match(result.summary, /Size/);
    const workDir = JSON.parse(result.state['workDir'] ?? '""') as string;
    assert.ok(workDir !== '' && !existsSync(workDir));
  });

  test('post step removes the auth/secret folder a cancelled main step left behind', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'bp-post-'));
    const left = path.join(parent, 'gantry-build-push-x');
    await mkdir(path.join(left, 'docker'), { recursive: true });
    await writeFile(path.join(left, 'docker', 'config.json'), '{"auths":{"r":{"auth":"eDp5"}}}');
    try {
      const result = await runBundle('build-push', {
        postWithState: { isPost: 'true', workDir: JSON.stringify(left) },
      });
      assert.equal(result.exitCode, 0, result.log);
      assert.ok(!existsSync(left), 'the folder is gone');
      assert.match(result.log, /removed .*gantry-build-push-x/);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  test('an invalid explicit tag is rejected by name before anything is built', async () => {
    const result = await runBundle('build-push', {
      cwd: workspace,
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/api`,
        tags: 'v1,release/candidate',
        context: 'app',
      },
      env: buildah.env,
    });
    assert.equal(result.exitCode, 1);
    assert.match(
      result.annotations[0]?.message ?? '',
      /Input 'tags': tag "release\/candidate" is not a valid OCI tag/,
    );
    assert.doesNotMatch(result.log, /Build with/);
  });
});
