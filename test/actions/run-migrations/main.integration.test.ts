/**
 * run-migrations' flow (actions/run-migrations/src/main.ts, inputs.ts, report.ts) in process with the
 * runner's environment (testkit runFlow) against a real PostgreSQL: migrate, info and validate with their
 * outputs and summary, and the database URL never shown. The built bundle is run by
 * test/actions/run-migrations/run-migrations.bundle.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runFlow, type BundleRun } from '../../../testkit/bundle-runner.ts';
import { startPostgres, type PostgresServer } from '../../../testkit/postgres.ts';

let pg: PostgresServer;
let workspace: string;
beforeAll(async () => {
  pg = await startPostgres();
  workspace = await mkdtemp(path.join(tmpdir(), 'gantry-rm-flow-'));
  const dir = path.join(workspace, 'db', 'migration');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'V1__create_orders.sql'), 'CREATE TABLE orders (id int PRIMARY KEY);\n');
  await writeFile(path.join(dir, 'V2__add_total.sql'), 'ALTER TABLE orders ADD COLUMN total numeric;\n');
});
afterAll(async () => {
  await pg?.stop();
  await rm(workspace, { recursive: true, force: true });
});

function shown(run: BundleRun): string {
  return [run.log, run.summary, JSON.stringify(run.outputs), JSON.stringify(run.annotations)].join('\n');
}

describe('run-migrations flow against PostgreSQL', () => {
  test('info shows pending, migrate applies both, validate passes; the URL never shown', async () => {
    const url = await pg.createDatabase();
    const flow = (command: string): Promise<BundleRun> =>
      runFlow('run-migrations', { cwd: workspace, inputs: { 'database-url': url, command } });

    const info = await flow('info');
    expect(info.exitCode, info.log).toBe(0);
    expect(info.outputs['pending']).toBe('2');
    expect(info.summary).toContain(
      '<td>1</td><td>create orders</td><td>V1__create_orders.sql</td><td>pending</td>',
    );
    expect(info.summary).toContain('applied: 0 · pending: 2');

    const migrate = await flow('migrate');
    expect(migrate.exitCode, migrate.log).toBe(0);
    expect(migrate.outputs).toMatchObject({ applied: '2', 'schema-version': '2', pending: '0' });
    expect(migrate.summary).toMatch(/add total/);
    const rows = await pg.query(
      url,
      'SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank',
    );
    expect(rows.map((row) => row['version'])).toEqual(['1', '2']);

    const validate = await flow('validate');
    expect(validate.exitCode, validate.log).toBe(0);
    for (const run of [info, migrate, validate]) expect(shown(run)).not.toContain(pg.password);
  });

  test('a migration changed after it was applied: validate fails naming it, nothing applied', async () => {
    const url = await pg.createDatabase();
    const cwd = await mkdtemp(path.join(tmpdir(), 'gantry-rm-flow-changed-'));
    const dir = path.join(cwd, 'db', 'migration');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'V1__create_orders.sql'), 'CREATE TABLE orders (id int PRIMARY KEY);\n');
    try {
      const first = await runFlow('run-migrations', { cwd, inputs: { 'database-url': url } });
      expect(first.exitCode, first.log).toBe(0);
      await writeFile(
        path.join(dir, 'V1__create_orders.sql'),
        'CREATE TABLE orders (id bigint PRIMARY KEY);\n',
      );
      const run = await runFlow('run-migrations', {
        cwd,
        inputs: { 'database-url': url, command: 'validate' },
      });
      expect(run.exitCode).toBe(1);
      expect(run.annotations.find((a) => a.level === 'error')?.message).toMatch(
        /checksum mismatch for migration version 1 \(V1__create_orders\.sql\)/,
      );
      expect(shown(run)).not.toContain(pg.password);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
