/**
 * The builtin engine: runs `migrate`, `validate`, `info`, `baseline` and `repair` against a
 * {@link MigrationDatabase}, with Flyway's semantics (https://documentation.red-gate.com/fd/commands-184127446.html).
 */
import { ConfigurationError, describeThrown } from '../../../shared/src/errors.ts';
import type { MigrationFile } from './migration-files.ts';
import { planMigrations, type MigrationInfo, type Plan } from './plan.ts';
import { replacePlaceholders } from './placeholders.ts';
import type { HistoryRow, MigrationDatabase } from './schema-history.ts';
import type { Version } from './version.ts';

export type Command = 'migrate' | 'validate' | 'info' | 'baseline' | 'repair';

/** What the builtin engine needs besides the database and the files. */
export interface MigratorOptions {
  target?: Version;
  outOfOrder: boolean;
  baselineOnMigrate: boolean;
  baselineVersion: Version;
  baselineDescription: string;
  /** User placeholders (`${name}`); built-in `flyway:` ones are added here. */
  placeholders: ReadonlyMap<string, string>;
  placeholderReplacement: boolean;
  /** Milliseconds to wait for the migration lock. */
  lockTimeoutMs: number;
  dryRun: boolean;
  /** `installed_by` value; the database user when empty. */
  installedBy: string;
  /** Called after each migration is applied, and before one starts. */
  onEvent?: (event: MigratorEvent) => void;
}

export type MigratorEvent =
  | { kind: 'starting'; file: MigrationFile; transactional: boolean }
  | { kind: 'applied'; migration: AppliedMigration }
  | { kind: 'note'; message: string };

/** A migration this run applied. */
export interface AppliedMigration {
  version: string | null;
  description: string;
  script: string;
  /** Milliseconds. */
  executionTime: number;
  transactional: boolean;
}

/** The outcome of a command. */
export interface MigratorResult {
  command: Command;
  applied: AppliedMigration[];
  /** Migrations that would run (dry run) or still pending after the command. */
  pending: MigrationFile[];
  schemaVersion: string;
  infos: MigrationInfo[];
  /** Validation problems found (validate fails on them; info lists them). */
  problems: string[];
  /** For repair: what was changed. */
  repaired: string[];
  dryRun: boolean;
}

/** A migration that failed: names the script and carries the database's message. */
export class MigrationError extends Error {
  readonly script: string;
  readonly line: number | undefined;
  /** The command's result up to the failure: what had been applied, states re-read after it. */
  readonly result: MigratorResult;
  constructor(script: string, cause: unknown, result: MigratorResult, line?: number) {
    super(
      `Migration ${script} failed${line === undefined ? '' : ` at line ${line}`}: ${describeSqlError(cause)}`,
    );
    this.name = 'MigrationError';
    this.script = script;
    this.line = line;
    this.result = result;
  }
}

/**
 * Formats a driver error: message, SQLSTATE / MySQL error code and the server's detail when present.
 * @returns one line such as `relation "nope" does not exist (SQLSTATE 42P01)`
 */
export function describeSqlError(cause: unknown): string {
  const message = describeThrown(cause);
  if (cause === null || typeof cause !== 'object') return message;
  const fields = cause as { code?: unknown; detail?: unknown; errno?: unknown };
  const parts = [message];
  if (typeof fields.code === 'string' && /^[0-9A-Z]{5}$/.test(fields.code))
    parts.push(`(SQLSTATE ${fields.code})`);
  else if (typeof fields.code === 'string' && typeof fields.errno === 'number')
    parts.push(`(${fields.code}, errno ${fields.errno})`);
  if (typeof fields.detail === 'string' && fields.detail !== '') parts.push(`— ${fields.detail}`);
  return parts.join(' ');
}

function lineOf(sql: string, cause: unknown): number | undefined {
  const position = Number((cause as { position?: unknown } | null)?.position);
  if (!Number.isInteger(position) || position < 1) return undefined;
  return sql.slice(0, position - 1).split('\n').length;
}

/**
 * A result with nothing in it yet, for {@link runCommand} to fill in.
 */
export function emptyResult(command: Command, dryRun: boolean): MigratorResult {
  return {
    command,
    applied: [],
    pending: [],
    schemaVersion: '',
    infos: [],
    problems: [],
    repaired: [],
    dryRun,
  };
}

