/**
 * run-migrations against a real PostgreSQL (issue 14): a migration file that starts with a UTF-8 BOM runs
 * (the BOM is stripped before execution, as Flyway does), and a failed migration prints its `::error::`
 * once. Against the dist/ before the fix (GANTRY_TEST_DIST) the BOM reached the server (a syntax error)
 * and the failure was annotated twice.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { startPostgres, type PostgresServer } from '../../../testkit/postgres.ts';

let pg: PostgresServer;
const temps: string[] = [];
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function workspace(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rm-hardening-'));
  temps.push(dir);
  await mkdir(path.join(dir, 'db', 'migration'), { recursive: true });
  for (const [name, sql] of Object.entries(files))
    await writeFile(path.join(dir, 'db', 'migration', name), sql);
  return dir;
}

function bundlePath(): { bundlePath?: string } {
  const dist = process.env['GANTRY_TEST_DIST'];
  return dist ? { bundlePath: path.join(dist, 'run-migrations', 'index.js') } : {};
}

test('a migration starting with a UTF-8 BOM is applied', async () => {
  const url = await pg.createDatabase();
  const cwd = await workspace({ 'V1__bom.sql': '\uFEFFCREATE TABLE with_bom (id int);\n' });
  const run = await runBundle('run-migrations', { cwd, inputs: { 'database-url': url }, ...bundlePath() });
  expect(run.exitCode, run.log).toBe(0);
  expect(run.outputs['applied']).toBe('1');
  const client = await pg.client(url);
  try {
    const rows = await client.query("SELECT to_regclass('public.with_bom') AS t");
    expect(rows.rows[0]?.t).toBe('with_bom');
  } finally {
    await client.end();
  }
});

test('a failed migration prints its ::error:: once', async () => {
  const url = await pg.createDatabase();
  const cwd = await workspace({ 'V1__broken.sql': 'CREATE TABL broken (id int);\n' });
  const run = await runBundle('run-migrations', { cwd, inputs: { 'database-url': url }, ...bundlePath() });
  expect(run.exitCode).toBe(1);
  const errors = run.annotations.filter((annotation) => annotation.level === 'error');
  expect(errors.length, JSON.stringify(errors)).toBe(1);
  expect(errors[0]?.file).toBe('db/migration/V1__broken.sql');
});
