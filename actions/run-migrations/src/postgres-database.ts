/**
 * The PostgreSQL side of the builtin engine, on `pg` (node-postgres, https://node-postgres.com).
 * One connection does everything: it holds the session-level advisory lock, so the lock goes away with
 * the connection if the run dies; each migration runs in its own transaction together with its history row.
 */
import type { Client } from 'pg';
import { postgresLockKey } from './lock-key.ts';
import type { HistoryRow, MigrationDatabase, NewHistoryRow } from './schema-history.ts';
import { isNonTransactional, splitStatements } from './sql-statements.ts';
import { waitForLock } from './lock-wait.ts';

const quote = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

const BEGIN = 'BEGIN;\n';

/** Makes a server error's `position` (1-based character offset) point into the script, not the prefixed query. */
function shiftPosition(error: unknown, by: number): unknown {
  const holder = error as { position?: unknown } | null;
  const position = Number(holder?.position);
  if (holder !== null && typeof holder === 'object' && Number.isInteger(position) && position > by) {
    holder.position = String(position - by);
  }
  return error;
}

interface RawRow {
  installed_rank: number;
  version: string | null;
  description: string;
  type: string;
  script: string;
  checksum: number | null;
  installed_by: string;
  installed_on: Date;
  execution_time: number;
  success: boolean;
}

/** Options for {@link openPostgres}. */
export interface PostgresOptions {
  url: string;
  /** Schema of the history table; the connection's current schema (usually `public`) when empty. */
  schema: string;
  table: string;
  /** Milliseconds. */
  connectTimeoutMs: number;
}

/**
 * Connects to PostgreSQL and returns the engine's database.
 * @throws the driver's error when the connection fails (the caller names the database, never the URL)
 */
export async function openPostgres(options: PostgresOptions): Promise<MigrationDatabase> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: 'gantry-run-migrations',
  });
  // A terminated backend emits 'error' on the client; the pending query rejects too, which is what we report.
  client.on('error', () => undefined);
  await client.connect();
  const info = await client.query<{ user: string; database: string; schema: string | null }>(
    'SELECT current_user AS "user", current_database() AS "database", current_schema() AS "schema"',
  );
  const session = info.rows[0] as { user: string; database: string; schema: string | null };
  const schema = options.schema || session.schema || 'public';
  if (options.schema !== '') {
    await client.query(`SET search_path TO ${quote(schema)}`);
  }
  return new PostgresDatabase(client, session.user, session.database, schema, options.table);
}

class PostgresDatabase implements MigrationDatabase {
  readonly engine = 'postgresql' as const;
  readonly ddlIsTransactional = true;
  readonly user: string;
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  private readonly client: Client;
  private readonly qualified: string;
  private locked = false;

  constructor(client: Client, user: string, database: string, schema: string, table: string) {
    this.client = client;
    this.user = user;
    this.database = database;
    this.schema = schema;
    this.table = table;
    this.qualified = `${quote(schema)}.${quote(table)}`;
  }