/**
 * Runs a command.
 * @param db     an open database (closed by the caller)
 * @param files  the scanned migrations
 * @param result filled in as the command goes, so a caller still has the states and what was applied when
 *               the command throws
 * @throws ConfigurationError for validation failures (naming the scripts), a non-empty schema without
 *         history (unless baseline-on-migrate) or a baseline on a used history table;
 *         MigrationError when a migration fails; TimeoutError when the lock is not free in time
 */
export async function runCommand(
  command: Command,
  db: MigrationDatabase,
  files: MigrationFile[],
  options: MigratorOptions,
  result: MigratorResult = emptyResult(command, options.dryRun),
): Promise<MigratorResult> {
  const planOptions = { target: options.target, outOfOrder: options.outOfOrder };
  const readOnly = command === 'info' || command === 'validate' || options.dryRun;
  if (readOnly) {
    const exists = await db.historyExists();
    const rows = exists ? await db.readHistory() : [];
    let plan = planMigrations(files, rows, planOptions);
    if (command === 'baseline' && rows.length === 0) {
      plan = planMigrations(files, [baselineRow(options, db)], planOptions);
      result.repaired.push(`would baseline at version ${options.baselineVersion.text}`);
    }
    if (command === 'migrate' && !exists && !(await db.schemaIsEmpty())) {
      if (!options.baselineOnMigrate) throw nonEmptySchema(db);
      plan = planMigrations(files, [baselineRow(options, db)], planOptions);
      options.onEvent?.({ kind: 'note', message: `Would baseline at ${options.baselineVersion.text} first` });
    }
    fillFromPlan(result, plan);
    if (command === 'validate') {
      const pendingProblems = plan.pending.map(
        (file) =>
          `Detected resolved migration not applied to database: ${file.version?.text ?? 'repeatable'} (${file.script})`,
      );
      result.problems = [...plan.errors, ...pendingProblems];
      if (result.problems.length > 0) {
        throw new ConfigurationError(`Validate failed:\n- ${result.problems.join('\n- ')}`);
      }
    }
    if (command === 'migrate' && plan.errors.length > 0) {
      throw new ConfigurationError(`Validate failed, nothing was migrated:\n- ${plan.errors.join('\n- ')}`);
    }
    return result;
  }

  if (command === 'migrate' && (await db.historyExists())) {
    // Up to date already: answer without taking the lock (nothing to change, nothing to race).
    const rows = await db.readHistory();
    const plan = planMigrations(files, rows, planOptions);
    if (rows.length > 0 && plan.pending.length === 0 && plan.errors.length === 0) {
      fillFromPlan(result, plan);
      return result;
    }
  }

  await db.lock(options.lockTimeoutMs);
  try {
    const exists = await db.historyExists();
    if (command === 'baseline') {
      if (!exists) await db.createHistory();
      const rows = await db.readHistory();
      const existing = rows.find((row) => row.type === 'BASELINE');
      if (existing === undefined && rows.some((row) => row.type !== 'SCHEMA')) {
        throw new ConfigurationError(
          `Unable to baseline: the schema history table ${db.schema}.${db.table} already contains migrations`,
        );
      }
      if (existing !== undefined && existing.version !== options.baselineVersion.text) {
        throw new ConfigurationError(
          `Unable to baseline at ${options.baselineVersion.text}: already baselined at version ${existing.version}`,
        );
      }
      if (existing === undefined) {
        await db.insertRow(baselineRow(options, db));
        result.repaired.push(`baselined at version ${options.baselineVersion.text}`);
      }
      fillFromPlan(result, planMigrations(files, await db.readHistory(), planOptions));
      return result;
    }
    if (command === 'repair') {
      if (!exists) {
        fillFromPlan(result, planMigrations(files, [], planOptions));
        return result;
      }
      const deleted = await db.deleteFailedRows();
      if (deleted > 0) result.repaired.push(`removed ${deleted} failed migration row(s)`);
      const plan = planMigrations(files, await db.readHistory(), planOptions);
      for (const info of plan.infos) {
        const row = info.row;
        if (row === undefined || info.file === undefined || row.type !== 'SQL' || row.version === null)
          continue;
        if (row.checksum !== info.file.checksum || row.description !== info.file.description) {
          await db.updateRow(row.installedRank, {
            checksum: info.file.checksum,
            description: info.file.description,
          });
          result.repaired.push(
            `realigned ${info.file.script} (checksum ${row.checksum} → ${info.file.checksum})`,
          );
        }
      }
      fillFromPlan(result, planMigrations(files, await db.readHistory(), planOptions));
      return result;
    }

    // migrate
    if (!exists) {
      const empty = await db.schemaIsEmpty();
      if (!empty && !options.baselineOnMigrate) throw nonEmptySchema(db);
      await db.createHistory();
      if (!empty) {
        await db.insertRow(baselineRow(options, db));
        options.onEvent?.({
          kind: 'note',
          message: `Baselined the existing schema at ${options.baselineVersion.text}`,
        });
      }
    } else if (options.baselineOnMigrate) {
      const rows = await db.readHistory();
      if (rows.length === 0 && !(await db.schemaIsEmpty())) await db.insertRow(baselineRow(options, db));
    }
    const plan = planMigrations(files, await db.readHistory(), planOptions);
    if (plan.errors.length > 0) {
      fillFromPlan(result, plan);
      throw new ConfigurationError(`Validate failed, nothing was migrated:\n- ${plan.errors.join('\n- ')}`);
    }
    for (const file of plan.pending) {
      // A UTF-8 byte-order mark is not SQL: strip it before execution, as Flyway does (the checksum
      // strips it too, see checksum.ts).
      const content = stripBom(file.content);
      const sql = options.placeholderReplacement
        ? replacePlaceholders(content, builtInPlaceholders(options, db, file), file.script)
        : content;
      const transactional = file.executeInTransaction ?? !db.needsNoTransaction(sql);
      options.onEvent?.({ kind: 'starting', file, transactional });
      let executionTime: number;
      try {
        executionTime = await db.applyMigration(
          sql,
          {
            version: file.version?.text ?? null,
            description: file.description,
            type: 'SQL',
            script: file.script,
            checksum: file.checksum,
            installedBy: options.installedBy || db.user,
            executionTime: 0,
            success: true,
          },
          { transactional },
        );
      } catch (cause) {
        fillFromPlan(result, planMigrations(files, await safeRead(db), planOptions));
        throw new MigrationError(file.script, cause, result, transactional ? lineOf(sql, cause) : undefined);
      }
      const migration = {
        version: file.version?.text ?? null,
        description: file.description,
        script: file.script,
        executionTime,
        transactional,
      };
      result.applied.push(migration);
      options.onEvent?.({ kind: 'applied', migration });
    }
    fillFromPlan(result, planMigrations(files, await db.readHistory(), planOptions));
    return result;
  } finally {
    await db.unlock().catch(() => undefined);
  }
}

