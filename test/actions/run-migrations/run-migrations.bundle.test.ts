import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBundle, type BundleRun } from '../../../testkit/bundle-runner.ts';
import { startPostgres, type PostgresServer } from '../../../testkit/postgres.ts';
import { startVault } from '../../../testkit/vault.ts';
import { startMariadb, type MariadbServer } from '../../../testkit/mariadb.ts';

let pg: PostgresServer;
let maria: MariadbServer;
const temps: string[] = [];

beforeAll(async () => {
  [pg, maria] = await Promise.all([startPostgres(), startMariadb()]);
});
afterAll(async () => {
  await Promise.all([pg?.stop(), maria?.stop()]);
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function workspace(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rm-bundle-'));
  temps.push(dir);
  for (const [name, sql] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, 'db/migration', name)), { recursive: true });
    await writeFile(path.join(dir, 'db/migration', name), sql);
  }
  return dir;
}

function assertNoSecret(run: BundleRun, secret: string, extra: string[] = []): void {
  for (const [where, text] of [
    ['log', run.log],
    ['summary', run.summary],
    ['outputs', JSON.stringify(run.outputs)],
    ['annotations', JSON.stringify(run.annotations)],
    ...extra.map((text, i) => [`file ${i}`, text]),
  ] as const) {
    assert.ok(!text.includes(secret), `secret found in ${where}`);
  }
}

const FILES = {
  'V1__create_users.sql': 'CREATE TABLE users (id int PRIMARY KEY, name text);\n',
  'V2__add_email.sql': 'ALTER TABLE users ADD COLUMN email text;\r\n',
  'R__names.sql': 'CREATE OR REPLACE VIEW names AS SELECT name FROM users;\n',
  'README.md': 'not a migration',
};

