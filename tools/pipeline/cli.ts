/**
 * `npm run pipeline -- <workflow file> [options]`: Gantry's offline workflow runner (act-compatible
 * options where act has them).
 *
 *   --event push|pull_request|workflow_dispatch|…   event that triggers the run (default push)
 *   --eventpath file.json                           event payload (default: a minimal one)
 *   --secret-file .secrets                          act-style secrets (default ./.secrets if present)
 *   --secret NAME=value / -s                        one secret
 *   --var-file .vars, --var NAME=value              configuration variables (vars context)
 *   --input name=value                              workflow_dispatch / workflow_call input
 *   --env NAME=value                                extra environment for every step
 *   --config file.yml                               substitutes and environment rules
 *   --approve                                       approve environments that need an approval
 *   --deployments                                   record GitHub deployments for environment jobs (GITHUB_API_URL)
 *   --emulate github|act                            build the contexts as GitHub (default) or as nektos/act does
 *   --quiet                                         print a step's log only when it fails
 *   --json file                                     also write the run report as JSON
 * Exit code: 0 success, 1 a job failed, 2 invalid workflow / options / missing substitute,
 * 3 stopped waiting for an approval.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, readDotenv } from './config.ts';
import type { Json } from './expressions.ts';
import { annotationLines, resultTable, summaryLines } from './report.ts';
import { runWorkflow, type RunReport } from './runner.ts';

function pairs(values: string[] | undefined, option: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values ?? []) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new Error(`--${option} takes NAME=value, not "${value}"`);
    result[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return result;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      event: { type: 'string', default: 'push' },
      eventpath: { type: 'string', short: 'e' },
      'secret-file': { type: 'string' },
      secret: { type: 'string', short: 's', multiple: true },
      'var-file': { type: 'string' },
      var: { type: 'string', multiple: true },
      input: { type: 'string', multiple: true },
      env: { type: 'string', multiple: true },
      config: { type: 'string' },
      workspace: { type: 'string' },
      approve: { type: 'boolean', default: false },
      deployments: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      json: { type: 'string' },
      emulate: { type: 'string', default: 'github' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true || positionals.length !== 1) {
    process.stdout.write(
      'usage: npm run pipeline -- <workflow file> [--event push|pull_request|workflow_dispatch] [--eventpath file.json]\n' +
        '  [--secret-file .secrets] [--secret NAME=value] [--var-file .vars] [--var NAME=value] [--input name=value]\n' +
        '  [--env NAME=value] [--config file.yml] [--approve] [--deployments] [--emulate github|act] [--quiet]\n' +
        '  [--json report.json]\n',
    );
    return values.help === true ? 0 : 2;
  }
  if (values.emulate !== 'github' && values.emulate !== 'act')
    throw new Error(`--emulate takes github or act, not "${values.emulate}"`);
  const workspace = path.resolve(values.workspace ?? process.cwd());
  const secrets = {
    ...(await readDotenv(
      path.resolve(values['secret-file'] ?? path.join(workspace, '.secrets')),
      values['secret-file'] === undefined,
    )),
    ...pairs(values.secret, 'secret'),
  };
  const vars = {
    ...(await readDotenv(
      path.resolve(values['var-file'] ?? path.join(workspace, '.vars')),
      values['var-file'] === undefined,
    )),
    ...pairs(values.var, 'var'),
  };
  const config = await loadConfig(values.config);
  let eventPayload: Record<string, Json> | undefined;
  if (values.eventpath !== undefined) {
    eventPayload = JSON.parse(await readFile(values.eventpath, 'utf8')) as Record<string, Json>;
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, pairs(values.env, 'env'));
  const report: RunReport = await runWorkflow({
    workflow: positionals[0] as string,
    workspace,
    event: values.event,
    ...(eventPayload !== undefined ? { eventPayload } : {}),
    secrets,
    vars,
    inputs: pairs(values.input, 'input'),
    env,
    config,
    approve: values.approve,
    recordDeployments: values.deployments,
    quiet: values.quiet,
    emulate: values.emulate,
  });
  for (const line of [...summaryLines(report.jobs), ...annotationLines(report.jobs), ...resultTable(report)])
    process.stdout.write(`${line}\n`);
  if (values.json !== undefined) await writeFile(values.json, JSON.stringify(report, null, 2));
  return report.result === 'success' ? 0 : report.result === 'waiting' ? 3 : 1;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`pipeline: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
