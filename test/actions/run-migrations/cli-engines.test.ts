import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  flywayInvocation,
  jdbcUrl,
  liquibaseInvocation,
} from '../../../actions/run-migrations/src/cli-engines.ts';
import { parseDatabaseUrl } from '../../../actions/run-migrations/src/database-url.ts';
import type { Inputs } from '../../../actions/run-migrations/src/inputs.ts';
import { parseVersion, type Version } from '../../../actions/run-migrations/src/version.ts';

const v = (text: string): Version => parseVersion(text) as Version;

function inputs(overrides: Partial<Inputs> = {}): Inputs {
  return {
    command: 'migrate',
    'database-url': parseDatabaseUrl('postgres://app:s%40cret@db.internal:5433/shop?sslmode=require'),
    engine: 'flyway',
    locations: ['db/migration'],
    table: 'flyway_schema_history',
    schema: '',
    target: undefined,
    'out-of-order': false,
    'baseline-on-migrate': false,
    'baseline-version': v('1'),
    'baseline-description': '<< Flyway Baseline >>',
    placeholders: new Map(),
    'placeholder-replacement': true,
    'lock-timeout': 600_000,
    'connect-timeout': 30_000,
    'dry-run': false,
    'installed-by': '',
    'engine-version': '',
    'engine-sha256': '',
    'report-path': '',
    ...overrides,
  };
}

describe('jdbcUrl', () => {
  const cases: [string, string][] = [
    ['postgres://u:p@db:5432/app', 'jdbc:postgresql://db:5432/app'],
    ['postgresql://u:p@db/app?sslmode=verify-full', 'jdbc:postgresql://db:5432/app?sslmode=verify-full'],
    ['mysql://u:p@db/app', 'jdbc:mysql://db:3306/app'],
    ['mariadb://u:p@db:3307/app', 'jdbc:mariadb://db:3307/app'],
    ['postgres://u:p@[::1]:5432/app', 'jdbc:postgresql://[::1]:5432/app'],
  ];
  for (const [url, expected] of cases)
    test(`${url.replace(/u:p@/, '')} → ${expected}`, () =>
      assert.equal(jdbcUrl(parseDatabaseUrl(url)), expected));
});

describe('flyway arguments', () => {
  const ws = '/work/repo';
  const cases: [string, Partial<Inputs>, string[], string[]][] = [
    [
      'defaults: migrate',
      {},
      [
        '-url=jdbc:postgresql://db.internal:5433/shop?sslmode=require',
        '-locations=filesystem:/work/repo/db/migration',
        '-table=flyway_schema_history',
        '-baselineVersion=1',
        '-baselineDescription=<< Flyway Baseline >>',
        '-lockRetryCount=600',
        '-outputType=json',
        'migrate',
      ],
      [],
    ],
    [
      'every option',
      {
        command: 'validate',
        locations: ['filesystem:sql/a', '/abs/b'],
        table: 'history',
        schema: 'app',
        target: v('2.1'),
        'out-of-order': true,
        'baseline-on-migrate': true,
        'baseline-version': v('0_9'),
        placeholders: new Map([['owner', 'app_user']]),
        'placeholder-replacement': false,
        'lock-timeout': 1500,
        'installed-by': 'ci',
      },
      [
        '-url=jdbc:postgresql://db.internal:5433/shop?sslmode=require',
        '-locations=filesystem:/work/repo/sql/a,filesystem:/abs/b',
        '-table=history',
        '-schemas=app',
        '-target=2.1',
        '-outOfOrder=true',
        '-baselineOnMigrate=true',
        '-baselineVersion=0.9',
        '-baselineDescription=<< Flyway Baseline >>',
        '-placeholderReplacement=false',
        '-placeholders.owner=app_user',
        '-lockRetryCount=2',
        '-installedBy=ci',
        '-outputType=json',
        'validate',
      ],
      [],
    ],
    [
      'dry-run runs info',
      { 'dry-run': true },
      [
        '-url=jdbc:postgresql://db.internal:5433/shop?sslmode=require',
        '-locations=filesystem:/work/repo/db/migration',
        '-table=flyway_schema_history',
        '-baselineVersion=1',
        '-baselineDescription=<< Flyway Baseline >>',
        '-lockRetryCount=600',
        '-outputType=json',
        'info',
      ],
      ['dry-run'],
    ],
  ];
  for (const [name, overrides, args, notes] of cases) {
    test(name, () => {
      const invocation = flywayInvocation(inputs(overrides), ws);
      assert.equal(invocation.program, 'flyway');
      assert.deepEqual(invocation.args, args);
      assert.deepEqual(
        invocation.notes.map((n) => n.split(':')[0]),
        notes,
      );
      assert.deepEqual(invocation.env, { FLYWAY_USER: 'app', FLYWAY_PASSWORD: 's@cret' });
      assert.ok(!invocation.args.join(' ').includes('s@cret'), 'the password never goes on the command line');
    });
  }
});