async function safeRead(db: MigrationDatabase): Promise<HistoryRow[]> {
  try {
    return await db.readHistory();
  } catch {
    return [];
  }
}

function fillFromPlan(result: MigratorResult, plan: Plan): void {
  result.infos = plan.infos;
  result.pending = plan.pending;
  result.schemaVersion = plan.schemaVersion;
  if (result.problems.length === 0) result.problems = plan.errors;
}

function nonEmptySchema(db: MigrationDatabase): ConfigurationError {
  return new ConfigurationError(
    `Found a non-empty schema ${db.schema} without a schema history table ${db.table}: ` +
      'run the baseline command first, or set baseline-on-migrate: true',
  );
}

function baselineRow(options: MigratorOptions, db: MigrationDatabase): HistoryRow {
  return {
    installedRank: 1,
    version: options.baselineVersion.text,
    description: options.baselineDescription,
    type: 'BASELINE',
    script: options.baselineDescription,
    checksum: null,
    installedBy: options.installedBy || db.user,
    installedOn: new Date(),
    executionTime: 0,
    success: true,
  };
}

function builtInPlaceholders(
  options: MigratorOptions,
  db: MigrationDatabase,
  file: MigrationFile,
): Map<string, string> {
  return new Map([
    ['flyway:defaultSchema', db.schema],
    ['flyway:user', db.user],
    ['flyway:database', db.database],
    ['flyway:table', db.table],
    ['flyway:filename', file.script.split('/').at(-1) ?? file.script],
    ['flyway:timestamp', new Date().toISOString()],
    ...options.placeholders,
  ]);
}

/**
 * Drops a leading UTF-8 byte-order mark (U+FEFF), which Flyway strips before running a script
 * (https://github.com/flyway/flyway, `BomStrippingReader`).
 * @returns `text` without the BOM
 */
export function stripBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
