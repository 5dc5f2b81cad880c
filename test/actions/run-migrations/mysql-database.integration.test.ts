import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { openMysql } from '../../../actions/run-migrations/src/mysql-database.ts';
import { flywayChecksum } from '../../../actions/run-migrations/src/checksum.ts';
import { mysqlLockName } from '../../../actions/run-migrations/src/lock-key.ts';
import type { MigratorOptions } from '../../../actions/run-migrations/src/migrator.ts';
import { startMariadb, type MariadbServer } from '../../../testkit/mariadb.ts';
import { migrationFolder, runBuiltin, version, type MigrationFolder } from './migrate-helper.ts';

let server: MariadbServer;
const folders: MigrationFolder[] = [];

beforeAll(async () => {
  server = await startMariadb();
});
afterAll(async () => {
  for (const folder of folders) await folder.cleanup();
  await server?.stop();
});

async function setup(files: Record<string, string>) {
  const url = await server.createDatabase();
  const folder = await migrationFolder(files);
  folders.push(folder);
  const open = () => openMysql({ url, schema: '', table: 'flyway_schema_history', connectTimeoutMs: 10_000 });
  return {
    url,
    folder,
    run: (command: Parameters<typeof runBuiltin>[2] = 'migrate', overrides: Partial<MigratorOptions> = {}) =>
      runBuiltin(open, folder.dir, command, overrides),
    async query(sql: string, values: unknown[] = []): Promise<RowDataPacket[]> {
      const connection = await server.connection(url);
      try {
        const [rows] = await connection.query<RowDataPacket[]>(sql, values);
        return rows;
      } finally {
        await connection.end();
      }
    },
  };
}

const history = 'SELECT * FROM flyway_schema_history ORDER BY installed_rank';
const BASE = {
  'V1__create_users.sql':
    'CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL);\r\n',
  'V1_1__add_email.sql': 'ALTER TABLE users ADD COLUMN email VARCHAR(320);\n',
  'V1_10__seed.sql': "INSERT INTO users (name, email) VALUES ('ada', 'ada@example.com');\n",
  'V1_9__index.sql': 'CREATE INDEX users_email ON users (email);\n',
  'R__users_view.sql': 'CREATE OR REPLACE VIEW user_names AS SELECT name FROM users;\n',
};

