import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmAuditToSarif } from '../../../actions/security-scan/src/converters/npm-audit.ts';
import { gitleaksToSarif } from '../../../actions/security-scan/src/converters/gitleaks.ts';
import { trufflehogToSarif } from '../../../actions/security-scan/src/converters/trufflehog.ts';
import { secretlintToSarif } from '../../../actions/security-scan/src/converters/secretlint.ts';
import { listFindings } from '../../../shared/src/sarif/findings.ts';
import { sarifSchemaErrors } from '../../shared/sarif/validate.ts';

const reports = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/security-scan/reports',
);
const read = (name: string): string => readFileSync(path.join(reports, name), 'utf8');

describe('npm audit --json → SARIF', () => {
  const converted = npmAuditToSarif(JSON.parse(read('npm-audit.json')), {
    name: 'package-lock.json',
    text: read('package-lock.json'),
  });
  const findings = listFindings(converted.log);

  test('one result per advisory and package; transitive "via" names are not duplicated', () => {
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.severity, f.file, f.startLine]),
      [
        ['GHSA-xvch-5gv4-984h', 'critical', 'package-lock.json', 16],
        ['GHSA-c2qf-rxjj-qqgw', 'medium', 'package-lock.json', 25],
        ['GHSA-gxpj-cx7g-858c', 'low', 'package-lock.json', 12],
      ],
    );
    assert.match(
      findings[1]!.message,
      /semver >=7\.0\.0 <7\.5\.2: .*Fix available via `npm audit fix --force` \(installs semver@7\.7\.3\)/,
    );
    assert.match(findings[2]!.message, /No fix available/);
  });

  test('rules carry the advisory URL, CWE tags and CVSS score; the log is valid SARIF', () => {
    const rule = converted.log.runs[0]!.tool.driver.rules![0]!;
    assert.equal(rule.helpUri, 'https://github.com/advisories/GHSA-xvch-5gv4-984h');
    assert.equal(rule.properties?.['security-severity'], '9.8');
    assert.ok(rule.properties?.tags?.includes('CWE-1321'));
    assert.deepEqual(sarifSchemaErrors(converted.log), []);
    assert.deepEqual(converted.secrets, []);
  });

  test('an npm error object or an npm 6 report is an error, not an empty scan', () => {
    assert.throws(
      () => npmAuditToSarif({ error: { code: 'ENOTFOUND', summary: 'request to registry failed' } }),
      /npm audit failed: request to registry failed/,
    );
    assert.throws(() => npmAuditToSarif({ advisories: {}, metadata: {} }), /not an npm audit --json report/);
  });
});

describe('gitleaks JSON → SARIF', () => {
  const converted = gitleaksToSarif(JSON.parse(read('gitleaks.json')));
  const text = JSON.stringify(converted.log);

  test('every finding is a high secret with file, lines and the gitleaks fingerprint', () => {
    const findings = listFindings(converted.log);
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.severity, f.secret, f.file, f.startLine, f.startColumn]),
      [
        ['aws-access-token', 'high', true, 'config/app.env', 2, 19],
        ['generic-api-key', 'high', true, 'src/client.py', 7, 9],
      ],
    );
    assert.deepEqual(findings[0]!.result.partialFingerprints, {
      'gitleaks/fingerprint': 'config/app.env:aws-access-token:2',
    });
    assert.deepEqual(sarifSchemaErrors(converted.log), []);
  });

  test('the secret values are collected and never copied into the log', () => {
    assert.ok(converted.secrets.includes('AKIAIOSFODNN7EXAMPLE'));
    assert.ok(converted.secrets.includes('gnt_fixture_9f8e7d6c5b4a39281706f5e4d3c2b1a0'));
    for (const secret of converted.secrets) assert.ok(!text.includes(secret), `${secret} leaked`);
  });

  test('null (no leaks) is an empty run; anything else is refused', () => {
    assert.equal(gitleaksToSarif(null).log.runs[0]!.results!.length, 0);
    assert.throws(() => gitleaksToSarif({ leaks: [] }), /expected an array/);
  });
});

describe('trufflehog JSON lines → SARIF', () => {
  const converted = trufflehogToSarif(read('trufflehog.jsonl'));

  test('verified secrets are critical, unverified high; log lines are skipped', () => {
    const findings = listFindings(converted.log);
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.severity, f.secret, f.file, f.startLine]),
      [
        ['trufflehog/Github', 'critical', true, 'deploy/keys.txt', 3],
        ['trufflehog/Postgres', 'high', true, 'deploy/db.yml', 12],
      ],
    );
    assert.match(findings[0]!.message, /^Verified Github credential/);
    assert.deepEqual(sarifSchemaErrors(converted.log), []);
  });

  test('raw secrets are collected, not written', () => {
    assert.deepEqual(converted.secrets, [
      'ghp_FixtureTokenNotRealAbCdEfGhIjKlMnOpQr',
      'postgres://svc:Tr0ub4dor-Fixture-Pw@db.internal:5432/app',
    ]);
    const text = JSON.stringify(converted.log);
    for (const secret of converted.secrets) assert.ok(!text.includes(secret));
  });
});

describe('secretlint JSON → SARIF', () => {
  test('the secret is cut out of sourceContent by range; sourceContent never reaches the log', () => {
    const sourceContent = 'const a = 1;\nconst url = "https://u:pw-Fixture-123@h.example";\n';
    const start = sourceContent.indexOf('https');
    const end = sourceContent.indexOf('";');
    const converted = secretlintToSarif([
      {
        filePath: 'src/a.js',
        sourceContent,
        messages: [
          {
            message: 'found basic auth credential: ****',
            range: [start, end],
            ruleId: '@secretlint/secretlint-rule-basicauth',
            loc: { start: { line: 2, column: 13 }, end: { line: 2, column: 47 } },
            severity: 'error',
            messageId: 'BasicAuth',
            docsUrl: 'https://github.com/secretlint/secretlint',
          },
        ],
      },
    ]);
    assert.deepEqual(converted.secrets, ['https://u:pw-Fixture-123@h.example']);
    const [finding] = listFindings(converted.log);
    assert.deepEqual(
      [finding?.severity, finding?.secret, finding?.startLine, finding?.startColumn],
      ['high', true, 2, 14],
    );
    assert.ok(!JSON.stringify(converted.log).includes('pw-Fixture-123'));
    assert.deepEqual(sarifSchemaErrors(converted.log), []);
  });
});
