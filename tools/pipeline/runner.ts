/**
 * Gantry's offline workflow runner: runs a workflow file on this machine the way a GitHub-hosted runner
 * would, without Docker and without a network.
 *
 * - Jobs run one at a time in `needs` order; `if:` with success()/failure()/always()/cancelled();
 *   job outputs, `needs` context, `environment:` with approval rules from the config file.
 * - Steps: `run:` with bash (`bash --noprofile --norc -eo pipefail {0}`, as the runner does), `uses:` of a
 *   local action (`./actions/<name>`: its bundle under Node 24 through testkit/bundle-runner.ts, with a
 *   post step where action.yml declares one), third-party actions through substitutes from the config
 *   file (a missing one stops the run before any job starts), step ids, outputs, continue-on-error,
 *   GITHUB_OUTPUT / GITHUB_ENV / GITHUB_PATH / GITHUB_STEP_SUMMARY.
 * - Reusable workflows (`uses: ./.github/workflows/x.yml` in a job): typed inputs with defaults, secrets
 *   (mapped or `inherit`), outputs from `on.workflow_call.outputs`.
 * Semantics follow https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax.
 */
import type {
  WorkflowJob,
  Job,
  ReusableWorkflowJob,
  Step,
} from '@actions/workflow-parser/model/workflow-template';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFileCommands, runBundle } from '../../testkit/bundle-runner.ts';
import { findSubstitute, localAction, localDefaults, localWorkflow, type PipelineConfig } from './config.ts';
import {
  asString,
  evaluateCondition,
  evaluateStringMap,
  evaluateToken,
  type EvaluationScope,
  type Json,
  type StatusState,
} from './expressions.ts';
import { Masker, StepLog, type Annotation } from './log.ts';
import { actionParser, ErrorPolicy, workflowParser } from './parser.ts';
import {
  child,
  literal,
  loadWorkflow,
  rawJob,
  rawStep,
  workflowCallTrigger,
  type WorkflowFile,
} from './workflow-file.ts';

/** A job's or step's result, in the runner's words. */
export type Result = 'success' | 'failure' | 'cancelled' | 'skipped' | 'waiting';

/** One step as it ran. */
export interface StepReport {
  name: string;
  id: string;
  outcome: Result;
  conclusion: Result;
  durationMs: number;
  /** The step's log as shown (masked). */
  log: string[];
  annotations: Annotation[];
  outputs: Record<string, string>;
}

/** One job as it ran (a called workflow's jobs are reported as `caller / job`). */
export interface JobReport {
  /** Display path, e.g. `deploy / smoke`. */
  id: string;
  name: string;
  result: Result;
  durationMs: number;
  steps: StepReport[];
  /** Step summaries (GITHUB_STEP_SUMMARY), in step order. */
  summaries: string[];
  outputs: Record<string, string>;
  /** Why it was skipped / stopped, when it was. */
  note?: string;
}

/** The whole run. */
export interface RunReport {
  result: Result;
  jobs: JobReport[];
  /** The workflow's outputs (for a workflow_call workflow run directly). */
  outputs: Record<string, string>;
  /** Set when the run stopped early (approval needed). */
  stopped?: string;
  durationMs: number;
}

/** Options of one run. */
export interface RunOptions {
  /** Workflow file to run. */
  workflow: string;
  /** The repository checkout the run works in (GITHUB_WORKSPACE); default: the current directory. */
  workspace?: string;
  /** push, pull_request, workflow_dispatch, workflow_call … (default push). */
  event?: string;
  /** Event payload (default: a minimal payload for the event). */
  eventPayload?: Record<string, Json>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Inputs of a workflow_dispatch or workflow_call workflow. */
  inputs?: Record<string, string>;
  /** Environment every step gets (default: this process's environment). */
  env?: Record<string, string>;
  config: PipelineConfig;
  /** Approve jobs whose environment needs an approval. */
  approve?: boolean;
  /** Where lines go (default: stdout). */
  print?: (line: string) => void;
  /** Print each step's log only when it fails. */
  quiet?: boolean;
  /**
   * Record a GitHub deployment for each job that declares an `environment:`, as GitHub does (POST
   * deployments, then in_progress and the job's result as deployment statuses) on GITHUB_API_URL with
   * secrets.GITHUB_TOKEN. Off by default: it needs a reachable API (the demo's local receiver).
   */
  recordDeployments?: boolean;
  /** Values of the github context to use instead of the local checkout's (sha, ref_name, repository…). */
  github?: Record<string, string>;
  /**
   * Which runner's contexts to build: `github` (default, as GitHub's hosted runners do) or `act`, exactly as
   * nektos/act builds them (see ACT_CONTEXT below): no `job.workflow_*`, no OIDC token provider,
   * `ACT=true`, environments' reviewers skipped, no deployments recorded.
   */
  emulate?: 'github' | 'act';
}

/**
 * What act (nektos/act at bd86152, April 2026) gives a job, read from its source:
 * - pkg/model/job_context.go: the job context has only `status`, `container` {id, network} and `services`;
 *   act's expression interpreter (pkg/exprparser/interpreter.go, getPropertyValue) returns '' for any other
 *   property, so `job.workflow_repository` and `job.workflow_sha` are ''.
 * - pkg/model/github_context.go: the github context's fields (no workflow_ref, workflow_sha,
 *   triggering_actor, repository_id); repository from the git remote, else `nektos/act`
 *   (SetRepositoryAndOwner); pkg/runner/run_context.go getGithubContext: actor `nektos/act` when none is
 *   given, run_id/run_number/run_attempt '1', retention_days '0', server_url https://github.com.
 * - run_context.go GetEnv: `ACT=true` in every job's env (so in the `env` context too); withGithubEnv sets
 *   the GITHUB_* variables and no ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN (act has no OIDC provider).
 */
export const ACT_CONTEXT = {
  commit: 'bd86152165b976e89c24093ceb039d732b5ed95f',
  githubFields: [
    'event',
    'event_path',
    'workflow',
    'run_attempt',
    'run_id',
    'run_number',
    'actor',
    'repository',
    'event_name',
    'sha',
    'ref',
    'ref_name',
    'ref_type',
    'head_ref',
    'base_ref',
    'token',
    'workspace',
    'action',
    'action_path',
    'action_ref',
    'action_repository',
    'job',
    'job_name',
    'repository_owner',
    'retention_days',
    'runner_perflog',
    'runner_tracking_id',
    'server_url',
    'api_url',
    'graphql_url',
  ],
  defaultActor: 'nektos/act',
  defaultRepository: 'nektos/act',
} as const;

