/**
 * The bundle runner: runs a built action bundle exactly as the GitHub runner does, for the bundle tests,
 * the offline workflow runner (tools/pipeline) and the benchmarks: `node dist/<action>/index.js` under Node 24 with
 * - `INPUT_<NAME>` variables (the runner's mangling: upper-case, spaces → `_`, hyphens kept), with the
 *   defaults of action.yml applied to inputs not given;
 * - fresh `GITHUB_OUTPUT`, `GITHUB_STATE`, `GITHUB_ENV`, `GITHUB_PATH`, `GITHUB_STEP_SUMMARY` files and a
 *   `RUNNER_TEMP` folder;
 * - `STATE_<name>` variables for a post step, from the main step's state.
 * Its stdout is read as the runner reads it: workflow commands (`::error …::`, `::add-mask::` …) are
 * parsed, and masked values are replaced by `***` in the log.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The repository's root folder (where actions/ and dist/ are). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BundleAnnotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
  title?: string;
}

export interface BundleRun {
  exitCode: number;
  /** Raw stdout, as the process wrote it (masks not applied: tests assert on `log`). */
  stdout: string;
  stderr: string;
  /** What the runner would show: commands consumed, masked values replaced by `***`, stderr appended. */
  log: string;
  outputs: Record<string, string>;
  /** State saved for the post step (name → value). */
  state: Record<string, string>;
  /** Variables exported through GITHUB_ENV. */
  env: Record<string, string>;
  /** Folders added through GITHUB_PATH. */
  path: string[];
  /** The step summary markdown/HTML the step wrote. */
  summary: string;
  annotations: BundleAnnotation[];
  /** Values registered with `::add-mask::`. */
  masks: string[];
  durationMs: number;
}

export interface RunBundleOptions {
  /** Inputs by their action.yml name. */
  inputs?: Record<string, string>;
  /** Extra environment variables (GITHUB_*, AWS_*, …); layered over the harness defaults. */
  env?: Record<string, string>;
  /** Working directory and GITHUB_WORKSPACE (default: a new temp folder). */
  cwd?: string;
  /** Run the post step with this state (from a main run's `state`). */
  postWithState?: Record<string, string>;
  /** Kill the process after this many ms (default 120 000). */
  timeoutMs?: number;
  /** Apply action.yml defaults to inputs not given (default true, as the runner does). */
  applyDefaults?: boolean;
  /** Called with each chunk of stdout as it arrives (e.g. to act when the action reaches a point). */
  onStdout?: (chunk: string) => void;
  /** Called when the process exits (before its runner files are read), e.g. to time the exit. */
  onExit?: (code: number | null) => void;
  /** Path of the bundle (default `dist/<action>/index.js` in the repo). */
  bundlePath?: string;
}

interface ActionYaml {
  inputs?: Record<string, { default?: unknown; required?: boolean }>;
}

/** The runner's input variable name: `INPUT_` + name upper-cased with spaces as `_`. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Decodes the escaping of workflow command data (`%25`, `%0D`, `%0A`) and properties (also `%3A`, `%2C`). */
function unescapeCommand(text: string, property: boolean): string {
  let out = text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
  if (property) out = out.replace(/%3A/gi, ':').replace(/%2C/gi, ',');
  return out.replace(/%25/g, '%');
}

/**
 * Parses a runner file-command file (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE): `name=value` lines and
 * `name<<DELIMITER` … `DELIMITER` blocks.
 */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const [, name = '', delimiter = ''] = heredoc;
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++] ?? '');
      result[name] = value.join('\n');
      continue;
    }
    const equals = line.indexOf('=');
    if (equals > 0) result[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return result;
}

/** The Node binary bundles run under: this process's when it is Node ≥ 24, else the repo's `node` package. */
export function node24(): string {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) return process.execPath;
  const local = path.join(repoRoot, 'node_modules', 'node', 'bin', 'node');
  if (existsSync(local)) return local;
  throw new Error(
    `Bundle tests need Node 24 (action.yml declares node24); this is ${process.version}. Run them through npm (npm test).`,
  );
}

/** Reads action.yml input defaults for an action. */
export function actionDefaults(action: string): Record<string, string> {
  return actionYamlDefaults(path.join(repoRoot, 'actions', action, 'action.yml'));
}

