import { spawnSync } from 'node:child_process';
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import {
  buildArguments,
  detectBuilder,
  pushArguments,
  type BuilderProbe,
  type BuildRequest,
} from '../../../actions/build-push/src/builders.ts';
import { isTransientPushFailure } from '../../../actions/build-push/src/run-tool.ts';

/** A probe over a fixed set of installed tools (no processes started). */
function probe(installed: Record<string, string>, engine = false): BuilderProbe & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    which: async (tool) => {
      asked.push(tool);
      return installed[tool] ?? '';
    },
    dockerEngineAnswers: async () => engine,
  };
}

describe('detectBuilder (probe stub)', () => {
  test('auto prefers docker buildx when the engine answers', async () => {
    const found = await detectBuilder(
      'auto',
      probe({ docker: '/usr/bin/docker', buildah: '/usr/bin/buildah' }, true),
    );
    assert.equal(found.name, 'docker');
  });
  test('auto skips a docker CLI without an engine and takes buildah, saying why', async () => {
    const found = await detectBuilder(
      'auto',
      probe({ docker: '/usr/bin/docker', buildah: '/usr/bin/buildah' }),
    );
    assert.equal(found.name, 'buildah');
    assert.match(found.looked[0] ?? '', /docker: \/usr\/bin\/docker found, but no Docker engine/);
  });
  test('auto falls back to podman', async () => {
    const found = await detectBuilder('auto', probe({ podman: '/usr/bin/podman' }));
    assert.deepEqual([found.name, found.path], ['podman', '/usr/bin/podman']);
  });
  test('auto with nothing installed fails naming all three', async () => {
    await assert.rejects(detectBuilder('auto', probe({})), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.match(error.message, /docker buildx with a running engine, buildah, podman/);
      assert.match(error.message, /buildah: not on PATH; podman: not on PATH/);
      return true;
    });
  });
  test('an explicit builder that is missing fails naming it, without trying others', async () => {
    const stub = probe({ buildah: '/usr/bin/buildah' });
    await assert.rejects(detectBuilder('podman', stub), /builder 'podman'.*podman: not on PATH/);
    assert.deepEqual(stub.asked, ['podman']);
  });
});

describe('detectBuilder (this machine)', () => {
  test('auto picks docker exactly when a Docker engine answers here, else buildah', async () => {
    const server = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' });
    const engine = server.status === 0 && server.stdout.trim() !== '';
    const found = await detectBuilder('auto');
    assert.equal(found.name, engine ? 'docker' : 'buildah');
    if (!engine && spawnSync('which', ['docker']).status === 0)
      assert.match(found.looked.join('\n'), /docker: \S+ found, but no Docker engine/);
  });
});

const request: BuildRequest = {
  context: '/ws/app',
  file: '/ws/app/Containerfile',
  references: ['r.example/app:main', 'r.example/app:sha-1234567'],
  labels: new Map([['org.opencontainers.image.revision', 'abc']]),
  buildArgs: new Map([['APP_VERSION', '1 2; rm -rf /']]),
  secretFiles: [{ id: 'npm', path: '/tmp/w/secrets/secret-0' }],
  target: '',
  platforms: [],
  cacheFrom: [],
  cacheTo: [],
  provenance: '',
  sbom: '',
  tlsVerify: true,
  push: true,
  iidFile: '/tmp/w/iid',
  metadataFile: '/tmp/w/metadata.json',
};

