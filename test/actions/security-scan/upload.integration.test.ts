import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  uploadSarif,
  waitForProcessing,
  type UploadTarget,
} from '../../../actions/security-scan/src/upload.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { mergeLogs } from '../../../shared/src/sarif/merge.ts';
import { splitForUpload } from '../../../shared/src/sarif/split.ts';
import { newRun, type Log, type Result } from '../../../shared/src/sarif/types.ts';
import { sarifSchemaErrors } from '../../shared/sarif/validate.ts';
import { startGitHubApi, type GitHubApiServer } from '../../../testkit/github-code-scanning.ts';

let api: GitHubApiServer;
beforeAll(async () => {
  process.env['GANTRY_RETRY_DELAY_SCALE'] = '0';
  api = await startGitHubApi();
});
afterAll(async () => {
  await api.close();
});

function target(): UploadTarget {
  return {
    apiUrl: api.url,
    repository: 'acme/app',
    commitSha: '0123456789abcdef0123456789abcdef01234567',
    ref: 'refs/heads/main',
    token: 'ghs_fixtureUploadToken',
  };
}

function logs(tools: number, resultsInLast: number): Log[] {
  const out: Log[] = [];
  for (let t = 0; t < tools; t++) {
    const count = t === tools - 1 ? resultsInLast : 1;
    const results: Result[] = [];
    for (let i = 0; i < count; i++)
      results.push({
        ruleId: `R${i % 5}`,
        message: { text: `finding ${i}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: `src/f${i % 50}.ts` },
              region: { startLine: i + 1 },
            },
          },
        ],
      });
    out.push({ version: '2.1.0', runs: [newRun({ name: `tool-${t}` }, results)] });
  }
  return out;
}

describe('uploadSarif (local GitHub API server)', () => {
  test('over 20 runs and over 25,000 results: split uploads, each gzip+base64 and schema-valid', async () => {
    api.uploads.length = 0;
    const uploads = splitForUpload(mergeLogs(logs(21, 25_001), 'gantry-security-scan'));
    const receipts = await uploadSarif(uploads, target(), createCaptureLogger());
    assert.deepEqual(
      receipts.map((r) => r.id),
      ['sarif-1', 'sarif-2'],
    );
    assert.equal(api.uploads.length, 2);
    for (const upload of api.uploads) {
      assert.equal(upload.path, '/repos/acme/app/code-scanning/sarifs');
      assert.equal(upload.authorization, 'Bearer ghs_fixtureUploadToken');
      assert.equal(upload.apiVersion, '2022-11-28');
      assert.equal(upload.body.commit_sha, '0123456789abcdef0123456789abcdef01234567');
      assert.equal(upload.body.ref, 'refs/heads/main');
      assert.deepEqual(sarifSchemaErrors(upload.log), []);
      const runs = (upload.log as Log).runs;
      assert.ok(runs.length <= 20);
      for (const run of runs) assert.ok((run.results?.length ?? 0) <= 25_000);
    }
    const runs = api.uploads.flatMap((u) => (u.log as Log).runs);
    assert.equal(runs.length, 22, '21 tools, the last split in two');
    assert.equal(
      runs.reduce((n, r) => n + (r.results?.length ?? 0), 0),
      20 + 25_001,
    );
  });

  test('a 502 is retried, then the upload is accepted', async () => {
    api.uploads.length = 0;
    api.failures.push(502);
    const logger = createCaptureLogger();
    const receipts = await uploadSarif(splitForUpload(mergeLogs(logs(1, 3), 'c')), target(), logger);
    assert.equal(receipts.length, 1);
    assert.equal(api.uploads.length, 1);
    assert.match(logger.text(), /HTTP 502 Server Error; attempt 1 failed, retrying/);
  });

  test('a 403 is not retried and names the permission the job needs', async () => {
    api.uploads.length = 0;
    api.failures.push(403);
    await assert.rejects(
      uploadSarif(splitForUpload(mergeLogs(logs(1, 1), 'c')), target(), createCaptureLogger()),
      /HTTP 403: Resource not accessible by integration\)\. The job needs `permissions: security-events: write`/,
    );
    assert.equal(api.failures.length, 0);
    assert.equal(api.uploads.length, 0);
  });
});

describe('waitForProcessing (local GitHub API server)', () => {
  test('polls each upload until code scanning reports it complete; a 404 right after upload is "not yet"', async () => {
    api.statusReads.length = 0;
    api.processing.push(404, 'pending', 'pending', 'complete');
    const logger = createCaptureLogger();
    await waitForProcessing(
      [
        { id: 'sarif-a', url: '' },
        { id: 'sarif-b', url: '' },
      ],
      target(),
      logger,
      { intervalMs: 1 },
    );
    assert.deepEqual(api.statusReads, ['sarif-a', 'sarif-a', 'sarif-a', 'sarif-a', 'sarif-b']);
    assert.match(
      logger.text(),
      /upload sarif-a: not visible yet \(HTTP 404\)\nupload sarif-a: pending\nCode scanning processed SARIF upload sarif-a\nCode scanning processed SARIF upload sarif-b/,
    );
  });

  test('a failed processing is an error listing what code scanning said', async () => {
    api.processing.push('failed');
    await assert.rejects(
      waitForProcessing([{ id: 'sarif-c', url: '' }], target(), createCaptureLogger(), { intervalMs: 1 }),
      /code scanning could not process SARIF upload sarif-c: locationFromSarifResult: expected artifact location; run 2: unknown tool/,
    );
  });

  test('still pending at the deadline is a timeout naming the upload', async () => {
    api.processing.length = 0;
    api.processing.push(...Array.from({ length: 50 }, () => 'pending'));
    await assert.rejects(
      waitForProcessing([{ id: 'sarif-d', url: '' }], target(), createCaptureLogger(), {
        intervalMs: 5,
        timeoutMs: 60,
      }),
      /waiting for code scanning to process SARIF upload sarif-d; last state: upload sarif-d: pending/,
    );
    api.processing.length = 0;
  });
});
