/**
 * Finds migration scripts and reads them the way Flyway resolves SQL migrations
 * (https://documentation.red-gate.com/fd/migrations-184127470.html, "Naming"):
 * `V<version>__<description>.sql` (versioned), `R__<description>.sql` (repeatable), `U<version>__<description>.sql`
 * (undo; never run by migrate). The description's `_` become spaces; the `script` column holds the path relative
 * to its location. A `<script>.conf` beside a script is its Flyway script configuration
 * (`executeInTransaction=false`). Anything else in a location is reported as an unknown name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import { flywayChecksum } from './checksum.ts';
import { compareVersions, parseVersion, type Version } from './version.ts';

export type MigrationKind = 'versioned' | 'repeatable' | 'undo';

/** A migration script found in a location. */
export interface MigrationFile {
  kind: MigrationKind;
  /** Set for versioned and undo scripts. */
  version?: Version;
  /** The description, `_` replaced by spaces, as stored in the `description` column. */
  description: string;
  /** The path relative to its location with `/` separators, as stored in the `script` column. */
  script: string;
  /** The absolute path on disk. */
  path: string;
  /** The file's text (UTF-8, BOM kept; placeholders not replaced). */
  content: string;
  /** Flyway's checksum of the file (signed 32-bit). */
  checksum: number;
  /** From `<script>.conf` `executeInTransaction=…`; undefined when not configured. */
  executeInTransaction?: boolean;
}

/** What a location held: the migrations and the names that are not migrations. */
export interface ScanResult {
  migrations: MigrationFile[];
  /** Paths (relative to the workspace) that match no migration naming pattern. */
  unknown: string[];
}

/** How a file name is read, or why it is not a migration. */
export type ParsedName =
  { kind: MigrationKind; version?: Version; description: string } | { kind: 'unknown'; reason: string };

/**
 * Reads a migration file name (the base name, not a path).
 * @example parseMigrationName('V1_2__Add_users.sql') → { kind: 'versioned', version: 1.2, description: 'Add users' }
 * @returns the parsed name, or `{kind: 'unknown', reason}` saying what is wrong
 */
export function parseMigrationName(name: string): ParsedName {
  if (!name.endsWith('.sql')) return { kind: 'unknown', reason: 'not a .sql file' };
  const stem = name.slice(0, -'.sql'.length);
  const separator = stem.indexOf('__');
  if (separator < 0) return { kind: 'unknown', reason: "no '__' between version and description" };
  const prefix = stem.slice(0, separator);
  const description = stem.slice(separator + 2).replace(/_/g, ' ');
  if (prefix === 'R') return { kind: 'repeatable', description };
  const kind = prefix.startsWith('V') ? 'versioned' : prefix.startsWith('U') ? 'undo' : undefined;
  if (kind === undefined) return { kind: 'unknown', reason: 'prefix is not V, U or R' };
  const version = parseVersion(prefix.slice(1));
  if (version === undefined) {
    return { kind: 'unknown', reason: `"${prefix.slice(1)}" is not a version (digits separated by . or _)` };
  }
  return { kind, version, description };
}

function walk(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walk(full));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

function parseScriptConfig(text: string): { executeInTransaction?: boolean } {
  const match = /^\s*executeInTransaction\s*=\s*(true|false)\s*$/im.exec(text);
  return match === null ? {} : { executeInTransaction: match[1]?.toLowerCase() === 'true' };
}

/**
 * Scans locations recursively for migration scripts.
 * @param locations folders (absolute, or relative to `workspace`); a Flyway `filesystem:` prefix is dropped
 * @param workspace the folder relative paths start from
 * @returns versioned scripts sorted by version, then repeatables sorted by description, then undo scripts
 * @throws ConfigurationError when a location does not exist or two scripts share a version or a
 *         repeatable description
 */
export async function scanLocations(locations: string[], workspace: string): Promise<ScanResult> {
  const migrations: MigrationFile[] = [];
  const unknown: string[] = [];
  for (const location of locations) {
    const dir = path.resolve(workspace, location.replace(/^filesystem:/, ''));
    let files: string[];
    try {
      files = walk(dir).sort();
    } catch (thrown) {
      const code = (thrown as NodeJS.ErrnoException).code;
      throw new ConfigurationError(
        `Migration location ${location} cannot be read (${code ?? String(thrown)}): check the 'locations' input`,
      );
    }
    const scripts = new Set(files);
    const found: { file: string; script: string; parsed: Exclude<ParsedName, { kind: 'unknown' }> }[] = [];
    for (const file of files) {
      const script = path.relative(dir, file).split(path.sep).join('/');
      const base = path.basename(file);
      if (base.endsWith('.sql.conf') && scripts.has(file.slice(0, -'.conf'.length))) continue;
      const parsed = parseMigrationName(base);
      if (parsed.kind === 'unknown') {
        unknown.push(`${path.relative(workspace, file).split(path.sep).join('/')} (${parsed.reason})`);
      } else {
        found.push({ file, script, parsed });
      }
    }
    // Synchronous reads: for hundreds of small files they are several times faster than the thread pool.
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    const read = found.map(({ file, script, parsed }) => {
      const content = decoder.decode(readFileSync(file));
      const migration: MigrationFile = {
        ...parsed,
        script,
        path: file,
        content,
        checksum: flywayChecksum(content),
      };
      if (scripts.has(`${file}.conf`))
        Object.assign(migration, parseScriptConfig(readFileSync(`${file}.conf`, 'utf8')));
      return migration;
    });
    migrations.push(...read);
  }
  return { migrations: sortMigrations(migrations), unknown };
}

/**
 * Orders migrations as Flyway applies them and refuses duplicates.
 * @throws ConfigurationError naming both scripts of a duplicate version or repeatable description
 */
export function sortMigrations(migrations: MigrationFile[]): MigrationFile[] {
  const byKind = (kind: MigrationKind): MigrationFile[] => migrations.filter((m) => m.kind === kind);
  const versionSort = (a: MigrationFile, b: MigrationFile): number =>
    compareVersions(a.version as Version, b.version as Version);
  const versioned = byKind('versioned').sort(versionSort);
  const repeatable = byKind('repeatable').sort((a, b) =>
    a.description < b.description ? -1 : a.description > b.description ? 1 : 0,
  );
  const undo = byKind('undo').sort(versionSort);
  for (const [list, same, what] of [
    [versioned, (a: MigrationFile, b: MigrationFile) => versionSort(a, b) === 0, 'version'],
    [undo, (a: MigrationFile, b: MigrationFile) => versionSort(a, b) === 0, 'undo version'],
    [
      repeatable,
      (a: MigrationFile, b: MigrationFile) => a.description === b.description,
      'repeatable description',
    ],
  ] as const) {
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1] as MigrationFile;
      const b = list[i] as MigrationFile;
      if (same(a, b)) {
        const key = a.version?.text ?? a.description;
        throw new ConfigurationError(
          `Found more than one migration with ${what} ${key}: ${a.script} and ${b.script}`,
        );
      }
    }
  }
  return [...versioned, ...repeatable, ...undo];
}
