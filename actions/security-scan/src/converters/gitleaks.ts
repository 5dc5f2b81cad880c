/**
 * gitleaks' JSON report (`--report-format json`) to SARIF.
 *
 * Format: the gitleaks README ("Reporting") and `report/finding.go` (the `Finding` struct serialised as
 * is): an array of `{RuleID, Description, StartLine, EndLine, StartColumn, EndColumn, Match, Secret, File,
 * SymlinkFile, Commit, Entropy, Author, Email, Date, Message, Tags, Fingerprint}`.
 * https://github.com/gitleaks/gitleaks#reporting. Every finding is a secret (high; critical when its rule
 * tags say so is not a gitleaks concept, so all are `high` and tagged `secret`); `Secret` and `Match`
 * are collected for redaction and never copied into the log.
 */
import {
  newRun,
  type Log,
  type ReportingDescriptor,
  type Result,
} from '../../../../shared/src/sarif/types.ts';
import { setSecretDigest } from '../../../../shared/src/sarif/secret-digest.ts';
import { buildResult, field, int, str, type Converted } from './common.ts';

/**
 * Converts a gitleaks JSON report.
 * @param report the parsed report (an array; `null` — what gitleaks writes for no findings — is empty)
 * @throws Error when the report is neither an array nor null
 */
export function gitleaksToSarif(report: unknown): Converted {
  if (report !== null && !Array.isArray(report))
    throw new Error('not a gitleaks JSON report: expected an array');
  const secrets: string[] = [];
  const rules = new Map<string, ReportingDescriptor>();
  const results: Result[] = [];
  for (const finding of (report ?? []) as unknown[]) {
    const ruleId = str(finding, 'RuleID') || 'gitleaks';
    const description = str(finding, 'Description') || ruleId;
    for (const key of ['Secret', 'Match']) {
      const value = str(finding, key);
      if (value !== '') secrets.push(value);
    }
    if (!rules.has(ruleId))
      rules.set(ruleId, {
        id: ruleId,
        name: ruleId,
        shortDescription: { text: description },
        properties: { tags: ['security', 'secret'], 'security-severity': '8.0' },
      });
    const commit = str(finding, 'Commit');
    const tags = field(finding, 'Tags');
    const startLine = int(finding, 'StartLine');
    const endLine = int(finding, 'EndLine');
    const startColumn = int(finding, 'StartColumn');
    const endColumn = int(finding, 'EndColumn');
    const result = buildResult({
      ruleId,
      message: `${description} (gitleaks rule ${ruleId})${commit === '' ? '' : ` in commit ${commit.slice(0, 12)}`}`,
      severity: 'high',
      file: str(finding, 'File'),
      ...(startLine === undefined ? {} : { startLine }),
      ...(endLine === undefined ? {} : { endLine }),
      ...(startColumn === undefined ? {} : { startColumn }),
      ...(endColumn === undefined ? {} : { endColumn: endColumn + 1 }),
      tags: ['security', 'secret', ...(Array.isArray(tags) ? tags.map(String) : [])],
      ...(str(finding, 'Fingerprint') === ''
        ? {}
        : { fingerprint: { key: 'gitleaks/fingerprint', value: str(finding, 'Fingerprint') } }),
      ...(commit === '' ? {} : { properties: { commit } }),
    });
    setSecretDigest(result, str(finding, 'Secret') || str(finding, 'Match'));
    results.push(result);
  }
  const log: Log = {
    version: '2.1.0',
    runs: [
      newRun({ name: 'gitleaks', informationUri: 'https://github.com/gitleaks/gitleaks' }, results, [
        ...rules.values(),
      ]),
    ],
  };
  return { log, secrets };
}
