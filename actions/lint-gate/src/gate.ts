/**
 * lint-gate's policy: `fail-on` (error | warning | never), `max-warnings`, `coverage-threshold`, and any
 * linter that could not run.
 */
import type { Coverage } from './coverage.ts';
import type { FailOn } from './inputs.ts';

/** Finding counts by SARIF level. */
export interface LevelCounts {
  errors: number;
  warnings: number;
  notes: number;
}

/** The gate's decision: passed, or the reasons it failed (most important first). */
export interface GateResult {
  passed: boolean;
  reasons: string[];
}

/**
 * Decides the gate.
 * @param maxWarnings -1 for no limit
 * @param coverage    undefined when no coverage-file was given
 * @param failures    `<linter>: <message>` for linters that could not run
 */
export function decide(options: {
  counts: LevelCounts;
  failOn: FailOn;
  maxWarnings: number;
  coverage?: Coverage;
  coverageThreshold: number;
  failures: readonly string[];
}): GateResult {
  const { counts } = options;
  const reasons: string[] = [];
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (options.failOn !== 'never' && counts.errors > 0) reasons.push(plural(counts.errors, 'error'));
  if (options.failOn === 'warning' && counts.warnings > 0)
    reasons.push(plural(counts.warnings, 'warning') + ' (fail-on: warning)');
  if (options.maxWarnings >= 0 && counts.warnings > options.maxWarnings)
    reasons.push(`${plural(counts.warnings, 'warning')}, more than max-warnings ${options.maxWarnings}`);
  if (options.coverage !== undefined && options.coverage.percent < options.coverageThreshold)
    reasons.push(
      `line coverage ${options.coverage.percent.toFixed(2)} % is below the threshold of ${options.coverageThreshold} %`,
    );
  for (const failure of options.failures) reasons.push(`linter failed: ${failure}`);
  return { passed: reasons.length === 0, reasons };
}