/** `owner/repo` of the workspace's `origin` remote on GitHub (as act's git.FindGithubRepo), or undefined. */
function githubRemote(workspace: string): string | undefined {
  const url = git(workspace, ['remote', 'get-url', 'origin'], '');
  const match = /github\.com[:/]([^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(url);
  return match?.[1];
}

/** Thrown before any job runs when a workflow uses a third-party action without a local substitute. */
export class MissingSubstituteError extends Error {
  readonly actions: string[];
  constructor(missing: { uses: string; where: string }[], configSource: string) {
    super(
      `No local substitute for ${missing.map((m) => `${m.uses} (${m.where})`).join(', ')}.\n` +
        `The offline runner does not skip actions: declare a substitute under \`substitutes:\` in ${configSource}, ` +
        `or use a local action (./actions/<name>).`,
    );
    this.name = 'MissingSubstituteError';
    this.actions = missing.map((m) => m.uses);
  }
}

interface StepState {
  outputs: Record<string, string>;
  outcome: Result;
  conclusion: Result;
}

interface RunState {
  options: RunOptions;
  workspace: string;
  masker: Masker;
  print: (line: string) => void;
  github: Record<string, Json>;
  baseEnv: Record<string, string>;
  temp: string;
  reports: JobReport[];
  cancelled: boolean;
  stopped?: string;
}

interface CallFrame {
  workflow: WorkflowFile;
  inputs: Record<string, Json>;
  secrets: Record<string, string>;
  /** Display prefix of the calling job (`deploy / `). */
  prefix: string;
}

interface JobOutcome {
  result: Result;
  outputs: Record<string, string>;
}

const RUNNER_FILES = ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY'];

function git(workspace: string, args: string[], fallback: string): string {
  try {
    return execFileSync('git', args, {
      cwd: workspace,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return fallback;
  }
}

/** A minimal event payload of the kind GitHub sends, for the local checkout. */
function defaultPayload(
  event: string,
  github: Record<string, Json>,
  inputs: Record<string, string>,
): Record<string, Json> {
  const repository = {
    full_name: github['repository'] as string,
    name: String(github['repository']).split('/')[1] ?? '',
    owner: { login: github['repository_owner'] as string },
    default_branch: 'main',
  };
  switch (event) {
    case 'pull_request':
      return {
        action: 'opened',
        number: 1,
        pull_request: {
          number: 1,
          head: { ref: github['ref_name'] as string, sha: github['sha'] as string },
          base: { ref: 'main', sha: github['sha'] as string },
        },
        repository,
      };
    case 'workflow_dispatch':
      return { inputs, ref: github['ref'] as string, repository };
    default:
      return {
        ref: github['ref'] as string,
        before: '0000000000000000000000000000000000000000',
        after: github['sha'] as string,
        head_commit: {
          id: github['sha'] as string,
          message: git(process.cwd(), ['log', '-1', '--format=%s'], ''),
        },
        pusher: { name: github['actor'] as string },
        repository,
      };
  }
}

function stepDisplayName(step: Step, index: number, scope: EvaluationScope): string {
  if (step.name !== undefined) {
    try {
      return asString(evaluateToken(step.name, scope));
    } catch {
      return step.name.toString();
    }
  }
  if ('run' in step) {
    const run = step.run;
    const text = workflowParser.isString(run)
      ? run.value
      : workflowParser.isBasicExpression(run)
        ? (run.source ?? run.toString())
        : run.toString();
    return `Run ${text.trim().split('\n')[0]?.slice(0, 60) ?? ''}`;
  }
  if ('uses' in step) return `Run ${step.uses.value}`;
  return `Step ${index + 1}`;
}

function topologicalOrder(jobs: WorkflowJob[]): WorkflowJob[] {
  const byId = new Map(jobs.map((job) => [job.id.value, job]));
  const ordered: WorkflowJob[] = [];
  const seen = new Set<string>();
  const visit = (job: WorkflowJob): void => {
    if (seen.has(job.id.value)) return;
    seen.add(job.id.value);
    for (const need of job.needs ?? []) {
      const dependency = byId.get(need.value);
      if (dependency !== undefined) visit(dependency);
    }
    ordered.push(job);
  };
  for (const job of jobs) visit(job);
  return ordered;
}

function ancestors(job: WorkflowJob, byId: Map<string, WorkflowJob>): string[] {
  const found = new Set<string>();
  const stack = (job.needs ?? []).map((need) => need.value);
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (found.has(id)) continue;
    found.add(id);
    for (const need of byId.get(id)?.needs ?? []) stack.push(need.value);
  }
  return [...found];
}

/**
 * Lists the third-party actions and remote workflows of a workflow (and of the local workflows it calls)
 * that have no substitute in the config.
 */
export async function findMissingSubstitutes(
  workflow: WorkflowFile,
  config: PipelineConfig,
  workspace: string,
  seen = new Set<string>(),
): Promise<{ uses: string; where: string }[]> {
  if (seen.has(workflow.path)) return [];
  seen.add(workflow.path);
  const missing: { uses: string; where: string }[] = [];
  const file = path.relative(workspace, workflow.path);
  for (const job of workflow.template.jobs) {
    if (job.type === 'reusableWorkflowJob') {
      const local = localWorkflow(config, job.ref.value);
      if (local !== undefined) {
        const called = await loadWorkflow(path.join(workspace, local));
        missing.push(...(await findMissingSubstitutes(called, config, workspace, seen)));
      } else missing.push({ uses: job.ref.value, where: `${file} job ${job.id.value}` });
      continue;
    }
    job.steps.forEach((step, index) => {
      if (!('uses' in step)) return;
      const uses = step.uses.value;
      if (uses.startsWith('./') || localAction(config, uses) !== undefined) return;
      if (uses.startsWith('docker://') || findSubstitute(config, uses) === undefined)
        missing.push({ uses, where: `${file} job ${job.id.value} step ${index + 1}` });
    });
  }
  return missing;
}

/**
 * Runs a workflow file and reports every job.
 * @returns the run's report; its `result` is `failure` when a job failed, `waiting` when it stopped
 *   at an environment that needs an approval
 * @throws WorkflowFileError (invalid workflow), MissingSubstituteError (before any job starts), Error for a
 *   missing required input or an event the workflow is not triggered by
 */
export async function runWorkflow(options: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const workspace = path.resolve(options.workspace ?? process.cwd());
  const workflow = await loadWorkflow(path.resolve(workspace, options.workflow));
  const missing = await findMissingSubstitutes(workflow, options.config, workspace);
  if (missing.length > 0) throw new MissingSubstituteError(missing, options.config.source);

  const event = options.event ?? 'push';
  const events = workflow.template.events;
  if (
    events[event] === undefined &&
    events.workflow_call === undefined &&
    events.workflow_dispatch === undefined
  )
    throw new Error(
      `${options.workflow} is not triggered by ${event} (it has: ${Object.keys(events).join(', ') || 'no triggers'}).`,
    );

  const masker = new Masker();
  for (const value of Object.values(options.secrets ?? {})) masker.add(value);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const temp = await mkdtemp(path.join(tmpdir(), 'gantry-pipeline-'));
  const baseEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? process.env))
    if (
      value !== undefined &&
      !RUNNER_FILES.includes(key) &&
      !key.startsWith('INPUT_') &&
      !key.startsWith('STATE_')
    )
      baseEnv[key] = value;

  const repository = baseEnv['GITHUB_REPOSITORY'] ?? `local/${path.basename(workspace)}`;
  const branch = git(workspace, ['rev-parse', '--abbrev-ref', 'HEAD'], 'main');
  const github: Record<string, Json> = {
    event_name: event,
    sha: git(workspace, ['rev-parse', 'HEAD'], '0'.repeat(40)),
    ref: `refs/heads/${branch}`,
    ref_name: branch,
    ref_type: 'branch',
    repository,
    repository_owner: repository.split('/')[0] ?? 'local',
    actor: baseEnv['GITHUB_ACTOR'] ?? (baseEnv['USER'] || 'local'),
    triggering_actor: baseEnv['GITHUB_ACTOR'] ?? (baseEnv['USER'] || 'local'),
    run_id: String(Date.now()),
    run_number: '1',
    run_attempt: '1',
    workflow: literal(workflow.root, 'name') ?? path.relative(workspace, workflow.path),
    workflow_ref: `${repository}/${path.relative(workspace, workflow.path)}@refs/heads/${branch}`,
    workspace,
    server_url: baseEnv['GITHUB_SERVER_URL'] ?? 'https://github.com',
    api_url: baseEnv['GITHUB_API_URL'] ?? 'https://api.github.com',
    graphql_url: baseEnv['GITHUB_GRAPHQL_URL'] ?? 'https://api.github.com/graphql',
    token: options.secrets?.['GITHUB_TOKEN'] ?? 'local-github-token',
    event_path: path.join(temp, 'event.json'),
    head_ref: '',
    base_ref: '',
    retention_days: '90',
  };
  if (options.emulate === 'act') {
    const repo = baseEnv['GITHUB_REPOSITORY'] ?? githubRemote(workspace) ?? ACT_CONTEXT.defaultRepository;
    Object.assign(github, {
      repository: repo,
      repository_owner: repo.split('/')[0] ?? '',
      actor: baseEnv['GITHUB_ACTOR'] ?? ACT_CONTEXT.defaultActor,
      run_id: '1',
      run_number: '1',
      run_attempt: '1',
      retention_days: '0',
      runner_perflog: '/dev/null',
      runner_tracking_id: '',
    });
    for (const key of Object.keys(github))
      if (!(ACT_CONTEXT.githubFields as readonly string[]).includes(key)) delete github[key];
    for (const key of ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']) delete baseEnv[key];
    baseEnv['ACT'] = 'true';
  }
  Object.assign(github, options.github ?? {});
  if (options.github?.['ref_name'] !== undefined && options.github['ref'] === undefined)
    github['ref'] = `refs/heads/${options.github['ref_name']}`;
  const payload = options.eventPayload ?? defaultPayload(event, github, options.inputs ?? {});
  github['event'] = payload;
  if (event === 'pull_request') {
    github['head_ref'] = branch;
    github['base_ref'] = 'main';
  }
  masker.add(github['token'] as string);
  await writeFile(github['event_path'] as string, JSON.stringify(payload, null, 2));

  const state: RunState = {
    options,
    workspace,
    masker,
    print,
    github,
    baseEnv,
    temp,
    reports: [],
    cancelled: false,
  };
  const onSignal = (): void => {
    state.cancelled = true;
    print(
      '⚠ cancel requested: remaining steps run only if their condition allows it (always(), cancelled())',
    );
  };
  process.once('SIGINT', onSignal);
  try {
    const inputs = resolveInputs(workflow, options.inputs ?? {}, event);
    // As on GitHub, `secrets.GITHUB_TOKEN` is always there (the run's token).
    const secrets = { GITHUB_TOKEN: String(github['token']), ...options.secrets };
    const outcome = await runJobs({ workflow, inputs, secrets, prefix: '' }, state);
    const result: Result = state.stopped !== undefined ? 'waiting' : outcome.result;
    const report: RunReport = {
      result,
      jobs: state.reports,
      outputs: outcome.outputs,
      durationMs: performance.now() - started,
    };
    if (state.stopped !== undefined) report.stopped = state.stopped;
    return report;
  } finally {
    process.removeListener('SIGINT', onSignal);
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Input definitions of the trigger the workflow runs as (workflow_call, else workflow_dispatch). */
function inputDefinitions(workflow: WorkflowFile, event: string): TemplateToken | undefined {
  const on = child(workflow.root, 'on');
  const call = workflowCallTrigger(workflow);
  if (event !== 'workflow_dispatch' && call !== undefined) return child(call, 'inputs');
  return child(child(on, 'workflow_dispatch'), 'inputs') ?? child(call, 'inputs');
}

/**
 * Applies input definitions (type, default, required) to given string values, as GitHub does for
 * workflow_call and workflow_dispatch: booleans and numbers become typed values.
 * @throws Error naming a required input that is missing or a value of the wrong type
 */
function resolveInputs(
  workflow: WorkflowFile,
  given: Record<string, Json>,
  event: string,
  scope?: EvaluationScope,
): Record<string, Json> {
  const definitions = inputDefinitions(workflow, event);
  const result: Record<string, Json> = {};
  const file = path.basename(workflow.path);
  if (definitions === undefined || !workflowParser.isMapping(definitions)) return { ...given };
  const declared = new Set<string>();
  for (const pair of definitions) {
    const name = asString(evaluateToken(pair.key, { contexts: {} }));
    declared.add(name);
    const type = literal(pair.value, 'type') ?? 'string';
    const required = literal(pair.value, 'required') === 'true';
    let value: Json | undefined = given[name];
    if (value === undefined) {
      const fallback = child(pair.value, 'default');
      if (fallback !== undefined) value = evaluateToken(fallback, scope ?? { contexts: {} });
    }
    if (value === undefined || value === null) {
      if (required) throw new Error(`${file}: input "${name}" is required (pass --input ${name}=…).`);
      value = type === 'boolean' ? false : type === 'number' ? 0 : '';
    }
    if (type === 'boolean' && typeof value === 'string') {
      if (value !== 'true' && value !== 'false')
        throw new Error(`${file}: input "${name}" is a boolean: true or false, not "${value}".`);
      value = value === 'true';
    }
    if (type === 'number' && typeof value === 'string') {
      const number = Number(value);
      if (value.trim() === '' || Number.isNaN(number))
        throw new Error(`${file}: input "${name}" is a number, not "${value}".`);
      value = number;
    }
    if ((type === 'string' || type === 'choice' || type === 'environment') && typeof value !== 'string')
      value = asString(value);
    if (type === 'choice') {
      const options = child(pair.value, 'options');
      const allowed = options !== undefined ? (evaluateToken(options, { contexts: {} }) as Json[]) : [];
      if (allowed.length > 0 && !allowed.includes(value))
        throw new Error(`${file}: input "${name}" must be one of ${allowed.join(', ')}.`);
    }
    result[name] = value;
  }
  for (const name of Object.keys(given))
    if (!declared.has(name))
      throw new Error(`${file}: no input named "${name}" (it declares: ${[...declared].join(', ')}).`);
  return result;
}

async function runJobs(frame: CallFrame, state: RunState): Promise<JobOutcome> {
  const jobs = topologicalOrder(frame.workflow.template.jobs);
  const byId = new Map(jobs.map((job) => [job.id.value, job]));
  const results = new Map<string, JobOutcome>();
  const workflowEnvScope: EvaluationScope = {
    contexts: {
      github: state.github,
      inputs: frame.inputs,
      vars: state.options.vars ?? {},
      secrets: frame.secrets,
      env: {},
    },
    workspace: state.workspace,
  };
  const workflowEnv = evaluateStringMap(frame.workflow.template.env, workflowEnvScope);
  // act puts ACT=true into every job's env after merging the workflow's (run_context.go GetEnv).
  if (state.options.emulate === 'act') workflowEnv['ACT'] = 'true';

  for (const job of jobs) {
    const id = job.id.value;
    const display = `${frame.prefix}${id}`;
    if (state.stopped !== undefined) break;
    const needs: Record<string, Json> = {};
    for (const need of job.needs ?? []) {
      const done = results.get(need.value);
      needs[need.value] = { result: done?.result ?? 'skipped', outputs: done?.outputs ?? {} };
    }
    const upstream = ancestors(job, byId).map((name) => results.get(name)?.result ?? 'skipped');
    const status: StatusState = {
      success: (job.needs ?? []).every((need) => results.get(need.value)?.result === 'success'),
      failure: upstream.some((result) => result === 'failure'),
      cancelled: state.cancelled,
    };
    const scope: EvaluationScope = {
      contexts: { github: state.github, needs, vars: state.options.vars ?? {}, inputs: frame.inputs },
      status,
      workspace: state.workspace,
    };
    // A matrix job's name may use `matrix.*`, which exists only per combination (runMatrix names those).
    const name = ((): string => {
      if (job.name === undefined) return id;
      try {
        return asString(
          evaluateToken(job.name, { ...scope, contexts: { ...scope.contexts, matrix: {}, strategy: {} } }),
        );
      } catch {
        return id;
      }
    })();
    if (!evaluateCondition(job.if.expression, scope)) {
      state.print(`○ ${display} skipped (if: ${job.if.expression})`);
      state.reports.push({
        id: display,
        name,
        result: 'skipped',
        durationMs: 0,
        steps: [],
        summaries: [],
        outputs: {},
        note: `if: ${job.if.expression}`,
      });
      results.set(id, { result: 'skipped', outputs: {} });
      continue;
    }
    let outcome: JobOutcome;
    if (job.type === 'reusableWorkflowJob')
      outcome = await runCalledWorkflow(job, frame, scope, display, state);
    else if (job.strategy === undefined)
      outcome = await runJob(job, frame, scope, workflowEnv, display, name, state);
    else outcome = await runMatrix(job, frame, scope, workflowEnv, display, name, state);
    results.set(id, outcome);
  }

  const jobsContext: Record<string, Json> = {};
  for (const [id, outcome] of results) jobsContext[id] = { result: outcome.result, outputs: outcome.outputs };
  const failed = [...results.values()].some(
    (outcome) => outcome.result === 'failure' || outcome.result === 'cancelled',
  );
  const outputs: Record<string, string> = {};
  const outputDefinitions = child(workflowCallTrigger(frame.workflow), 'outputs');
  if (outputDefinitions !== undefined && workflowParser.isMapping(outputDefinitions)) {
    const scope: EvaluationScope = {
      contexts: {
        github: state.github,
        inputs: frame.inputs,
        vars: state.options.vars ?? {},
        jobs: jobsContext,
      },
      workspace: state.workspace,
    };
    for (const pair of outputDefinitions) {
      const key = asString(evaluateToken(pair.key, { contexts: {} }));
      outputs[key] = asString(evaluateToken(child(pair.value, 'value'), scope));
    }
  }
  return { result: failed ? 'failure' : state.cancelled ? 'cancelled' : 'success', outputs };
}

/**
 * Expands `strategy.matrix` as GitHub does: the cross product of its keys, less `exclude` entries (an
 * entry matches a combination when all its keys match), then each `include` entry either extends every
 * combination whose original values it matches (without overwriting them) or, matching none, is added as a
 * combination of its own. https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations
 */
export function expandMatrix(matrix: Record<string, Json>): Record<string, Json>[] {
  const same = (a: Json | undefined, b: Json | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);
  const keys = Object.keys(matrix).filter((key) => key !== 'include' && key !== 'exclude');
  let combinations: Record<string, Json>[] = keys.length > 0 ? [{}] : [];
  for (const key of keys) {
    const values = matrix[key];
    const list = Array.isArray(values) ? values : [values ?? null];
    combinations = combinations.flatMap((combination) =>
      list.map((value) => ({ ...combination, [key]: value })),
    );
  }
  const asEntries = (value: Json | undefined): Record<string, Json>[] =>
    Array.isArray(value)
      ? value.filter(
          (item): item is Record<string, Json> =>
            item !== null && typeof item === 'object' && !Array.isArray(item),
        )
      : [];
  for (const exclusion of asEntries(matrix['exclude']))
    combinations = combinations.filter(
      (c) => !Object.entries(exclusion).every(([key, value]) => same(c[key], value)),
    );
  const originals = combinations.map((combination) => ({ ...combination }));
  for (const inclusion of asEntries(matrix['include'])) {
    let matched = false;
    combinations.forEach((combination, index) => {
      const original = originals[index] ?? {};
      const compatible = Object.entries(inclusion).every(
        ([key, value]) => !(key in original) || same(original[key], value),
      );
      if (compatible && Object.keys(original).length > 0) {
        matched = true;
        for (const [key, value] of Object.entries(inclusion))
          if (!(key in original)) combination[key] = value;
      }
    });
    if (!matched) combinations.push({ ...inclusion });
  }
  return combinations;
}

function matrixLabel(combination: Record<string, Json>): string {
  return Object.values(combination)
    .map((value) => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)))
    .join(', ');
}

async function runMatrix(
  job: Job,
  frame: CallFrame,
  scope: EvaluationScope,
  workflowEnv: Record<string, string>,
  display: string,
  name: string,
  state: RunState,
): Promise<JobOutcome> {
  const strategy = evaluateToken(job.strategy, {
    ...scope,
    contexts: { ...scope.contexts, secrets: frame.secrets },
  });
  const settings =
    strategy !== null && typeof strategy === 'object' && !Array.isArray(strategy) ? strategy : {};
  const matrix = settings['matrix'];
  const combinations =
    matrix !== null && typeof matrix === 'object' && !Array.isArray(matrix) ? expandMatrix(matrix) : [];
  if (combinations.length === 0) throw new Error(`job ${display}: the matrix has no combinations`);
  const failFast = settings['fail-fast'] !== false;
  let failed = false;
  let outputs: Record<string, string> = {};
  for (const [index, combination] of combinations.entries()) {
    const label = `${display} (${matrixLabel(combination)})`;
    if (failed && failFast) {
      state.print(`○ ${label} cancelled (fail-fast)`);
      state.reports.push({
        id: label,
        name,
        result: 'cancelled',
        durationMs: 0,
        steps: [],
        summaries: [],
        outputs: {},
        note: 'fail-fast',
      });
      continue;
    }
    const jobScope: EvaluationScope = {
      ...scope,
      contexts: {
        ...scope.contexts,
        matrix: combination,
        strategy: {
          'fail-fast': failFast,
          'job-index': index,
          'job-total': combinations.length,
          'max-parallel': 1,
        },
      },
    };
    const outcome = await runJob(job, frame, jobScope, workflowEnv, label, name, state);
    if (outcome.result === 'waiting') return outcome;
    if (outcome.result === 'failure') failed = true;
    // As on GitHub, a matrix job's outputs are those of the last instance that set them.
    outputs = {
      ...outputs,
      ...Object.fromEntries(Object.entries(outcome.outputs).filter(([, value]) => value !== '')),
    };
  }
  return { result: failed ? 'failure' : 'success', outputs };
}

async function runCalledWorkflow(
  job: ReusableWorkflowJob,
  frame: CallFrame,
  scope: EvaluationScope,
  display: string,
  state: RunState,
): Promise<JobOutcome> {
  const started = performance.now();
  const local = localWorkflow(state.options.config, job.ref.value);
  if (local === undefined)
    throw new MissingSubstituteError([{ uses: job.ref.value, where: display }], state.options.config.source);
  if (local !== job.ref.value) state.print(`│ ${job.ref.value} → ${local} (${state.options.config.source})`);
  const called = await loadWorkflow(path.join(state.workspace, local));
  if (called.template.events.workflow_call === undefined)
    throw new Error(`${job.ref.value} is called by job ${display} but has no \`on: workflow_call\`.`);
  const callScope: EvaluationScope = { ...scope, contexts: { ...scope.contexts, secrets: frame.secrets } };
  const given: Record<string, Json> = {};
  const values = evaluateToken(job['input-values'], callScope);
  if (values !== null && typeof values === 'object' && !Array.isArray(values)) Object.assign(given, values);
  const secrets =
    job['inherit-secrets'] === true
      ? { ...frame.secrets }
      : evaluateStringMap(job['secret-values'], callScope);
  for (const value of Object.values(secrets)) state.masker.add(value);
  const inputs = resolveInputs(called, given, 'workflow_call', callScope);
  state.print(`┌ ${display} → ${job.ref.value}`);
  const outcome = await runJobs({ workflow: called, inputs, secrets, prefix: `${display} / ` }, state);
  const result: Result = state.stopped !== undefined ? 'waiting' : outcome.result;
  state.print(`└ ${display}: ${result}`);
  state.reports.push({
    id: display,
    name: job.ref.value,
    result,
    durationMs: performance.now() - started,
    steps: [],
    summaries: [],
    outputs: outcome.outputs,
    note: 'reusable workflow',
  });
  return { result, outputs: outcome.outputs };
}

interface JobRuntime {
  env: Record<string, string>;
  /** Variables exported through GITHUB_ENV by earlier steps. */
  exported: Record<string, string>;
  path: string[];
  steps: Record<string, StepState>;
  status: 'success' | 'failure' | 'cancelled';
  summaries: string[];
  posts: { name: string; condition: string; run: () => Promise<StepReport> }[];
  temp: string;
  display: string;
}

function runnerEnv(state: RunState, job: JobRuntime, jobId: string): Record<string, string> {
  const github = state.github;
  const env: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: state.workspace,
    GITHUB_SHA: String(github['sha']),
    GITHUB_REF: String(github['ref']),
    GITHUB_REF_NAME: String(github['ref_name']),
    GITHUB_REF_TYPE: 'branch',
    GITHUB_HEAD_REF: String(github['head_ref']),
    GITHUB_BASE_REF: String(github['base_ref']),
    GITHUB_REPOSITORY: String(github['repository']),
    GITHUB_REPOSITORY_OWNER: String(github['repository_owner']),
    GITHUB_EVENT_NAME: String(github['event_name']),
    GITHUB_EVENT_PATH: String(github['event_path']),
    GITHUB_ACTOR: String(github['actor']),
    GITHUB_TRIGGERING_ACTOR: String(github['triggering_actor']),
    GITHUB_RUN_ID: String(github['run_id']),
    GITHUB_RUN_NUMBER: String(github['run_number']),
    GITHUB_RUN_ATTEMPT: String(github['run_attempt']),
    GITHUB_WORKFLOW: String(github['workflow']),
    GITHUB_WORKFLOW_REF: String(github['workflow_ref']),
    GITHUB_JOB: jobId,
    GITHUB_SERVER_URL: String(github['server_url']),
    GITHUB_API_URL: String(github['api_url']),
    GITHUB_GRAPHQL_URL: String(github['graphql_url']),
    GITHUB_RETENTION_DAYS: '90',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: process.arch === 'arm64' ? 'ARM64' : 'X64',
    RUNNER_NAME: 'gantry-local',
    RUNNER_ENVIRONMENT: 'self-hosted',
    RUNNER_TEMP: path.join(job.temp, 'runner-temp'),
    RUNNER_TOOL_CACHE: path.join(state.temp, 'tool-cache'),
    // The run's own folder (not a runner variable): substitutes keep run-wide things there, e.g. artifacts.
    GANTRY_PIPELINE_RUN_DIR: state.temp,
  };
  if (state.options.emulate === 'act') {
    // act's withGithubEnv sets neither of these, and ACT=true comes with the job's env.
    delete env['GITHUB_WORKFLOW_REF'];
    delete env['GITHUB_TRIGGERING_ACTOR'];
    env['GITHUB_RETENTION_DAYS'] = '0';
    env['ACT'] = 'true';
  }
  return env;
}

function runnerContext(job: JobRuntime): Record<string, Json> {
  return {
    os: 'Linux',
    arch: process.arch === 'arm64' ? 'ARM64' : 'X64',
    name: 'gantry-local',
    environment: 'self-hosted',
    temp: path.join(job.temp, 'runner-temp'),
    tool_cache: path.join(job.temp, 'tool-cache'),
    debug: '',
  };
}

async function runJob(
  job: Job,
  frame: CallFrame,
  jobScope: EvaluationScope,
  workflowEnv: Record<string, string>,
  display: string,
  name: string,
  state: RunState,
): Promise<JobOutcome> {
  const started = performance.now();
  const id = job.id.value;
  const report: JobReport = {
    id: display,
    name,
    result: 'success',
    durationMs: 0,
    steps: [],
    summaries: [],
    outputs: {},
  };
  state.reports.push(report);
  const scopeWithSecrets: EvaluationScope = {
    ...jobScope,
    contexts: { ...jobScope.contexts, secrets: frame.secrets, env: workflowEnv },
  };

  // environment: and its protection rule
  let environmentName: string | undefined;
  let environmentUrl = '';
  if (job.environment !== undefined) {
    const environment = evaluateToken(job.environment, scopeWithSecrets);
    if (typeof environment === 'string') environmentName = environment;
    else if (environment !== null && typeof environment === 'object' && !Array.isArray(environment)) {
      environmentName = asString(environment['name'] ?? '');
      environmentUrl = asString(environment['url'] ?? '');
    }
    if (environmentName === '') environmentName = undefined;
  }
  state.print(
    `┌ ${display}${name !== id ? ` (${name})` : ''}${environmentName ? ` · environment ${environmentName}` : ''}`,
  );
  const rule = environmentName !== undefined ? state.options.config.environments[environmentName] : undefined;
  if (rule?.approval === true && state.options.emulate === 'act') {
    state.print(`│ environment "${environmentName}": act does not enforce required reviewers; the job runs`);
  } else if (rule?.approval === true) {
    const who = rule.reviewers?.length ? ` (reviewers: ${rule.reviewers.join(', ')})` : '';
    if (state.options.approve !== true) {
      const message = `${display} would wait for an approval of environment "${environmentName}"${who}; run again with --approve to approve it locally.`;
      state.print(`│ ⏸ ${message}`);
      state.print(`└ ${display}: waiting`);
      state.stopped = message;
      report.result = 'waiting';
      report.note = message;
      return { result: 'waiting', outputs: {} };
    }
    state.print(`│ ✔ environment "${environmentName}" approved locally (--approve)${who}`);
  }

  const deployment =
    environmentName !== undefined &&
    state.options.recordDeployments === true &&
    state.options.emulate !== 'act'
      ? await recordDeployment(state, environmentName)
      : undefined;
  const temp = await mkdtemp(path.join(state.temp, `job-${id}-`));
  await mkdir(path.join(temp, 'runner-temp'), { recursive: true });
  const runtime: JobRuntime = {
    env: {},
    exported: {},
    path: [],
    steps: {},
    status: 'success',
    summaries: [],
    posts: [],
    temp,
    display,
  };
  runtime.env = { ...workflowEnv, ...evaluateStringMap(job.env, scopeWithSecrets) };
  const raw = rawJob(frame.workflow, id);
  const defaultsRun = child(child(raw, 'defaults'), 'run');
  const workflowDefaultsRun = child(child(frame.workflow.root, 'defaults'), 'run');
  const jobTimeoutMinutes = Number(literal(raw, 'timeout-minutes') ?? '360');
  const jobDeadline = Date.now() + jobTimeoutMinutes * 60_000;

  for (const [index, step] of job.steps.entries()) {
    const stepRaw = rawStep(frame.workflow, id, index);
    const stepReport = await runStep(step, stepRaw, index, {
      state,
      frame,
      runtime,
      jobScope,
      jobId: id,
      defaults: {
        shell:
          setting(defaultsRun, 'shell', scopeWithSecrets) ??
          setting(workflowDefaultsRun, 'shell', scopeWithSecrets),
        workingDirectory:
          setting(defaultsRun, 'working-directory', scopeWithSecrets) ??
          setting(workflowDefaultsRun, 'working-directory', scopeWithSecrets),
      },
      deadline: jobDeadline,
    });
    report.steps.push(stepReport);
  }
  // post steps, last registered first; post-if defaults to always()
  for (const post of [...runtime.posts].reverse()) {
    const scope = stepScope(state, frame, runtime, jobScope);
    if (!evaluateCondition(post.condition, scope)) continue;
    const postReport = await post.run();
    report.steps.push(postReport);
    if (postReport.conclusion === 'failure') runtime.status = 'failure';
  }

  const outputScope = stepScope(state, frame, runtime, jobScope);
  const outputs = evaluateStringMap(job.outputs, outputScope);
  for (const [key, value] of Object.entries(outputs)) {
    if (state.masker.contains(value)) {
      state.print(`│ warning: job output "${key}" holds a secret: it is not passed on (as GitHub does)`);
      delete outputs[key];
    }
  }
  report.outputs = outputs;
  report.summaries = runtime.summaries;
  report.result = runtime.status;
  if (deployment !== undefined)
    await deployment.finish(
      runtime.status === 'success' ? 'success' : runtime.status === 'cancelled' ? 'error' : 'failure',
      environmentUrl,
    );
  report.durationMs = performance.now() - started;
  state.print(`└ ${display}: ${runtime.status} (${(report.durationMs / 1000).toFixed(1)} s)`);
  return { result: runtime.status, outputs };
}

/**
 * Creates a deployment for `environment` and marks it in_progress, as GitHub does when a job with an
 * environment starts (https://docs.github.com/en/rest/deployments/deployments). Failures are printed as
 * warnings: they never fail the job.
 * @returns `finish(state, url)` to add the job's final status, or undefined when the API refused
 */
async function recordDeployment(
  state: RunState,
  environment: string,
): Promise<{ finish: (result: string, url: string) => Promise<void> } | undefined> {
  const api = String(state.github['api_url']).replace(/\/$/, '');
  const repository = String(state.github['repository']);
  const headers = {
    authorization: `Bearer ${String(state.github['token'])}`,
    accept: 'application/vnd.github+json',
    'content-type': 'application/json',
  };
  const post = async (url: string, body: Record<string, Json>): Promise<Record<string, Json>> => {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return (await response.json()) as Record<string, Json>;
  };
  try {
    const created = await post(`${api}/repos/${repository}/deployments`, {
      ref: String(state.github['sha']),
      environment,
      auto_merge: false,
      required_contexts: [],
      description: `${String(state.github['workflow'])} (local run)`,
    });
    const statuses = `${api}/repos/${repository}/deployments/${String(created['id'])}/statuses`;
    await post(statuses, { state: 'in_progress' });
    state.print(`│ deployment #${String(created['id'])} to ${environment}: in_progress`);
    return {
      finish: async (result, url) => {
        await post(statuses, { state: result, ...(url !== '' ? { environment_url: url } : {}) }).catch(
          (error: unknown) =>
            state.print(`│ warning: deployment status not recorded: ${(error as Error).message}`),
        );
        state.print(`│ deployment #${String(created['id'])} to ${environment}: ${result}`);
      },
    };
  } catch (error) {
    state.print(`│ warning: no deployment recorded for ${environment}: ${(error as Error).message}`);
    return undefined;
  }
}

/** A string setting of a mapping (`shell`, `working-directory`), expressions evaluated; undefined when absent. */
function setting(token: TemplateToken | undefined, key: string, scope: EvaluationScope): string | undefined {
  const value = child(token, key);
  return value === undefined ? undefined : asString(evaluateToken(value, scope));
}

function stepScope(
  state: RunState,
  frame: CallFrame,
  runtime: JobRuntime,
  jobScope: EvaluationScope,
): EvaluationScope {
  const steps: Record<string, Json> = {};
  for (const [key, value] of Object.entries(runtime.steps)) steps[key] = { ...value };
  return {
    contexts: {
      ...jobScope.contexts,
      secrets: frame.secrets,
      env: { ...runtime.exported, ...runtime.env },
      steps,
      job:
        state.options.emulate === 'act'
          ? { status: runtime.status, container: { id: '', network: '' }, services: {} }
          : {
              status: runtime.status,
              workflow_repository: String(state.github['repository']),
              workflow_sha: String(state.github['sha']),
              workflow_ref: String(state.github['workflow_ref']),
              workflow_file_path: path.relative(state.workspace, frame.workflow.path),
            },
      runner: runnerContext(runtime),
      matrix: jobScope.contexts['matrix'] ?? {},
      strategy: jobScope.contexts['strategy'] ?? {},
    },
    status: {
      success: runtime.status === 'success',
      failure: runtime.status === 'failure',
      cancelled: state.cancelled,
    },
    workspace: state.workspace,
  };
}

interface StepContext {
  state: RunState;
  frame: CallFrame;
  runtime: JobRuntime;
  jobScope: EvaluationScope;
  jobId: string;
  defaults: { shell: string | undefined; workingDirectory: string | undefined };
  deadline: number;
}

interface Execution {
  ok: boolean;
  outputs: Record<string, string>;
  env: Record<string, string>;
  path: string[];
  summary: string;
}

async function runStep(
  step: Step,
  raw: TemplateToken | undefined,
  index: number,
  context: StepContext,
): Promise<StepReport> {
  const { state, frame, runtime, jobScope } = context;
  const scope = stepScope(state, frame, runtime, jobScope);
  const name = stepDisplayName(step, index, scope);
  const id = step.id !== '' && !step.id.startsWith('__') ? step.id : `__step${index + 1}`;
  const report: StepReport = {
    name,
    id,
    outcome: 'skipped',
    conclusion: 'skipped',
    durationMs: 0,
    log: [],
    annotations: [],
    outputs: {},
  };
  const condition = 'if' in step && step.if !== undefined ? step.if.expression : 'success()';
  let run: boolean;
  try {
    run = evaluateCondition(condition, scope);
  } catch (error) {
    state.print(`│ ✗ ${name}: ${(error as Error).message}`);
    runtime.status = 'failure';
    report.outcome = report.conclusion = 'failure';
    return report;
  }
  if (!run) {
    state.print(`│ ○ ${name} (skipped: if ${condition})`);
    runtime.steps[id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
    return report;
  }

  const started = performance.now();
  state.print(`│ ▶ ${name}`);
  const log = new StepLog(
    state.masker,
    state.options.quiet ? () => undefined : state.print,
    '│   ',
    state.baseEnv['RUNNER_DEBUG'] === '1',
  );
  let execution: Execution;
  try {
    const stepEnv = evaluateStringMap('env' in step ? step.env : undefined, scope);
    const env: Record<string, string> = {
      ...state.baseEnv,
      ...runnerEnv(state, runtime, context.jobId),
      ...runtime.exported,
      ...runtime.env,
      ...stepEnv,
    };
    if (runtime.path.length > 0)
      env['PATH'] = [...runtime.path]
        .reverse()
        .concat(env['PATH'] ?? '')
        .join(':');
    const timeoutMinutes = Number(literal(raw, 'timeout-minutes') ?? '0');
    const timeoutMs = Math.max(
      1000,
      Math.min(timeoutMinutes > 0 ? timeoutMinutes * 60_000 : Infinity, context.deadline - Date.now()),
    );
    if ('run' in step) {
      const script = asString(evaluateToken(step.run, scope));
      const shell = setting(raw, 'shell', scope) ?? context.defaults.shell ?? 'bash';
      const workingDirectory = setting(raw, 'working-directory', scope) ?? context.defaults.workingDirectory;
      execution = await runScript(
        script,
        shell,
        path.resolve(state.workspace, workingDirectory ?? '.'),
        env,
        runtime,
        log,
        timeoutMs,
      );
    } else if ('uses' in step) {
      const withValues = evaluateStringMap(child(raw, 'with'), scope);
      execution = await runUses(step.uses.value, withValues, env, scope, context, log, timeoutMs, name);
    } else {
      throw new Error(`step ${index + 1} of ${runtime.display}: only run: and uses: steps are supported`);
    }
  } catch (error) {
    log.note(`error: ${error instanceof Error ? error.message : String(error)}`);
    execution = { ok: false, outputs: {}, env: {}, path: [], summary: '' };
  }
  log.end();

  Object.assign(runtime.exported, execution.env);
  runtime.path.push(...execution.path);
  if (execution.summary.trim() !== '') runtime.summaries.push(state.masker.mask(execution.summary));
  const continueOnError = 'continue-on-error' in step ? step['continue-on-error'] : undefined;
  const tolerated =
    continueOnError === true ||
    (continueOnError !== undefined &&
      typeof continueOnError !== 'boolean' &&
      ['true', 'True'].includes(asString(evaluateToken(continueOnError, scope))));
  report.outcome = execution.ok ? 'success' : 'failure';
  report.conclusion = execution.ok || tolerated ? 'success' : 'failure';
  report.outputs = Object.fromEntries(
    Object.entries(execution.outputs).map(([key, value]) => [key, state.masker.mask(value)]),
  );
  report.durationMs = performance.now() - started;
  report.log = log.lines;
  report.annotations = log.annotations;
  runtime.steps[id] = { outputs: execution.outputs, outcome: report.outcome, conclusion: report.conclusion };
  if (report.conclusion === 'failure') runtime.status = 'failure';
  if (state.options.quiet && !execution.ok) for (const line of log.lines) state.print(`│   ${line}`);
  const mark = execution.ok ? '✓' : tolerated ? '⚠' : '✗';
  state.print(
    `│ ${mark} ${name} (${(report.durationMs / 1000).toFixed(1)} s)${!execution.ok && tolerated ? ' — failed, continue-on-error' : ''}`,
  );
  return report;
}

/** Shell command lines for `shell:` as the runner defines them ({0} is the script file). */
function shellCommand(shell: string, file: string): string[] {
  const known: Record<string, string> = {
    bash: 'bash --noprofile --norc -eo pipefail {0}',
    sh: 'sh -e {0}',
    python: 'python3 {0}',
  };
  const template = known[shell] ?? (shell.includes('{0}') ? shell : `${shell} {0}`);
  return template
    .split(' ')
    .filter((part) => part !== '')
    .map((part) => part.replace('{0}', file));
}

async function runScript(
  script: string,
  shell: string,
  cwd: string,
  env: Record<string, string>,
  runtime: JobRuntime,
  log: StepLog,
  timeoutMs: number,
): Promise<Execution> {
  const stepDir = await mkdtemp(path.join(runtime.temp, 'step-'));
  const files = {
    GITHUB_OUTPUT: path.join(stepDir, 'output'),
    GITHUB_ENV: path.join(stepDir, 'env'),
    GITHUB_PATH: path.join(stepDir, 'path'),
    GITHUB_STEP_SUMMARY: path.join(stepDir, 'summary.md'),
    GITHUB_STATE: path.join(stepDir, 'state'),
  };
  for (const file of Object.values(files)) await writeFile(file, '');
  const scriptFile = path.join(stepDir, shell === 'python' ? 'script.py' : 'script.sh');
  await writeFile(scriptFile, script);
  const [command = 'bash', ...args] = shellCommand(shell, scriptFile);
  const exitCode = await new Promise<number>((resolve) => {
    const childProcess = spawn(command, args, {
      cwd,
      env: { ...env, ...files },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    childProcess.stdout.on('data', (chunk: Buffer) => log.write(chunk.toString('utf8')));
    childProcess.stderr.on('data', (chunk: Buffer) => log.write(chunk.toString('utf8')));
    const timer = setTimeout(() => {
      log.note(`error: the step exceeded its time limit (${Math.round(timeoutMs / 1000)} s) and was stopped`);
      childProcess.kill('SIGKILL');
    }, timeoutMs);
    childProcess.on('error', (error) => {
      log.note(`error: ${error.message}`);
      clearTimeout(timer);
      resolve(127);
    });
    childProcess.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal !== null ? 128 : 1));
    });
  });
  log.end();
  if (exitCode !== 0) log.annotate('error', `Process completed with exit code ${exitCode}.`);
  return {
    ok: exitCode === 0,
    outputs: parseFileCommands(await readFile(files.GITHUB_OUTPUT, 'utf8')),
    env: parseFileCommands(await readFile(files.GITHUB_ENV, 'utf8')),
    path: (await readFile(files.GITHUB_PATH, 'utf8')).split('\n').filter((line) => line !== ''),
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
  };
}