describe('run-migrations bundle', () => {
  test('a missing database-url fails fast naming the input', async () => {
    const run = await runBundle('run-migrations', { inputs: {} });
    assert.equal(run.exitCode, 1);
    assert.match(run.log, /Input 'database-url': a value is required/);
  });

  test('a bad scheme fails naming the input, never the value', async () => {
    const run = await runBundle('run-migrations', {
      inputs: { 'database-url': 'sqlserver://sa:hunter2secret@db/app' },
    });
    assert.equal(run.exitCode, 1);
    assert.match(run.log, /Input 'database-url': scheme "sqlserver:"/);
    assert.ok(!run.stdout.replace(/::add-mask::.*\n/g, '').includes('hunter2secret'));
    assertNoSecret(run, 'hunter2secret');
  });

  test('a bad input fails with an example value', async () => {
    const run = await runBundle('run-migrations', {
      inputs: { 'database-url': 'postgres://u:p@127.0.0.1/db', command: 'upgrade' },
    });
    assert.equal(run.exitCode, 1);
    assert.match(
      run.log,
      /Input 'command': "upgrade" is not one of migrate, validate, info, baseline, repair/,
    );
  });

  test('a database that refuses connections is retried within connect-timeout, then reported', async () => {
    const { freePort } = await import('../../../testkit/process.ts');
    const port = await freePort();
    const run = await runBundle('run-migrations', {
      cwd: await workspace(FILES),
      inputs: {
        'database-url': `postgres://app:refused-secret@127.0.0.1:${port}/app`,
        'connect-timeout': '20s',
      },
      env: { GANTRY_RETRY_DELAY_SCALE: '0.01' },
    });
    assert.equal(run.exitCode, 1);
    assert.match(run.log, /Connection attempt 1 failed \(.*ECONNREFUSED.*\); retrying/);
    assert.match(
      run.log,
      new RegExp(`Cannot connect to postgresql database app on 127\\.0\\.0\\.1:${port} after 8 attempts`),
    );
    assertNoSecret(run, 'refused-secret');
  });

  test('a wrong password fails at once (no retry), without showing it', async () => {
    const url = new URL(await pg.createDatabase());
    url.password = 'wrong-password-123';
    const run = await runBundle('run-migrations', {
      cwd: await workspace(FILES),
      inputs: { 'database-url': url.toString() },
    });
    assert.equal(run.exitCode, 1);
    assert.match(
      run.log,
      /Cannot connect to postgresql database .*: password authentication failed for user "postgres"/,
    );
    assert.doesNotMatch(run.log, /retrying/);
    assertNoSecret(run, 'wrong-password-123');
  });

  test('PostgreSQL: migrate, outputs, report, summary; then a no-op; password never shown', async () => {
    const url = await pg.createDatabase();
    const cwd = await workspace(FILES);
    const run = await runBundle('run-migrations', {
      cwd,
      inputs: { 'database-url': url, 'report-path': path.join(cwd, 'report.json') },
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.deepEqual(
      {
        applied: run.outputs['applied'],
        version: run.outputs['schema-version'],
        pending: run.outputs['pending'],
      },
      { applied: '3', version: '2', pending: '0' },
    );
    const report = JSON.parse(await readFile(run.outputs['report'] ?? '', 'utf8')) as {
      migrations: { script: string; state: string; appliedThisRun: boolean }[];
      unknownFiles: string[];
    };
    assert.deepEqual(
      report.migrations.map((m) => [m.script, m.state, m.appliedThisRun]),
      [
        ['V1__create_users.sql', 'success', true],
        ['V2__add_email.sql', 'success', true],
        ['R__names.sql', 'success', true],
      ],
    );
    assert.deepEqual(report.unknownFiles, ['db/migration/README.md (not a .sql file)']);
    assert.ok(run.annotations.some((a) => a.level === 'warning' && /README\.md/.test(a.message)));
    assert.match(run.summary, /V2__add_email\.sql/);
    assert.match(run.summary, /Execution time \(ms\)/);
    assert.ok(run.masks.includes(pg.password));
    assertNoSecret(run, pg.password, [await readFile(run.outputs['report'] ?? '', 'utf8')]);

    const again = await runBundle('run-migrations', { cwd, inputs: { 'database-url': url } });
    assert.equal(again.exitCode, 0, again.log);
    assert.equal(again.outputs['applied'], '0');
    assert.equal(again.outputs['schema-version'], '2');

    await writeFile(
      path.join(cwd, 'db/migration/V2__add_email.sql'),
      'ALTER TABLE users ADD COLUMN email varchar(320);\n',
    );
    const reportPath = path.join(cwd, 'validate.json');
    const validate = await runBundle('run-migrations', {
      cwd,
      inputs: { 'database-url': url, command: 'validate', 'report-path': reportPath },
    });
    assert.equal(validate.exitCode, 1);
    assert.match(validate.log, /checksum mismatch for migration version 2 \(V2__add_email\.sql\)/);
    assert.equal(validate.outputs['schema-version'], '2');
    const validateReport = JSON.parse(await readFile(reportPath, 'utf8')) as {
      problems: string[];
      error: string;
    };
    assert.match(validateReport.problems[0] ?? '', /V2__add_email\.sql/);
    assert.match(validateReport.error, /^Validate failed/);
  });

  test('PostgreSQL: a failing migration fails the step naming the file, line and SQL error; outputs still set', async () => {
    const url = await pg.createDatabase();
    const cwd = await workspace({
      'V1__ok.sql': 'CREATE TABLE ok (id int);',
      'V2__bad.sql': 'CREATE TABLE half (id int);\n\nSELECT * FROM nope;\n',
    });
    const run = await runBundle('run-migrations', { cwd, inputs: { 'database-url': url } });
    assert.equal(run.exitCode, 1);
    const error = run.annotations.find((a) => a.level === 'error' && a.file === 'db/migration/V2__bad.sql');
    assert.ok(error, JSON.stringify(run.annotations));
    assert.equal(error.line, 3);
    assert.match(error.message, /relation "nope" does not exist/);
    assert.equal(run.outputs['applied'], '1');
    assert.equal(run.outputs['schema-version'], '1');
    assert.equal(run.outputs['pending'], '1');
    assertNoSecret(run, pg.password);
  });

  test('PostgreSQL: dry-run reports what would run and changes nothing; info prints the states', async () => {
    const url = await pg.createDatabase();
    const cwd = await workspace(FILES);
    const dry = await runBundle('run-migrations', {
      cwd,
      inputs: { 'database-url': url, 'dry-run': 'true' },
    });
    assert.equal(dry.exitCode, 0, dry.log);
    assert.equal(dry.outputs['applied'], '0');
    assert.equal(dry.outputs['pending'], '3');
    assert.match(dry.log, /Would apply V1__create_users\.sql/);
    const info = await runBundle('run-migrations', { cwd, inputs: { 'database-url': url, command: 'info' } });
    assert.equal(info.exitCode, 0, info.log);
    assert.match(info.log, /\| 2 +\| add email +\| SQL +\| +\| pending +\|/);
    const client = await pg.client(url);
    const found = await client.query("SELECT to_regclass('flyway_schema_history')::text AS t");
    await client.end();
    assert.equal(found.rows[0]?.t, null);
  });

  test('MariaDB: migrate end to end; a failure is recorded and the next run refuses until repair', async () => {
    const url = await maria.createDatabase();
    const cwd = await workspace({
      'V1__users.sql': 'CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(50));',
      'V1_1__seed.sql': "INSERT INTO users VALUES (1, 'ada');",
    });
    const run = await runBundle('run-migrations', { cwd, inputs: { 'database-url': url } });
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs['applied'], '2');
    assert.equal(run.outputs['schema-version'], '1.1');
    assertNoSecret(run, maria.password);

    await writeFile(path.join(cwd, 'db/migration/V2__broken.sql'), 'CREATE TABLE t2 (id INT);\nSELEC 1;\n');
    const failed = await runBundle('run-migrations', { cwd, inputs: { 'database-url': url } });
    assert.equal(failed.exitCode, 1);
    assert.match(failed.log, /Migration V2__broken\.sql failed: .*SQL syntax/);
    const refused = await runBundle('run-migrations', { cwd, inputs: { 'database-url': url } });
    assert.equal(refused.exitCode, 1);
    assert.match(refused.log, /Detected failed migration to version 2.*repair/);

    await writeFile(
      path.join(cwd, 'db/migration/V2__broken.sql'),
      'CREATE TABLE IF NOT EXISTS t2 (id INT);\n',
    );
    const repair = await runBundle('run-migrations', {
      cwd,
      inputs: { 'database-url': url, command: 'repair' },
    });
    assert.equal(repair.exitCode, 0, repair.log);
    assert.match(repair.log, /removed 1 failed migration row/);
    const fixed = await runBundle('run-migrations', { cwd, inputs: { 'database-url': url } });
    assert.equal(fixed.exitCode, 0, fixed.log);
    assert.equal(fixed.outputs['schema-version'], '2');
    assertNoSecret(fixed, maria.password);
  });

  test('database-url from Vault (KV v2, token auth; local Vault API server): migrates, the URL never shown', async () => {
    const url = await pg.createDatabase();
    const cwd = await workspace(FILES);
    const vault = await startVault({ token: 'hvs.bundle-token', kv2: { 'secret/data/ci/db': { url } } });
    const env = vault.env;
    try {
      const run = await runBundle('run-migrations', {
        cwd,
        env,
        inputs: { 'database-url': 'vault:secret/data/ci/db#url' },
      });
      assert.equal(run.exitCode, 0, run.log);
      assert.equal(run.outputs['applied'], '3');
      assert.ok(run.masks.includes(url));
      assertNoSecret(run, url);
      assertNoSecret(run, pg.password);
      const wrong = await runBundle('run-migrations', {
        cwd,
        env,
        inputs: { 'database-url': 'vault:secret/data/ci/other#url' },
      });
      assert.equal(wrong.exitCode, 1);
      assert.match(wrong.log, /cannot read Vault secret at path secret\/data\/ci\/other: HTTP 404/);
    } finally {
      await vault.stop();
    }
  });

  test('engine: flyway without the CLI on PATH fails with a clear configuration error', async () => {
    const cwd = await workspace(FILES);
    const run = await runBundle('run-migrations', {
      cwd,
      inputs: { 'database-url': 'postgres://u:pw-not-shown@127.0.0.1:1/app', engine: 'flyway' },
      env: { PATH: '/nonexistent' },
    });
    assert.equal(run.exitCode, 1);
    assert.match(run.log, /engine: flyway needs the flyway CLI on PATH/);
    assertNoSecret(run, 'pw-not-shown');
  });

  test('engine: flyway installs a pinned version with a verified SHA-256 and passes the inputs (fake flyway CLI served locally)', async () => {
    // A stand-in for the Flyway CLI (the real one needs a JVM and cannot be downloaded here): records its
    // arguments and whether the password arrived through FLYWAY_PASSWORD, and prints Flyway's JSON output.
    const build = await mkdtemp(path.join(tmpdir(), 'rm-fake-flyway-'));
    temps.push(build);
    await mkdir(path.join(build, 'flyway-10.1.0'));
    const argsFile = path.join(build, 'args.txt');
    await writeFile(
      path.join(build, 'flyway-10.1.0', 'flyway'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n[ "$FLYWAY_PASSWORD" = 'fly-secret' ] && echo password-from-env >> '${argsFile}'\n` +
        `echo '{"migrationsExecuted": 2, "targetSchemaVersion": "2", "success": true}'\n`,
      { mode: 0o755 },
    );
    await promisify(execFile)('tar', [
      '-czf',
      path.join(build, 'flyway.tar.gz'),
      '-C',
      build,
      'flyway-10.1.0',
    ]);
    const archive = await readFile(path.join(build, 'flyway.tar.gz'));
    const digest = createHash('sha256').update(archive).digest('hex');
    const server = createServer((request, response) => {
      if (request.url === '/flyway-commandline-10.1.0.tar.gz') {
        response.writeHead(200, { 'content-type': 'application/gzip' });
        response.end(archive);
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const env = {
      PATH: '/usr/bin:/bin',
      GANTRY_FLYWAY_DOWNLOAD_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/flyway-commandline-{version}.tar.gz`,
    };
    try {
      const cwd = await workspace(FILES);
      const inputs = {
        'database-url': 'postgresql://app:fly-secret@db.internal:5432/shop',
        engine: 'flyway',
        'engine-version': '10.1.0',
        target: '2',
      };
      const wrong = await runBundle('run-migrations', {
        cwd,
        env,
        inputs: { ...inputs, 'engine-sha256': '0'.repeat(64) },
      });
      assert.equal(wrong.exitCode, 1);
      assert.match(
        wrong.log,
        new RegExp(`has SHA-256 ${digest}, not the expected 0{64}.*nothing was installed`),
      );

      const run = await runBundle('run-migrations', {
        cwd,
        env,
        inputs: { ...inputs, 'engine-sha256': digest },
      });
      assert.equal(run.exitCode, 0, run.log);
      assert.equal(run.outputs['applied'], '2');
      assert.equal(run.outputs['schema-version'], '2');
      const args = (await readFile(argsFile, 'utf8')).trim().split('\n');
      assert.deepEqual(args, [
        '-url=jdbc:postgresql://db.internal:5432/shop',
        `-locations=filesystem:${path.join(cwd, 'db/migration')}`,
        '-table=flyway_schema_history',
        '-target=2',
        '-baselineVersion=1',
        '-baselineDescription=<< Flyway Baseline >>',
        '-lockRetryCount=600',
        '-outputType=json',
        'migrate',
        'password-from-env',
      ]);
      assertNoSecret(run, 'fly-secret');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
