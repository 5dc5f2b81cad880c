/**
 * run-migrations benchmark (issue 4):
 * 1. 500 small migrations applied to a fresh database of one embedded PostgreSQL, by the run-migrations
 *    bundle and by node-pg-migrate (same SQL, as `.sql` migrations), each as a process, alternating, on fresh
 *    databases; the ratio is Gantry's median wall time over node-pg-migrate's (target ≤ 1.0×).
 * 2. A no-op run (all 500 applied) of the bundle: process wall time (target ≤ 300 ms).
 * Writes bench/results/run-migrations.md.
 *
 *   ./node_modules/.bin/node bench/run-migrations.bench.ts   (build first: npm run build -- run-migrations)
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { startPostgres } from '../testkit/postgres.ts';
import { median } from './stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COUNT = 500;
const ROUNDS = 7;

function timeProcess(args: string[], env: Record<string, string>, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = performance.now() - started;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}:\n${output.slice(-2000)}`));
      else resolve(elapsed);
    });
  });
}

const sqlOf = (i: number): string =>
  `CREATE TABLE bench_${i} (id integer PRIMARY KEY, name text NOT NULL, created timestamptz DEFAULT now());\n` +
  `INSERT INTO bench_${i} (id, name) VALUES (1, 'row ${i}');\n`;

const work = await mkdtemp(path.join(tmpdir(), 'rm-bench-'));
const flywayDir = path.join(work, 'flyway');
const pgmDir = path.join(work, 'pgm');
await mkdir(path.join(flywayDir, 'db/migration'), { recursive: true });
await mkdir(pgmDir, { recursive: true });
for (let i = 1; i <= COUNT; i++) {
  await writeFile(path.join(flywayDir, 'db/migration', `V${i}__bench_${i}.sql`), sqlOf(i));
  await writeFile(
    path.join(pgmDir, `${String(1_000_000 + i)}_bench-${i}.sql`),
    `-- Up Migration\n${sqlOf(i)}\n-- Down Migration\n`,
  );
}

const server = await startPostgres();
const bundle = path.join(root, 'dist/run-migrations/index.js');
const pgm = path.join(root, 'node_modules/node-pg-migrate/bin/node-pg-migrate.js');
const runnerEnv = (url: string, out: string): Record<string, string> => ({
  'INPUT_DATABASE-URL': url,
  INPUT_COMMAND: 'migrate',
  INPUT_LOCATIONS: 'db/migration',
  INPUT_ENGINE: 'builtin',
  INPUT_TABLE: 'flyway_schema_history',
  'INPUT_LOCK-TIMEOUT': '10m',
  'INPUT_REPORT-PATH': path.join(out, 'report.json'),
  GITHUB_WORKSPACE: flywayDir,
  GITHUB_OUTPUT: path.join(out, 'output'),
  GITHUB_STEP_SUMMARY: path.join(out, 'summary'),
  RUNNER_TEMP: out,
});

const loadBefore = loadavg()[0] ?? 0;
const gantry: number[] = [];
const pgmSingle: number[] = [];
const pgmEach: number[] = [];
const noop: number[] = [];
let lastGantryUrl = '';
try {
  for (let round = 0; round < ROUNDS; round++) {
    const out = await mkdtemp(path.join(work, 'out-'));
    for (const name of ['output', 'summary']) await writeFile(path.join(out, name), '');
    lastGantryUrl = await server.createDatabase();
    gantry.push(await timeProcess([bundle], runnerEnv(lastGantryUrl, out), flywayDir));
    const url1 = await server.createDatabase();
    pgmSingle.push(
      await timeProcess(
        [pgm, 'up', '-m', pgmDir, '--migration-file-language', 'sql'],
        { DATABASE_URL: url1 },
        pgmDir,
      ),
    );
    const url2 = await server.createDatabase();
    pgmEach.push(
      await timeProcess(
        [pgm, 'up', '-m', pgmDir, '--migration-file-language', 'sql', '--no-single-transaction'],
        { DATABASE_URL: url2 },
        pgmDir,
      ),
    );
  }
  const out = await mkdtemp(path.join(work, 'out-'));
  for (const name of ['output', 'summary']) await writeFile(path.join(out, name), '');
  for (let i = 0; i < 7; i++)
    noop.push(await timeProcess([bundle], runnerEnv(lastGantryUrl, out), flywayDir));
} finally {
  await server.stop();
  await rm(work, { recursive: true, force: true });
}

const g = median(gantry);
const single = median(pgmSingle);
const each = median(pgmEach);
const n = median(noop);
// Paired ratios (same round, back to back) cancel most of the drift in machine load between rounds.
const pairedSingle = median(gantry.map((ms, i) => ms / (pgmSingle[i] ?? NaN)));
const pairedEach = median(gantry.map((ms, i) => ms / (pgmEach[i] ?? NaN)));
const best = (values: number[]): number => Math.min(...values);
const fmt = (ms: number): string => `${Math.round(ms)} ms`;
const list = (values: number[]): string => values.map((ms) => Math.round(ms)).join(', ');
const markdown = `## run-migrations

Embedded PostgreSQL 18 (fsync off), ${COUNT} small migrations (CREATE TABLE + INSERT), each tool run as a process
on a fresh database, ${ROUNDS} rounds, the three tools back to back in each round. Node ${process.version},
${new Date().toISOString().slice(0, 10)}; 1-minute load average ${loadBefore.toFixed(1)} before and
${(loadavg()[0] ?? 0).toFixed(1)} after on a shared 2-core machine, so single runs vary a lot: the ratio is the
median of the per-round ratios, and the fastest run of each tool is shown as the least disturbed figure.

| measure | Gantry run-migrations | node-pg-migrate (default: one transaction for all) | node-pg-migrate (--no-single-transaction) | target |
| --- | --- | --- | --- | --- |
| ${COUNT} migrations, median wall time | ${fmt(g)} | ${fmt(single)} | ${fmt(each)} | |
| ${COUNT} migrations, fastest run | ${fmt(best(gantry))} | ${fmt(best(pgmSingle))} | ${fmt(best(pgmEach))} | |
| ratio Gantry / node-pg-migrate (median of per-round ratios) | | ${pairedSingle.toFixed(2)}× | ${pairedEach.toFixed(2)}× | ≤ 1.0× |
| ratio of fastest runs | | ${(best(gantry) / best(pgmSingle)).toFixed(2)}× | ${(best(gantry) / best(pgmEach)).toFixed(2)}× | ≤ 1.0× |

| measure | Gantry run-migrations | target |
| --- | --- | --- |
| no-op run (${COUNT} applied), process wall time, median of ${noop.length} | ${fmt(n)} (fastest ${fmt(best(noop))}) | ≤ 300 ms |

Runs (ms) — Gantry: ${list(gantry)}; node-pg-migrate default: ${list(pgmSingle)}; per-migration: ${list(pgmEach)};
no-op: ${list(noop)}. Gantry runs each migration in its own transaction together with its history row (as
Flyway does), in one round trip per migration.
`;
const out = path.join(root, 'bench/results/run-migrations.md');
// Written as Prettier would, so `prettier --check .` in CI passes on the committed result.
const formatted = await format(markdown, { ...(await resolveConfig(out)), parser: 'markdown' });
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, formatted);
process.stdout.write(formatted);
