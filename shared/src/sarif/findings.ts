/**
 * A flat view of a SARIF log's results — what gates, annotations and summaries need — without copying
 * the results themselves.
 */
import type { Annotation } from '../summary.ts';
import { resultRuleId, resultUri } from './merge.ts';
import { isSecretResult } from './secret-rules.ts';
import { effectiveLevel, severityOf, severityRank, type Severity } from './severity.ts';
import type { Level, Log, Result } from './types.ts';

/** One result of a log, with what a gate or a reader needs resolved. */

/** Code-unit order (not locale order: stable across machines and ~50× faster than localeCompare). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Finding {
  /** `tool.driver.name` of the run. */
  tool: string;
  ruleId: string;
  severity: Severity;
  level: Level;
  /** The result's message text (or its id when it has no text). */
  message: string;
  /** File of the first location, as written in the log (usually relative to the repository root). */
  file?: string;
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  /** A secret finding: a secret scanner's result, or a secret rule of another tool (secret-rules.ts). */
  secret: boolean;
  /** The result itself (not a copy). */
  result: Result;
}

/** Whether a result is a secret finding: see secret-rules.ts (re-exported here for existing callers). */
export { isSecretResult };

/**
 * Lists every result of every run as a {@link Finding}, in log order.
 * @param log a SARIF 2.1.0 log (results may use ruleId, rule or ruleIndex)
 */
export function listFindings(log: Log): Finding[] {
  const findings: Finding[] = [];
  for (const run of log.runs) {
    const tool = run.tool.driver.name;
    const rules = run.tool.driver.rules ?? [];
    const byId = new Map(rules.map((rule) => [rule.id, rule]));
    for (const result of run.results ?? []) {
      const ruleId = resultRuleId(result, rules);
      const rule = byId.get(ruleId);
      const region = result.locations?.[0]?.physicalLocation?.region;
      const finding: Finding = {
        tool,
        ruleId,
        severity: severityOf(result, rule),
        level: effectiveLevel(result, rule),
        message: result.message.text ?? result.message.markdown ?? result.message.id ?? '',
        secret: isSecretResult(tool, result, rule),
        result,
      };
      const file = resultUri(result);
      if (file !== undefined) finding.file = file;
      if (region?.startLine !== undefined) finding.startLine = region.startLine;
      if (region?.startColumn !== undefined) finding.startColumn = region.startColumn;
      if (region?.endLine !== undefined) finding.endLine = region.endLine;
      if (region?.endColumn !== undefined) finding.endColumn = region.endColumn;
      findings.push(finding);
    }
  }
  return findings;
}

/**
 * Sorts findings most severe first (secrets before others of the same severity), then by file and line,
 * in place.
 * @returns the same array
 */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      Number(b.secret) - Number(a.secret) ||
      compareText(a.file ?? '', b.file ?? '') ||
      (a.startLine ?? 0) - (b.startLine ?? 0),
  );
}

/**
 * The annotation level a finding shows as, from its severity (so a `warning`-level result whose
 * security-severity is 7.5 shows as an error): critical/high → error, medium → warning, low/none → notice.
 * Without a security-severity this is the SARIF level: error → error, warning → warning, note → notice.
 */
export function annotationLevel(finding: Finding): Annotation['level'] {
  if (finding.severity === 'critical' || finding.severity === 'high') return 'error';
  if (finding.severity === 'medium') return 'warning';
  return 'notice';
}

/**
 * Annotations for findings, most severe first (sort them with {@link sortFindings} before): title
 * `<tool> <rule> (<severity>)`, on the finding's file and lines when it has them.
 * @param pathPrefix prepended to relative file paths (e.g. the working directory relative to the workspace)
 */
export function findingAnnotations(findings: readonly Finding[], pathPrefix = ''): Annotation[] {
  return findings.map((finding) => {
    const annotation: Annotation = {
      level: annotationLevel(finding),
      message: finding.message,
      title: `${finding.tool} ${finding.ruleId} (${finding.severity})`,
    };
    if (finding.file !== undefined) {
      const file = finding.file.replace(/^file:\/\//, '');
      annotation.file = pathPrefix === '' || file.startsWith('/') ? file : `${pathPrefix}/${file}`;
      if (finding.startLine !== undefined) annotation.startLine = finding.startLine;
      if (finding.endLine !== undefined) annotation.endLine = finding.endLine;
      if (finding.startColumn !== undefined && finding.endLine === undefined) {
        annotation.startColumn = finding.startColumn;
        if (finding.endColumn !== undefined) annotation.endColumn = finding.endColumn;
      }
    }
    return annotation;
  });
}
