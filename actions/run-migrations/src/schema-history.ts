/**
 * The schema history table, identical to Flyway's `flyway_schema_history`
 * (flyway/flyway `flyway-core/src/main/resources/org/flywaydb/core/internal/database/*\/createMetaDataTable.sql`):
 * `installed_rank` (primary key `<table>_pk`), `version`, `description`, `type`, `script`, `checksum`,
 * `installed_by`, `installed_on`, `execution_time`, `success` and the `<table>_s_idx` index on `success`.
 */

/** One row of the schema history table. */
export interface HistoryRow {
  installedRank: number;
  /** NULL for repeatable migrations and SCHEMA rows. */
  version: string | null;
  description: string;
  /** `SQL`, `BASELINE`, `SCHEMA`, `UNDO_SQL`, `DELETE` … as Flyway writes them. */
  type: string;
  script: string;
  /** Flyway checksum (signed 32-bit); NULL for BASELINE and SCHEMA rows. */
  checksum: number | null;
  installedBy: string;
  installedOn: Date;
  /** Milliseconds. */
  executionTime: number;
  success: boolean;
}

/** A row to insert; the database fills `installed_on`, the runner picks the next `installed_rank`. */
export type NewHistoryRow = Omit<HistoryRow, 'installedRank' | 'installedOn'>;

/** What a migration run needs from a database; one implementation per engine (PostgreSQL, MySQL). */
export interface MigrationDatabase {
  readonly engine: 'postgresql' | 'mysql';
  /** The user connected, the database name and the schema holding the history table. */
  readonly user: string;
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  /** Whether a failed migration can leave changes behind (DDL commits implicitly): MySQL yes. */
  readonly ddlIsTransactional: boolean;
  /**
   * Takes the migration lock for this history table (one run at a time per database).
   * @param timeoutMs how long to wait for another holder (milliseconds)
   * @throws TimeoutError naming the lock and the timeout when it is not free in time
   */
  lock(timeoutMs: number): Promise<void>;
  unlock(): Promise<void>;
  historyExists(): Promise<boolean>;
  /** Creates the schema (PostgreSQL, when missing) and the history table with its index. */
  createHistory(): Promise<void>;
  /** Whether the schema holds no tables, views or other objects besides the history table. */
  schemaIsEmpty(): Promise<boolean>;
  /** Every row, ordered by installed_rank. */
  readHistory(): Promise<HistoryRow[]>;
  /** Inserts a row with the next installed_rank (outside a migration). */
  insertRow(row: NewHistoryRow): Promise<void>;
  /**
   * Runs one migration's SQL and records its history row.
   * Transactional: both in one transaction; on failure both are rolled back and the error is thrown.
   * Non-transactional (and on MySQL, where DDL commits implicitly): a failure leaves a row with
   * `success = false` (as Flyway does where it cannot roll back) and the error is thrown; MySQL writes that row
   * before running the script, so a run that dies half-way leaves it too.
   * @returns the execution time in milliseconds (recorded in the row)
   */
  applyMigration(sql: string, row: NewHistoryRow, options: { transactional: boolean }): Promise<number>;
  /** Deletes rows with `success = false`; returns how many. */
  deleteFailedRows(): Promise<number>;
  /** Realigns an applied row with its file (checksum, description, type), as `repair` does. */
  updateRow(installedRank: number, fields: { checksum: number; description: string }): Promise<void>;
  /** Whether `sql` would need to run outside a transaction (PostgreSQL `CREATE INDEX CONCURRENTLY` …). */
  needsNoTransaction(sql: string): boolean;
  close(): Promise<void>;
}
