/**
 * Compares the migration files with the schema history table and says, for each migration, what state it
 * is in and whether it is pending — Flyway's `MigrationInfoService` states
 * (https://documentation.red-gate.com/fd/migration-states-184127480.html) and its validation rules
 * (https://documentation.red-gate.com/fd/validate-184127464.html).
 */
import type { MigrationFile } from './migration-files.ts';
import type { HistoryRow } from './schema-history.ts';
import { compareVersions, parseVersion, type Version } from './version.ts';

export type MigrationState =
  | 'pending'
  | 'outdated'
  | 'success'
  | 'failed'
  | 'baseline'
  | 'below-baseline'
  | 'above-target'
  | 'ignored'
  | 'out-of-order'
  | 'missing'
  | 'future'
  | 'superseded'
  | 'undo';

/** One line of `info`: a file, a history row, or both. */
export interface MigrationInfo {
  version: string | null;
  description: string;
  type: string;
  script: string;
  state: MigrationState;
  /** The file's checksum (undefined when there is no file). */
  checksum?: number;
  /** The checksum recorded in the history row, when applied. */
  appliedChecksum?: number | null;
  installedRank?: number;
  installedOn?: Date;
  executionTime?: number;
  file?: MigrationFile;
  row?: HistoryRow;
}

/** Options that change the plan. */
export interface PlanOptions {
  /** Apply versions up to and including this one; undefined for `latest`. */
  target?: Version;
  outOfOrder: boolean;
}

/** The plan: every migration's state, the ones to apply in order, and validation problems. */
export interface Plan {
  infos: MigrationInfo[];
  /** Files to apply, in order: pending versions (ascending) then new/changed repeatables (by description). */
  pending: MigrationFile[];
  /** Highest successfully applied version (baseline included), or '' when none. */
  schemaVersion: string;
  /** Problems that make `migrate` refuse (failed rows, changed or missing applied scripts, ignored versions). */
  errors: string[];
}

const isVersionedRow = (row: HistoryRow): boolean =>
  row.version !== null && (row.type === 'SQL' || row.type === 'BASELINE' || row.type === 'JDBC');

/**
 * Builds the plan.
 * @param files  migrations found in the locations (undo scripts are listed but never pending)
 * @param rows   the history table's rows (empty when it does not exist)
 * @returns the plan; `errors` is what Flyway's validate-on-migrate would report, with the script named
 */
