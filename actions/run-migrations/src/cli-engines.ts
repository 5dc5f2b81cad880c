/**
 * `engine: flyway | liquibase`: runs that CLI with the same inputs instead of the builtin engine.
 * Credentials go through the CLIs' environment variables (`FLYWAY_USER`/`FLYWAY_PASSWORD`,
 * `LIQUIBASE_COMMAND_USERNAME`/`LIQUIBASE_COMMAND_PASSWORD`), never on the command line where `ps` shows them.
 *
 * Flyway options: https://documentation.red-gate.com/fd/parameters-224919673.html (CLI `-key=value`).
 * Liquibase options: https://docs.liquibase.com/parameters/home.html (CLI `--kebab-case=value`).
 */
import path from 'node:path';
import type { DatabaseUrl } from './database-url.ts';
import type { Inputs } from './inputs.ts';

/** A CLI invocation: program, arguments, extra environment (secrets) and notes on mapped options. */
export interface CliInvocation {
  program: 'flyway' | 'liquibase';
  args: string[];
  env: Record<string, string>;
  /** Inputs that the CLI cannot honour exactly, and what was done instead. */
  notes: string[];
}

/**
 * The JDBC URL for a database URL: `jdbc:postgresql://host:port/db?…`, `jdbc:mysql://…`, `jdbc:mariadb://…`;
 * user and password are left out (they go through the environment).
 */
export function jdbcUrl(url: DatabaseUrl): string {
  const host = url.host.includes(':') ? `[${url.host}]` : url.host;
  const query = url.params.toString();
  return `jdbc:${url.flavour}://${host}:${url.port}/${encodeURIComponent(url.database)}${query === '' ? '' : `?${query}`}`;
}

type CliInputs = Pick<
  Inputs,
  | 'command'
  | 'database-url'
  | 'locations'
  | 'table'
  | 'schema'
  | 'target'
  | 'out-of-order'
  | 'baseline-on-migrate'
  | 'baseline-version'
  | 'baseline-description'
  | 'placeholders'
  | 'placeholder-replacement'
  | 'lock-timeout'
  | 'dry-run'
  | 'installed-by'
>;

/**
 * Flyway CLI arguments for the inputs.
 * @param workspace absolute folder the `locations` are relative to
 * @returns the invocation; `dry-run` runs `info` (Flyway's dry run is a Teams/Enterprise feature)
 */
export function flywayInvocation(inputs: CliInputs, workspace: string): CliInvocation {
  const notes: string[] = [];
  const url = inputs['database-url'];
  const args = [
    `-url=${jdbcUrl(url)}`,
    `-locations=${inputs.locations.map((l) => `filesystem:${path.resolve(workspace, l.replace(/^filesystem:/, ''))}`).join(',')}`,
    `-table=${inputs.table}`,
  ];
  if (inputs.schema !== '') args.push(`-schemas=${inputs.schema}`);
  if (inputs.target !== undefined) args.push(`-target=${inputs.target.text}`);
  if (inputs['out-of-order']) args.push('-outOfOrder=true');
  if (inputs['baseline-on-migrate']) args.push('-baselineOnMigrate=true');
  args.push(`-baselineVersion=${inputs['baseline-version'].text}`);
  args.push(`-baselineDescription=${inputs['baseline-description']}`);
  if (!inputs['placeholder-replacement']) args.push('-placeholderReplacement=false');
  for (const [key, value] of inputs.placeholders) args.push(`-placeholders.${key}=${value}`);
  // Flyway retries the lock once a second, lockRetryCount times.
  args.push(`-lockRetryCount=${Math.max(0, Math.ceil(inputs['lock-timeout'] / 1000))}`);
  if (inputs['installed-by'] !== '') args.push(`-installedBy=${inputs['installed-by']}`);
  args.push('-outputType=json');
  let command: string = inputs.command;
  if (inputs['dry-run']) {
    notes.push('dry-run: Flyway Community has no dry run; ran `info` instead, which changes nothing');
    command = 'info';
  }
  args.push(command);
  const env: Record<string, string> = {};
  if (url.user !== '') env['FLYWAY_USER'] = url.user;
  if (url.password !== '') env['FLYWAY_PASSWORD'] = url.password;
  return { program: 'flyway', args, env, notes };
}

const LIQUIBASE_COMMANDS: Record<CliInputs['command'], string> = {
  migrate: 'update',
  validate: 'validate',
  info: 'status',
  baseline: 'changelog-sync',
  repair: 'clear-checksums',
};

/**
 * Liquibase CLI arguments for the inputs. `locations` names the changelog file (its first entry);
 * the history table is Liquibase's own DATABASECHANGELOG (named by `table` when set to something else
 * than Flyway's default).
 * @returns the invocation; `dry-run` runs `update-sql` (prints the SQL, changes nothing)
 */
export function liquibaseInvocation(inputs: CliInputs, workspace: string): CliInvocation {
  const notes: string[] = [];
  const url = inputs['database-url'];
  const changelog = path.resolve(
    workspace,
    (inputs.locations[0] ?? 'db/changelog.xml').replace(/^filesystem:/, ''),
  );
  const args = [
    `--url=${jdbcUrl(url)}`,
    `--changelog-file=${path.basename(changelog)}`,
    `--search-path=${path.dirname(changelog)}`,
  ];
  if (inputs.table !== 'flyway_schema_history') args.push(`--database-changelog-table-name=${inputs.table}`);
  else notes.push('table: Liquibase keeps its own DATABASECHANGELOG table, not flyway_schema_history');
  if (inputs.schema !== '')
    args.push(`--default-schema-name=${inputs.schema}`, `--liquibase-schema-name=${inputs.schema}`);
  for (const [key, value] of inputs.placeholders) args.push(`-D${key}=${value}`);
  const minutes = Math.max(1, Math.ceil(inputs['lock-timeout'] / 60_000));
  args.push(`--change-log-lock-wait-time-in-minutes=${minutes}`);
  let command = LIQUIBASE_COMMANDS[inputs.command];
  if (inputs['dry-run'] && inputs.command === 'migrate') command = 'update-sql';
  else if (inputs['dry-run']) notes.push(`dry-run: ${inputs.command} runs as ${command}`);
  if (inputs.command === 'info') args.push(command, '--verbose');
  else args.push(command);
  if (inputs.target !== undefined && inputs.command === 'migrate') {
    notes.push('target: Liquibase has no version target; use update-to-tag with a tagged changelog');
  }
  if (inputs['out-of-order']) notes.push('out-of-order: Liquibase always runs changesets not yet applied');
  const env: Record<string, string> = {};
  if (url.user !== '') env['LIQUIBASE_COMMAND_USERNAME'] = url.user;
  if (url.password !== '') env['LIQUIBASE_COMMAND_PASSWORD'] = url.password;
  return { program: 'liquibase', args, env, notes };
}
