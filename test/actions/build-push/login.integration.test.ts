/**
 * Login paths against real parts: a docker-registry with htpasswd (bcrypt) auth for username/password, and
 * moto's ECR `GetAuthorizationToken` whose decoded token is handed to buildah — the htpasswd registry only
 * accepts the password moto issues, so a push succeeds only if the token was decoded and used.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import https from 'node:https';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { repoRoot, runBundle, type RunBundleOptions } from '../../../testkit/bundle-runner.ts';
import { awsEnv, startMoto } from '../../../testkit/moto.ts';
import { buildahSandbox, makeWorkspace, type BuildahSandbox } from '../../../testkit/buildah.ts';
import { readManifest, startRegistry, type Registry } from '../../../testkit/registry.ts';

const entry = path.join(repoRoot, 'actions', 'build-push', 'src', 'index.ts');
const PASSWORD = 'reg-pass-9f8e7d6c5b4a';

describe('build-push login paths (htpasswd registry, ECR through moto)', () => {
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
    [registry, buildah, workspace] = await Promise.all([
      startRegistry({ htpasswd: { username: 'ci-bot', password: PASSWORD } }),
      buildahSandbox(),
      makeWorkspace(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([registry.stop(), buildah.cleanup(), rm(workspace, { recursive: true, force: true })]);
  });

  /** Every file under `dir`, recursively (relative paths). */
  const listFiles = async (dir: string): Promise<string[]> =>
    (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'bp-home-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  test('username/password: pushes to the htpasswd registry; the password is masked and never written outside the temp auth file', async () => {
    const result = await run({
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/team/app`,
        context: 'app',
        'tls-verify': 'false',
        username: 'ci-bot',
        password: PASSWORD,
      },
      env: { HOME: home, XDG_RUNTIME_DIR: path.join(home, 'run'), DOCKER_CONFIG: path.join(home, '.docker') },
    });
    assert.equal(result.exitCode, 0, result.log);
    assert.match(result.log, /logged in to 127\.0\.0\.1:\d+ as ci-bot \(password\)/);
    assert.deepEqual(await listFiles(home), [], "nothing was written to the user's docker/containers config");
    const served = await readManifest(registry, 'team/app', 'main');
    assert.equal(served.status, 200);
    assert.equal(served.digest, result.outputs['digest']);
    assert.ok(result.masks.includes(PASSWORD));
    for (const text of [
      result.log,
      result.summary,
      JSON.stringify(result.outputs),
      JSON.stringify(result.state),
    ])
      assert.ok(!text.includes(PASSWORD));
    const workDir = JSON.parse(result.state['workDir'] ?? '""') as string;
    assert.ok(workDir.startsWith(result.env['RUNNER_TEMP'] ?? '') || !existsSync(workDir));
    assert.ok(!existsSync(workDir), 'the temporary auth file is removed');
  });

  test('a wrong password fails clearly, without retrying, naming the tag', async () => {
    const result = await run({
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/team/app`,
        context: 'app',
        'tls-verify': 'false',
        username: 'ci-bot',
        password: 'wrong-password-123',
      },
    });
    assert.equal(result.exitCode, 1);
    const failure = result.annotations.find(
      (a) => a.level === 'error' && /Pushing .*team\/app:main failed/.test(a.message),
    );
    assert.ok(failure, result.log);
    assert.match(failure.message, /unauthorized|authentication required/i);
    assert.doesNotMatch(result.log, /retrying in/, 'authentication errors are not retried');
    assert.ok(!result.log.includes('wrong-password-123'));
  });

  test('anonymous push to an htpasswd registry fails with the registry’s answer', async () => {
    const result = await run({
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/team/anon`,
        context: 'app',
        'tls-verify': 'false',
      },
    });
    assert.equal(result.exitCode, 1);
    assert.match(result.log, /no login \(no username\/password given: pushing anonymously\)/);
    assert.match(result.log, /authentication required|unauthorized/i);
  });

  describe('ECR (moto)', () => {
    let moto: { endpoint: string; stop: () => Promise<void> };
    let ecrRegistry: Registry;
    let mototoken: { username: string; password: string };

    beforeAll(async () => {
      moto = await startMoto();
      const client = new ECRClient({
        region: 'us-east-1',
        endpoint: moto.endpoint,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      });
      const response = await client.send(new GetAuthorizationTokenCommand({}));
      client.destroy();
      const decoded = Buffer.from(
        response.authorizationData?.[0]?.authorizationToken ?? '',
        'base64',
      ).toString();
      const [username = '', password = ''] = decoded.split(/:(.*)/s);
      mototoken = { username, password };
      ecrRegistry = await startRegistry({ htpasswd: mototoken });
    });
    afterAll(async () => {
      await Promise.all([moto.stop(), ecrRegistry.stop()]);
    });

    test('login: ecr gets a token from GetAuthorizationToken, decodes it and buildah pushes with it', async () => {
      assert.equal(mototoken.username, 'AWS');
      const result = await run({
        inputs: {
          builder: 'buildah',
          image: `${ecrRegistry.host}/app`,
          context: 'app',
          'tls-verify': 'false',
          login: 'ecr',
        },
        env: awsEnv(moto.endpoint),
      });
      assert.equal(result.exitCode, 0, result.log);
      assert.match(result.log, /logged in to 127\.0\.0\.1:\d+ as AWS \(ecr\)/);
      assert.equal((await readManifest(ecrRegistry, 'app', 'main')).digest, result.outputs['digest']);
      assert.ok(result.masks.includes(mototoken.password));
      assert.ok(!result.log.includes(mototoken.password));
    });

    test('ECR without credentials fails naming ECR login, before any build', async () => {
      const result = await run({
        inputs: {
          builder: 'buildah',
          image: `${ecrRegistry.host}/app`,
          context: 'app',
          'tls-verify': 'false',
          login: 'ecr',
        },
        env: {
          AWS_ENDPOINT_URL: moto.endpoint,
          AWS_REGION: 'us-east-1',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
          AWS_CONFIG_FILE: '/nonexistent',
        },
      });
      assert.equal(result.exitCode, 1);
      assert.match(
        result.annotations[0]?.message ?? '',
        /ECR login \(GetAuthorizationToken in us-east-1\) failed/,
      );
      assert.doesNotMatch(result.log, /Build with buildah/);
    });
  });
});

describe('build-push with a TLS registry whose certificate is self-signed', () => {
  let registry: Registry;
  let buildah: BuildahSandbox;
  let workspace: string;
  beforeAll(async () => {
    [registry, buildah, workspace] = await Promise.all([
      startRegistry({ tls: true }),
      buildahSandbox(),
      makeWorkspace(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([registry.stop(), buildah.cleanup(), rm(workspace, { recursive: true, force: true })]);
  });

  /** GET a manifest over HTTPS without verifying the certificate (test side, independent of the action). */
  const manifestDigest = (repository: string, tag: string): Promise<{ status: number; digest: string }> =>
    new Promise((resolve, reject) => {
      const request = https.get(
        `https://${registry.host}/v2/${repository}/manifests/${tag}`,
        { rejectUnauthorized: false, headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              digest: `sha256:${createHash('sha256').update(Buffer.concat(chunks)).digest('hex')}`,
            }),
          );
        },
      );
      request.on('error', reject);
    });

  test('tls-verify: false pushes over HTTPS and reads the digest back over HTTPS', async () => {
    const result = await runBundle('build-push', {
      bundlePath: entry,
      cwd: workspace,
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/tls`,
        context: 'app',
        'tls-verify': 'false',
      },
      env: buildah.env,
    });
    assert.equal(result.exitCode, 0, result.log);
    const served = await manifestDigest('acme/tls', 'main');
    assert.equal(served.status, 200);
    assert.equal(served.digest, result.outputs['digest']);
  });

  test('tls-verify: true refuses the self-signed certificate, without retrying', async () => {
    const result = await runBundle('build-push', {
      bundlePath: entry,
      cwd: workspace,
      inputs: { builder: 'buildah', image: `${registry.host}/acme/tls-strict`, context: 'app' },
      env: { ...buildah.env, GANTRY_RETRY_DELAY_SCALE: '0.01' },
    });
    assert.equal(result.exitCode, 1);
    assert.match(result.log, /certificate|x509/i);
    assert.doesNotMatch(result.log, /retrying in/);
    assert.equal((await manifestDigest('acme/tls-strict', 'main')).status, 404);
  });
});
