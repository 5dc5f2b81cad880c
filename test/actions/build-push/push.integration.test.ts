/**
 * build-push against real parts: Debian buildah builds a FROM scratch image, Debian docker-registry
 * receives it on a loopback port; the action runs from its TypeScript entry in a child process (Node 24)
 * exactly as the runner would run it (INPUT_* variables, GITHUB_OUTPUT/STATE files).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { repoRoot, runBundle, type RunBundleOptions } from '../../../testkit/bundle-runner.ts';
import {
  addShellRootfs,
  buildahSandbox,
  makeWorkspace,
  type BuildahSandbox,
} from '../../../testkit/buildah.ts';
import { readBlob, readManifest, startRegistry, type Registry } from '../../../testkit/registry.ts';

const entry = path.join(repoRoot, 'actions', 'build-push', 'src', 'index.ts');
const SECRET = 'npm-token-Zq9!x7-do-not-leak';

describe('build-push with buildah and a real registry', () => {
  let registry: Registry;
  let buildah: BuildahSandbox;
  let workspace: string;
  const run = (options: RunBundleOptions) =>
    runBundle('build-push', {
      bundlePath: entry,
      cwd: workspace,
      ...options,
      env: { ...buildah.env, GANTRY_RETRY_DELAY_SCALE: '0.01', ...options.env },
    });

  beforeAll(async () => {
    [registry, buildah, workspace] = await Promise.all([startRegistry(), buildahSandbox(), makeWorkspace()]);
  });
  afterAll(async () => {
    await Promise.all([registry.stop(), buildah.cleanup(), rm(workspace, { recursive: true, force: true })]);
  });

  test('builds, pushes every tag, and the digest output is what the registry serves for each tag', async () => {
    const result = await run({
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/app`,
        context: 'app',
        'tls-verify': 'false',
        tags: 'stable',
        'build-args': 'APP_VERSION=4.5.6',
        secrets: `npm_token=${SECRET}`,
      },
    });
    assert.equal(result.exitCode, 0, result.log);
    const digest = result.outputs['digest'] ?? '';
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(result.outputs['image'], `${registry.host}/acme/app@${digest}`);
    assert.equal(result.outputs['builder'], 'buildah');
    const expectedTags = ['main', 'latest', 'sha-0123456', 'stable'];
    assert.deepEqual(
      (result.outputs['tags'] ?? '').split('\n'),
      expectedTags.map((tag) => `${registry.host}/acme/app:${tag}`),
    );
    for (const tag of expectedTags) {
      const served = await readManifest(registry, 'acme/app', tag);
      assert.equal(served.status, 200, `tag ${tag}`);
      assert.equal(served.digest, digest, `tag ${tag} resolves to the output digest`);
      assert.equal(served.header, digest);
    }
    const byDigest = await readManifest(registry, 'acme/app', digest);
    assert.equal(byDigest.status, 200);

    // The pushed config blob: OCI labels and the build argument are there, the secret is not.
    const config = (byDigest.json['config'] as { digest: string }).digest;
    const blob = (await readBlob(registry, 'acme/app', config)).toString('utf8');
    const parsed = JSON.parse(blob) as { config: { Labels: Record<string, string> } };
    assert.equal(parsed.config.Labels['app.version'], '4.5.6');
    assert.equal(
      parsed.config.Labels['org.opencontainers.image.revision'],
      '0123456789abcdef0123456789abcdef01234567',
    );
    assert.equal(parsed.config.Labels['org.opencontainers.image.source'], 'https://github.com/acme/app');
    assert.equal(parsed.config.Labels['org.opencontainers.image.version'], 'main');
    assert.ok(!blob.includes(SECRET), 'the secret is not in the image config');
    for (const layer of byDigest.json['layers'] as { digest: string }[]) {
      const bytes = await readBlob(registry, 'acme/app', layer.digest);
      assert.ok(!bytes.includes(SECRET), 'the secret is not in a layer');
    }

    // Secrets never in the log, summary or outputs; the metadata output matches the registry.
    assert.ok(result.masks.includes(SECRET));
    for (const text of [
      result.log,
      result.summary,
      JSON.stringify(result.outputs),
      JSON.stringify(result.state),
    ])
      assert.ok(!text.includes(SECRET));
    const unmaskedLines = result.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    assert.ok(!unmaskedLines.some((line) => line.includes(SECRET)), 'the raw output never prints the secret');
    const metadata = JSON.parse(result.outputs['metadata'] ?? '{}') as {
      digest: string;
      sizeBytes: number;
      pushed: boolean;
    };
    assert.equal(metadata.digest, digest);
    assert.equal(metadata.pushed, true);
    assert.ok(metadata.sizeBytes > 0);
    assert.match(result.summary, new RegExp(digest));
    assert.match(result.summary, /buildah/);

    // The private folder (auth file, secret files) is gone after the main step; the post step copes.
    const workDir = JSON.parse(result.state['workDir'] ?? '""') as string;
    assert.ok(workDir !== '' && !existsSync(workDir), 'the work folder was removed');
    const postRun = await run({ postWithState: result.state, inputs: { builder: 'buildah' } });
    assert.equal(postRun.exitCode, 0, postRun.log);
  });

  test('a build secret reaches RUN --mount=type=secret, yet is in no layer, config, history or log', async () => {
    const secretWorkspace = await makeWorkspace(
      'FROM scratch\nCOPY rootfs/ /\nRUN --mount=type=secret,id=api_key read -r v < /run/secrets/api_key; echo "secret length=${#v}" > /proof.txt\n',
    );
    await addShellRootfs(secretWorkspace);
    try {
      const result = await runBundle('build-push', {
        bundlePath: entry,
        cwd: secretWorkspace,
        inputs: {
          builder: 'buildah',
          image: `${registry.host}/acme/secret`,
          context: 'app',
          'tls-verify': 'false',
          secrets: `api_key=${SECRET}`,
        },
        env: buildah.env,
      });
      assert.equal(result.exitCode, 0, result.log);
      const manifest = await readManifest(registry, 'acme/secret', result.outputs['digest'] ?? '');
      const config = await readBlob(
        registry,
        'acme/secret',
        (manifest.json['config'] as { digest: string }).digest,
      );
      assert.ok(!config.includes(SECRET), 'not in the config blob (history included)');
      const layers = await Promise.all(
        (manifest.json['layers'] as { digest: string }[]).map(async (layer) =>
          gunzipSync(await readBlob(registry, 'acme/secret', layer.digest)),
        ),
      );
      assert.ok(
        layers.some((tar) => tar.includes(`secret length=${SECRET.length}\n`)),
        'the RUN step read the secret (its length is in /proof.txt)',
      );
      assert.ok(!layers.some((tar) => tar.includes(SECRET)), 'the secret is in no layer');
      assert.ok(!result.log.includes(SECRET));
    } finally {
      await rm(secretWorkspace, { recursive: true, force: true });
    }
  });

  test('several platforms push one OCI index; every tag resolves to the index digest', async () => {
    const result = await run({
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/multi`,
        context: 'app',
        'tls-verify': 'false',
        platforms: 'linux/amd64,linux/arm64',
      },
    });
    assert.equal(result.exitCode, 0, result.log);
    const digest = result.outputs['digest'] ?? '';
    for (const tag of ['main', 'latest', 'sha-0123456']) {
      const served = await readManifest(registry, 'acme/multi', tag);
      assert.equal(served.digest, digest, tag);
    }
    const index = (await readManifest(registry, 'acme/multi', digest)).json as {
      mediaType: string;
      manifests: { platform: { architecture: string } }[];
    };
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(index.manifests.map((m) => m.platform.architecture).sort(), ['amd64', 'arm64']);
    const metadata = JSON.parse(result.outputs['metadata'] ?? '{}') as {
      sizeBytes: number;
      platforms: string[];
    };
    assert.deepEqual(metadata.platforms, ['linux/amd64', 'linux/arm64']);
    assert.ok(metadata.sizeBytes > 0);
  });

  test('cache-to pushes layer cache to the registry; cache-from reaches buildah on a fresh storage', async () => {
    const cache = `${registry.host}/acme/cache`;
    const first = await run({
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/cached`,
        context: 'app',
        'tls-verify': 'false',
        'cache-to': cache,
      },
    });
    assert.equal(first.exitCode, 0, first.log);
    const tags = (await (await fetch(`http://${registry.host}/v2/acme/cache/tags/list`)).json()) as {
      tags?: string[];
    };
    assert.ok((tags.tags ?? []).length > 0, 'cache images were pushed');
    // A fresh buildah storage (a new runner): only the registry cache can supply the layers.
    const fresh = await buildahSandbox();
    try {
      const second = await run({
        inputs: {
          builder: 'buildah',
          image: `${registry.host}/acme/cached`,
          context: 'app',
          'tls-verify': 'false',
          'cache-from': cache,
        },
        env: fresh.env,
      });
      assert.equal(second.exitCode, 0, second.log);
      assert.match(second.log, /--cache-from \S+\/acme\/cache/);
      // Whether buildah reuses a remote layer is buildah's business (1.28 here does not for COPY steps).
    } finally {
      await fresh.cleanup();
    }
  });

  test('a pull request gets pr-<n> and sha tags, never latest', async () => {
    const result = await run({
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/pr`,
        context: 'app',
        'tls-verify': 'false',
      },
      env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/42/merge' },
    });
    assert.equal(result.exitCode, 0, result.log);
    assert.equal((await readManifest(registry, 'acme/pr', 'pr-42')).digest, result.outputs['digest']);
    assert.equal((await readManifest(registry, 'acme/pr', 'latest')).status, 404);
  });

  test('push: false builds without pushing or logging in: no digest, nothing in the registry', async () => {
    const result = await run({
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/local`,
        context: 'app',
        push: 'false',
        'tls-verify': 'false',
      },
    });
    assert.equal(result.exitCode, 0, result.log);
    assert.equal(result.outputs['digest'], '');
    assert.equal(result.outputs['image'], '');
    assert.equal((await readManifest(registry, 'acme/local', 'main')).status, 404);
  });

  test('a build failure fails the step with the builder’s last lines as an error annotation', async () => {
    const result = await run({
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/broken`,
        context: 'app',
        file: 'app/Broken',
        'tls-verify': 'false',
      },
      env: {},
      cwd: workspace,
    });
    // app/Broken does not exist: an input error, before any build.
    assert.equal(result.exitCode, 1);
    assert.match(result.annotations[0]?.message ?? '', /Input 'file': "app\/Broken" does not exist/);

    const broken = await makeWorkspace('FROM scratch\nCOPY missing-file.txt /x\n');
    try {
      const failed = await runBundle('build-push', {
        bundlePath: entry,
        cwd: broken,
        inputs: {
          builder: 'buildah',
          image: `${registry.host}/acme/broken`,
          context: 'app',
          'tls-verify': 'false',
        },
        env: buildah.env,
      });
      assert.equal(failed.exitCode, 1);
      const annotation = failed.annotations.find((a) => a.title === 'Image build failed (buildah)');
      assert.ok(annotation, failed.log);
      assert.match(annotation.message, /missing-file\.txt/);
      assert.equal(annotation.file, 'app/Containerfile');
      assert.equal((await readManifest(registry, 'acme/broken', 'main')).status, 404);
      assert.equal(failed.outputs['digest'], '');
      assert.match(
        failed.outputs['tags'] ?? '',
        /acme\/broken:main/,
        'tags are reported even when the build fails',
      );
      const workDir = JSON.parse(failed.state['workDir'] ?? '""') as string;
      assert.ok(!existsSync(workDir));
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  test('a remote (Git URL) context goes to the builder as is (dry run)', async () => {
    const result = await run({
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/remote`,
        context: 'https://github.com/acme/app.git#main',
        'dry-run': 'true',
      },
    });
    assert.equal(result.exitCode, 0, result.log);
    assert.match(result.log, /buildah build --tag \S+ .* 'https:\/\/github\.com\/acme\/app\.git#main'\n/);
    assert.doesNotMatch(result.log, /--file/);
  });

  test('dry-run computes tags and prints the commands but builds and pushes nothing', async () => {
    const result = await run({
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/dry`,
        context: 'app',
        'dry-run': 'true',
        'tls-verify': 'false',
      },
      env: { GITHUB_REF: 'refs/tags/v2.3.4' },
    });
    assert.equal(result.exitCode, 0, result.log);
    assert.deepEqual(
      (result.outputs['tags'] ?? '').split('\n').map((ref) => ref.split(':').pop()),
      ['2.3.4', '2.3', '2', 'latest', 'sha-0123456'],
    );
    assert.match(
      result.log,
      /buildah build --file \S+Containerfile --tag 127\.0\.0\.1:\d+\/acme\/dry:2\.3\.4/,
    );
    assert.equal((await readManifest(registry, 'acme/dry', '2.3.4')).status, 404);
    assert.equal(result.state['workDir'], undefined, 'no work folder: nothing was written');
  });
});
