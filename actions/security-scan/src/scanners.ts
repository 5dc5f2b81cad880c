/**
 * The scanners security-scan runs: how each is named in the `scanners` input, how it is installed and
 * invoked, and how its output becomes SARIF 2.1.0 (native SARIF where the tool writes it, a converter
 * otherwise).
 */
import { existsSync } from 'node:fs';
import { glob, readFile } from 'node:fs/promises';
import path from 'node:path';
import { requireExecutable, runCommand, type CommandResult } from '../../../shared/src/command.ts';
import { ConfigurationError, InputError } from '../../../shared/src/errors.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { failedRuns } from '../../../shared/src/sarif/invocations.ts';
import { relativizeUris } from '../../../shared/src/sarif/paths.ts';
import type { Log } from '../../../shared/src/sarif/types.ts';
import { gitleaksToSarif } from './converters/gitleaks.ts';
import { npmAuditToSarif } from './converters/npm-audit.ts';
import { secretlintToSarif } from './converters/secretlint.ts';
import { trufflehogToSarif } from './converters/trufflehog.ts';
import type { ToolOverride } from './inputs.ts';
import { installTool } from './install.ts';
import { quote } from '../../../shared/src/output.ts';

export const SCANNER_KINDS = [
  'trivy-fs',
  'trivy-image',
  'trivy-config',
  'gitleaks',
  'trufflehog',
  'checkov',
  'osv-scanner',
  'npm-audit',
  'secretlint',
  'semgrep',
  'sarif',
] as const;
export type ScannerKind = (typeof SCANNER_KINDS)[number];

/** One entry of the `scanners` input. */
export interface ScannerSpec {
  kind: ScannerKind;
  /** The image reference (trivy-image) or glob (sarif). */
  argument?: string;
  /** As written in the input, for logs and errors. */
  label: string;
}

/** A git revision range as `git log` takes it: `<base>..<head>` (or `...`), names and SHAs only. */
const REVISION_RANGE = /^[\w./^~@{}-]+\.\.\.?[\w./^~@{}-]+$/;
const HISTORY_EXAMPLE = 'gitleaks:history, or gitleaks:history:origin/main..HEAD';

/**
 * Parses one `scanners` entry: a scanner name, `trivy-image:<ref>`, `sarif:<glob>`, or for the secret
 * scanners `gitleaks:history` / `trufflehog:history` (every commit of the history) and
 * `gitleaks:history:<base>..<head>` (the commits of a range, e.g. a pull request's).
 * @throws InputError naming the entry and listing the scanners
 */
export function parseScanner(item: string): ScannerSpec {
  const colon = item.indexOf(':');
  const name = colon < 0 ? item : item.slice(0, colon);
  const argument = colon < 0 ? undefined : item.slice(colon + 1).trim();
  if ((name === 'gitleaks' || name === 'trufflehog') && argument !== undefined) {
    const range = argument.startsWith('history:') ? argument.slice('history:'.length) : '';
    if (argument !== 'history' && !REVISION_RANGE.test(range))
      throw new InputError(
        'scanners',
        `"${item}": ${name} takes no argument but history or history:<base>..<head>`,
        HISTORY_EXAMPLE,
      );
    return { kind: name, argument, label: item };
  }
  if (!(SCANNER_KINDS as readonly string[]).includes(name) || name === 'sarif' || name === 'trivy-image') {
    if (name === 'sarif' || name === 'trivy-image') {
      if (argument === undefined || argument === '')
        throw new InputError(
          'scanners',
          `${quote(item)} needs a ${name === 'sarif' ? 'glob' : 'image reference'} after the colon`,
          name === 'sarif' ? 'sarif:reports/**/*.sarif' : 'trivy-image:ghcr.io/acme/app:1.2.3',
        );
      return { kind: name, argument, label: item };
    }
    throw new InputError(
      'scanners',
      `${quote(item)} is not a scanner; use one of ${SCANNER_KINDS.filter((k) => k !== 'sarif' && k !== 'trivy-image').join(', ')}, trivy-image:<ref> or sarif:<glob>`,
      'trivy-fs, gitleaks, npm-audit',
    );
  }
  if (argument !== undefined)
    throw new InputError('scanners', `${quote(item)}: ${name} takes no argument after a colon`, name);
  return { kind: name as ScannerKind, label: item };
}

