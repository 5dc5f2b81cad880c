/**
 * From the scanners' logs to the findings the gate weighs, in the order the issue #19 fixes asked for:
 * 1. tool failures: runs whose invocation failed (executionSuccessful false, error notifications) — read
 *    before merging, since the merged log keeps no invocations;
 * 2. secrets: secret results of every tool are recognised (shared/src/sarif/secret-rules.ts), their
 *    snippets collected for masking and redaction, and a digest of each secret recorded;
 * 3. duplicates merged by tool, rule, location and secret digest (shared/src/sarif/dedupe.ts);
 * 4. merge into one run per tool and fingerprint (fingerprints of secrets use the digest, never the text);
 * 5. redact every secret value and secret snippet;
 * 6. severities: the tool's own severity wins over the SARIF level, secrets are high at least
 *    (shared/src/sarif/tool-severity.ts), written back into the log;
 * 7. the tools' own suppressions set aside (unless turned off), listed with kind and justification.
 */
import { dedupeResults } from '../../../shared/src/sarif/dedupe.ts';
import { listFindings, type Finding } from '../../../shared/src/sarif/findings.ts';
import { failedRuns, type FailedRun } from '../../../shared/src/sarif/invocations.ts';
import { mergeLogs } from '../../../shared/src/sarif/merge.ts';
import { redactLog } from '../../../shared/src/sarif/redact.ts';
import { collectSecretSnippets } from '../../../shared/src/sarif/secret-rules.ts';
import { isSuppressed } from '../../../shared/src/sarif/suppressions.ts';
import { applyGateSeverities } from '../../../shared/src/sarif/tool-severity.ts';
import type { Log } from '../../../shared/src/sarif/types.ts';

/** What {@link prepareResults} produced. */
export interface PreparedResults {
  /** The merged, redacted log (one run per tool). */
  merged: Log;
  /** Findings the gate weighs (the tool's suppressions set aside unless `honorSuppressions` is false). */
  active: Finding[];
  /** Findings the tools themselves suppressed (empty when `honorSuppressions` is false). */
  suppressed: Finding[];
  /** Runs whose tool reports it did not complete. */
  failures: FailedRun[];
  /** Duplicate results merged before fingerprinting. */
  duplicates: number;
  /** Secret findings whose snippets were blanked. */
  redacted: number;
  /** Results whose severity Gantry changed (tool severity, secret floor). */
  reSeverity: number;
}

/**
 * Runs steps 1–7 of the module doc over the scanners' logs (modified in place and merged).
 * @param logs     every scanner's SARIF logs
 * @param secrets  secret values the converters collected; the secret snippets found here are appended
 *                 (so the caller can mask them before anything is printed)
 * @param onSecrets called with the newly found secret snippets before anything else is logged, to mask them
 */
export function prepareResults(
  logs: readonly Log[],
  secrets: string[],
  options: { category: string; honorSuppressions: boolean; onSecrets: (values: string[]) => void },
): PreparedResults {
  const failures = logs.flatMap((log) => failedRuns(log));
  const snippets = collectSecretSnippets(logs);
  options.onSecrets(snippets);
  secrets.push(...snippets);
  const duplicates = dedupeResults(logs);
  const merged = mergeLogs(logs, options.category, { inPlace: true });
  const redacted = redactLog(merged, secrets);
  const reSeverity = applyGateSeverities(merged);
  const findings = listFindings(merged);
  const suppressed = options.honorSuppressions ? findings.filter((f) => isSuppressed(f.result)) : [];
  const active = options.honorSuppressions ? findings.filter((f) => !isSuppressed(f.result)) : findings;
  return { merged, active, suppressed, failures, duplicates, redacted, reSeverity };
}
