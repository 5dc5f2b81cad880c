/**
 * Severity of SARIF results, the way GitHub code scanning ranks them.
 *
 * Code scanning reads a numeric `security-severity` (a CVSS-like score, 0.0–10.0) from the result's or its
 * rule's property bag and shows `critical` above 9.0, `high` from 7.0, `medium` from 4.0 and `low` below
 * (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#reportingdescriptor-object).
 * Without a score it falls back to the SARIF `level` (§3.27.10): error → high, warning → medium,
 * note → low, none → none. The level itself defaults to the rule's `defaultConfiguration.level`, then
 * `warning` (§3.27.10).
 */
import type { Level, ReportingDescriptor, Result } from './types.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'] as const;
/** A code-scanning severity, most severe first in {@link SEVERITIES}. */
export type Severity = (typeof SEVERITIES)[number];

/** Rank of a severity: 4 for critical down to 0 for none (bigger is more severe). */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - 1 - SEVERITIES.indexOf(severity);
}

/**
 * Maps a security-severity score to a severity band (GitHub's bands, see the module doc).
 * @param score 0.0–10.0; NaN or negative gives `none`
 */
export function severityFromScore(score: number): Severity {
  if (!(score > 0)) return 'none';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/** A representative security-severity score for a band (the one converters write): 9.5, 8.0, 5.5, 2.0, 0. */
export function scoreForSeverity(severity: Severity): string {
  return { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', none: '0.0' }[severity];
}

/** The SARIF level for a severity: critical/high → error, medium → warning, low → note, none → none. */
export function levelForSeverity(severity: Severity): Level {
  return { critical: 'error', high: 'error', medium: 'warning', low: 'note', none: 'none' }[
    severity
  ] as Level;
}

/** The severity a bare level stands for: error → high, warning → medium, note → low, none → none. */
export function severityFromLevel(level: Level): Severity {
  return { error: 'high', warning: 'medium', note: 'low', none: 'none' }[level] as Severity;
}

function readScore(bag: { [key: string]: unknown } | undefined): number | undefined {
  const raw = bag?.['security-severity'];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const score = typeof raw === 'number' ? raw : Number.parseFloat(String(raw));
  return Number.isFinite(score) ? score : undefined;
}

/**
 * The effective SARIF level of a result: its own `level`, else its rule's default, else `warning`.
 * @param rule the result's rule descriptor, when the run has one
 */
export function effectiveLevel(result: Result, rule?: ReportingDescriptor): Level {
  return result.level ?? rule?.defaultConfiguration?.level ?? 'warning';
}

/**
 * The severity of a result: the result's `security-severity`, else its rule's, else from the level.
 * @param rule the result's rule descriptor, when the run has one
 */
export function severityOf(result: Result, rule?: ReportingDescriptor): Severity {
  const score = readScore(result.properties) ?? readScore(rule?.properties);
  if (score !== undefined) return severityFromScore(score);
  return severityFromLevel(effectiveLevel(result, rule));
}

/**
 * Parses a severity name as the tools write it (`CRITICAL`, `High`, `moderate`, `info`, `UNKNOWN`…).
 * `moderate` (npm, GitHub advisories) is medium; `info`/`informational`/`negligible`/`unknown` are low.
 * @returns undefined for a word that is not a severity
 */
export function parseSeverity(word: string): Severity | undefined {
  const value = word.trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(value)) return value as Severity;
  if (value === 'moderate') return 'medium';
  if (['info', 'informational', 'negligible', 'unknown'].includes(value)) return 'low';
  return undefined;
}
