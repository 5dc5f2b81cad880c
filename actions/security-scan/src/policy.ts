/**
 * The gate: one policy over every scanner's findings. A finding at or above `severity-threshold` blocks;
 * any secret blocks when `fail-on-secrets` (whatever its severity); an expired ignore entry blocks, naming
 * it; a scanner that could not run blocks (an unscanned build is not a clean one). What is reported does
 * not depend on the threshold.
 */
import type { Finding } from '../../../shared/src/sarif/findings.ts';
import { SEVERITIES, severityRank, type Severity } from '../../../shared/src/sarif/severity.ts';
import type { IgnoreEntry } from './ignore.ts';
import type { SeverityThreshold } from './inputs.ts';

/** Counts of findings by severity (`none` counted with `low` for outputs). */
export type SeverityCounts = Record<Severity, number>;

/** The gate's decision. */
export interface Verdict {
  blocked: boolean;
  /** One line per reason, most important first; empty when not blocked. */
  reasons: string[];
  counts: SeverityCounts;
  secrets: number;
}

/** Counts findings per severity. */
export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as SeverityCounts;
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

/**
 * Decides whether the gate blocks.
 * @param findings       the findings left after the ignore file
 * @param expired        ignore entries past their date
 * @param scannerErrors  `<scanner>: <message>` for each scanner that failed to run
 */
export function evaluate(
  findings: readonly Finding[],
  options: {
    threshold: SeverityThreshold;
    failOnSecrets: boolean;
    expired: readonly IgnoreEntry[];
    scannerErrors: readonly string[];
  },
): Verdict {
  const counts = countBySeverity(findings);
  const secrets = findings.filter((finding) => finding.secret).length;
  const reasons: string[] = [];
  if (options.failOnSecrets && secrets > 0)
    reasons.push(`${secrets} secret${secrets === 1 ? '' : 's'} found`);
  if (options.threshold !== 'none') {
    const floor = severityRank(options.threshold);
    const over = findings.filter((finding) => severityRank(finding.severity) >= floor).length;
    if (over > 0)
      reasons.push(`${over} finding${over === 1 ? '' : 's'} at or above ${options.threshold} severity`);
  }
  for (const entry of options.expired)
    reasons.push(
      `ignore entry ${entry.id} (${entry.where}) expired on ${entry.expires ?? '?'}: review it or renew it`,
    );
  for (const error of options.scannerErrors) reasons.push(`scanner failed: ${error}`);
  return { blocked: reasons.length > 0, reasons, counts, secrets };
}