function inputVariables(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) {
    const upper = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
    env[upper] = value;
    env[upper.replace(/-/g, '_')] = value;
  }
  return env;
}

async function runUses(
  uses: string,
  withValues: Record<string, string>,
  env: Record<string, string>,
  scope: EvaluationScope,
  context: StepContext,
  log: StepLog,
  timeoutMs: number,
  stepName: string,
): Promise<Execution> {
  const { state, runtime } = context;
  const mapped = localAction(state.options.config, uses);
  if (mapped !== undefined && mapped !== uses) {
    log.note(`${uses} → ${mapped} (${state.options.config.source})`);
    uses = mapped;
  }
  if (!uses.startsWith('./')) {
    const substitute = findSubstitute(state.options.config, uses);
    if (substitute === undefined)
      throw new MissingSubstituteError([{ uses, where: runtime.display }], state.options.config.source);
    log.note(`substitute for ${uses}: ${substitute.description}`);
    return runScript(
      substitute.run,
      'bash',
      state.workspace,
      { ...env, ...inputVariables(withValues) },
      runtime,
      log,
      timeoutMs,
    );
  }

  const actionDir = path.resolve(state.workspace, uses);
  const manifest = ['action.yml', 'action.yaml']
    .map((file) => path.join(actionDir, file))
    .find((file) => existsSync(file));
  if (manifest === undefined) throw new Error(`${uses}: no action.yml in ${actionDir}`);
  const wp = workflowParser;
  const parsed = actionParser.parseAction(
    { name: path.relative(state.workspace, manifest), content: readFileSync(manifest, 'utf8') },
    new wp.NoOperationTraceWriter(),
  );
  const problems = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value === undefined) throw new Error(`${uses}: invalid action.yml: ${problems.join('; ')}`);
  const action = actionParser.convertActionTemplate(parsed.context, parsed.value, {
    errorPolicy: ErrorPolicy.TryConversion,
  });
  // The schema also checks text fields such as descriptions (an example `${{ secrets.X }}` in a description
  // is reported); the runner needs only `runs` and the inputs, so such findings are printed as warnings.
  if ((action.runs as typeof action.runs | undefined) === undefined)
    throw new Error(`${uses}: invalid action.yml: ${problems.join('; ')}`);
  for (const problem of problems) log.note(`warning: ${problem}`);
  if (action.runs.using === 'composite' || action.runs.using === 'docker')
    throw new Error(
      `${uses}: ${action.runs.using} actions are not supported by the offline runner (JavaScript actions only)`,
    );
  const runs = action.runs;

  // Inputs: `with:` over action.yml defaults, the defaults' expressions (e.g. ${{ github.token }}) evaluated
  const inputs: Record<string, string> = {};
  for (const input of action.inputs ?? []) {
    if (input.default !== undefined) inputs[input.id] = asString(evaluateToken(input.default, scope));
  }
  const overrides = localDefaults(state.options.config, path.basename(actionDir), env);
  for (const [name, value] of Object.entries(overrides)) {
    if (withValues[name] !== undefined && withValues[name] !== '') continue;
    inputs[name] = value;
    log.note(`local default: ${name}=${value} (${state.options.config.source})`);
  }
  const declared = new Set((action.inputs ?? []).map((input) => input.id));
  for (const [name, value] of Object.entries(withValues)) {
    if (!declared.has(name))
      log.note(`warning: Unexpected input '${name}', valid inputs are [${[...declared].join(', ')}]`);
    inputs[name] = value;
  }
  const actionName = path.basename(actionDir);
  const bundleEnv: Record<string, string> = {
    ...env,
    GITHUB_ACTION: actionName,
    GITHUB_ACTION_PATH: actionDir,
  };
  for (const key of RUNNER_FILES) delete bundleEnv[key];
  const cwd = state.workspace;
  await mkdir(bundleEnv['RUNNER_TEMP'] ?? path.join(runtime.temp, 'runner-temp'), { recursive: true });
  const result = await runBundle(actionName, {
    inputs,
    env: bundleEnv,
    cwd,
    applyDefaults: false,
    bundlePath: path.resolve(actionDir, runs.main),
    timeoutMs,
    onStdout: (chunk) => log.write(chunk),
  });
  log.end();
  if (result.stderr.trim() !== '') log.note(result.stderr.trimEnd());
  if (result.exitCode !== 0) log.note(`error: ${actionName} exited with code ${result.exitCode}`);

  if (runs.post !== undefined) {
    const postPath = path.resolve(actionDir, runs.post);
    runtime.posts.push({
      name: `Post ${stepName}`,
      condition: runs.postIf ?? 'always()',
      run: async () => {
        const started = performance.now();
        context.state.print(`│ ▶ Post ${stepName}`);
        const postLog = new StepLog(
          state.masker,
          state.options.quiet ? () => undefined : state.print,
          '│   ',
        );
        const post = await runBundle(actionName, {
          inputs,
          env: bundleEnv,
          cwd,
          applyDefaults: false,
          bundlePath: postPath,
          postWithState: result.state,
          timeoutMs: 10 * 60_000,
          onStdout: (chunk) => postLog.write(chunk),
        });
        postLog.end();
        if (post.stderr.trim() !== '') postLog.note(post.stderr.trimEnd());
        const ok = post.exitCode === 0;
        if (post.summary.trim() !== '') runtime.summaries.push(state.masker.mask(post.summary));
        const durationMs = performance.now() - started;
        context.state.print(`│ ${ok ? '✓' : '✗'} Post ${stepName} (${(durationMs / 1000).toFixed(1)} s)`);
        return {
          name: `Post ${stepName}`,
          id: `post-${actionName}`,
          outcome: ok ? 'success' : 'failure',
          conclusion: ok ? 'success' : 'failure',
          durationMs,
          log: postLog.lines,
          annotations: postLog.annotations,
          outputs: {},
        };
      },
    });
  }
  return {
    ok: result.exitCode === 0,
    outputs: result.outputs,
    env: result.env,
    path: result.path,
    summary: result.summary,
  };
}