/** Reads the input defaults of any action.yml (e.g. a peer's, for a benchmark), as the runner applies them. */
export function actionYamlDefaults(file: string): Record<string, string> {
  const doc = parseYaml(readFileSync(file, 'utf8')) as ActionYaml;
  const defaults: Record<string, string> = {};
  for (const [name, spec] of Object.entries(doc.inputs ?? {})) {
    if (spec.default !== undefined && spec.default !== null) defaults[name] = String(spec.default);
  }
  return defaults;
}

interface PreparedRun {
  temp: string;
  cwd: string;
  files: Record<
    'GITHUB_OUTPUT' | 'GITHUB_STATE' | 'GITHUB_ENV' | 'GITHUB_PATH' | 'GITHUB_STEP_SUMMARY',
    string
  >;
  env: Record<string, string>;
}

/** The runner's side of a step: a workspace, fresh file-command files, and the step's environment. */
async function prepareRun(action: string, options: RunBundleOptions): Promise<PreparedRun> {
  const temp = await mkdtemp(path.join(tmpdir(), `gantry-${action}-`));
  const cwd = options.cwd ?? path.join(temp, 'workspace');
  if (options.cwd === undefined) await mkdir(cwd, { recursive: true });
  const files = {
    GITHUB_OUTPUT: path.join(temp, 'output'),
    GITHUB_STATE: path.join(temp, 'state'),
    GITHUB_ENV: path.join(temp, 'env'),
    GITHUB_PATH: path.join(temp, 'path'),
    GITHUB_STEP_SUMMARY: path.join(temp, 'summary.md'),
  };
  for (const file of Object.values(files)) await writeFile(file, '');
  const runnerTemp = path.join(temp, 'runner-temp');
  await mkdir(runnerTemp, { recursive: true });

  const inputs = { ...(options.applyDefaults === false ? {} : actionDefaults(action)), ...options.inputs };
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? temp,
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: cwd,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_ACTOR: 'octocat',
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'deploy',
    GITHUB_WORKFLOW: 'pipeline',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: path.join(temp, 'tool-cache'),
    ...files,
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value;
  for (const [name, value] of Object.entries(options.postWithState ?? {})) env[`STATE_${name}`] = value;
  return { temp, cwd, files, env };
}

/**
 * Runs one action bundle as the runner would and collects what it produced.
 * @param action the folder name under `actions/`, e.g. `smoke-test`
 * @returns exit code, outputs, state, env, path, summary, annotations, masked log; never throws for a
 *   failing action (only when the process cannot start or exceeds `timeoutMs`)
 */