describe('MariaDB builtin engine (Debian mariadb-server)', () => {
  test('fresh database: applies in version order into a Flyway-identical history table', async () => {
    const { run, query } = await setup(BASE);
    const result = await run();
    assert.deepEqual(
      result.applied.map((m) => m.script),
      [
        'V1__create_users.sql',
        'V1_1__add_email.sql',
        'V1_9__index.sql',
        'V1_10__seed.sql',
        'R__users_view.sql',
      ],
    );
    assert.equal(result.schemaVersion, '1.10');
    const rows = await query(history);
    assert.deepEqual(
      rows.map((r) => [
        r['installed_rank'],
        r['version'],
        r['description'],
        r['type'],
        r['script'],
        r['checksum'],
        r['success'],
      ]),
      [
        [
          1,
          '1',
          'create users',
          'SQL',
          'V1__create_users.sql',
          flywayChecksum(BASE['V1__create_users.sql']),
          1,
        ],
        [2, '1.1', 'add email', 'SQL', 'V1_1__add_email.sql', flywayChecksum(BASE['V1_1__add_email.sql']), 1],
        [3, '1.9', 'index', 'SQL', 'V1_9__index.sql', flywayChecksum(BASE['V1_9__index.sql']), 1],
        [4, '1.10', 'seed', 'SQL', 'V1_10__seed.sql', flywayChecksum(BASE['V1_10__seed.sql']), 1],
        [5, null, 'users view', 'SQL', 'R__users_view.sql', flywayChecksum(BASE['R__users_view.sql']), 1],
      ],
    );
    assert.equal(rows[0]?.['installed_by'], 'gantry');
    const columns = await query(
      `SELECT column_name AS c, column_type AS t, is_nullable AS n FROM information_schema.columns
        WHERE table_schema = DATABASE() AND table_name = 'flyway_schema_history' ORDER BY ordinal_position`,
    );
    assert.deepEqual(
      columns.map((c) => `${c['c']} ${c['t']} ${c['n']}`),
      [
        'installed_rank int(11) NO',
        'version varchar(50) YES',
        'description varchar(200) NO',
        'type varchar(20) NO',
        'script varchar(1000) NO',
        'checksum int(11) YES',
        'installed_by varchar(100) NO',
        'installed_on timestamp NO',
        'execution_time int(11) NO',
        'success tinyint(1) NO',
      ],
    );
    const indexes = await query(
      "SELECT DISTINCT index_name AS i FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'flyway_schema_history' ORDER BY 1",
    );
    assert.deepEqual(
      indexes.map((i) => i['i']),
      ['flyway_schema_history_s_idx', 'PRIMARY'],
    );
  });

  test('already up to date, then new pending ones', async () => {
    const { run, folder } = await setup(BASE);
    await run();
    assert.equal((await run()).applied.length, 0);
    await folder.write('V2__age.sql', 'ALTER TABLE users ADD COLUMN age INT;');
    const result = await run();
    assert.deepEqual(
      result.applied.map((m) => m.script),
      ['V2__age.sql'],
    );
    assert.equal(result.schemaVersion, '2');
  });

  test('a failure is recorded as Flyway records it; the next run refuses until repair', async () => {
    const { run, folder, query } = await setup({
      'V1__one.sql': 'CREATE TABLE one (id INT);',
      'V2__two.sql': 'CREATE TABLE two (id INT);\nINSERT INTO missing_table VALUES (1);\n',
      'V3__three.sql': 'CREATE TABLE three (id INT);',
    });
    await assert.rejects(run(), /V2__two\.sql.*missing_table.*doesn't exist.*ER_NO_SUCH_TABLE/);
    const rows = await query(history);
    assert.deepEqual(
      rows.map((r) => [r['script'], r['success']]),
      [
        ['V1__one.sql', 1],
        ['V2__two.sql', 0],
      ],
    );
    // DDL committed implicitly: the half-applied change is there, as the failed row says
    assert.equal((await query("SHOW TABLES LIKE 'two'")).length, 1);
    assert.equal((await query("SHOW TABLES LIKE 'three'")).length, 0);
    await assert.rejects(run(), /Detected failed migration to version 2 \(two, V2__two\.sql\).*repair/);
    await assert.rejects(run('validate'), /Detected failed migration to version 2/);
    const info = await run('info');
    assert.equal(info.infos.find((i) => i.version === '2')?.state, 'failed');
    // the user cleans up and fixes the script, then repairs
    await folder.write('V2__two.sql', 'CREATE TABLE IF NOT EXISTS two (id INT);\n');
    const repaired = await run('repair');
    assert.deepEqual(repaired.repaired, ['removed 1 failed migration row(s)']);
    const result = await run();
    assert.deepEqual(
      result.applied.map((m) => m.script),
      ['V2__two.sql', 'V3__three.sql'],
    );
  });

  test('a changed applied file fails validate naming the script; repair realigns it', async () => {
    const { run, folder } = await setup(BASE);
    await run();
    await folder.write('V1_1__add_email.sql', 'ALTER TABLE users ADD COLUMN email VARCHAR(255);\n');
    await assert.rejects(
      run('validate'),
      /checksum mismatch for migration version 1\.1 \(V1_1__add_email\.sql\)/,
    );
    await run('repair');
    await run('validate');
  });

  test('repeatables re-run on change; target; baseline on a non-empty schema', async () => {
    const { run, folder, query, url } = await setup(BASE);
    const first = await run('migrate', { target: version('1.1') });
    assert.deepEqual(
      first.applied.map((m) => m.version),
      ['1', '1.1'],
    );
    await run();
    await folder.write(
      'R__users_view.sql',
      'CREATE OR REPLACE VIEW user_names AS SELECT name, email FROM users;\n',
    );
    assert.deepEqual(
      (await run()).applied.map((m) => m.script),
      ['R__users_view.sql'],
    );

    const other = await setup({
      'V1__legacy.sql': 'CREATE TABLE legacy (id INT);',
      'V2__new.sql': 'CREATE TABLE fresh (id INT);',
    });
    assert.notEqual(other.url, url);
    await other.query('CREATE TABLE legacy (id INT)');
    await assert.rejects(other.run(), /non-empty schema/);
    const baselined = await other.run('migrate', { baselineOnMigrate: true });
    assert.deepEqual(
      baselined.applied.map((m) => m.script),
      ['V2__new.sql'],
    );
    const rows = await other.query(history);
    assert.deepEqual(
      rows.map((r) => [r['version'], r['type']]),
      [
        ['1', 'BASELINE'],
        ['2', 'SQL'],
      ],
    );
    assert.ok((await query(history)).length >= 6);
  });

  test('two runs started at once apply each migration exactly once (GET_LOCK)', async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 10; i++)
      files[`V${i}__step_${i}.sql`] = `CREATE TABLE t${i} (id INT); DO SLEEP(0.02);`;
    const { run, query } = await setup(files);
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(a.applied.length + b.applied.length, 10);
    const rows = await query('SELECT version, COUNT(*) AS n FROM flyway_schema_history GROUP BY version');
    assert.equal(rows.length, 10);
    assert.ok(rows.every((r) => Number(r['n']) === 1));
  });

  test('lock-timeout: fails clearly while another session holds the lock', async () => {
    const { run, url } = await setup({ 'V1__a.sql': 'CREATE TABLE a (id INT);' });
    const holder = await server.connection(url);
    const name = mysqlLockName(`\`${new URL(url).pathname.slice(1)}\`.\`flyway_schema_history\``);
    await holder.query('SELECT GET_LOCK(?, 0)', [name]);
    await assert.rejects(run('migrate', { lockTimeoutMs: 300 }), /holds the lock.*GET_LOCK.*300 ms/);
    await holder.end();
    assert.equal((await run()).applied.length, 1);
  });

  test('a script with a stored procedure body (semicolons inside BEGIN … END) runs as written', async () => {
    const { run, query } = await setup({
      'V1__counter.sql':
        'CREATE TABLE counter (n INT NOT NULL);\nINSERT INTO counter VALUES (0);\n' +
        'CREATE PROCEDURE bump(IN by_n INT)\nBEGIN\n  UPDATE counter SET n = n + by_n;\n  UPDATE counter SET n = n + 1;\nEND;\n' +
        'CALL bump(41);\n',
    });
    await run();
    assert.equal((await query('SELECT n FROM counter'))[0]?.['n'], 42);
  });

  test('connection killed mid-migration: the migration is left marked failed, the next run refuses until repair', async () => {
    const { run, folder, url, query } = await setup({
      'V1__a.sql': 'CREATE TABLE a (id INT);',
      'V2__slow.sql': 'CREATE TABLE slow (id INT);\nDO SLEEP(1.5);\nINSERT INTO slow VALUES (1);',
      'V3__c.sql': 'CREATE TABLE c (id INT);',
    });
    const killer = await server.connection(url);
    const running = run();
    const killed = (async () => {
      for (let i = 0; i < 200; i++) {
        const [rows] = await killer.query<RowDataPacket[]>(
          "SELECT id FROM information_schema.processlist WHERE info LIKE '%SLEEP(1.5)%' AND info NOT LIKE '%processlist%'",
        );
        if (rows[0] !== undefined) {
          await killer.query(`KILL CONNECTION ${Number(rows[0]['id'])}`);
          return true;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return false;
    })();
    await assert.rejects(running, /V2__slow\.sql/);
    assert.equal(await killed, true);
    await killer.end();
    assert.deepEqual(
      (await query(history)).map((r) => [r['script'], r['success']]),
      [
        ['V1__a.sql', 1],
        ['V2__slow.sql', 0],
      ],
    );
    await assert.rejects(run(), /Detected failed migration to version 2 \(slow, V2__slow\.sql\)/);
    // the user finishes or reverts the half-applied change, makes the script re-runnable and repairs
    await folder.write(
      'V2__slow.sql',
      'CREATE TABLE IF NOT EXISTS slow (id INT);\nINSERT INTO slow VALUES (1);',
    );
    await run('repair');
    const rerun = await run();
    assert.deepEqual(
      rerun.applied.map((m) => m.script),
      ['V2__slow.sql', 'V3__c.sql'],
    );
    assert.deepEqual(
      (await query(history)).map((r) => [r['installed_rank'], r['script'], r['success']]),
      [
        [1, 'V1__a.sql', 1],
        [2, 'V2__slow.sql', 1],
        [3, 'V3__c.sql', 1],
      ],
    );
  });

  test('dry-run changes nothing', async () => {
    const { run, query } = await setup(BASE);
    const plan = await run('migrate', { dryRun: true });
    assert.equal(plan.pending.length, 5);
    assert.equal((await query("SHOW TABLES LIKE 'flyway_schema_history'")).length, 0);
  });
});