/** Where and how a scanner runs. */
export interface ScanContext {
  /** Absolute folder to scan. */
  dir: string;
  /** Absolute repository root (GITHUB_WORKSPACE): result paths are made relative to it. */
  root: string;
  /** A private temporary folder for reports. */
  temp: string;
  timeoutMs: number;
  logger: Logger;
  overrides: Map<string, ToolOverride>;
  mirror: string;
}

/** What one scanner produced. */
export interface ScanOutput {
  logs: Log[];
  /** Secret values seen in the tool's output, to redact everywhere. */
  secrets: string[];
}

function expectExit(tool: string, result: CommandResult, allowed: number[]): void {
  if (allowed.includes(result.exitCode)) return;
  const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n');
  throw new Error(`${tool} exited with code ${result.exitCode}${detail === '' ? '' : `:\n${detail}`}`);
}

/**
 * Parses a SARIF file's text, checking the shape code scanning needs (version 2.1.0, a runs array, each
 * run with a tool driver name).
 * @throws Error naming `source` when the text is not JSON or not SARIF 2.1.0
 */
export function parseSarif(text: string, source: string): Log {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
  const log = value as Partial<Log> | null;
  if (log === null || typeof log !== 'object' || log.version !== '2.1.0' || !Array.isArray(log.runs))
    throw new Error(`${source} is not a SARIF 2.1.0 log (needs "version": "2.1.0" and a "runs" array)`);
  for (const run of log.runs)
    if (typeof run?.tool?.driver?.name !== 'string')
      throw new Error(`${source}: every run needs tool.driver.name`);
  return log as Log;
}

async function readSarifFile(file: string, source: string): Promise<Log> {
  return parseSarif(await readFile(file, 'utf8'), source);
}

async function tool(name: string, context: ScanContext): Promise<string> {
  const override = context.overrides.get(name);
  return installTool(name, {
    logger: context.logger,
    mirror: context.mirror,
    ...(override === undefined ? {} : { override }),
  });
}

async function trivy(spec: ScannerSpec, context: ScanContext): Promise<ScanOutput> {
  const trivyPath = await tool('trivy', context);
  const out = path.join(context.temp, `trivy-${spec.kind}.sarif`);
  const common = ['--format', 'sarif', '--output', out, '--exit-code', '0', '--quiet'];
  const args =
    spec.kind === 'trivy-image'
      ? ['image', ...common, spec.argument ?? '']
      : spec.kind === 'trivy-config'
        ? ['config', ...common, context.dir]
        : ['fs', '--scanners', 'vuln,secret', ...common, context.dir];
  expectExit(
    'trivy',
    await runCommand(trivyPath, args, { cwd: context.dir, timeoutMs: context.timeoutMs }),
    [0],
  );
  const log = await readSarifFile(out, `trivy ${args[0]} output`);
  if (spec.kind !== 'trivy-image') relativizeUris(log, context.dir, context.root);
  return { logs: [log], secrets: [] };
}

/** `history` or `history:<range>` → the range ('' for the whole history); undefined for the working tree. */
function historyRange(argument: string | undefined): string | undefined {
  if (argument === undefined) return undefined;
  return argument === 'history' ? '' : argument.slice('history:'.length);
}

/**
 * gitleaks' arguments: `gitleaks dir <dir>` for the working tree; `gitleaks git <dir>` for the history,
 * with `--log-opts=<base>..<head>` for a range (gitleaks 8.19+ commands).
 */
export function gitleaksArgs(argument: string | undefined, dir: string, out: string): string[] {
  const range = historyRange(argument);
  const common = ['--report-format', 'json', '--report-path', out, '--exit-code', '0', '--no-banner'];
  if (range === undefined) return ['dir', ...common, dir];
  return ['git', ...common, ...(range === '' ? [] : [`--log-opts=${range}`]), dir];
}

/**
 * trufflehog's arguments: `trufflehog filesystem <dir>` for the working tree; `trufflehog git file://<dir>`
 * for the history, with `--since-commit <base> --branch <head>` for a range.
 */
