/**
 * run-migrations: applies Flyway-compatible SQL migrations natively (or through the Flyway/Liquibase CLI).
 * Steps: read inputs → find migrations → connect → run the command under the lock → outputs, report, summary.
 */
import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigurationError, describeThrown, markReported } from '../../../shared/src/errors.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { retry } from '../../../shared/src/retry.ts';
import { getJobInputs, runInCluster } from './in-cluster.ts';
import { getInputs, type Inputs } from './inputs.ts';
import { scanLocations, type ScanResult } from './migration-files.ts';
import {
  emptyResult,
  MigrationError,
  runCommand,
  type MigratorOptions,
  type MigratorResult,
} from './migrator.ts';
import { buildReport, infoTable, writeReport, writeSummary } from './report.ts';
import type { MigrationDatabase } from './schema-history.ts';

/** The action's main flow. */
export async function run(logger: Logger = coreLogger): Promise<void> {
  const job = await getJobInputs();
  if (job !== undefined) return runInCluster(job, logger);
  const inputs = await getInputs();
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();

  const scan = await logger.group('Find migrations', () => findMigrations(inputs, workspace, logger));

  if (inputs.engine !== 'builtin') {
    await logger.group(`Run ${inputs.engine} ${inputs.command}`, () => runCli(inputs, workspace, logger));
    return;
  }

  const db = await logger.group('Connect', () => connect(inputs, logger));
  const result = emptyResult(inputs.command, inputs['dry-run']);
  let failure: unknown;
  try {
    await logger.group(`${inputs['dry-run'] ? 'Plan' : 'Run'} ${inputs.command}`, () =>
      runCommand(inputs.command, db, scan.migrations, migratorOptions(inputs, logger), result),
    );
  } catch (thrown) {
    failure = thrown;
  } finally {
    await db.close();
  }

  await logger.group('Report', () => report(inputs, result, { engine: db.engine, scan, failure, logger }));
  if (failure instanceof MigrationError) {
    logger.error(failure.message, {
      title: 'Migration failed',
      file: path.relative(
        workspace,
        scan.migrations.find((m) => m.script === failure.script)?.path ?? failure.script,
      ),
      ...(failure.line === undefined ? {} : { startLine: failure.line }),
    });
    throw markReported(failure);
  }
  if (failure !== undefined) throw failure;
}

function migratorOptions(inputs: Inputs, logger: Logger): MigratorOptions {
  return {
    target: inputs.target,
    outOfOrder: inputs['out-of-order'],
    baselineOnMigrate: inputs['baseline-on-migrate'],
    baselineVersion: inputs['baseline-version'],
    baselineDescription: inputs['baseline-description'],
    placeholders: inputs.placeholders,
    placeholderReplacement: inputs['placeholder-replacement'],
    lockTimeoutMs: inputs['lock-timeout'],
    dryRun: inputs['dry-run'],
    installedBy: inputs['installed-by'],
    onEvent: (event) => {
      if (event.kind === 'starting') {
        const where = event.transactional ? '' : ' (outside a transaction)';
        logger.info(`Applying ${event.file.script}${where}`);
      } else if (event.kind === 'applied') {
        logger.info(`  applied ${event.migration.script} in ${event.migration.executionTime} ms`);
      } else logger.info(event.message);
    },
  };
}

/** Logs the plan/info table, writes the JSON report, sets the outputs and writes the job summary. */
async function report(
  inputs: Inputs,
  result: MigratorResult,
  context: { engine: string; scan: ScanResult; failure: unknown; logger: Logger },
): Promise<void> {
  const { logger, failure } = context;
  if (inputs['dry-run'] && result.command === 'migrate') {
    for (const file of result.pending) {
      logger.info(`Would apply ${file.script}`);
      logger.debug(file.content);
    }
  }
  if (result.command === 'info' || result.command === 'validate' || inputs['dry-run']) {
    logger.info(infoTable(result.infos));
  }
  for (const change of result.repaired) logger.info(change);
  const built = buildReport(result, {
    engine: `builtin (${context.engine})`,
    unknownFiles: context.scan.unknown,
    ...(failure === undefined ? {} : { error: describeThrown(failure) }),
  });
  const reportPath = await writeReport(
    built,
    inputs['report-path'] || path.join(process.env['RUNNER_TEMP'] || tmpdir(), 'run-migrations-report.json'),
  );
  core.setOutput('applied', String(built.applied));
  core.setOutput('schema-version', built.schemaVersion);
  core.setOutput('pending', String(built.pending));
  core.setOutput('report', reportPath);
  await writeSummary(built);
  if (failure === undefined) {
    const verb = inputs['dry-run'] ? 'would apply' : 'applied';
    const count = inputs['dry-run'] ? built.pending : built.applied;
    logger.info(
      `Schema version ${built.schemaVersion || '(none)'}: ${verb} ${count}, pending ${built.pending}`,
    );
  }
}

