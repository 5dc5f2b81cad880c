/**
 * The docker buildx path. No Docker engine runs on this machine, so `docker` is a shim (docker CLI stand-in
 * over buildah, test/actions/build-push/docker-shim/docker) that answers like an engine that is up and
 * runs `buildx build --push` with buildah against a real docker-registry. What is real: the registry, the
 * image, the credentials file the action hands docker through DOCKER_CONFIG, the digest read-back.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, runBundle } from '../../../testkit/bundle-runner.ts';
import { buildahSandbox, makeWorkspace, type BuildahSandbox } from '../../../testkit/buildah.ts';
import { readManifest, startRegistry, type Registry } from '../../../testkit/registry.ts';

const entry = path.join(repoRoot, 'actions', 'build-push', 'src', 'index.ts');
const shimDir = path.join(repoRoot, 'test', 'actions', 'build-push', 'docker-shim');
const PASSWORD = 'docker-path-pass-77';

describe('build-push with builder docker (docker CLI shim over buildah)', () => {
  let registry: Registry;
  let buildah: BuildahSandbox;
  let workspace: string;
  let logs: string;
  beforeAll(async () => {
    [registry, buildah, workspace, logs] = await Promise.all([
      startRegistry({ htpasswd: { username: 'ci', password: PASSWORD } }),
      buildahSandbox(),
      makeWorkspace(),
      mkdtemp(path.join(tmpdir(), 'bp-shim-')),
    ]);
  });
  afterAll(async () => {
    await Promise.all([
      registry.stop(),
      buildah.cleanup(),
      rm(workspace, { recursive: true, force: true }),
      rm(logs, { recursive: true, force: true }),
    ]);
  });

  const env = (name: string, extra: Record<string, string> = {}): Record<string, string> => ({
    ...buildah.env,
    PATH: `${shimDir}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    DOCKER_SHIM_LOG: path.join(logs, name),
    GANTRY_RETRY_DELAY_SCALE: '0.01',
    ...extra,
  });

  test('auto picks docker when the engine answers; buildx build --push gets the credentials through DOCKER_CONFIG', async () => {
    const result = await runBundle('build-push', {
      bundlePath: entry,
      cwd: workspace,
      inputs: {
        image: `${registry.host}/acme/dk`,
        context: 'app',
        'tls-verify': 'false',
        username: 'ci',
        password: PASSWORD,
        provenance: 'mode=max',
        sbom: 'true',
      },
      env: env('auto'),
    });
    assert.equal(result.exitCode, 0, result.log);
    assert.equal(result.outputs['builder'], 'docker');
    const calls = (await readFile(path.join(logs, 'auto'), 'utf8')).split('\n');
    const build = calls.find((line) => line.startsWith('buildx build')) ?? '';
    for (const flag of ['--push', '--provenance=mode=max', '--sbom=true', '--metadata-file'])
      assert.ok(build.includes(flag), flag);
    assert.ok(
      !calls.some((line) => line.startsWith('push')),
      'docker pushes during the build, no separate push',
    );
    const auth = JSON.parse(await readFile(path.join(logs, 'auto.auth'), 'utf8')) as {
      auths: Record<string, { auth: string }>;
    };
    assert.equal(
      Buffer.from(auth.auths[registry.host]?.auth ?? '', 'base64').toString(),
      `ci:${PASSWORD}`,
      'the private DOCKER_CONFIG held the credentials during the build',
    );
    assert.equal((await readManifest(registry, 'acme/dk', 'main')).digest, result.outputs['digest']);
    assert.equal((await readManifest(registry, 'acme/dk', 'sha-0123456')).digest, result.outputs['digest']);
    assert.ok(!result.log.includes(PASSWORD));
    const workDir = JSON.parse(result.state['workDir'] ?? '""') as string;
    assert.ok(!existsSync(workDir), 'the private DOCKER_CONFIG is removed');
    assert.doesNotMatch(result.log, /provenance and sbom are docker buildx features/);
    assert.ok(
      result.annotations.some(
        (a) => a.level === 'warning' && /tls-verify: false is not passed to docker buildx/.test(a.message),
      ),
    );
  });

  test('a 503 during buildx build --push is retried (bounded) and then succeeds', async () => {
    const failures = path.join(logs, 'fail-count');
    await writeFile(failures, '1');
    const result = await runBundle('build-push', {
      bundlePath: entry,
      cwd: workspace,
      inputs: {
        image: `${registry.host}/acme/dk-retry`,
        context: 'app',
        'tls-verify': 'false',
        username: 'ci',
        password: PASSWORD,
        builder: 'docker',
      },
      env: env('retry', { DOCKER_SHIM_FAIL_PUSHES: failures }),
    });
    assert.equal(result.exitCode, 0, result.log);
    const warning = result.annotations.find(
      (a) => a.level === 'warning' && /build and push attempt 1 of 4 failed/.test(a.message),
    );
    assert.ok(warning, result.log);
    assert.match(warning.message, /503 Service Unavailable/);
    assert.equal((await readManifest(registry, 'acme/dk-retry', 'main')).digest, result.outputs['digest']);
  });

  test('builder: buildah ignores provenance/sbom with a warning', async () => {
    const result = await runBundle('build-push', {
      bundlePath: entry,
      cwd: workspace,
      inputs: {
        image: `${registry.host}/acme/bh`,
        context: 'app',
        'tls-verify': 'false',
        builder: 'buildah',
        provenance: 'true',
        push: 'false',
      },
      env: env('bh'),
    });
    assert.equal(result.exitCode, 0, result.log);
    assert.ok(
      result.annotations.some((a) => a.level === 'warning' && /buildah ignores them/.test(a.message)),
    );
    assert.ok(!existsSync(path.join(logs, 'bh')), 'docker was not even probed for an explicit buildah');
  });
});
