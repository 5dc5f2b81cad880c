/**
 * The real act (nektos/act, built from the Go module proxy by .ci/install-go-tools.sh) running Gantry's
 * workflows on this host: `act -P ubuntu-latest=-self-hosted` runs each job's steps here, without Docker.
 *
 * act fetches every third-party action a job uses from github.com, which these machines cannot reach, so
 * each is mapped with act's own `--local-repository <owner/repo@ref>=<folder>` to an offline stand-in
 * folder made here from the offline runner's substitutes (tools/pipeline/pipeline.config.yml): a
 * JavaScript action whose script is the substitute's bash script. The stand-ins are named as such in their
 * action.yml; Gantry's own actions are never replaced.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';

/** The act version .ci/install-go-tools.sh builds. */
export const ACT_VERSION = '0.2.89';

/**
 * The path of the act binary: `$(go env GOPATH)/bin/act`, built by .ci/install-go-tools.sh when missing
 * (one line says so). Throws an Error naming the command to run when Go is not there to build it.
 */
export function ensureAct(repoRoot: string): string {
  const gopath = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' });
  if (gopath.status !== 0)
    throw new Error(
      'act is built with Go, which is not on PATH: install Go, then run bash .ci/install-go-tools.sh',
    );
  const bin = path.join(gopath.stdout.trim(), 'bin', 'act');
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (version.status === 0 && version.stdout.includes(ACT_VERSION)) return bin;
  const built = spawnSync('bash', [path.join(repoRoot, '.ci', 'install-go-tools.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status !== 0) throw new Error('bash .ci/install-go-tools.sh failed: act could not be built');
  return bin;
}

/**
 * Writes an offline stand-in action for every substitute of the offline runner's config under `dir`
 * (`<dir>/<owner>/<repo>/<subpath>/action.yml` + index.js) and returns act's `--local-repository` arguments
 * mapping each `uses:` of `workflowTexts` (`owner/repo[/subpath]@ref`) to its stand-in.
 */
export function actStandIns(repoRoot: string, dir: string, workflowTexts: string[]): string[] {
  const config = parse(
    readFileSync(path.join(repoRoot, 'tools', 'pipeline', 'pipeline.config.yml'), 'utf8'),
  ) as {
    substitutes: Record<string, { description?: string; run: string }>;
  };
  const uses = new Set<string>();
  for (const text of workflowTexts)
    for (const match of text.matchAll(/uses:\s*([\w.-]+\/[\w.-]+(?:\/[\w./-]+)?)@([\w.-]+)/g))
      uses.add(`${match[1]}@${match[2]}`);
  const args: string[] = [];
  for (const reference of [...uses].sort()) {
    const [action = '', ref = ''] = reference.split('@');
    const [owner = '', repo = '', ...sub] = action.split('/');
    const substitute = action === 'actions/checkout' ? CHECKOUT_STAND_IN : config.substitutes[action];
    if (substitute === undefined || action.includes('/gantry/')) continue;
    const repoDir = path.join(dir, owner, repo);
    const actionDir = path.join(repoDir, ...sub);
    mkdirSync(actionDir, { recursive: true });
    writeFileSync(
      path.join(actionDir, 'action.yml'),
      `name: ${action} (offline stand-in)\ndescription: ${JSON.stringify(`Gantry test stand-in: ${substitute.description ?? action}`)}\nruns:\n  using: node20\n  main: index.js\n`,
    );
    writeFileSync(
      path.join(actionDir, 'index.js'),
      [
        "const { execFileSync } = require('node:child_process');",
        `execFileSync('bash', ['-e', '-c', ${JSON.stringify(substitute.run)}], { stdio: 'inherit' });`,
        '',
      ].join('\n'),
    );
    args.push('--local-repository', `${owner}/${repo}@${ref}=${repoDir}`);
  }
  return args;
}

/**
 * actions/checkout under act: the job's own repository is already the workspace (act copies it), and a
 * checkout of another repository into `path` (Gantry's reusable workflows checking Gantry out into
 * .gantry-src) clones it from a local folder of repositories, `$GANTRY_ACT_REPOSITORIES/<owner>/<repo>`
 * (pass it with act's `--env`), at `ref`.
 */
const CHECKOUT_STAND_IN = {
  description:
    'clones owner/repo@ref from $GANTRY_ACT_REPOSITORIES into path; the workspace itself is already there',
  run: [
    'if [ -n "${INPUT_REPOSITORY:-}" ] && [ -n "${INPUT_PATH:-}" ]; then',
    '  : "${GANTRY_ACT_REPOSITORIES:?pass --env GANTRY_ACT_REPOSITORIES=<folder of owner/repo clones>}"',
    '  git clone -q "$GANTRY_ACT_REPOSITORIES/$INPUT_REPOSITORY" "$GITHUB_WORKSPACE/$INPUT_PATH"',
    '  git -C "$GITHUB_WORKSPACE/$INPUT_PATH" checkout -q "${INPUT_REF:-HEAD}"',
    '  echo "actions/checkout stand-in → $INPUT_REPOSITORY@${INPUT_REF:-HEAD} into $INPUT_PATH (local clone)"',
    'else',
    '  echo "actions/checkout stand-in → the workspace is already the checkout"',
    'fi',
  ].join('\n'),
};

/** What one act run printed and how it ended. */
export interface ActRun {
  status: number | null;
  output: string;
}

/**
 * Runs `act <event> -W <workflow> -P ubuntu-latest=-self-hosted` in `workdir` (a git checkout), with the
 * stand-in mappings and extra arguments, bounded by `timeoutMs` (then killed: status null).
 */
export async function runAct(
  act: string,
  workdir: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<ActRun> {
  const child = spawn(act, ['-P', 'ubuntu-latest=-self-hosted', '--no-cache-server', ...args], {
    cwd: workdir,
    env: { ...env, HOME: env['HOME'] ?? workdir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  return { status, output };
}

/**
 * Copies what a workflow run needs of Gantry into `dir` (never run a caller's commands in the repository
 * itself): `.github/workflows`, `workflows-templates`, each `actions/<name>/action.yml` and `dist/`. With
 * `npmStandIn`, also `bin/npm`, a stand-in for the caller project's own npm commands (install, test, audit
 * succeed; `run build` writes `dist/index.html`), to put first on PATH.
 * @returns `dir`
 */
export function gantryWorkspaceCopy(
  repoRoot: string,
  dir: string,
  options: { npmStandIn?: boolean } = {},
): string {
  cpSync(path.join(repoRoot, '.github', 'workflows'), path.join(dir, '.github', 'workflows'), {
    recursive: true,
  });
  cpSync(path.join(repoRoot, 'workflows-templates'), path.join(dir, 'workflows-templates'), {
    recursive: true,
  });
  cpSync(path.join(repoRoot, 'dist'), path.join(dir, 'dist'), { recursive: true });
  for (const name of readdirSync(path.join(repoRoot, 'actions'))) {
    const file = path.join(repoRoot, 'actions', name, 'action.yml');
    if (!existsSync(file)) continue;
    mkdirSync(path.join(dir, 'actions', name), { recursive: true });
    cpSync(file, path.join(dir, 'actions', name, 'action.yml'));
  }
  if (options.npmStandIn === true) {
    mkdirSync(path.join(dir, 'bin'), { recursive: true });
    const npm = path.join(dir, 'bin', 'npm');
    writeFileSync(
      npm,
      [
        '#!/bin/sh',
        "# Test stand-in for the caller project's npm: install, test and audit succeed; run build writes dist/.",
        'echo "npm stand-in: $*"',
        'case "$*" in "run build"*) mkdir -p dist && echo "<!doctype html><title>ok</title>" > dist/index.html ;; esac',
        '',
      ].join('\n'),
    );
    chmodSync(npm, 0o755);
  }
  return dir;
}

/** The `on.workflow_call` inputs and secrets of a reusable workflow, as far as a caller needs them. */
interface WorkflowCallShape {
  inputs?: Record<string, { required?: boolean; type?: string }>;
  secrets?: Record<string, { required?: boolean }>;
}

/**
 * A workflow that calls the reusable workflow `file` (`.github/workflows/…`, given its text) on push, with
 * placeholder values for its required inputs and secrets (`targets`: one target at `healthUrl`), plus `extra`
 * inputs. For running a reusable workflow as a caller would, under act or the offline runner.
 */
export function placeholderCaller(
  file: string,
  text: string,
  healthUrl: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const call = ((parse(text) as { on?: { workflow_call?: WorkflowCallShape } }).on?.workflow_call ??
    {}) as WorkflowCallShape;
  const withValues: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(call.inputs ?? {}))
    if (input.required === true)
      withValues[name] =
        input.type === 'number'
          ? 1
          : input.type === 'boolean'
            ? true
            : name === 'targets'
              ? JSON.stringify([{ environment: 'staging', url: healthUrl }])
              : 'placeholder';
  const secrets: Record<string, string> = {};
  for (const [name, secret] of Object.entries(call.secrets ?? {}))
    if (secret.required === true) secrets[name] = 'placeholder';
  return {
    name: `call ${path.basename(file)}`,
    on: { push: {} },
    permissions: {},
    jobs: { call: { uses: `./${file}`, with: { ...withValues, ...extra }, secrets } },
  };
}
