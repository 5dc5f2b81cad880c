/**
 * The pinned-tool install path against a local HTTP server serving release assets (the real releases
 * cannot be downloaded here). The archive holds a stub executable; what is under test is download,
 * SHA-256 verification, extraction and caching with @actions/tool-cache.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChecksumMismatchError, installTool } from '../../../actions/security-scan/src/install.ts';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';

let temp = '';
let server: Server;
let mirror = '';
const requests: string[] = [];
const assets = new Map<string, Buffer>();
let archiveSha = '';
let binarySha = '';

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'gantry-install-'));
  process.env['RUNNER_TEMP'] = path.join(temp, 'runner-temp');
  process.env['RUNNER_TOOL_CACHE'] = path.join(temp, 'tool-cache');
  await mkdir(process.env['RUNNER_TEMP'], { recursive: true });
  const staging = path.join(temp, 'staging');
  await mkdir(staging);
  await writeFile(path.join(staging, 'gitleaks'), '#!/bin/sh\necho "gitleaks stub 8.30.1 $*"\n');
  await chmod(path.join(staging, 'gitleaks'), 0o755);
  await writeFile(path.join(staging, 'LICENSE'), 'MIT\n');
  const archive = path.join(temp, 'gitleaks.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', staging, 'gitleaks', 'LICENSE']);
  const archiveBytes = await readFile(archive);
  archiveSha = createHash('sha256').update(archiveBytes).digest('hex');
  assets.set('/gitleaks/gitleaks/releases/download/v8.30.1/gitleaks_8.30.1_linux_x64.tar.gz', archiveBytes);
  assets.set('/gitleaks/gitleaks/releases/download/v8.29.0/gitleaks_8.29.0_linux_x64.tar.gz', archiveBytes);
  const binary = Buffer.from('#!/bin/sh\necho osv-scanner stub\n');
  binarySha = createHash('sha256').update(binary).digest('hex');
  assets.set('/google/osv-scanner/releases/download/v2.3.3/osv-scanner_linux_amd64', binary);
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const body = assets.get(request.url ?? '');
    if (body === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    response
      .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  mirror = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(temp, { recursive: true, force: true });
});

const linux = { platform: 'linux' as const, arch: 'x64' };

describe('installTool (local release server)', () => {
  test('downloads, verifies the SHA-256, extracts, caches, and the tool runs; the next call uses the cache', async () => {
    const logger = createCaptureLogger();
    const before = requests.length;
    const executable = await installTool('gitleaks', {
      ...linux,
      logger,
      mirror,
      override: { version: '8.29.0', sha256: archiveSha },
    });
    assert.equal(requests.length, before + 1);
    assert.equal(
      requests.at(-1),
      '/gitleaks/gitleaks/releases/download/v8.29.0/gitleaks_8.29.0_linux_x64.tar.gz',
    );
    assert.match(executable, /tool-cache\/gitleaks\/8\.29\.0\/.+\/gitleaks$/);
    assert.equal(execFileSync(executable, ['version']).toString().trim(), 'gitleaks stub 8.30.1 version');
    assert.match(logger.text(), new RegExp(`SHA-256 verified: ${archiveSha}`));
    const again = await installTool('gitleaks', {
      ...linux,
      logger,
      mirror,
      override: { version: '8.29.0', sha256: archiveSha },
    });
    assert.equal(again, executable);
    assert.equal(requests.length, before + 1, 'served from the tool cache');
  });

  test('a checksum mismatch is a hard failure: nothing cached, nothing left in the temp folder', async () => {
    const wrong = 'f'.repeat(64);
    await assert.rejects(
      installTool('gitleaks', {
        ...linux,
        logger: createCaptureLogger(),
        mirror,
        override: { version: '8.30.1', sha256: wrong },
      }),
      (error: unknown) =>
        error instanceof ChecksumMismatchError &&
        error.message.includes(`expected ${wrong}, got ${archiveSha}`) &&
        error.message.includes('gitleaks_8.30.1_linux_x64.tar.gz'),
    );
    const cached: string[] = await readdir(
      path.join(process.env['RUNNER_TOOL_CACHE'] ?? '', 'gitleaks'),
    ).catch(() => []);
    assert.ok(!cached.includes('8.30.1'), 'the tampered tool is not cached');
    const leftovers = await readdir(process.env['RUNNER_TEMP'] ?? '');
    assert.deepEqual(leftovers, [], 'the download was deleted');
  });

  test('without an override the recorded table is the reference: a substituted asset is refused', async () => {
    await assert.rejects(
      installTool('gitleaks', { ...linux, logger: createCaptureLogger(), mirror }),
      (error: unknown) =>
        error instanceof ChecksumMismatchError &&
        error.message.includes('expected 551f6fc83ea457d62a0d98237cbad105af8d557003051f41f3e7ca7b3f2470eb'),
    );
  });

  test('a version with no recorded checksum is refused before any download', async () => {
    const before = requests.length;
    await assert.rejects(
      installTool('gitleaks', {
        ...linux,
        logger: createCaptureLogger(),
        mirror,
        override: { version: '8.1.0' },
      }),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        /tool-versions input: gitleaks=8\.1\.0@sha256:/.test(error.message),
    );
    assert.equal(requests.length, before);
  });

  test('a bare-binary tool (osv-scanner) is verified and made executable', async () => {
    const executable = await installTool('osv-scanner', {
      ...linux,
      logger: createCaptureLogger(),
      mirror,
      override: { version: '2.3.3', sha256: binarySha },
    });
    assert.equal(execFileSync(executable).toString().trim(), 'osv-scanner stub');
  });

  test('a missing asset fails with the HTTP status', async () => {
    await assert.rejects(
      installTool('trufflehog', { ...linux, logger: createCaptureLogger(), mirror }),
      /404/,
    );
  });
});
