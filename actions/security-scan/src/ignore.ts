/**
 * The ignore file (`.gantry/security-ignore.yml` by default): reviewed suppressions with a reason and an
 * optional expiry date, so an accepted risk is written down and comes back for review.
 *
 * ```yaml
 * - id: CVE-2024-21538          # a rule id, CVE or GHSA id (case-insensitive)
 *   path: 'test/fixtures/**'    # optional glob on the finding's repository-relative path
 *   reason: test data, never shipped
 *   expires: 2026-12-31         # optional; from the next day on the entry fails the gate
 * ```
 * A top-level `ignore:` key holding the list is accepted too.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import { parseDocumentText } from '../../../shared/src/inputs.ts';
import type { Finding } from '../../../shared/src/sarif/findings.ts';

/** One suppression. */
export interface IgnoreEntry {
  id: string;
  path?: string;
  reason: string;
  /** `YYYY-MM-DD`; the entry holds through that day (UTC). */
  expires?: string;
  /** Where the entry is, for messages: `file:line`. */
  where: string;
}

/**
 * Reads and validates the ignore file.
 * @param file absolute path; a missing file means no suppressions
 * @returns the entries in file order
 * @throws ConfigurationError naming the file and line of an entry without id or reason, a bad date, or a
 *   document that is not a list
 */
export async function loadIgnoreFile(file: string, displayName: string = file): Promise<IgnoreEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let document;
  try {
    document = parseDocumentText(text, { file: displayName });
  } catch (error) {
    throw new ConfigurationError((error as Error).message);
  }
  const root = document.value;
  if (root !== null && typeof root === 'object' && !Array.isArray(root) && !('ignore' in root))
    throw new ConfigurationError(`${displayName}: expected a list of entries (- id: …, reason: …)`);
  const inner =
    root !== null && typeof root === 'object' && !Array.isArray(root)
      ? (root as Record<string, unknown>)['ignore']
      : root;
  const prefix: (string | number)[] = inner === root ? [] : ['ignore'];
  if (inner === null || inner === undefined) return [];
  if (!Array.isArray(inner))
    throw new ConfigurationError(`${displayName}: expected a list of entries (- id: …, reason: …)`);
  return inner.map((raw: unknown, index) => {
    const where = `${displayName}:${document.locate([...prefix, index])?.line ?? '?'}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      throw new ConfigurationError(`${where}: an entry must be a mapping with id and reason`);
    const record = raw as Record<string, unknown>;
    const id = typeof record['id'] === 'string' ? record['id'].trim() : '';
    const reason = typeof record['reason'] === 'string' ? record['reason'].trim() : '';
    if (id === '') throw new ConfigurationError(`${where}: the entry has no id (a rule, CVE or GHSA id)`);
    if (reason === '') throw new ConfigurationError(`${where}: the entry for ${id} has no reason`);
    const entry: IgnoreEntry = { id, reason, where };
    if (record['path'] !== undefined) {
      if (typeof record['path'] !== 'string' || record['path'] === '')
        throw new ConfigurationError(`${where}: path of ${id} must be a glob such as 'test/**'`);
      entry.path = record['path'];
    }
    if (record['expires'] !== undefined) {
      const expires = String(
        record['expires'] instanceof Date ? record['expires'].toISOString().slice(0, 10) : record['expires'],
      );
      if (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(`${expires}T00:00:00Z`)))
        throw new ConfigurationError(
          `${where}: expires of ${id} must be a date like 2026-12-31, not "${expires}"`,
        );
      entry.expires = expires;
    }
    return entry;
  });
}

/** Whether an entry has expired on `today` (`YYYY-MM-DD`, UTC): it holds through its `expires` day. */
export function isExpired(entry: IgnoreEntry, today: string): boolean {
  return entry.expires !== undefined && today > entry.expires;
}

function ids(finding: Finding): string[] {
  const aliases = finding.result.properties?.['aliases'];
  return [finding.ruleId, ...(Array.isArray(aliases) ? aliases.map(String) : [])].map((id) =>
    id.toLowerCase(),
  );
}

/** Whether an entry matches a finding: its id is the rule id or an alias, and the path glob (if any) matches. */
export function entryMatches(entry: IgnoreEntry, finding: Finding): boolean {
  if (!ids(finding).includes(entry.id.toLowerCase())) return false;
  if (entry.path === undefined) return true;
  return finding.file !== undefined && path.posix.matchesGlob(finding.file, entry.path);
}

/** What applying the ignore file gave. */
export interface IgnoreOutcome {
  kept: Finding[];
  ignored: { finding: Finding; entry: IgnoreEntry }[];
  /** Entries past their date: they suppress nothing and fail the gate. */
  expired: IgnoreEntry[];
}

/**
 * Splits findings into kept and ignored by the entries that are still valid on `today`.
 * @param today `YYYY-MM-DD` (UTC)
 */
export function applyIgnores(
  findings: readonly Finding[],
  entries: readonly IgnoreEntry[],
  today: string,
): IgnoreOutcome {
  const active = entries.filter((entry) => !isExpired(entry, today));
  const outcome: IgnoreOutcome = {
    kept: [],
    ignored: [],
    expired: entries.filter((entry) => isExpired(entry, today)),
  };
  for (const finding of findings) {
    const entry = active.find((candidate) => entryMatches(candidate, finding));
    if (entry === undefined) outcome.kept.push(finding);
    else outcome.ignored.push({ finding, entry });
  }
  return outcome;
}