describe('liquibase arguments', () => {
  const ws = '/work/repo';
  const cases: [string, Partial<Inputs>, string[]][] = [
    [
      'migrate → update',
      { locations: ['db/changelog.xml'] },
      [
        '--url=jdbc:postgresql://db.internal:5433/shop?sslmode=require',
        '--changelog-file=changelog.xml',
        '--search-path=/work/repo/db',
        '--change-log-lock-wait-time-in-minutes=10',
        'update',
      ],
    ],
    [
      'dry-run migrate → update-sql, with schema, table and placeholders',
      {
        locations: ['db/changelog.yaml'],
        'dry-run': true,
        schema: 'app',
        table: 'changelog',
        placeholders: new Map([['owner', 'app_user']]),
        'lock-timeout': 30_000,
      },
      [
        '--url=jdbc:postgresql://db.internal:5433/shop?sslmode=require',
        '--changelog-file=changelog.yaml',
        '--search-path=/work/repo/db',
        '--database-changelog-table-name=changelog',
        '--default-schema-name=app',
        '--liquibase-schema-name=app',
        '-Downer=app_user',
        '--change-log-lock-wait-time-in-minutes=1',
        'update-sql',
      ],
    ],
    ['info → status --verbose', { command: 'info', locations: ['c.xml'] }, ['status', '--verbose']],
    ['baseline → changelog-sync', { command: 'baseline', locations: ['c.xml'] }, ['changelog-sync']],
    ['repair → clear-checksums', { command: 'repair', locations: ['c.xml'] }, ['clear-checksums']],
  ];
  for (const [name, overrides, args] of cases) {
    test(name, () => {
      const invocation = liquibaseInvocation(inputs({ engine: 'liquibase', ...overrides }), ws);
      if (args.length <= 2) assert.deepEqual(invocation.args.slice(-args.length), args);
      else assert.deepEqual(invocation.args, args);
      assert.deepEqual(invocation.env, {
        LIQUIBASE_COMMAND_USERNAME: 'app',
        LIQUIBASE_COMMAND_PASSWORD: 's@cret',
      });
    });
  }
});

describe('database-url', () => {
  test('reads engine, host, port, database and user', () => {
    const url = parseDatabaseUrl('mariadb://root:pw@127.0.0.1/app');
    assert.deepEqual(
      [url.engine, url.flavour, url.host, url.port, url.database, url.user, url.password],
      ['mysql', 'mariadb', '127.0.0.1', 3306, 'app', 'root', 'pw'],
    );
    assert.ok(url.url.startsWith('mysql://'));
  });
  for (const [value, problem] of [
    ['sqlserver://u:topsecret@h/db', /scheme "sqlserver:"/],
    ['postgres://u:topsecret@h', /names no database/],
    ['not a url topsecret', /is not a URL/],
  ] as const) {
    test(`rejects ${problem.source} without echoing the value`, () => {
      assert.throws(
        () => parseDatabaseUrl(value),
        (error: Error) => {
          assert.match(error.message, problem);
          assert.match(error.message, /^Input 'database-url'/);
          assert.ok(!error.message.includes('topsecret'));
          return true;
        },
      );
    });
  }
});
