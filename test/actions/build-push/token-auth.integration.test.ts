/**
 * A registry with token auth (the flow ghcr.io and Docker Hub use): a real docker-registry configured with
 * `auth: token` trusting a local token server that issues RS256 JWTs. `login: ghcr` hands the GitHub token
 * to buildah as the password of the actor, and the action's read-back goes through the same bearer flow.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, runBundle } from '../../../testkit/bundle-runner.ts';
import { buildahSandbox, makeWorkspace, type BuildahSandbox } from '../../../testkit/buildah.ts';
import {
  readManifest,
  startRegistry,
  startTokenServer,
  type Registry,
  type TokenServer,
} from '../../../testkit/registry.ts';

const entry = path.join(repoRoot, 'actions', 'build-push', 'src', 'index.ts');
const TOKEN = 'ghs_0123456789abcdefghijklmnopqrstuvwxyzAB';

describe('build-push against a token-auth registry (ghcr.io-style bearer flow)', () => {
  let tokens: TokenServer;
  let registry: Registry;
  let buildah: BuildahSandbox;
  let workspace: string;
  beforeAll(async () => {
    tokens = await startTokenServer({ username: 'octocat', password: TOKEN });
    [registry, buildah, workspace] = await Promise.all([
      startRegistry({ token: tokens }),
      buildahSandbox(),
      makeWorkspace(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([
      registry.stop(),
      tokens.close(),
      buildah.cleanup(),
      rm(workspace, { recursive: true, force: true }),
    ]);
  });

  test('login: ghcr pushes as the actor with the GitHub token; the digest is read back through bearer tokens', async () => {
    tokens.requests.length = 0;
    const result = await runBundle('build-push', {
      bundlePath: entry,
      cwd: workspace,
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/app`,
        context: 'app',
        'tls-verify': 'false',
        login: 'ghcr',
        'github-token': TOKEN,
      },
      env: { ...buildah.env, GITHUB_ACTOR: 'octocat' },
    });
    assert.equal(result.exitCode, 0, result.log);
    assert.match(result.log, /logged in to 127\.0\.0\.1:\d+ as octocat \(ghcr\)/);
    const served = await readManifest(registry, 'acme/app', 'main');
    assert.equal(served.status, 200);
    assert.equal(served.digest, result.outputs['digest']);
    assert.ok(
      tokens.requests.some((r) => r.user === 'octocat' && /repository:acme\/app:.*push/.test(r.scope)),
      'buildah asked for a push token as the actor',
    );
    assert.ok(
      tokens.requests.some((r) => r.user === 'octocat' && r.scope === 'repository:acme/app:pull'),
      'the read-back asked for a pull token',
    );
    for (const text of [result.log, result.summary, JSON.stringify(result.outputs)])
      assert.ok(!text.includes(TOKEN));
  });

  test('a wrong token: the token server refuses, the push fails naming the tag, nothing is retried', async () => {
    const result = await runBundle('build-push', {
      bundlePath: entry,
      cwd: workspace,
      inputs: {
        builder: 'buildah',
        image: `${registry.host}/acme/denied`,
        context: 'app',
        'tls-verify': 'false',
        login: 'ghcr',
        'github-token': 'ghs_wrong_token_value_1234567890',
      },
      env: { ...buildah.env, GITHUB_ACTOR: 'octocat', GANTRY_RETRY_DELAY_SCALE: '0.01' },
    });
    assert.equal(result.exitCode, 1);
    const failure = result.annotations.find(
      (a) => a.title === `Push of ${registry.host}/acme/denied:main failed`,
    );
    assert.ok(failure, result.log);
    assert.doesNotMatch(result.log, /retrying in/);
    assert.ok(!result.log.includes('ghs_wrong_token_value_1234567890'));
    assert.equal((await readManifest(registry, 'acme/denied', 'main')).status, 404);
  });
});