  async lock(timeoutMs: number): Promise<void> {
    const key = postgresLockKey(this.qualified);
    await waitForLock(
      async () => {
        const result = await this.client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock($1::bigint) AS locked',
          [key],
        );
        return result.rows[0]?.locked === true;
      },
      timeoutMs,
      `Another migration run holds the lock on ${this.schema}.${this.table} (PostgreSQL advisory lock ${key})`,
    );
    this.locked = true;
  }

  async unlock(): Promise<void> {
    if (!this.locked) return;
    this.locked = false;
    await this.client.query('SELECT pg_advisory_unlock($1::bigint)', [postgresLockKey(this.qualified)]);
  }

  async historyExists(): Promise<boolean> {
    const result = await this.client.query<{ found: string | null }>(
      'SELECT to_regclass($1)::text AS found',
      [this.qualified],
    );
    return result.rows[0]?.found !== null && result.rows[0]?.found !== undefined;
  }

  async createHistory(): Promise<void> {
    // Flyway's flyway-database-postgresql createMetaDataTable.sql, table and index names included.
    await this.client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(this.schema)}`);
    await this.client.query(
      `CREATE TABLE IF NOT EXISTS ${this.qualified} (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL,
    CONSTRAINT ${quote(`${this.table}_pk`)} PRIMARY KEY ("installed_rank")
);
CREATE INDEX IF NOT EXISTS ${quote(`${this.table}_s_idx`)} ON ${this.qualified} ("success");`,
    );
  }

  async schemaIsEmpty(): Promise<boolean> {
    const names = [this.table, `${this.table}_pk`, `${this.table}_s_idx`];
    const result = await this.client.query<{ empty: boolean }>(
      `SELECT NOT EXISTS (
         SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND NOT (c.relname = ANY($2::text[])))
       AND NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1)
       AND NOT EXISTS (
         SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE n.nspname = $1 AND t.typrelid = 0 AND t.typelem = 0 AND t.typtype IN ('e', 'd', 'r', 'c')) AS empty`,
      [this.schema, names],
    );
    return result.rows[0]?.empty === true;
  }

  async readHistory(): Promise<HistoryRow[]> {
    const result = await this.client.query<RawRow>(
      `SELECT * FROM ${this.qualified} ORDER BY "installed_rank"`,
    );
    return result.rows.map((row) => ({
      installedRank: row.installed_rank,
      version: row.version,
      description: row.description,
      type: row.type,
      script: row.script,
      checksum: row.checksum,
      installedBy: row.installed_by,
      installedOn: row.installed_on,
      executionTime: row.execution_time,
      success: row.success,
    }));
  }

  private insertSql(row: NewHistoryRow, serverExecutionTime = false): string {
    // Literals, not parameters, so the insert can share a round trip with the script (simple query protocol).
    const text = (value: string | null, max: number): string =>
      value === null ? 'NULL' : this.client.escapeLiteral(value.slice(0, max));
    const int = (value: number | null): string => (value === null ? 'NULL' : String(Math.trunc(value)));
    // now() is the transaction's start (the BEGIN before the script): the server measures the script's time.
    const executionTime = serverExecutionTime
      ? 'CAST(EXTRACT(EPOCH FROM clock_timestamp() - now()) * 1000 AS INTEGER)'
      : int(row.executionTime);
    return `INSERT INTO ${this.qualified}
         ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success")
       SELECT COALESCE(MAX("installed_rank"), 0) + 1, ${text(row.version, 50)}, ${text(row.description, 200)},
              ${text(row.type, 20)}, ${text(row.script, 1000)}, ${int(row.checksum)}, ${text(row.installedBy, 100)},
              ${executionTime}, ${row.success ? 'TRUE' : 'FALSE'} FROM ${this.qualified}`;
  }

  async insertRow(row: NewHistoryRow): Promise<void> {
    await this.client.query(this.insertSql(row));
  }

  async applyMigration(
    sql: string,
    row: NewHistoryRow,
    options: { transactional: boolean },
  ): Promise<number> {
    const started = performance.now();
    if (options.transactional) {
      // One round trip: "BEGIN; <script>; <history row>; COMMIT" as one simple query. The server stops at the
      // first failing statement, so on an error nothing after it ran and the transaction is rolled back.
      const query = `${BEGIN}${sql}\n;\n${this.insertSql(row, true)} RETURNING "execution_time";\nCOMMIT;`;
      let results: unknown;
      try {
        results = await this.client.query(query);
      } catch (error) {
        await this.client.query('ROLLBACK').catch(() => undefined);
        throw shiftPosition(error, BEGIN.length);
      }
      const list = (Array.isArray(results) ? results : [results]) as { command?: string; rows?: unknown[] }[];
      const inserted = list.filter((result) => result.command === 'INSERT').at(-1)?.rows?.[0] as
        { execution_time?: number } | undefined;
      return inserted?.execution_time ?? Math.round(performance.now() - started);
    }
    try {
      for (const statement of splitStatements(sql)) await this.client.query(statement);
    } catch (error) {
      const executionTime = Math.round(performance.now() - started);
      await this.insertRow({ ...row, executionTime, success: false }).catch(() => undefined);
      throw error;
    }
    const executionTime = Math.round(performance.now() - started);
    await this.insertRow({ ...row, executionTime });
    return executionTime;
  }

  async deleteFailedRows(): Promise<number> {
    const result = await this.client.query(`DELETE FROM ${this.qualified} WHERE NOT "success"`);
    return result.rowCount ?? 0;
  }

  async updateRow(installedRank: number, fields: { checksum: number; description: string }): Promise<void> {
    await this.client.query(
      `UPDATE ${this.qualified} SET "checksum" = $1, "description" = $2 WHERE "installed_rank" = $3`,
      [fields.checksum, fields.description, installedRank],
    );
  }

  needsNoTransaction(sql: string): boolean {
    return splitStatements(sql).some(isNonTransactional);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