async function findMigrations(inputs: Inputs, workspace: string, logger: Logger): Promise<ScanResult> {
  const scan = await scanLocations(inputs.locations, workspace);
  const count = (kind: string): number => scan.migrations.filter((m) => m.kind === kind).length;
  logger.info(
    `Found ${count('versioned')} versioned, ${count('repeatable')} repeatable and ${count('undo')} undo migration(s) ` +
      `in ${inputs.locations.join(', ')}`,
  );
  for (const name of scan.unknown) {
    logger.warning(`Not a migration file name (V<version>__<description>.sql, R__…, U…): ${name}`, {
      title: 'Unknown migration file name',
      file: name.replace(/ \(.*\)$/, ''),
    });
  }
  return scan;
}

/** Connection failures worth another attempt: the server is not up yet, restarting or full. */
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  '57P03', // PostgreSQL cannot_connect_now (starting up / shutting down)
  '53300', // PostgreSQL too_many_connections
  'ER_CON_COUNT_ERROR',
  'PROTOCOL_CONNECTION_LOST',
]);

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TRANSIENT.has(code)) return true;
  return /timeout expired|Connection terminated unexpectedly/i.test(describeThrown(error));
}

async function connect(inputs: Inputs, logger: Logger): Promise<MigrationDatabase> {
  const url = inputs['database-url'];
  const where = `${url.engine} database ${url.database} on ${url.host}:${url.port}`;
  const options = {
    url: url.url,
    schema: inputs.schema,
    table: inputs.table,
    connectTimeoutMs: inputs['connect-timeout'],
  };
  const open =
    url.engine === 'postgresql'
      ? (await import('./postgres-database.ts')).openPostgres
      : (await import('./mysql-database.ts')).openMysql;
  let attempts = 0;
  try {
    // Retried while the server is starting or refusing connections, within connect-timeout.
    const db = await retry(
      (attempt) => {
        attempts = attempt;
        return open(options);
      },
      {
        attempts: 8,
        baseDelayMs: 500,
        maxDelayMs: 5000,
        deadline: Date.now() + inputs['connect-timeout'],
        shouldRetry: isTransient,
        onRetry: (error, attempt, delay) =>
          logger.info(
            `Connection attempt ${attempt} failed (${describeThrown(error)}); retrying in ${Math.round(delay)} ms`,
          ),
      },
    );
    logger.info(`Connected to ${where} as ${db.user}; history table ${db.schema}.${db.table}`);
    return db;
  } catch (thrown) {
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    throw new ConfigurationError(`Cannot connect to ${where}${tries}: ${describeThrown(thrown)}`);
  }
}

async function runCli(inputs: Inputs, workspace: string, logger: Logger): Promise<void> {
  const { flywayInvocation, liquibaseInvocation } = await import('./cli-engines.ts');
  const { which } = await import('@actions/io');
  const invocation =
    inputs.engine === 'flyway' ? flywayInvocation(inputs, workspace) : liquibaseInvocation(inputs, workspace);
  let program = await which(invocation.program, false);
  if (program === '' && inputs['engine-version'] !== '') {
    const { installCli } = await import('./cli-install.ts');
    program = await installCli(invocation.program, inputs['engine-version'], inputs['engine-sha256'], logger);
  }
  if (program === '') {
    throw new ConfigurationError(
      `engine: ${inputs.engine} needs the ${invocation.program} CLI on PATH, or engine-version and engine-sha256 ` +
        'to install a pinned version; or use engine: builtin',
    );
  }
  for (const note of invocation.notes) logger.warning(note);
  const { getExecOutput } = await import('@actions/exec');
  // silent: the CLI's lines reach the log through the logger, inert (a migration's text cannot issue a
  // workflow command).
  logger.info(`[command]${program} ${invocation.args.join(' ')}`);
  const output = await getExecOutput(program, invocation.args, {
    env: { ...(process.env as Record<string, string>), ...invocation.env },
    ignoreReturnCode: true,
    silent: true,
    listeners: { stdline: (line: string) => logger.info(line), errline: (line: string) => logger.info(line) },
  });
  const reportPath = path.resolve(
    inputs['report-path'] || path.join(process.env['RUNNER_TEMP'] || tmpdir(), 'run-migrations-report.json'),
  );
  const { writeFile } = await import('node:fs/promises');
  await writeFile(reportPath, output.stdout);
  const parsed = parseFlywayJson(output.stdout);
  core.setOutput('applied', String(parsed.applied ?? 0));
  core.setOutput('schema-version', parsed.schemaVersion ?? '');
  core.setOutput('pending', String(parsed.pending ?? ''));
  core.setOutput('report', reportPath);
  if (output.exitCode !== 0) {
    throw new Error(`${invocation.program} ${inputs.command} failed with exit code ${output.exitCode}`);
  }
}

function parseFlywayJson(stdout: string): { applied?: number; schemaVersion?: string; pending?: number } {
  try {
    const json = JSON.parse(stdout) as {
      migrationsExecuted?: number;
      targetSchemaVersion?: string;
      schemaVersion?: string;
      migrations?: { state?: string }[];
    };
    return {
      ...(json.migrationsExecuted === undefined ? {} : { applied: json.migrationsExecuted }),
      ...((json.targetSchemaVersion ?? json.schemaVersion) === undefined
        ? {}
        : { schemaVersion: json.targetSchemaVersion ?? json.schemaVersion }),
      ...(json.migrations === undefined
        ? {}
        : { pending: json.migrations.filter((m) => m.state === 'Pending').length }),
    };
  } catch {
    return {};
  }
}
