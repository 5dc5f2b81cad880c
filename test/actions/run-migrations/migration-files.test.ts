import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseMigrationName, scanLocations } from '../../../actions/run-migrations/src/migration-files.ts';
import { compareVersions, parseVersion, type Version } from '../../../actions/run-migrations/src/version.ts';
import { replacePlaceholders } from '../../../actions/run-migrations/src/placeholders.ts';
import { isNonTransactional, splitStatements } from '../../../actions/run-migrations/src/sql-statements.ts';

const v = (text: string): Version => {
  const version = parseVersion(text);
  assert.ok(version, text);
  return version;
};

describe('Flyway file names', () => {
  const cases: [string, string, string | undefined, string][] = [
    ['V1__init.sql', 'versioned', '1', 'init'],
    ['V1_1__Add_users_table.sql', 'versioned', '1.1', 'Add users table'],
    ['V2.0.3__x.sql', 'versioned', '2.0.3', 'x'],
    ['V20240101120000__stamp.sql', 'versioned', '20240101120000', 'stamp'],
    ['R__views.sql', 'repeatable', undefined, 'views'],
    ['R__Refresh_materialized_view.sql', 'repeatable', undefined, 'Refresh materialized view'],
    ['U3__drop.sql', 'undo', '3', 'drop'],
  ];
  for (const [name, kind, version, description] of cases) {
    test(name, () => {
      const parsed = parseMigrationName(name);
      assert.equal(parsed.kind, kind);
      assert.ok(parsed.kind !== 'unknown');
      assert.equal(parsed.version?.text, version);
      assert.equal(parsed.description, description);
    });
  }
  for (const name of [
    'V1_init.sql',
    'X1__a.sql',
    'Va__b.sql',
    'V1__a.txt',
    'README.md',
    'V1.x__a.sql',
    'v1__a.sql',
  ]) {
    test(`${name} is unknown, with a reason`, () => {
      const parsed = parseMigrationName(name);
      assert.equal(parsed.kind, 'unknown');
      assert.ok(parsed.kind === 'unknown' && parsed.reason.length > 0);
    });
  }
});

describe('versions compare numerically by parts', () => {
  const ordered: [string, string][] = [
    ['1.9', '1.10'],
    ['1', '1.1'],
    ['2', '10'],
    ['1_9', '1.10'],
    ['1.0.9', '1.1'],
  ];
  for (const [low, high] of ordered) {
    test(`${low} < ${high}`, () => {
      assert.ok(compareVersions(v(low), v(high)) < 0);
      assert.ok(compareVersions(v(high), v(low)) > 0);
    });
  }
  test('1.0 equals 1 and 1_1 equals 1.1', () => {
    assert.equal(compareVersions(v('1.0'), v('1')), 0);
    assert.equal(compareVersions(v('1_1'), v('1.1')), 0);
    assert.equal(v('1_1').text, '1.1');
  });
});

describe('scanLocations', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rm-scan-'));
    await mkdir(path.join(dir, 'db', 'sub'), { recursive: true });
    await writeFile(path.join(dir, 'db', 'V1_10__ten.sql'), 'select 10;\r\n');
    await writeFile(path.join(dir, 'db', 'V1_9__nine.sql'), 'select 9;\n');
    await writeFile(path.join(dir, 'db', 'sub', 'V2__two.sql'), 'create index concurrently i on t(a);');
    await writeFile(path.join(dir, 'db', 'sub', 'V2__two.sql.conf'), 'executeInTransaction=false\n');
    await writeFile(path.join(dir, 'db', 'R__b.sql'), 'select 1;');
    await writeFile(path.join(dir, 'db', 'R__a.sql'), 'select 1;');
    await writeFile(path.join(dir, 'db', 'U1_9__undo.sql'), 'select 1;');
    await writeFile(path.join(dir, 'db', 'V3_add.sql'), 'select 1;');
    await writeFile(path.join(dir, 'db', 'notes.txt'), 'x');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('orders versioned by version, then repeatables by description, then undo; reports unknown names', async () => {
    const { migrations, unknown } = await scanLocations(['filesystem:db'], dir);
    assert.deepEqual(
      migrations.map((m) => m.script),
      ['V1_9__nine.sql', 'V1_10__ten.sql', 'sub/V2__two.sql', 'R__a.sql', 'R__b.sql', 'U1_9__undo.sql'],
    );
    assert.equal(migrations.find((m) => m.script === 'sub/V2__two.sql')?.executeInTransaction, false);
    assert.equal(migrations[0]?.executeInTransaction, undefined);
    assert.deepEqual(unknown.map((u) => u.split(' ')[0]).sort(), ['db/V3_add.sql', 'db/notes.txt']);
  });

  test('a duplicate version fails naming both scripts', async () => {
    await writeFile(path.join(dir, 'db', 'V1_9_0__again.sql'), 'select 1;');
    await assert.rejects(scanLocations(['db'], dir), /version 1\.9.*V1_9(_0)?__.*V1_9/);
    await rm(path.join(dir, 'db', 'V1_9_0__again.sql'));
  });

  test('a missing location fails naming it', async () => {
    await assert.rejects(scanLocations(['nope/here'], dir), /nope\/here/);
  });
});

describe('placeholders', () => {
  test('replaces ${name} case-insensitively and leaves other text alone', () => {
    const values = new Map([
      ['Owner', 'app'],
      ['flyway:defaultSchema', 'public'],
    ]);
    assert.equal(
      replacePlaceholders(
        'GRANT ALL ON ${flyway:defaultschema}.t TO ${owner}; -- $1 {x}',
        values,
        'V1__a.sql',
      ),
      'GRANT ALL ON public.t TO app; -- $1 {x}',
    );
  });
  test('an unknown placeholder fails naming the script and the placeholder', () => {
    assert.throws(
      () => replacePlaceholders('select ${nope};', new Map(), 'V7__x.sql'),
      /V7__x\.sql.*\$\{nope\}/,
    );
  });
});

describe('PostgreSQL statements', () => {
  test('splits on top-level semicolons only', () => {
    const sql = [
      "insert into t values ('a;b', E'it\\'s;');",
      'create function f() returns int as $body$ begin return 1; end; $body$ language plpgsql;',
      '/* c; /* nested; */ still; */ select "semi;colon" from t; -- trailing; comment',
      'select $$x;y$$',
    ].join('\n');
    const statements = splitStatements(sql);
    assert.equal(statements.length, 4, JSON.stringify(statements));
    assert.match(statements[1] ?? '', /\$body\$ language plpgsql$/);
    assert.match(statements[3] ?? '', /\nselect \$\$x;y\$\$$/);
  });
  test('detects statements that cannot run in a transaction', () => {
    assert.ok(isNonTransactional('-- c\nCREATE INDEX CONCURRENTLY i ON t (a)'));
    assert.ok(isNonTransactional('create unique index concurrently i on t (a)'));
    assert.ok(isNonTransactional('DROP INDEX CONCURRENTLY i'));
    assert.ok(isNonTransactional('VACUUM ANALYZE t'));
    assert.ok(isNonTransactional('REINDEX INDEX CONCURRENTLY i'));
    assert.ok(!isNonTransactional('CREATE INDEX i ON t (a)'));
    assert.ok(!isNonTransactional("INSERT INTO t VALUES ('VACUUM')"));
  });
});
