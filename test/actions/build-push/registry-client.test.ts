/**
 * The registry read-back client against a local HTTP server on loopback that speaks the distribution API
 * v2 and the token auth flow, with faults injected (503, dropped connections, wrong digests).
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import {
  imageSize,
  parseChallenge,
  RegistryClient,
  RegistryError,
} from '../../../actions/build-push/src/registry-client.ts';

const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: configDigest,
      size: config.length,
    },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: 'sha256:00', size: 100 }],
  }),
);
const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;

interface Behaviour {
  /** Answer 503 to this many manifest requests first. */
  fail503: number;
  /** Drop this many connections first. */
  drop: number;
  /** Require a bearer token obtained with these Basic credentials. */
  bearer?: { user: string; password: string };
  /** Require Basic auth. */
  basic?: { user: string; password: string };
  wrongDigestHeader: boolean;
}

describe('RegistryClient (local registry API server)', () => {
  let server: http.Server;
  let host: string;
  let behaviour: Behaviour;
  const requests: string[] = [];
  const TOKEN = 'tok-abc-123';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      if (behaviour.drop > 0) {
        behaviour.drop--;
        req.socket.destroy();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        const expected = `Basic ${Buffer.from(`${behaviour.bearer?.user}:${behaviour.bearer?.password}`).toString('base64')}`;
        if (
          req.headers.authorization !== expected ||
          url.searchParams.get('scope') !== 'repository:org/app:pull'
        ) {
          res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: TOKEN }));
        return;
      }
      if (behaviour.bearer !== undefined && req.headers.authorization !== `Bearer ${TOKEN}`) {
        res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="http://${host}/token",service="test",scope="repository:org/app:pull"`,
          })
          .end();
        return;
      }
      if (behaviour.basic !== undefined) {
        const expected = `Basic ${Buffer.from(`${behaviour.basic.user}:${behaviour.basic.password}`).toString('base64')}`;
        if (req.headers.authorization !== expected) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
          return;
        }
      }
      if (url.pathname.startsWith('/v2/org/app/manifests/')) {
        if (behaviour.fail503 > 0) {
          behaviour.fail503--;
          res.writeHead(503).end('{"errors":[{"code":"UNAVAILABLE"}]}');
          return;
        }
        const reference = decodeURIComponent(url.pathname.split('/').pop() ?? '');
        if (reference !== 'main' && reference !== manifestDigest) {
          res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
          return;
        }
        res
          .writeHead(200, {
            'content-type': 'application/vnd.oci.image.manifest.v1+json',
            'docker-content-digest': behaviour.wrongDigestHeader
              ? `sha256:${'f'.repeat(64)}`
              : manifestDigest,
          })
          .end(manifest);
        return;
      }
      if (url.pathname === `/v2/org/app/blobs/${configDigest}`) {
        res.writeHead(200).end(config);
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    behaviour = { fail503: 0, drop: 0, wrongDigestHeader: false };
    requests.length = 0;
    process.env['GANTRY_RETRY_DELAY_SCALE'] = '0.001';
  });

  const client = (extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) =>
    new RegistryClient({ registry: host, repository: 'org/app', tlsVerify: false, attempts: 3, ...extra });

  test('reads a manifest over plain HTTP (tls-verify false falls back from https) with its digest', async () => {
    const served = await client().getManifest('main');
    assert.equal(served.digest, manifestDigest);
    assert.equal(served.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(await imageSize(client(), served), config.length + 100);
  });

  test('bearer token flow: challenge, token with Basic credentials, retried request; the token is masked', async () => {
    behaviour.bearer = { user: 'bot', password: 'pw' };
    const logger = createCaptureLogger();
    const served = await client({ credentials: { username: 'bot', password: 'pw' }, logger }).getManifest(
      'main',
    );
    assert.equal(served.digest, manifestDigest);
    assert.ok(
      requests.some((line) => line.startsWith('GET /token?service=test&scope=repository%3Aorg%2Fapp%3Apull')),
    );
    assert.ok(requests.at(-1)?.endsWith(`Bearer ${TOKEN}`));
    logger.info(`token is ${TOKEN}`);
    assert.equal(logger.text(), 'token is ***');
  });

  test('bearer flow with wrong credentials: a 401 error, not retried', async () => {
    behaviour.bearer = { user: 'bot', password: 'pw' };
    await assert.rejects(
      client({ credentials: { username: 'bot', password: 'nope' } }).getManifest('main'),
      (error: unknown) =>
        error instanceof RegistryError &&
        error.status === 401 &&
        /refused the credentials/.test(error.message),
    );
    assert.equal(requests.filter((line) => line.startsWith('GET /token')).length, 1);
  });

  test('Basic challenge answered with the credentials', async () => {
    behaviour.basic = { user: 'u', password: 'p' };
    const served = await client({ credentials: { username: 'u', password: 'p' } }).getManifest('main');
    assert.equal(served.digest, manifestDigest);
  });

  test('503 answers are retried and logged, then succeed', async () => {
    behaviour.fail503 = 2;
    const logger = createCaptureLogger();
    const served = await client({ logger }).getManifest('main');
    assert.equal(served.digest, manifestDigest);
    assert.equal(
      logger.lines.filter((line) => /attempt \d of 3 failed .*503.*retrying/.test(line.message)).length,
      2,
    );
  });

  test('503 beyond the attempts: the error names the manifest and the status', async () => {
    behaviour.fail503 = 5;
    await assert.rejects(
      client().getManifest('main'),
      /reading manifest 127\.0\.0\.1:\d+\/org\/app:main: 127\.0\.0\.1:\d+ answered 503/,
    );
    assert.equal(requests.length, 3, 'three attempts, no more');
  });

  test('dropped connections are retried', async () => {
    behaviour.drop = 2;
    const served = await client().getManifest('main');
    assert.equal(served.digest, manifestDigest);
  });

  test('404 for an unknown tag is not retried', async () => {
    await assert.rejects(
      client().getManifest('nope'),
      (error: unknown) => error instanceof RegistryError && error.status === 404,
    );
    assert.equal(requests.length, 1);
  });

  test('a Docker-Content-Digest that disagrees with the bytes is an error', async () => {
    behaviour.wrongDigestHeader = true;
    behaviour.fail503 = 0;
    await assert.rejects(client({ attempts: 1 }).getManifest('main'), /does not match the bytes served/);
  });

  test('blobs are checked against their digest', async () => {
    assert.deepEqual(await client().getBlob(configDigest), config);
    await assert.rejects(client({ attempts: 1 }).getBlob(`sha256:${'0'.repeat(64)}`), /answered 404/);
  });

  test('tls-verify true never falls back to plain HTTP', async () => {
    await assert.rejects(client({ tlsVerify: true, attempts: 1 }).getManifest('main'));
    assert.equal(requests.length, 0, 'the plain-HTTP server saw no request');
  });
});

describe('parseChallenge', () => {
  test('Bearer with quoted parameters', () => {
    assert.deepEqual(
      parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/a:pull"'),
      {
        scheme: 'bearer',
        params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:o/a:pull' },
      },
    );
  });
  test('Basic', () =>
    assert.deepEqual(parseChallenge('Basic realm="x"'), { scheme: 'basic', params: { realm: 'x' } }));
});