export function trufflehogArgs(argument: string | undefined, dir: string): string[] {
  const range = historyRange(argument);
  if (range === undefined) return ['filesystem', dir, '--json', '--no-update'];
  const args = ['git', `file://${dir}`, '--json', '--no-update'];
  if (range === '') return args;
  const [base = '', head = ''] = range.split(/\.\.\.?/);
  return [...args, '--since-commit', base, '--branch', head];
}

async function gitleaks(context: ScanContext, argument?: string): Promise<ScanOutput> {
  const executable = await tool('gitleaks', context);
  const out = path.join(context.temp, 'gitleaks.json');
  const args = gitleaksArgs(argument, context.dir, out);
  expectExit(
    'gitleaks',
    await runCommand(executable, args, { cwd: context.dir, timeoutMs: context.timeoutMs }),
    [0],
  );
  const converted = gitleaksToSarif(JSON.parse(await readFile(out, 'utf8')) as unknown);
  relativizeUris(converted.log, context.dir, context.root);
  return { logs: [converted.log], secrets: converted.secrets };
}

async function trufflehog(context: ScanContext, argument?: string): Promise<ScanOutput> {
  const executable = await tool('trufflehog', context);
  const args = trufflehogArgs(argument, context.dir);
  const result = await runCommand(executable, args, { cwd: context.dir, timeoutMs: context.timeoutMs });
  expectExit('trufflehog', result, [0]);
  const converted = trufflehogToSarif(result.stdout);
  relativizeUris(converted.log, context.dir, context.root);
  return { logs: [converted.log], secrets: converted.secrets };
}

async function osvScanner(context: ScanContext): Promise<ScanOutput> {
  const executable = await tool('osv-scanner', context);
  const out = path.join(context.temp, 'osv-scanner.sarif');
  const args = ['scan', 'source', '--recursive', '--format', 'sarif', '--output', out, context.dir];
  // 0: no vulnerabilities, 1: vulnerabilities found, 128: no packages found (osv-scanner's exit codes).
  const result = await runCommand(executable, args, { cwd: context.dir, timeoutMs: context.timeoutMs });
  expectExit('osv-scanner', result, [0, 1, 128]);
  if (result.exitCode === 128 || !existsSync(out)) return { logs: [], secrets: [] };
  const log = await readSarifFile(out, 'osv-scanner output');
  relativizeUris(log, context.dir, context.root);
  return { logs: [log], secrets: [] };
}

async function checkov(context: ScanContext): Promise<ScanOutput> {
  const executable = requireExecutable('checkov', context.dir, 'install it with `pip install checkov`', {
    nodeModules: false,
  });
  const outDir = path.join(context.temp, 'checkov');
  const args = ['-d', context.dir, '-o', 'sarif', '--output-file-path', outDir, '--soft-fail', '--quiet'];
  expectExit(
    'checkov',
    await runCommand(executable, args, { cwd: context.dir, timeoutMs: context.timeoutMs }),
    [0],
  );
  const log = await readSarifFile(path.join(outDir, 'results_sarif.sarif'), 'checkov output');
  relativizeUris(log, context.dir, context.root);
  return { logs: [log], secrets: [] };
}

async function semgrep(context: ScanContext): Promise<ScanOutput> {
  const executable = requireExecutable('semgrep', context.dir, 'install it with `pip install semgrep`', {
    nodeModules: false,
  });
  const out = path.join(context.temp, 'semgrep.sarif');
  const local = ['.semgrep.yml', '.semgrep.yaml', '.semgrep'].find((name) =>
    existsSync(path.join(context.dir, name)),
  );
  const config = local ?? process.env['SEMGREP_RULES'] ?? 'p/default';
  const args = [
    'scan',
    '--config',
    config,
    '--sarif',
    '--output',
    out,
    '--metrics',
    'off',
    '--quiet',
    context.dir,
  ];
  const result = await runCommand(executable, args, { cwd: context.dir, timeoutMs: context.timeoutMs });
  // semgrep exits 2 when a rule does not parse or a target fails, and still writes its SARIF, whose
  // toolExecutionNotifications hold the reason: read it, so the gate fails with semgrep's own message.
  if (result.exitCode === 2 && existsSync(out)) {
    const partial = await readSarifFile(out, 'semgrep output');
    if (failedRuns(partial).length > 0) {
      relativizeUris(partial, context.dir, context.root);
      return { logs: [partial], secrets: [] };
    }
  }
  expectExit('semgrep', result, [0, 1]);
  const log = await readSarifFile(out, 'semgrep output');
  relativizeUris(log, context.dir, context.root);
  return { logs: [log], secrets: [] };
}

