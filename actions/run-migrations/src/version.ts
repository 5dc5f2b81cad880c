/**
 * Flyway migration versions: `1`, `1.1`, `2_3_1` (`_` and `.` both separate parts), compared numerically
 * part by part (1.10 > 1.9; 1.0 = 1), as Flyway's `MigrationVersion` does
 * (flyway/flyway `flyway-core/src/main/java/org/flywaydb/core/api/MigrationVersion.java`).
 */

/** A parsed version: its text as Flyway displays and stores it (`_` turned into `.`) and its parts. */
export interface Version {
  /** e.g. `1.10` — what goes into the `version` column. */
  text: string;
  parts: bigint[];
}

/**
 * Parses a version string.
 * @param raw e.g. `1_1`, `2.0.3`, `20240101120000`
 * @returns the version, or undefined when `raw` is not digits separated by `.` or `_`
 */
export function parseVersion(raw: string): Version | undefined {
  if (!/^\d+([._]\d+)*$/.test(raw)) return undefined;
  const text = raw.replace(/_/g, '.');
  const parts = text.split('.').map((part) => BigInt(part));
  while (parts.length > 1 && parts[parts.length - 1] === 0n) parts.pop();
  return { text, parts };
}

/**
 * Compares two versions numerically by parts; missing parts count as 0.
 * @returns a negative number when a < b, 0 when equal, positive when a > b
 */
export function compareVersions(a: Version, b: Version): number {
  const length = Math.max(a.parts.length, b.parts.length);
  for (let i = 0; i < length; i++) {
    const x = a.parts[i] ?? 0n;
    const y = b.parts[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
