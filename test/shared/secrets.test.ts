import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'vitest';
import { createCaptureLogger } from '../../shared/src/logger.ts';
import { maskSecret, secretFragments } from '../../shared/src/secrets.ts';
import { repoRoot, runBundle } from '../../testkit/bundle-runner.ts';

const KEY_LINES = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
  'bKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  '-----END PRIVATE KEY-----',
];
const MULTI_LINE = KEY_LINES.join('\n');
const JSON_SECRET = JSON.stringify(
  { user: 'svc-deployer', password: 'p@ss-W0rd-9f3k', nested: { token: 'tok_live_51Habc' }, port: 5432 },
  null,
  2,
);
const SECRET_PARTS = [...KEY_LINES.slice(1, 3), 'svc-deployer', 'p@ss-W0rd-9f3k', 'tok_live_51Habc'];

describe('secret masking', () => {
  test('fragments cover the whole value, each line and each JSON leaf, not JSON punctuation', () => {
    const multi = secretFragments(MULTI_LINE);
    for (const line of KEY_LINES) assert.ok(multi.includes(line), `missing line ${line}`);
    assert.ok(multi.includes(MULTI_LINE));
    const json = secretFragments(JSON_SECRET);
    for (const leaf of ['svc-deployer', 'p@ss-W0rd-9f3k', 'tok_live_51Habc', '5432'])
      assert.ok(json.includes(leaf), `missing leaf ${leaf}`);
    assert.ok(!json.includes('{') && !json.includes('}'), 'structure-only lines are not masks');
  });

  test('captured in-process output never shows a multi-line or JSON secret', () => {
    const logger = createCaptureLogger();
    maskSecret(MULTI_LINE, logger);
    maskSecret(JSON_SECRET, logger);
    logger.info(MULTI_LINE);
    for (const line of KEY_LINES) logger.warning(`line: ${line}`);
    const parsed = JSON.parse(JSON_SECRET) as { password: string; nested: { token: string } };
    logger.error(`password ${parsed.password}, token ${parsed.nested.token}`);
    logger.info(JSON.stringify(parsed));
    const text = logger.text();
    for (const part of SECRET_PARTS) assert.ok(!text.includes(part), `"${part}" leaked into: ${text}`);
    assert.match(text, /password \*\*\*, token \*\*\*/);
  });

  test('a process masking through @actions/core leaks nothing into the runner-masked log', async () => {
    const run = await runBundle('smoke-test', {
      bundlePath: path.join(repoRoot, 'test', 'fixtures', 'shared', 'print-secrets.ts'),
      applyDefaults: false,
      env: { MULTI_LINE_SECRET: MULTI_LINE, JSON_SECRET },
    });
    assert.equal(run.exitCode, 0, run.stderr);
    for (const part of SECRET_PARTS)
      assert.ok(!run.log.includes(part), `"${part}" leaked into the log:\n${run.log}`);
    // The raw stdout does hold them (the fixture printed them): the masks are what protect the log.
    for (const part of SECRET_PARTS) assert.ok(run.stdout.includes(part));
    assert.match(run.log, /user=\*\*\* password=\*\*\* token=\*\*\*/);
  });
});