async function npmAudit(context: ScanContext): Promise<ScanOutput> {
  const lockName = ['package-lock.json', 'npm-shrinkwrap.json'].find((name) =>
    existsSync(path.join(context.dir, name)),
  );
  if (lockName === undefined)
    throw new ConfigurationError(
      `npm-audit needs a package-lock.json in ${context.dir} (run npm install first)`,
    );
  const npm = requireExecutable('npm', context.dir, 'npm comes with Node.js (actions/setup-node)', {
    nodeModules: false,
  });
  const result = await runCommand(npm, ['audit', '--json'], {
    cwd: context.dir,
    timeoutMs: context.timeoutMs,
  });
  let report: unknown;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    expectExit('npm audit', result, [0]);
    throw new Error(`npm audit printed no JSON report`);
  }
  const converted = npmAuditToSarif(report, {
    name: lockName,
    text: await readFile(path.join(context.dir, lockName), 'utf8'),
  });
  relativizeUris(converted.log, context.dir, context.root);
  return { logs: [converted.log], secrets: [] };
}

async function secretlint(context: ScanContext): Promise<ScanOutput> {
  const executable = requireExecutable(
    'secretlint',
    context.dir,
    'add it to the project with `npm i -D secretlint @secretlint/secretlint-rule-preset-recommend`',
  );
  const hasConfig = [
    '.secretlintrc',
    '.secretlintrc.json',
    '.secretlintrc.yaml',
    '.secretlintrc.yml',
    '.secretlintrc.js',
  ].some((name) => existsSync(path.join(context.dir, name)));
  const args = ['**/*', '--format', 'json', '--no-color'];
  if (!hasConfig)
    args.push(
      '--secretlintrcJSON',
      JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }),
    );
  const result = await runCommand(executable, args, { cwd: context.dir, timeoutMs: context.timeoutMs });
  expectExit('secretlint', result, [0, 1]);
  const converted = secretlintToSarif(JSON.parse(result.stdout || '[]') as unknown);
  relativizeUris(converted.log, context.dir, context.root);
  return { logs: [converted.log], secrets: converted.secrets };
}

async function sarifFiles(spec: ScannerSpec, context: ScanContext): Promise<ScanOutput> {
  const pattern = spec.argument ?? '';
  const files: string[] = [];
  for await (const file of glob(pattern, { cwd: context.dir })) files.push(path.resolve(context.dir, file));
  files.sort();
  if (files.length === 0)
    throw new ConfigurationError(`${spec.label}: no file matches ${pattern} in ${context.dir}`);
  const logs: Log[] = [];
  for (const file of files) {
    const log = await readSarifFile(file, path.relative(context.root, file));
    // Reports made elsewhere are expected to hold repository-relative paths already; only absolute paths
    // and file: URIs are rewritten.
    relativizeUris(log, context.root, context.root);
    logs.push(log);
  }
  context.logger.info(`${spec.label}: read ${files.length} SARIF file(s)`);
  return { logs, secrets: [] };
}

/**
 * Runs one scanner and returns its findings as SARIF logs (paths relative to the repository root).
 * @throws ConfigurationError for a tool that is not installed or a missing input file; ChecksumMismatchError
 *   for a tampered download; Error when the tool fails
 */
export async function runScanner(spec: ScannerSpec, context: ScanContext): Promise<ScanOutput> {
  switch (spec.kind) {
    case 'trivy-fs':
    case 'trivy-image':
    case 'trivy-config':
      return trivy(spec, context);
    case 'gitleaks':
      return gitleaks(context, spec.argument);
    case 'trufflehog':
      return trufflehog(context, spec.argument);
    case 'osv-scanner':
      return osvScanner(context);
    case 'checkov':
      return checkov(context);
    case 'semgrep':
      return semgrep(context);
    case 'npm-audit':
      return npmAudit(context);
    case 'secretlint':
      return secretlint(context);
    case 'sarif':
      return sarifFiles(spec, context);
  }
}
