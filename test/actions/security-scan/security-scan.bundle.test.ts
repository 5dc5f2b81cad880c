/**
 * The security-scan bundle run as the runner runs it: real secretlint, a gitleaks release served by a
 * local HTTP server (a stub executable that writes the documented-format report fixture, installed and
 * SHA-256-verified like the real one), native SARIF fixtures of trivy / checkov / osv-scanner / semgrep,
 * and the code scanning upload against a local GitHub API server.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, runBundle } from '../../../testkit/bundle-runner.ts';
import { startGitHubApi, type GitHubApiServer } from '../../../testkit/github-code-scanning.ts';
import { sarifSchemaErrors } from '../../shared/sarif/validate.ts';
import type { Log } from '../../../shared/src/sarif/types.ts';

const fixtures = path.join(repoRoot, 'test/fixtures/security-scan');
const SECRETS = [
  'Gx7-fixture-Planted-Secret-9Qz',
  'AKIAIOSFODNN7EXAMPLE',
  'gnt_fixture_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
];

let temp = '';
let api: GitHubApiServer;
let releases: Server;
let mirror = '';
let stubSha = '';

/** A workspace: the fixture project, the SARIF reports and node_modules (for secretlint). */
async function workspace(name: string, ignoreFile?: string): Promise<string> {
  const dir = path.join(temp, name);
  await cp(path.join(fixtures, 'project'), dir, { recursive: true });
  await mkdir(path.join(dir, 'reports'));
  for (const report of ['trivy', 'checkov', 'osv-scanner', 'semgrep'])
    await cp(path.join(fixtures, 'reports', `${report}.sarif`), path.join(dir, 'reports', `${report}.sarif`));
  await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  if (ignoreFile !== undefined) {
    await mkdir(path.join(dir, '.gantry'), { recursive: true });
    await writeFile(path.join(dir, '.gantry', 'security-ignore.yml'), ignoreFile);
  }
  return dir;
}

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'gantry-security-scan-bundle-'));
  api = await startGitHubApi();
  const staging = path.join(temp, 'staging');
  await mkdir(staging);
  await cp(path.join(fixtures, 'gitleaks-stub.sh'), path.join(staging, 'gitleaks'));
  const archive = path.join(temp, 'gitleaks.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', staging, 'gitleaks']);
  const bytes = await readFile(archive);
  stubSha = createHash('sha256').update(bytes).digest('hex');
  releases = createServer((request, response) => {
    if (request.url === '/gitleaks/gitleaks/releases/download/v8.30.1/gitleaks_8.30.1_linux_x64.tar.gz')
      response.writeHead(200, { 'content-length': bytes.length }).end(bytes);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => releases.listen(0, '127.0.0.1', resolve));
  const address = releases.address();
  mirror = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  await api.close();
  await new Promise((resolve) => releases.close(resolve));
  await rm(temp, { recursive: true, force: true });
});

