/** The tool's own severity against the SARIF level, on real reports and trivy's documented rule shape. */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../testkit/bundle-runner.ts';
import { applyGateSeverities, gateSeverity, toolSeverity } from '../../../shared/src/sarif/tool-severity.ts';
import type { Log } from '../../../shared/src/sarif/types.ts';

const real = (file: string): Log =>
  JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/security-scan/real', file), 'utf8')) as Log;

describe('toolSeverity / gateSeverity', () => {
  test('grype: the severity word wins over level and CVSS-based security-severity', () => {
    const run = real('grype-sarif-presenter-directory.sarif').runs[0];
    const rules = run?.tool.driver.rules ?? [];
    const read = (run?.results ?? []).map((r) =>
      toolSeverity(
        'grype',
        r,
        rules.find((x) => x.id === r.ruleId),
      ),
    );
    expect(read).toEqual([
      { severity: 'low', source: 'rule.help.text' },
      { severity: 'critical', source: 'rule.help.text' },
    ]);
  });
  test('anchore scan-action shape: "Medium" at level error is medium', () => {
    const rule = {
      id: 'CVE-2021-1-pkg',
      shortDescription: { text: 'CVE-2021-1 Medium vulnerability for pkg package' },
    };
    expect(
      gateSeverity(
        'Anchore Container Vulnerability Report (T0)',
        { ruleId: rule.id, level: 'error', message: { text: 'x' } },
        rule,
      ),
    ).toBe('medium');
  });
  test('trivy: the severity tag wins over the CVSS security-severity', () => {
    const rule = {
      id: 'CVE-1',
      properties: { tags: ['vulnerability', 'security', 'MEDIUM'], 'security-severity': '7.5' },
    };
    expect(gateSeverity('Trivy', { ruleId: 'CVE-1', level: 'warning', message: { text: 'x' } }, rule)).toBe(
      'medium',
    );
  });
  test('a generic severity property wins over the level', () => {
    expect(
      gateSeverity('checkov', {
        ruleId: 'CKV_AWS_1',
        level: 'error',
        message: { text: 'x' },
        properties: { severity: 'LOW' },
      }),
    ).toBe('low');
  });
  test('secrets are high at least: gitleaks SARIF has no level (real gitleaks 8.30.1 report)', () => {
    const log = real('gitleaks-8.30.1-planted.sarif');
    expect(applyGateSeverities(log)).toBe(5);
    expect(log.runs[0]?.results?.map((r) => [r.level, r.properties?.['security-severity']])).toEqual(
      Array.from({ length: 5 }, () => ['error', '8.0']),
    );
  });
  test('a critical secret stays critical', () => {
    expect(
      gateSeverity('trufflehog', {
        ruleId: 'x',
        message: { text: 'x' },
        properties: { 'security-severity': '9.5' },
      }),
    ).toBe('critical');
  });
});