export function planMigrations(files: MigrationFile[], rows: HistoryRow[], options: PlanOptions): Plan {
  const infos: MigrationInfo[] = [];
  const errors: string[] = [];
  const pending: MigrationFile[] = [];
  const deleted = new Set(
    rows.filter((row) => row.type === 'DELETE').map((row) => `${row.version ?? ''}|${row.description}`),
  );
  const appliedVersioned = rows.filter(
    (row) => isVersionedRow(row) && !deleted.has(`${row.version ?? ''}|${row.description}`),
  );
  const byVersion = new Map<string, HistoryRow>();
  let maxApplied: Version | undefined;
  let baseline: Version | undefined;
  let schemaVersion: Version | undefined;
  for (const row of appliedVersioned) {
    const version = parseVersion(row.version ?? '');
    if (version === undefined) continue;
    byVersion.set(version.parts.join('.'), row);
    if (maxApplied === undefined || compareVersions(version, maxApplied) > 0) maxApplied = version;
    if (row.type === 'BASELINE') baseline = version;
    if (row.success && (schemaVersion === undefined || compareVersions(version, schemaVersion) > 0)) {
      schemaVersion = version;
    }
  }
  // A row is out of order when a higher version was installed before it (one pass in rank order).
  const outOfOrderRanks = new Set<number>();
  let highestSoFar: Version | undefined;
  for (const row of [...appliedVersioned].sort((a, b) => a.installedRank - b.installedRank)) {
    const version = parseVersion(row.version ?? '');
    if (version === undefined || row.type === 'BASELINE') continue;
    if (highestSoFar !== undefined && compareVersions(version, highestSoFar) < 0)
      outOfOrderRanks.add(row.installedRank);
    else highestSoFar = version;
  }
  const versionedFiles = files.filter((file) => file.kind === 'versioned');
  const maxFile = versionedFiles.at(-1)?.version;
  const seen = new Set<string>();

  for (const file of versionedFiles) {
    const version = file.version as Version;
    const key = version.parts.join('.');
    const row = byVersion.get(key);
    const base = {
      version: version.text,
      description: file.description,
      type: 'SQL',
      script: file.script,
      checksum: file.checksum,
      file,
    };
    if (row !== undefined) {
      seen.add(key);
      const info: MigrationInfo = {
        ...base,
        type: row.type,
        state: row.type === 'BASELINE' ? 'baseline' : row.success ? 'success' : 'failed',
        appliedChecksum: row.checksum,
        installedRank: row.installedRank,
        installedOn: row.installedOn,
        executionTime: row.executionTime,
        row,
      };
      if (info.state === 'success' && outOfOrderRanks.has(row.installedRank)) info.state = 'out-of-order';
      infos.push(info);
      if (row.type === 'SQL' && row.success) {
        if (row.checksum !== file.checksum) {
          errors.push(
            `Migration checksum mismatch for migration version ${version.text} (${file.script}): ` +
              `applied to database ${row.checksum}, resolved locally ${file.checksum}`,
          );
        } else if (row.description !== file.description) {
          errors.push(
            `Migration description mismatch for migration version ${version.text} (${file.script}): ` +
              `applied to database "${row.description}", resolved locally "${file.description}"`,
          );
        }
      }
      continue;
    }
    if (baseline !== undefined && compareVersions(version, baseline) <= 0) {
      infos.push({ ...base, state: 'below-baseline' });
    } else if (options.target !== undefined && compareVersions(version, options.target) > 0) {
      infos.push({ ...base, state: 'above-target' });
    } else if (maxApplied !== undefined && compareVersions(version, maxApplied) < 0 && !options.outOfOrder) {
      infos.push({ ...base, state: 'ignored' });
      errors.push(
        `Detected resolved migration not applied to database: ${version.text} (${file.script}) is lower than ` +
          `the schema version ${maxApplied.text}; set out-of-order: true to apply it`,
      );
    } else {
      infos.push({ ...base, state: 'pending' });
      pending.push(file);
    }
  }

  for (const row of appliedVersioned) {
    const version = parseVersion(row.version ?? '') as Version;
    if (seen.has(version.parts.join('.')) || row.type === 'BASELINE') {
      if (row.type === 'BASELINE' && !seen.has(version.parts.join('.'))) {
        infos.push(rowInfo(row, 'baseline'));
      }
      continue;
    }
    const future = maxFile === undefined || compareVersions(version, maxFile) > 0;
    infos.push(rowInfo(row, row.success ? (future ? 'future' : 'missing') : 'failed'));
    if (row.success && !future) {
      errors.push(`Detected applied migration not resolved locally: ${row.version} (${row.script})`);
    }
  }

  const failed = appliedVersioned.filter((row) => !row.success);
  const repeatableRows = rows.filter((row) => row.version === null && row.type === 'SQL');
  const latestRepeatable = new Map<string, HistoryRow>();
  for (const row of repeatableRows) latestRepeatable.set(row.description, row);
  for (const row of repeatableRows) {
    if (latestRepeatable.get(row.description) !== row) infos.push(rowInfo(row, 'superseded'));
  }
  const applyRepeatables = options.target === undefined;
  for (const file of files.filter((f) => f.kind === 'repeatable')) {
    const row = latestRepeatable.get(file.description);
    latestRepeatable.delete(file.description);
    const base = {
      version: null,
      description: file.description,
      type: 'SQL',
      script: file.script,
      checksum: file.checksum,
      file,
    };
    if (row !== undefined && !row.success) {
      failed.push(row);
      infos.push({ ...base, ...applied(row), state: 'failed' });
    } else if (row !== undefined && row.checksum === file.checksum) {
      infos.push({ ...base, ...applied(row), state: 'success' });
    } else {
      infos.push({
        ...base,
        ...(row === undefined ? {} : applied(row)),
        state: !applyRepeatables ? 'above-target' : row === undefined ? 'pending' : 'outdated',
      });
      if (applyRepeatables) pending.push(file);
    }
  }
  for (const row of latestRepeatable.values()) {
    infos.push(rowInfo(row, row.success ? 'missing' : 'failed'));
    if (!row.success) failed.push(row);
    else
      errors.push(
        `Detected applied migration not resolved locally: repeatable ${row.description} (${row.script})`,
      );
  }
  for (const file of files.filter((f) => f.kind === 'undo')) {
    infos.push({
      version: file.version?.text ?? null,
      description: file.description,
      type: 'UNDO_SQL',
      script: file.script,
      checksum: file.checksum,
      state: 'undo',
      file,
    });
  }
  for (const row of failed) {
    errors.unshift(
      `Detected failed migration to ${row.version === null ? 'repeatable' : `version ${row.version}`} ` +
        `(${row.description}, ${row.script}). Remove any half-completed changes, then run the repair command ` +
        'to remove the failed entry from the schema history table',
    );
  }
  return { infos, pending, schemaVersion: schemaVersion?.text ?? '', errors };
}

function applied(row: HistoryRow): Partial<MigrationInfo> {
  return {
    appliedChecksum: row.checksum,
    installedRank: row.installedRank,
    installedOn: row.installedOn,
    executionTime: row.executionTime,
    row,
  };
}

function rowInfo(row: HistoryRow, state: MigrationState): MigrationInfo {
  return {
    version: row.version,
    description: row.description,
    type: row.type,
    script: row.script,
    state,
    ...applied(row),
  };
}