describe('security-scan bundle', () => {
  test('a missing scanners input fails fast naming the input', async () => {
    const run = await runBundle('security-scan', { inputs: { scanners: '' } });
    assert.equal(run.exitCode, 1);
    assert.match(run.log, /Input 'scanners': a value is required/);
  });

  test('every scanner merged, gated, annotated, summarised, uploaded — and no secret anywhere', async () => {
    const cwd = await workspace(
      'full',
      '- id: CKV_AWS_18\n  reason: access logs go to the central bucket\n  expires: 2999-12-31\n',
    );
    const sarifFile = path.join(temp, 'full.sarif');
    api.uploads.length = 0;
    api.statusReads.length = 0;
    const run = await runBundle('security-scan', {
      cwd,
      inputs: {
        scanners: 'secretlint\ngitleaks\nsarif:reports/*.sarif',
        'upload-sarif': 'true',
        'github-token': 'ghs_bundleFixtureToken123',
        'sarif-file': sarifFile,
        'tool-versions': `gitleaks=8.30.1@sha256:${stubSha}`,
        'tool-mirror': mirror,
      },
      env: {
        RUNNER_TEMP: temp, // output files go to the workspace or RUNNER_TEMP (issue 14)
        GITHUB_API_URL: api.url,
        GANTRY_TEST_GITLEAKS_REPORT: path.join(fixtures, 'reports', 'gitleaks.json'),
        GANTRY_RETRY_DELAY_SCALE: '0',
      },
    });
    assert.equal(run.exitCode, 1, run.log);
    assert.deepEqual(
      {
        critical: run.outputs['critical'],
        high: run.outputs['high'],
        medium: run.outputs['medium'],
        low: run.outputs['low'],
        total: run.outputs['total'],
        secrets: run.outputs['secrets'],
        ignored: run.outputs['ignored'],
        blocked: run.outputs['blocked'],
        'sarif-ids': run.outputs['sarif-ids'],
      },
      {
        critical: '1',
        high: '8',
        medium: '2',
        low: '0',
        total: '11',
        secrets: '4',
        ignored: '1',
        blocked: 'true',
        'sarif-ids': 'sarif-1',
      },
    );
    assert.equal(run.outputs['blocked-reason'], '4 secrets found; 9 findings at or above high severity');
    assert.match(run.log, /security-scan blocked: 4 secrets found; 9 findings at or above high severity/);
    assert.match(run.log, /SHA-256 verified/);

    // Annotations: most severe first, at most 10 per level.
    const findings = run.annotations.filter((a) => a.title !== undefined);
    assert.equal(findings.filter((a) => a.level === 'error').length, 9);
    assert.equal(findings.filter((a) => a.level === 'warning').length, 2);
    assert.equal(findings[0]?.title, 'Trivy aws-access-key-id (critical)');
    assert.equal(findings[0]?.file, 'config/app.env');
    assert.ok(
      findings.some((a) => a.file === 'src/config.js' && a.line === 2 && a.title?.startsWith('secretlint')),
    );

    // Summary: counts per tool x severity, top findings, what was ignored.
    assert.match(run.summary, /security-scan: blocked/);
    assert.match(
      run.summary,
      /<td>Trivy<\/td><td>1<\/td><td>2<\/td><td>0<\/td><td>0<\/td><td>1<\/td><td>3<\/td>/,
    );
    assert.match(
      run.summary,
      /<td>gitleaks<\/td><td>0<\/td><td>2<\/td><td>0<\/td><td>0<\/td><td>2<\/td><td>2<\/td>/,
    );
    assert.match(run.summary, /Ignored \(ignore file\)/);
    assert.match(run.summary, /CKV_AWS_18/);

    // The SARIF file: valid, one run per tool with a stable category, suppression recorded.
    const log = JSON.parse(await readFile(sarifFile, 'utf8')) as Log;
    assert.deepEqual(sarifSchemaErrors(log), []);
    assert.deepEqual(
      log.runs.map((r) => [r.tool.driver.name, r.automationDetails?.id, r.results?.length]),
      [
        ['secretlint', 'gantry-security-scan/secretlint/', 1],
        ['gitleaks', 'gantry-security-scan/gitleaks/', 2],
        ['Checkov', 'gantry-security-scan/checkov/', 2],
        ['osv-scanner', 'gantry-security-scan/osv-scanner/', 2],
        ['Semgrep OSS', 'gantry-security-scan/semgrep-oss/', 2],
        ['Trivy', 'gantry-security-scan/trivy/', 3],
      ],
    );
    const suppressed = log.runs[2]!.results!.find((r) => r.ruleId === 'CKV_AWS_18');
    assert.deepEqual(suppressed?.suppressions, [
      { kind: 'external', status: 'accepted', justification: 'access logs go to the central bucket' },
    ]);
    for (const run of log.runs)
      for (const result of run.results ?? [])
        assert.ok(Object.keys(result.partialFingerprints ?? {}).length > 0, 'every result has a fingerprint');

    // The upload reached the API with the same log.
    assert.equal(api.uploads.length, 1);
    assert.deepEqual(
      api.statusReads,
      ['sarif-1'],
      'processing awaited (wait-for-processing defaults to true)',
    );
    assert.match(run.log, /Code scanning processed SARIF upload sarif-1/);
    assert.equal(api.uploads[0]?.authorization, 'Bearer ghs_bundleFixtureToken123');
    assert.deepEqual(api.uploads[0]?.log, log);

    // No secret, anywhere.
    const uploaded = JSON.stringify(api.uploads[0]?.log);
    const sarifText = await readFile(sarifFile, 'utf8');
    for (const secret of [...SECRETS, 'ghs_bundleFixtureToken123'])
      for (const [where, text] of Object.entries({
        log: run.log,
        summary: run.summary,
        outputs: JSON.stringify(run.outputs),
        sarif: sarifText,
        uploaded,
        annotations: JSON.stringify(run.annotations),
      }))
        assert.ok(!text.includes(secret), `${secret} appears in the ${where}`);
  });

  test('severity-threshold is separate from what is reported: below it the gate passes', async () => {
    const cwd = await workspace('threshold');
    const run = await runBundle('security-scan', {
      cwd,
      inputs: {
        scanners: 'sarif:reports/checkov.sarif, sarif:reports/semgrep.sarif',
        'severity-threshold': 'critical',
      },
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs['blocked'], 'false');
    assert.equal(run.outputs['blocked-reason'], '');
    assert.equal(run.outputs['high'], '2');
    assert.equal(run.outputs['medium'], '2');
    assert.match(run.summary, /security-scan: passed/);
  });

  test('an expired ignore entry blocks and is named', async () => {
    const cwd = await workspace(
      'expired',
      '- id: CKV_AWS_18\n  reason: accepted for the migration\n  expires: 2020-06-30\n',
    );
    const run = await runBundle('security-scan', {
      cwd,
      inputs: { scanners: 'sarif:reports/checkov.sarif', 'severity-threshold': 'none' },
    });
    assert.equal(run.exitCode, 1);
    assert.equal(
      run.outputs['blocked-reason'],
      'ignore entry CKV_AWS_18 (.gantry/security-ignore.yml:1) expired on 2020-06-30: review it or renew it',
    );
  });

  test('a scanner that cannot run blocks the gate; the other scanners are still reported', async () => {
    const cwd = await workspace('missing-tool');
    const run = await runBundle('security-scan', {
      cwd,
      inputs: { scanners: 'checkov\nsarif:reports/semgrep.sarif', 'severity-threshold': 'none' },
      env: { PATH: '/usr/bin:/bin' },
    });
    assert.equal(run.exitCode, 1);
    assert.equal(
      run.outputs['blocked-reason'],
      'scanner failed: checkov: checkov is not installed (looked in node_modules/.bin and PATH): install it with `pip install checkov`',
    );
    assert.equal(run.outputs['high'], '1');
    assert.equal(run.outputs['medium'], '1');
    assert.match(run.summary, /Semgrep OSS/);
  });

  test('a tool whose SHA-256 does not match is a hard failure and never runs', async () => {
    const cwd = await workspace('mismatch');
    const run = await runBundle('security-scan', {
      cwd,
      inputs: { scanners: 'gitleaks', 'tool-mirror': mirror },
      env: { GANTRY_TEST_GITLEAKS_REPORT: path.join(fixtures, 'reports', 'gitleaks.json') },
    });
    assert.equal(run.exitCode, 1);
    assert.match(
      run.log,
      new RegExp(
        `SHA-256 mismatch for gitleaks_8\\.30\\.1_linux_x64\\.tar\\.gz: expected 551f6fc83ea457d62a0d98237cbad105af8d557003051f41f3e7ca7b3f2470eb, got ${stubSha}`,
      ),
    );
    assert.equal(run.outputs['blocked'], undefined, 'no verdict without a verified tool');
  });
});
