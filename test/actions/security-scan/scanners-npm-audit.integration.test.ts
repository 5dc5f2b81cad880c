/**
 * npm-audit with the real npm CLI against a local registry that speaks npm's bulk advisory endpoint
 * (`POST /-/npm/v1/security/advisories/bulk`, gzip-compressed `{name: [versions]}` in, `{name:
 * [{id, url, title, severity, vulnerable_versions, cwe, cvss}]}` out, as npm's arborist `audit-report.js`
 * calls it). Packuments are not served (404), so npm reports no fix — as it does offline.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseScanner, runScanner } from '../../../actions/security-scan/src/scanners.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { listFindings } from '../../../shared/src/sarif/findings.ts';
import { mergeLogs } from '../../../shared/src/sarif/merge.ts';
import { sarifSchemaErrors } from '../../shared/sarif/validate.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let temp = '';
let project = '';
let server: Server;
const bulkRequests: Record<string, string[]>[] = [];
let savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'gantry-npm-audit-'));
  project = path.join(temp, 'app');
  await cp(
    path.join(repo, 'test/fixtures/security-scan/reports/package-lock.json'),
    path.join(project, 'package-lock.json'),
  );
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({
      name: 'fixture-app',
      version: '1.0.0',
      dependencies: { debug: '4.3.0', mkdirp: '0.5.1', semver: '7.5.1' },
    }),
  );
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/-/npm/v1/security/advisories/bulk') {
        const raw = Buffer.concat(chunks);
        const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        bulkRequests.push(JSON.parse(body.toString('utf8')) as Record<string, string[]>);
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            minimist: [
              {
                id: 1096480,
                url: 'https://github.com/advisories/GHSA-xvch-5gv4-984h',
                title: 'Prototype Pollution in minimist',
                severity: 'critical',
                vulnerable_versions: '<0.2.4',
                cwe: ['CWE-1321'],
                cvss: { score: 9.8, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
              },
            ],
            semver: [
              {
                id: 1101088,
                url: 'https://github.com/advisories/GHSA-c2qf-rxjj-qqgw',
                title: 'semver vulnerable to Regular Expression Denial of Service',
                severity: 'moderate',
                vulnerable_versions: '>=7.0.0 <7.5.2',
                cwe: ['CWE-1333'],
                cvss: { score: 5.3, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' },
              },
            ],
          }),
        );
        return;
      }
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  savedEnv = { registry: process.env['npm_config_registry'], cache: process.env['npm_config_cache'] };
  process.env['npm_config_registry'] = `http://127.0.0.1:${port}/`;
  process.env['npm_config_cache'] = path.join(temp, 'npm-cache');
});

afterAll(async () => {
  if (savedEnv['registry'] === undefined) delete process.env['npm_config_registry'];
  else process.env['npm_config_registry'] = savedEnv['registry'];
  if (savedEnv['cache'] === undefined) delete process.env['npm_config_cache'];
  else process.env['npm_config_cache'] = savedEnv['cache'];
  await new Promise((resolve) => server.close(resolve));
  await rm(temp, { recursive: true, force: true });
});

describe('npm-audit scanner (real npm, local advisory endpoint)', () => {
  test('npm sends the lockfile packages; its JSON report becomes SARIF pointing at the lockfile', async () => {
    const output = await runScanner(parseScanner('npm-audit'), {
      dir: project,
      root: temp,
      temp,
      timeoutMs: 120_000,
      logger: createCaptureLogger(),
      overrides: new Map(),
      mirror: '',
    });
    assert.deepEqual(bulkRequests[0], {
      debug: ['4.3.0'],
      minimist: ['0.0.8'],
      mkdirp: ['0.5.1'],
      semver: ['7.5.1'],
    });
    const merged = mergeLogs(output.logs, 'gantry-security-scan');
    assert.deepEqual(sarifSchemaErrors(merged), []);
    assert.deepEqual(
      listFindings(merged).map((f) => [f.ruleId, f.severity, f.file, f.startLine]),
      [
        ['GHSA-xvch-5gv4-984h', 'critical', 'app/package-lock.json', 16],
        ['GHSA-c2qf-rxjj-qqgw', 'medium', 'app/package-lock.json', 25],
      ],
    );
  });

  test('no lockfile: a configuration error saying what to do', async () => {
    await assert.rejects(
      runScanner(parseScanner('npm-audit'), {
        dir: temp,
        root: temp,
        temp,
        timeoutMs: 10_000,
        logger: createCaptureLogger(),
        overrides: new Map(),
        mirror: '',
      }),
      /npm-audit needs a package-lock\.json/,
    );
  });
});