describe('buildArguments: request → argument array', () => {
  test('buildah: tags, labels, build args (kept as one argument, never shell-split), secrets, iidfile, context last', () => {
    assert.deepEqual(buildArguments('buildah', request), [
      'build',
      '--file',
      '/ws/app/Containerfile',
      '--tag',
      'r.example/app:main',
      '--tag',
      'r.example/app:sha-1234567',
      '--label',
      'org.opencontainers.image.revision=abc',
      '--build-arg',
      'APP_VERSION=1 2; rm -rf /',
      '--secret',
      'id=npm,src=/tmp/w/secrets/secret-0',
      '--iidfile',
      '/tmp/w/iid',
      '/ws/app',
    ]);
  });
  test('buildah with several platforms builds a manifest list; caches add --layers', () => {
    const args = buildArguments('buildah', {
      ...request,
      platforms: ['linux/amd64', 'linux/arm64'],
      cacheFrom: ['r.example/app-cache'],
      target: 'runtime',
    });
    assert.deepEqual(args.slice(0, 5), [
      'build',
      '--file',
      '/ws/app/Containerfile',
      '--manifest',
      'r.example/app:main',
    ]);
    assert.ok(!args.includes('--tag'));
    const at = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
    assert.equal(at('--platform'), 'linux/amd64,linux/arm64');
    assert.equal(at('--target'), 'runtime');
    assert.equal(at('--cache-from'), 'r.example/app-cache');
    assert.ok(args.includes('--layers'));
    assert.ok(!args.includes('--iidfile'), 'buildah refuses --iidfile for several images');
  });
  test('docker: buildx build with provenance, sbom, metadata file and --push', () => {
    const args = buildArguments('docker', {
      ...request,
      provenance: 'mode=max',
      sbom: 'true',
      cacheTo: ['type=gha'],
    });
    assert.deepEqual(args.slice(0, 2), ['buildx', 'build']);
    for (const flag of ['--provenance=mode=max', '--sbom=true', '--push', '--metadata-file'])
      assert.ok(args.includes(flag), flag);
    assert.ok(!args.includes('--layers'));
    assert.equal(args[args.length - 1], '/ws/app');
  });
  test('docker without push loads a single-platform image, and does neither for several platforms', () => {
    assert.ok(buildArguments('docker', { ...request, push: false }).includes('--load'));
    const multi = buildArguments('docker', {
      ...request,
      push: false,
      platforms: ['linux/amd64', 'linux/arm64'],
    });
    assert.ok(!multi.includes('--load') && !multi.includes('--push'));
  });
  test('tls-verify false reaches buildah/podman builds (cache pushes, pulls), not docker', () => {
    assert.ok(buildArguments('buildah', { ...request, tlsVerify: false }).includes('--tls-verify=false'));
    assert.ok(!buildArguments('buildah', request).some((arg) => arg.startsWith('--tls-verify')));
    assert.ok(
      !buildArguments('docker', { ...request, tlsVerify: false }).some((arg) =>
        arg.startsWith('--tls-verify'),
      ),
    );
  });
  test('podman builds like buildah', () => {
    assert.deepEqual(buildArguments('podman', request), buildArguments('buildah', request));
  });
});

describe('pushArguments', () => {
  const push = {
    source: 'r.example/app:main',
    destination: 'r.example/app:latest',
    authFile: '/tmp/w/docker/config.json',
    tlsVerify: true,
    digestFile: '/tmp/w/digest-1',
    manifestList: false,
    retryDelay: '1000ms',
  };
  test('buildah push with the private auth file and a digest file', () => {
    assert.deepEqual(pushArguments('buildah', push), [
      'push',
      '--authfile',
      '/tmp/w/docker/config.json',
      '--tls-verify=true',
      '--digestfile',
      '/tmp/w/digest-1',
      '--retry-delay',
      '1000ms',
      'r.example/app:main',
      'docker://r.example/app:latest',
    ]);
  });
  test('a manifest list is pushed with manifest push --all; podman gets no buildah-only flags', () => {
    const args = pushArguments('podman', { ...push, manifestList: true, tlsVerify: false });
    assert.deepEqual(args.slice(0, 3), ['manifest', 'push', '--all']);
    assert.ok(args.includes('--tls-verify=false'));
    assert.ok(!args.includes('--retry-delay'));
  });
});

describe('isTransientPushFailure: builder output → retry?', () => {
  const cases: [string, boolean][] = [
    ['Error: writing blob: Post "http://r/v2/a/blobs/uploads/": EOF', true],
    ['dial tcp 127.0.0.1:5000: connect: connection refused', true],
    ['read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer', true],
    ['received unexpected HTTP status: 503 Service Unavailable', true],
    ['received unexpected HTTP status: 502 Bad Gateway', true],
    ['toomanyrequests: rate limit exceeded', true],
    ['unauthorized: authentication required', false],
    ['denied: requested access to the resource is denied', false],
    ['manifest invalid: manifest invalid', false],
    ['Error: no such file or directory', false],
    ['connection reset ... then unauthorized: authentication required', false],
  ];
  for (const [line, expected] of cases)
    test(`${expected ? 'retry' : 'no retry'}: ${line.slice(0, 60)}`, () =>
      assert.equal(isTransientPushFailure(['Getting image source signatures', line]), expected));
});