export async function runBundle(action: string, options: RunBundleOptions = {}): Promise<BundleRun> {
  const { temp, cwd, files, env } = await prepareRun(action, options);
  const bundle = options.bundlePath ?? path.join(repoRoot, 'dist', action, 'index.js');
  const started = performance.now();
  const { exitCode, stdout, stderr } = await new Promise<{
    exitCode: number;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(node24(), [bundle], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      options.onStdout?.(chunk.toString('utf8'));
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${action} bundle did not finish within ${options.timeoutMs ?? 120_000} ms`));
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    if (options.onExit !== undefined) child.on('exit', options.onExit);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        exitCode: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
  const durationMs = performance.now() - started;
  return readRun({ temp, cwd, files, env }, { exitCode, stdout, stderr, durationMs });
}

/** Reads what a step produced as the runner does: workflow commands, masks, file commands; removes the temp. */
async function readRun(
  { temp, files, env }: PreparedRun,
  {
    exitCode,
    stdout,
    stderr,
    durationMs,
  }: { exitCode: number; stdout: string; stderr: string; durationMs: number },
): Promise<BundleRun> {
  // The runner shows ::debug:: lines only when step debug logging is on.
  const debugEnabled = env['RUNNER_DEBUG'] === '1' || env['ACTIONS_STEP_DEBUG'] === 'true';
  const masks: string[] = [];
  const annotations: BundleAnnotation[] = [];
  const shown: string[] = [];
  const mask = (text: string): string => {
    let out = text;
    for (const value of [...masks].sort((a, b) => b.length - a.length)) out = out.split(value).join('***');
    return out;
  };
  for (const line of stdout.split('\n')) {
    const command = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (command === null) {
      shown.push(mask(line));
      continue;
    }
    const [, name = '', rawProps = '', rawData = ''] = command;
    const data = unescapeCommand(rawData, false);
    if (name === 'add-mask') {
      if (data !== '') masks.push(data);
      continue;
    }
    if (name === 'error' || name === 'warning' || name === 'notice') {
      const props: Record<string, string> = {};
      for (const pair of rawProps.split(',')) {
        const eq = pair.indexOf('=');
        if (eq > 0) props[pair.slice(0, eq)] = unescapeCommand(pair.slice(eq + 1), true);
      }
      const annotation: BundleAnnotation = { level: name, message: mask(data) };
      if (props['file'] !== undefined) annotation.file = props['file'];
      if (props['line'] !== undefined) annotation.line = Number(props['line']);
      if (props['endLine'] !== undefined) annotation.endLine = Number(props['endLine']);
      if (props['col'] !== undefined) annotation.col = Number(props['col']);
      if (props['endColumn'] !== undefined) annotation.endColumn = Number(props['endColumn']);
      if (props['title'] !== undefined) annotation.title = mask(props['title']);
      annotations.push(annotation);
      shown.push(`${name}: ${mask(data)}`);
      continue;
    }
    if (name === 'group') shown.push(`▸ ${mask(data)}`);
    else if (name === 'debug' && debugEnabled) shown.push(`debug: ${mask(data)}`);
    // endgroup, save-state and other commands are consumed silently, as the runner does
  }
  const result: BundleRun = {
    exitCode,
    stdout,
    stderr,
    log: [...shown, ...stderr.split('\n').map(mask)].join('\n'),
    outputs: parseFileCommands(await readFile(files.GITHUB_OUTPUT, 'utf8')),
    state: parseFileCommands(await readFile(files.GITHUB_STATE, 'utf8')),
    env: parseFileCommands(await readFile(files.GITHUB_ENV, 'utf8')),
    path: (await readFile(files.GITHUB_PATH, 'utf8')).split('\n').filter((line) => line !== ''),
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
    annotations,
    masks,
    durationMs,
  };
  await rm(temp, { recursive: true, force: true }).catch(() => undefined);
  return result;
}

/**
 * Runs an action's flow in this process (`actions/<action>/src/main.ts`'s `run()` inside `runAction`, as
 * its index.ts does) with exactly the runner's environment of {@link runBundle} — INPUT_* with action.yml
 * defaults, the file-command files, GITHUB_* — and collects the same {@link BundleRun}. For tests of a flow
 * at its source (coverage, speed); the bundle tests still run the built bundle. process.env, the working
 * directory and process.exitCode are restored afterwards; stdout is captured while the flow runs, so
 * nothing else may run concurrently in this process.
 */
export async function runFlow(action: string, options: RunBundleOptions = {}): Promise<BundleRun> {
  const prepared = await prepareRun(action, options);
  const { run } = (await import(path.join(repoRoot, 'actions', action, 'src', 'main.ts'))) as {
    run: () => Promise<void>;
  };
  const { runAction } = await import('../shared/src/run.ts');
  // @actions/core's summary keeps the GITHUB_STEP_SUMMARY path of its first write: each run has its own file
  const { summary } = await import('@actions/core');
  Reflect.set(summary, '_filePath', undefined);
  summary.emptyBuffer();
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const savedExitCode = process.exitCode;
  const write = process.stdout.write.bind(process.stdout);
  const chunks: string[] = [];
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, prepared.env);
  process.chdir(prepared.cwd);
  process.exitCode = 0;
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    chunks.push(text);
    options.onStdout?.(text);
    return true;
  }) as typeof process.stdout.write;
  const started = performance.now();
  let exitCode = 0;
  try {
    await runAction(() => run());
    exitCode = Number(process.exitCode ?? 0);
  } finally {
    process.stdout.write = write;
    process.exitCode = savedExitCode;
    process.chdir(savedCwd);
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  }
  const durationMs = performance.now() - started;
  return readRun(prepared, { exitCode, stdout: chunks.join(''), stderr: '', durationMs });
}
