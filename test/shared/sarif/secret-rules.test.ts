/** Secret classification on rule ids, tags and properties of real reports (test/fixtures/security-scan/real). */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../testkit/bundle-runner.ts';
import {
  collectSecretSnippets,
  isSecretResult,
  isSecretTool,
} from '../../../shared/src/sarif/secret-rules.ts';
import { secretDigest } from '../../../shared/src/sarif/secret-digest.ts';
import type { Log, ReportingDescriptor, Result } from '../../../shared/src/sarif/types.ts';

const real = (file: string): Log =>
  JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/security-scan/real', file), 'utf8')) as Log;

function secretRuleIds(log: Log): string[] {
  const run = log.runs[0];
  const rules = run?.tool.driver.rules ?? [];
  return (run?.results ?? [])
    .filter((r) =>
      isSecretResult(
        run?.tool.driver.name ?? '',
        r,
        rules.find((x) => x.id === r.ruleId) ?? rules[r.ruleIndex ?? -1],
      ),
    )
    .map((r) => r.ruleId ?? '');
}

describe('isSecretResult', () => {
  test('checkov CKV_SECRET_* (real checkov 3.2.300 report)', () => {
    expect(secretRuleIds(real('checkov-3.2.300-secrets.sarif'))).toEqual([
      'CKV_SECRET_6',
      'CKV_SECRET_2',
      'CKV_SECRET_2',
      'CKV_SECRET_2',
      'CKV_SECRET_6',
    ]);
  });
  test('semgrep generic.secrets.* and CWE-798 tags, not CWE-522 (real juice-shop report)', () => {
    expect(secretRuleIds(real('semgrep-0.87.0-juice-shop.sarif')).sort()).toEqual([
      'contrib.nodejsscan.jwt_hardcoded.hardcoded_jwt_secret',
      'generic.secrets.security.detected-generic-secret.detected-generic-secret',
      'generic.secrets.security.detected-private-key.detected-private-key',
    ]);
  });
  test('a semgrep rule with CWE-798 metadata (real semgrep 1.95.0 report)', () => {
    expect(secretRuleIds(real('semgrep-1.95.0-planted.sarif'))).toHaveLength(2);
  });
  test.each<[string, Result, ReportingDescriptor | undefined, boolean]>([
    [
      'Trivy',
      { message: { text: 'x' }, ruleId: 'aws-access-key-id' },
      { id: 'aws-access-key-id', properties: { tags: ['secret', 'security', 'CRITICAL'] } },
      true,
    ],
    [
      'Trivy',
      { message: { text: 'x' }, ruleId: 'CVE-2022-24999' },
      { id: 'CVE-2022-24999', properties: { tags: ['vulnerability', 'security', 'HIGH'] } },
      false,
    ],
    [
      'custom',
      { message: { text: 'x' }, ruleId: 'r', properties: { secret_type: 'github_personal_access_token' } },
      undefined,
      true,
    ],
    [
      'CodeQL',
      { message: { text: 'x' }, ruleId: 'js/hardcoded-credentials' },
      { id: 'js/hardcoded-credentials', properties: { tags: ['security', 'external/cwe/cwe-798'] } },
      true,
    ],
    [
      'CodeQL',
      { message: { text: 'x' }, ruleId: 'js/xss' },
      { id: 'js/xss', properties: { tags: ['security', 'external/cwe/cwe-79'] } },
      false,
    ],
    [
      'semgrep',
      { message: { text: 'x' }, ruleId: 'python.lang.security.audit.secrets-in-url' },
      undefined,
      false,
    ],
  ])('%s %j', (tool, result, rule, secret) => {
    expect(isSecretResult(tool, result, rule)).toBe(secret);
  });
  test('secret scanners by name', () => {
    expect(['gitleaks', 'TruffleHog', 'Secret Scanner', 'Trivy', 'Semgrep OSS'].map(isSecretTool)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('collectSecretSnippets', () => {
  test('returns the snippets of secret results and records a digest per result', () => {
    const log = real('gitleaks-8.30.1-planted.sarif');
    expect(collectSecretSnippets([log]).sort()).toEqual([
      'AKIAQ3EGRAXW7PLANTED',
      'AKIAZ7JQ4SUPPRESSED1',
      'ghp_R8mXq2Lw7Tz4Vb9Nc1Kd6Hs3Fj5Pa0Ye2Ui8',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTEDKEY',
    ]);
    const digests = (log.runs[0]?.results ?? []).map((r) => secretDigest(r));
    expect(digests.every((d) => /^[0-9a-f]{64}$/.test(d ?? ''))).toBe(true);
    expect(new Set(digests).size).toBe(4); // the AWS key id twice
  });
});
