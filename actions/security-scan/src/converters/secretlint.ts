/**
 * secretlint's JSON output (`--format json`) to SARIF.
 *
 * Format: secretlint's `json` formatter (packages/@secretlint/formatter, ESLint-style): an array of
 * `{filePath, sourceContent, messages: [{ruleId, ruleParentId, message, range: [start, end], loc: {start:
 * {line, column}, end}, severity, messageId, docsUrl, data}]}`; messages are masked by default
 * (`--maskSecrets`). https://github.com/secretlint/secretlint#usage. The secret is cut out of
 * `sourceContent` by `range` to be redacted everywhere; `sourceContent` never reaches the log.
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
 * Converts secretlint JSON output.
 * @param report the parsed output (an array of file results)
 * @throws Error when it is not an array
 */
export function secretlintToSarif(report: unknown): Converted {
  if (!Array.isArray(report)) throw new Error('not secretlint JSON output: expected an array');
  const secrets: string[] = [];
  const rules = new Map<string, ReportingDescriptor>();
  const results: Result[] = [];
  for (const file of report) {
    const content = str(file, 'sourceContent');
    const messages = field(file, 'messages');
    for (const message of Array.isArray(messages) ? messages : []) {
      const range = field(message, 'range');
      let value = '';
      if (Array.isArray(range) && typeof range[0] === 'number' && typeof range[1] === 'number') {
        value = content.slice(range[0], range[1]);
        if (value !== '') secrets.push(value);
      }
      const ruleId = str(message, 'ruleId') || 'secretlint';
      if (!rules.has(ruleId))
        rules.set(ruleId, {
          id: ruleId,
          name: str(message, 'messageId') || ruleId,
          ...(str(message, 'docsUrl') === '' ? {} : { helpUri: str(message, 'docsUrl') }),
          properties: { tags: ['security', 'secret'] },
        });
      const start = field(field(message, 'loc'), 'start');
      const end = field(field(message, 'loc'), 'end');
      const startLine = int(start, 'line');
      const endLine = int(end, 'line');
      const startColumn = int(start, 'column');
      const endColumn = int(end, 'column');
      const result = buildResult({
        ruleId,
        message: str(message, 'message') || ruleId,
        severity: str(message, 'severity') === 'error' ? 'high' : 'medium',
        file: str(file, 'filePath'),
        ...(startLine === undefined ? {} : { startLine }),
        ...(endLine === undefined ? {} : { endLine }),
        ...(startColumn === undefined ? {} : { startColumn: startColumn + 1 }),
        ...(endColumn === undefined ? {} : { endColumn: endColumn + 1 }),
        tags: ['security', 'secret'],
      });
      setSecretDigest(result, value);
      results.push(result);
    }
  }
  const log: Log = {
    version: '2.1.0',
    runs: [
      newRun({ name: 'secretlint', informationUri: 'https://github.com/secretlint/secretlint' }, results, [
        ...rules.values(),
      ]),
    ],
  };
  return { log, secrets };
}
