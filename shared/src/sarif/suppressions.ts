/**
 * A tool's own suppressions of its results (SARIF 2.1.0 §3.27.23 `result.suppressions`, §3.35 suppression
 * object): `inSource` (a `# nosemgrep`, `// NOSONAR`, `#checkov:skip` comment) or `external` (a baseline or
 * ignore list outside the code). A result is suppressed when it has at least one suppression, none of them
 * `underReview`, and not all of them `rejected` — the spec's reading, and code scanning's.
 */
import type { Result } from './types.ts';

/** One suppression as a reader sees it. */
export interface SuppressionInfo {
  kind: string;
  status: string;
  justification: string;
}

/** Whether the tool suppressed this result (see the module doc). */
export function isSuppressed(result: Result): boolean {
  const list = result.suppressions ?? [];
  if (list.length === 0) return false;
  if (list.some((s) => s.status === 'underReview')) return false;
  return list.some((s) => s.status !== 'rejected');
}

/** The suppressions of a result: kind, status (`accepted` when absent) and justification ('' when absent). */
export function suppressionInfo(result: Result): SuppressionInfo[] {
  return (result.suppressions ?? []).map((s) => ({
    kind: s.kind,
    status: s.status ?? 'accepted',
    justification: s.justification ?? '',
  }));
}
