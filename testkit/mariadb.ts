/**
 * A private MariaDB server (Debian mariadb-server) for the tests, the benchmarks and
 * `npm run local -- up mariadb`: `mariadb-install-db` into a temp
 * folder, `mariadbd` on a free loopback port and a private socket, a password user `gantry` for the tests,
 * stopped (SIGTERM) and deleted by `stop()`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort } from './process.ts';

const run = promisify(execFile);

export interface MariadbServer {
  port: number;
  password: string;
  /** Creates a new empty database and returns its `mysql://` URL. */
  createDatabase(): Promise<string>;
  connection(url: string): Promise<mysql.Connection>;
  stop(): Promise<void>;
}

let counter = 0;

/** Starts MariaDB; throws with the server's error log when it does not come up within 30 s. */
export async function startMariadb(): Promise<MariadbServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gantry-mariadb-'));
  const datadir = path.join(dir, 'data');
  const socket = path.join(dir, 'mysqld.sock');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  await run('mariadb-install-db', [
    '--no-defaults',
    `--datadir=${datadir}`,
    '--user=root',
    '--auth-root-authentication-method=socket',
    '--skip-test-db',
  ]);
  const child: ChildProcess = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      `--pid-file=${path.join(dir, 'mysqld.pid')}`,
      `--log-error=${path.join(dir, 'error.log')}`,
      '--skip-log-bin',
      '--innodb-buffer-pool-size=32M',
      '--innodb-flush-log-at-trx-commit=0',
      '--max-connections=60',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = (sql: string) =>
    run('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-N', '-e', sql]);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await client('SELECT 1');
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        const log = await readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '');
        throw new Error(`mariadbd did not start: ${String(error)}\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await client(
    `CREATE USER 'gantry'@'127.0.0.1' IDENTIFIED BY '${password}'; GRANT ALL PRIVILEGES ON *.* TO 'gantry'@'127.0.0.1' WITH GRANT OPTION;`,
  );
  return {
    port,
    password,
    async createDatabase() {
      const name = `db_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
      await client(`CREATE DATABASE \`${name}\``);
      return `mysql://gantry:${password}@127.0.0.1:${port}/${name}`;
    },
    async connection(url) {
      const connection = await mysql.createConnection({ uri: url, multipleStatements: true });
      connection.on('error', () => undefined);
      return connection;
    },
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
