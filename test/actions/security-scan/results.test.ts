/**
 * prepareResults over real scanner reports (test/fixtures/security-scan/real, provenance in PROVENANCE.md and
 * fixtures.json): per report, the counts Gantry gates on, against the table in fixtures.json.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../testkit/bundle-runner.ts';
import { trufflehogToSarif } from '../../../actions/security-scan/src/converters/trufflehog.ts';
import {
  auditErrorReason,
  npmAuditToSarif,
} from '../../../actions/security-scan/src/converters/npm-audit.ts';
import { countBySeverity } from '../../../actions/security-scan/src/policy.ts';
import { prepareResults } from '../../../actions/security-scan/src/results.ts';
import type { Log } from '../../../shared/src/sarif/types.ts';

const dir = path.join(repoRoot, 'test/fixtures/security-scan/real');
interface Entry {
  file: string;
  gantry: Record<string, number | boolean>;
  secrets: string[];
}
const entries = JSON.parse(readFileSync(path.join(dir, 'fixtures.json'), 'utf8')) as Entry[];

function load(file: string): { logs: Log[]; secrets: string[] } {
  const text = readFileSync(path.join(dir, file), 'utf8');
  if (file.endsWith('.jsonl')) {
    const converted = trufflehogToSarif(text);
    return { logs: [converted.log], secrets: converted.secrets };
  }
  return { logs: [JSON.parse(text) as Log], secrets: [] };
}

describe('real reports through prepareResults', () => {
  test.each(entries.filter((e) => !e.file.startsWith('npm-')).map((e) => [e.file, e] as const))(
    '%s',
    (_file, entry) => {
      const { logs, secrets } = load(entry.file);
      const masked: string[] = [];
      const prepared = prepareResults(logs, secrets, {
        category: 'test',
        honorSuppressions: true,
        onSecrets: (values) => masked.push(...values),
      });
      const counts = countBySeverity(prepared.active);
      expect({
        critical: counts.critical,
        high: counts.high,
        medium: counts.medium,
        low: counts.low + counts.none,
        secrets: prepared.active.filter((f) => f.secret).length,
        suppressed: prepared.suppressed.length,
        duplicates: prepared.duplicates,
        failed: prepared.failures.length > 0,
      }).toEqual({
        critical: entry.gantry['critical'],
        high: entry.gantry['high'],
        medium: entry.gantry['medium'],
        low: entry.gantry['low'],
        secrets: entry.gantry['secrets'],
        suppressed: entry.gantry['suppressed'],
        duplicates: entry.gantry['duplicates'],
        failed: entry.gantry['failed'] === true,
      });
      const text = JSON.stringify(prepared.merged);
      for (const secret of entry.secrets) expect(text).not.toContain(secret);
    },
  );

  test('the suppressed secret of semgrep is still redacted and listed with its kind', () => {
    const { logs, secrets } = load('semgrep-1.95.0-planted.sarif');
    const prepared = prepareResults(logs, secrets, {
      category: 't',
      honorSuppressions: true,
      onSecrets: () => {},
    });
    expect(prepared.suppressed.map((f) => [f.ruleId, f.result.suppressions?.[0]?.kind, f.secret])).toEqual([
      ['detected-aws-access-key-id-value', 'inSource', true],
    ]);
    expect(JSON.stringify(prepared.merged)).not.toContain('AKIAZ7JQ4SUPPRESSED1');
  });

  test('honorSuppressions false counts suppressed results', () => {
    const { logs, secrets } = load('semgrep-1.95.0-planted.sarif');
    const prepared = prepareResults(logs, secrets, {
      category: 't',
      honorSuppressions: false,
      onSecrets: () => {},
    });
    expect([prepared.active.length, prepared.suppressed.length]).toEqual([2, 0]);
  });

  test('a failed semgrep run carries the tool message', () => {
    const { logs } = load('semgrep-1.95.0-rule-parse-error.sarif');
    const prepared = prepareResults(logs, [], {
      category: 't',
      honorSuppressions: true,
      onSecrets: () => {},
    });
    expect(prepared.failures).toEqual([
      {
        tool: 'Semgrep OSS',
        message: expect.stringMatching(
          /^Rule parse error in rule broken-pattern: Invalid pattern for Python/,
        ),
      },
    ]);
  });

  test('fingerprints of secrets do not depend on the redacted text, and differ per secret', () => {
    const { logs } = load('gitleaks-8.30.1-planted.sarif');
    const prepared = prepareResults(logs, [], {
      category: 't',
      honorSuppressions: true,
      onSecrets: () => {},
    });
    const prints = prepared.active.map((f) => f.result.partialFingerprints?.['gantry/v1']);
    expect(new Set(prints).size).toBe(5);
    expect(prints.every((p) => typeof p === 'string' && p.endsWith(':1'))).toBe(true);
  });
});

describe('npm audit error report (real npm 11.19.1 output)', () => {
  const report = JSON.parse(
    readFileSync(path.join(dir, 'npm-11.19.1-audit-registry-503.json'), 'utf8'),
  ) as unknown;
  test('the reason comes from the top-level message', () => {
    expect(auditErrorReason(report)).toMatch(
      /^503 Service Unavailable - POST http:\/\/127\.0\.0\.1:\d+\/-\/npm\/v1\/security\/advisories\/bulk \(HTTP 503\)$/,
    );
    expect(() => npmAuditToSarif(report)).toThrow(/npm audit failed: 503 Service Unavailable/);
  });
  test.each([
    [
      {
        error: {
          code: 'ENOLOCK',
          summary: 'This command requires an existing lockfile.',
          detail: 'Try creating one first with: npm i --package-lock-only',
        },
      },
      'This command requires an existing lockfile.: Try creating one first with: npm i --package-lock-only (ENOLOCK)',
    ],
    [
      { message: 'audit endpoint returned an error', error: { summary: '', detail: '' } },
      'audit endpoint returned an error',
    ],
    [{ error: {} }, 'npm printed an error report without a reason'],
  ])('error form %j', (input, reason) => {
    expect(auditErrorReason(input)).toBe(reason);
  });
  test('a normal report is not an error', () => {
    expect(auditErrorReason({ auditReportVersion: 2, vulnerabilities: {}, metadata: {} })).toBeUndefined();
  });
});
