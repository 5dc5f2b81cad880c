/**
 * The MySQL/MariaDB side of the builtin engine, on `mysql2` (https://sidorares.github.io/node-mysql2/docs).
 * DDL commits implicitly on MySQL, so a failed migration cannot be rolled back: as Flyway does, it is recorded
 * with `success = 0` and the next run refuses to continue until `repair`. One run at a time per database
 * through `GET_LOCK` (a named lock released when the connection ends).
 */
import type { Connection, RowDataPacket, ResultSetHeader } from 'mysql2/promise';
import { mysqlLockName } from './lock-key.ts';
import type { HistoryRow, MigrationDatabase, NewHistoryRow } from './schema-history.ts';
import { waitForLock } from './lock-wait.ts';

const quote = (identifier: string): string => `\`${identifier.replace(/`/g, '``')}\``;

/** Options for {@link openMysql}. */
export interface MysqlOptions {
  /** `mysql://user:password@host:port/database` */
  url: string;
  /** Database (MySQL's "schema") of the history table; the URL's database when empty. */
  schema: string;
  table: string;
  /** Milliseconds. */
  connectTimeoutMs: number;
}

/**
 * Connects to MySQL/MariaDB and returns the engine's database.
 * @throws the driver's error when the connection fails
 */
export async function openMysql(options: MysqlOptions): Promise<MigrationDatabase> {
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection({
    uri: options.url,
    multipleStatements: true,
    connectTimeout: options.connectTimeoutMs,
    dateStrings: false,
    supportBigNumbers: true,
  });
  connection.on('error', () => undefined);
  const [rows] = await connection.query<RowDataPacket[]>(
    "SELECT SUBSTRING_INDEX(USER(), '@', 1) AS user, DATABASE() AS db",
  );
  const session = rows[0] as { user: string; db: string | null };
  const schema = options.schema || session.db || '';
  if (options.schema !== '' && options.schema !== session.db) {
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${quote(schema)}`);
    await connection.query(`USE ${quote(schema)}`);
  }
  return new MysqlDatabase(connection, session.user, session.db ?? schema, schema, options.table);
}

class MysqlDatabase implements MigrationDatabase {
  readonly engine = 'mysql' as const;
  readonly ddlIsTransactional = false;
  readonly user: string;
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  private readonly connection: Connection;
  private readonly qualified: string;
  private locked = false;

  constructor(connection: Connection, user: string, database: string, schema: string, table: string) {
    this.connection = connection;
    this.user = user;
    this.database = database;
    this.schema = schema;
    this.table = table;
    this.qualified = `${quote(schema)}.${quote(table)}`;
  }

  async lock(timeoutMs: number): Promise<void> {
    const name = mysqlLockName(this.qualified);
    await waitForLock(
      async () => {
        const [rows] = await this.connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS locked', [
          name,
        ]);
        return Number(rows[0]?.['locked']) === 1;
      },
      timeoutMs,
      `Another migration run holds the lock on ${this.schema}.${this.table} (MySQL GET_LOCK '${name}')`,
    );
    this.locked = true;
  }

  async unlock(): Promise<void> {
    if (!this.locked) return;
    this.locked = false;
    await this.connection.query('SELECT RELEASE_LOCK(?)', [mysqlLockName(this.qualified)]);
  }

  async historyExists(): Promise<boolean> {
    const [rows] = await this.connection.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
      [this.schema, this.table],
    );
    return Number(rows[0]?.['n']) > 0;
  }

  async createHistory(): Promise<void> {
    // Flyway's flyway-mysql createMetaDataTable.sql, table and index names included.
    await this.connection.query(
      `CREATE TABLE IF NOT EXISTS ${this.qualified} (
    \`installed_rank\` INT NOT NULL,
    \`version\` VARCHAR(50),
    \`description\` VARCHAR(200) NOT NULL,
    \`type\` VARCHAR(20) NOT NULL,
    \`script\` VARCHAR(1000) NOT NULL,
    \`checksum\` INT,
    \`installed_by\` VARCHAR(100) NOT NULL,
    \`installed_on\` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    \`execution_time\` INT NOT NULL,
    \`success\` BOOL NOT NULL,
    CONSTRAINT ${quote(`${this.table}_pk`)} PRIMARY KEY (\`installed_rank\`)
) ENGINE=InnoDB;
CREATE INDEX ${quote(`${this.table}_s_idx`)} ON ${this.qualified} (\`success\`);`,
    );
  }

  async schemaIsEmpty(): Promise<boolean> {
    const [rows] = await this.connection.query<RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name <> ?)
            + (SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = ?)
            + (SELECT COUNT(*) FROM information_schema.events WHERE event_schema = ?) AS n`,
      [this.schema, this.table, this.schema, this.schema],
    );
    return Number(rows[0]?.['n']) === 0;
  }

  async readHistory(): Promise<HistoryRow[]> {
    const [rows] = await this.connection.query<RowDataPacket[]>(
      `SELECT * FROM ${this.qualified} ORDER BY \`installed_rank\``,
    );
    return rows.map((row) => ({
      installedRank: Number(row['installed_rank']),
      version: (row['version'] as string | null) ?? null,
      description: String(row['description']),
      type: String(row['type']),
      script: String(row['script']),
      checksum: row['checksum'] === null ? null : Number(row['checksum']),
      installedBy: String(row['installed_by']),
      installedOn: row['installed_on'] as Date,
      executionTime: Number(row['execution_time']),
      success: Number(row['success']) === 1,
    }));
  }

  async insertRow(row: NewHistoryRow): Promise<void> {
    await this.connection.query(
      `INSERT INTO ${this.qualified}
         (\`installed_rank\`, \`version\`, \`description\`, \`type\`, \`script\`, \`checksum\`, \`installed_by\`,
          \`execution_time\`, \`success\`)
       SELECT COALESCE(MAX(\`installed_rank\`), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? FROM ${this.qualified}`,
      [
        row.version,
        row.description.slice(0, 200),
        row.type,
        row.script.slice(0, 1000),
        row.checksum,
        row.installedBy.slice(0, 100),
        row.executionTime,
        row.success ? 1 : 0,
      ],
    );
  }

  /**
   * Records the migration as failed (`success = 0`) before running it and marks it successful afterwards, so a
   * run that dies half-way (killed connection, cancelled job) leaves the same trace as a failure Flyway records:
   * the next run refuses to continue until `repair`. DDL commits implicitly on MySQL, so nothing else can tell
   * which of the script's statements ran.
   */
  async applyMigration(
    sql: string,
    row: NewHistoryRow,
    options: { transactional: boolean },
  ): Promise<number> {
    await this.insertRow({ ...row, executionTime: 0, success: false });
    const [ranks] = await this.connection.query<RowDataPacket[]>(
      `SELECT MAX(\`installed_rank\`) AS r FROM ${this.qualified}`,
    );
    const rank = Number(ranks[0]?.['r']);
    const started = performance.now();
    const finish = (executionTime: number, success: boolean): Promise<unknown> =>
      this.connection.query(
        `UPDATE ${this.qualified} SET \`execution_time\` = ?, \`success\` = ? WHERE \`installed_rank\` = ?`,
        [executionTime, success ? 1 : 0, rank],
      );
    if (options.transactional) await this.connection.query('START TRANSACTION');
    try {
      await this.connection.query(sql);
    } catch (error) {
      if (options.transactional) await this.connection.query('ROLLBACK').catch(() => undefined);
      await finish(Math.round(performance.now() - started), false).catch(() => undefined);
      throw error;
    }
    const executionTime = Math.round(performance.now() - started);
    await finish(executionTime, true);
    if (options.transactional) await this.connection.query('COMMIT');
    return executionTime;
  }

  async deleteFailedRows(): Promise<number> {
    const [result] = await this.connection.query<ResultSetHeader>(
      `DELETE FROM ${this.qualified} WHERE \`success\` = 0`,
    );
    return result.affectedRows;
  }

  async updateRow(installedRank: number, fields: { checksum: number; description: string }): Promise<void> {
    await this.connection.query(
      `UPDATE ${this.qualified} SET \`checksum\` = ?, \`description\` = ? WHERE \`installed_rank\` = ?`,
      [fields.checksum, fields.description, installedRank],
    );
  }

  needsNoTransaction(): boolean {
    return false;
  }

  async close(): Promise<void> {
    await this.connection.end().catch(() => undefined);
  }
}
