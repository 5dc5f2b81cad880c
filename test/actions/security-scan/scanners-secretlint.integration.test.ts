/** secretlint (real, from npm) on a fixture project with a planted fake credential. */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScanner } from '../../../actions/security-scan/src/scanners.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { listFindings } from '../../../shared/src/sarif/findings.ts';
import { mergeLogs } from '../../../shared/src/sarif/merge.ts';
import { redactLog } from '../../../shared/src/sarif/redact.ts';
import { sarifSchemaErrors } from '../../shared/sarif/validate.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const project = path.join(repo, 'test/fixtures/security-scan/project');
const PLANTED = 'Gx7-fixture-Planted-Secret-9Qz';
let temp = '';

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'gantry-secretlint-'));
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

describe('secretlint scanner (real secretlint)', () => {
  test('finds the planted credential, paths relative to the repository, value collected and redacted', async () => {
    const output = await runScanner(
      { kind: 'secretlint', label: 'secretlint' },
      {
        dir: project,
        root: repo,
        temp,
        timeoutMs: 60_000,
        logger: createCaptureLogger(),
        overrides: new Map(),
        mirror: '',
      },
    );
    assert.ok(output.secrets.some((secret) => secret.includes(PLANTED)));
    const merged = mergeLogs(output.logs, 'gantry-security-scan');
    redactLog(merged, output.secrets);
    const findings = listFindings(merged);
    assert.deepEqual(
      findings.map((f) => [f.tool, f.ruleId, f.file, f.startLine, f.secret]),
      [
        [
          'secretlint',
          '@secretlint/secretlint-rule-database-connection-string',
          'test/fixtures/security-scan/project/src/config.js',
          2,
          true,
        ],
      ],
    );
    assert.ok(!JSON.stringify(merged).includes(PLANTED));
    assert.deepEqual(sarifSchemaErrors(merged), []);
  });
});
