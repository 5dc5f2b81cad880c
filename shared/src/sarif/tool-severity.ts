/**
 * The severity a tool itself gave a result, read from where each tool writes it, and the one Gantry gates
 * on. SARIF's `level` is a coarse, sometimes configurable, field (anchore's scan-action sets `error` for
 * anything at or above its cutoff, grype writes `note` for a low finding whose CVSS-based
 * `security-severity` is 8.2, gitleaks writes no level at all), so where a tool states its own severity,
 * that wins. Per tool (`tool.driver.name`, case-insensitive):
 * - Trivy: the severity word in the rule's `properties.tags` (`CRITICAL`, `HIGH`, `MEDIUM`, `LOW`,
 *   `UNKNOWN`) — aquasecurity/trivy pkg/report/sarif.go.
 * - grype / anchore: the rule's `help.text` line `Severity: <word>`, else its `shortDescription`
 *   `<id> <word> vulnerability for <package> package`, else the result message `A <word> vulnerability …`
 *   — anchore/grype grype/presenter/sarif.
 * - every tool (checkov with platform severities, osv-scanner, custom tools): a severity word in the
 *   result's, then the rule's, `properties.severity` (or `Severity`).
 * Without such a word: the numeric `security-severity` (result, then rule) as code scanning reads it,
 * else the level (see severity.ts). A secret finding is at least `high` whatever the tool said.
 */
import { resultRuleId } from './merge.ts';
import { isSecretResult } from './secret-rules.ts';
import {
  levelForSeverity,
  parseSeverity,
  scoreForSeverity,
  severityOf,
  severityRank,
  type Severity,
} from './severity.ts';
import type { Log, ReportingDescriptor, Result } from './types.ts';

/** A severity and where it was read (for the README table and logs). */
export interface ToolSeverity {
  severity: Severity;
  /** e.g. `rule.properties.tags`, `rule.help.text`, `result.properties.severity`. */
  source: string;
}

function word(value: unknown): Severity | undefined {
  return typeof value === 'string' ? parseSeverity(value) : undefined;
}

function trivySeverity(rule?: ReportingDescriptor): ToolSeverity | undefined {
  const tags = rule?.properties?.tags ?? [];
  for (const tag of tags) {
    if (!/^(CRITICAL|HIGH|MEDIUM|LOW|UNKNOWN)$/.test(tag)) continue;
    const severity = parseSeverity(tag);
    if (severity !== undefined) return { severity, source: 'rule.properties.tags' };
  }
  return undefined;
}

function grypeSeverity(result: Result, rule?: ReportingDescriptor): ToolSeverity | undefined {
  const help = /^Severity:\s*([A-Za-z]+)\s*$/m.exec(rule?.help?.text ?? '')?.[1];
  if (word(help) !== undefined) return { severity: word(help) as Severity, source: 'rule.help.text' };
  const short = /\s([A-Za-z]+) vulnerability for /.exec(rule?.shortDescription?.text ?? '')?.[1];
  if (word(short) !== undefined)
    return { severity: word(short) as Severity, source: 'rule.shortDescription.text' };
  const message = /^An? ([A-Za-z]+) vulnerability /.exec(result.message.text ?? '')?.[1];
  if (word(message) !== undefined) return { severity: word(message) as Severity, source: 'result.message' };
  return undefined;
}

function propertySeverity(result: Result, rule?: ReportingDescriptor): ToolSeverity | undefined {
  for (const [bag, name] of [
    [result.properties, 'result'],
    [rule?.properties, 'rule'],
  ] as const)
    for (const key of ['severity', 'Severity']) {
      const severity = word(bag?.[key]);
      if (severity !== undefined) return { severity, source: `${name}.properties.${key}` };
    }
  return undefined;
}

/**
 * The severity the tool itself gave a result (see the module doc), or undefined when it states none.
 * @param tool the run's `tool.driver.name`
 */
export function toolSeverity(
  tool: string,
  result: Result,
  rule?: ReportingDescriptor,
): ToolSeverity | undefined {
  const name = tool.toLowerCase();
  if (name === 'trivy') return trivySeverity(rule) ?? propertySeverity(result, rule);
  if (name === 'grype' || name.includes('anchore'))
    return grypeSeverity(result, rule) ?? propertySeverity(result, rule);
  return propertySeverity(result, rule);
}

/**
 * The severity Gantry gives a result: the tool's own (see {@link toolSeverity}), else code scanning's
 * reading (`security-severity`, else level); a secret finding is raised to `high` at least.
 */
export function gateSeverity(tool: string, result: Result, rule?: ReportingDescriptor): Severity {
  const severity = toolSeverity(tool, result, rule)?.severity ?? severityOf(result, rule);
  if (isSecretResult(tool, result, rule) && severityRank(severity) < severityRank('high')) return 'high';
  return severity;
}

/**
 * Writes each result's gate severity into the log where code scanning would read another one: the
 * result's `level` and its `properties['security-severity']` (9.5/8.0/5.5/2.0), so the uploaded alerts,
 * the annotations and the gate agree whatever format the tool used.
 * @returns the number of results whose severity was changed
 */
export function applyGateSeverities(log: Log): number {
  let changed = 0;
  for (const run of log.runs) {
    const tool = run.tool.driver.name;
    const rules = run.tool.driver.rules ?? [];
    const byId = new Map(rules.map((rule) => [rule.id, rule]));
    for (const result of run.results ?? []) {
      const rule = byId.get(resultRuleId(result, rules));
      const wanted = gateSeverity(tool, result, rule);
      if (wanted === severityOf(result, rule)) continue;
      result.level = levelForSeverity(wanted);
      result.properties = { ...result.properties, 'security-severity': scoreForSeverity(wanted) };
      changed++;
    }
  }
  return changed;
}
