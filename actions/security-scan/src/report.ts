/**
 * What security-scan shows a reader: the job summary (counts per tool × severity, the top findings, what
 * was ignored and why the gate blocks) — built from redacted findings only.
 */
import type { Finding } from '../../../shared/src/sarif/findings.ts';
import { suppressionInfo } from '../../../shared/src/sarif/suppressions.ts';
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import type { IgnoreOutcome } from './ignore.ts';
import type { Verdict } from './policy.ts';

/** How many findings the summary lists. */
export const TOP_FINDINGS = 20;

function location(finding: Finding): string {
  if (finding.file === undefined) return '';
  return finding.startLine === undefined ? finding.file : `${finding.file}:${finding.startLine}`;
}

function clip(text: string, length = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

/**
 * Rows of findings per tool: `[tool, critical, high, medium, low, secrets, total]` (low includes `none`).
 * @param tools tools to list even when they found nothing, in order
 */
export function countsPerTool(findings: readonly Finding[], tools: readonly string[]): string[][] {
  const rows = new Map<string, number[]>();
  for (const tool of tools) rows.set(tool, [0, 0, 0, 0, 0, 0]);
  for (const finding of findings) {
    const row = rows.get(finding.tool) ?? [0, 0, 0, 0, 0, 0];
    rows.set(finding.tool, row);
    const column = { critical: 0, high: 1, medium: 2, low: 3, none: 3 }[finding.severity];
    row[column] = (row[column] ?? 0) + 1;
    if (finding.secret) row[4] = (row[4] ?? 0) + 1;
    row[5] = (row[5] ?? 0) + 1;
  }
  return [...rows].map(([tool, counts]) => [tool, ...counts.map(String)]);
}

/**
 * Writes the job summary.
 * @param sorted the kept findings, most severe first
 */
export async function writeReport(options: {
  sorted: readonly Finding[];
  tools: readonly string[];
  verdict: Verdict;
  ignores: IgnoreOutcome;
  /** Findings the tools themselves suppressed (not weighed by the gate). */
  suppressed?: readonly Finding[];
  /** Duplicate results merged before fingerprinting. */
  duplicates?: number;
  threshold: string;
  sarifFile: string;
}): Promise<void> {
  const { sorted, verdict } = options;
  await writeSummaryTable(
    `security-scan: ${verdict.blocked ? 'blocked' : 'passed'}`,
    ['Tool', 'Critical', 'High', 'Medium', 'Low', 'Secrets', 'Total'],
    countsPerTool(sorted, options.tools),
    (verdict.blocked
      ? `Blocked: ${verdict.reasons.join('; ')}.`
      : `No finding at or above ${options.threshold} severity, no secret. SARIF: ${options.sarifFile}`) +
      ((options.duplicates ?? 0) > 0
        ? ` ${options.duplicates} duplicate result(s) merged (same tool, rule, location and secret).`
        : ''),
  );
  if (sorted.length > 0)
    await writeSummaryTable(
      `Top findings (${Math.min(TOP_FINDINGS, sorted.length)} of ${sorted.length})`,
      ['Severity', 'Tool', 'Rule', 'Location', 'Message'],
      sorted
        .slice(0, TOP_FINDINGS)
        .map((f) => [
          `${f.severity}${f.secret ? ' (secret)' : ''}`,
          f.tool,
          f.ruleId,
          location(f),
          clip(f.message),
        ]),
      sorted.length > TOP_FINDINGS ? `All ${sorted.length} findings are in the SARIF file.` : undefined,
    );
  const suppressed = options.suppressed ?? [];
  if (suppressed.length > 0)
    await writeSummaryTable(
      `Suppressed by the tools (${suppressed.length}, not counted by the gate)`,
      ['Severity', 'Tool', 'Rule', 'Location', 'Kind', 'Justification'],
      suppressed.slice(0, TOP_FINDINGS).map((f) => {
        const info = suppressionInfo(f.result);
        return [
          `${f.severity}${f.secret ? ' (secret)' : ''}`,
          f.tool,
          f.ruleId,
          location(f),
          info.map((i) => (i.status === 'accepted' ? i.kind : `${i.kind} (${i.status})`)).join(', '),
          clip(
            info
              .map((i) => i.justification)
              .filter((j) => j !== '')
              .join('; ') || '(none given)',
          ),
        ];
      }),
      suppressed.length > TOP_FINDINGS
        ? `All ${suppressed.length} suppressed results are in the SARIF file, with their suppressions.`
        : 'Set `honor-suppressions: false` to count them.',
    );
  if (options.ignores.ignored.length > 0 || options.ignores.expired.length > 0)
    await writeSummaryTable(
      'Ignored (ignore file)',
      ['Id', 'Where', 'Reason', 'Expires', 'Findings suppressed'],
      [
        ...[...new Set(options.ignores.ignored.map((i) => i.entry))].map((entry) => [
          entry.id,
          entry.where,
          entry.reason,
          entry.expires ?? 'never',
          String(options.ignores.ignored.filter((i) => i.entry === entry).length),
        ]),
        ...options.ignores.expired.map((entry) => [
          entry.id,
          entry.where,
          entry.reason,
          `${entry.expires} (EXPIRED)`,
          '0',
        ]),
      ],
    );
}
