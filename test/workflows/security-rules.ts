/**
 * Gantry's "secure by default" rules for workflows, each a function from a file's text to the list of its
 * violations (empty when it complies), so a test can run it on the real files and on a planted copy.
 * The rules follow GitHub's security hardening guide for Actions
 * (docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions).
 */
import { isMap, isPair, isScalar, parseDocument, type Pair, type YAMLMap } from 'yaml';
import { gantryActionName, gantryWorkflowFile, load, type Job } from './validate.ts';

const jobsOf = (text: string): [string, Job][] => Object.entries(load(text).jobs ?? {});

/** The trailing comment of `key: value` in a mapping (a `# …` on the same line), or ''. */
function commentOf(pair: Pair): string {
  const value = pair.value;
  if (isScalar(value)) return (value.comment ?? '').trim();
  return '';
}

function mapAt(map: unknown, key: string): YAMLMap | undefined {
  if (!isMap(map)) return undefined;
  const value = map.get(key, true);
  return isMap(value) ? value : undefined;
}

/** Top-level `permissions: {}`: the token starts with no permission at all. */
export function topLevelPermissionsEmpty(text: string): string[] {
  const permissions = load(text).permissions;
  const empty =
    permissions !== undefined && typeof permissions === 'object' && Object.keys(permissions).length === 0;
  return empty ? [] : [`top-level permissions must be {} (got ${JSON.stringify(permissions ?? null)})`];
}

/**
 * Every job declares its own permissions as a mapping (no `read-all`/`write-all`), and each grant carries a
 * comment saying why (`contents: read # check out the code`).
 */
export function jobPermissionsLeastAndCommented(text: string): string[] {
  const problems: string[] = [];
  const doc = parseDocument(text);
  const jobs = mapAt(doc.contents, 'jobs');
  for (const item of jobs?.items ?? []) {
    if (!isPair(item)) continue;
    const jobId = String(isScalar(item.key) ? item.key.value : item.key);
    const permissions = isMap(item.value) ? item.value.get('permissions', true) : undefined;
    if (permissions === undefined) {
      problems.push(`${jobId}: no permissions (the job would get the caller's defaults)`);
      continue;
    }
    if (!isMap(permissions)) {
      problems.push(`${jobId}: permissions must be a mapping of scopes, not ${String(permissions)}`);
      continue;
    }
    for (const grant of permissions.items) {
      const scope = String(isScalar(grant.key) ? grant.key.value : grant.key);
      const level = isScalar(grant.value) ? String(grant.value.value) : '';
      if (!['read', 'write', 'none'].includes(level))
        problems.push(`${jobId}: ${scope}: ${level} is not read/write/none`);
      if (level !== 'none' && commentOf(grant) === '')
        problems.push(`${jobId}: ${scope}: ${level} has no comment saying why`);
    }
  }
  return problems;
}

const SHA_PINNED = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}$/;
const VERSION_COMMENT = /^v\d+(?:\.\d+){0,2}\b/;

/**
 * Every third-party `uses:` (steps and reusable-workflow calls) is pinned to a full 40-character commit SHA
 * with its version in a comment (`@08c6…07a8 # v5.0.0`). Local paths (`./…`), Gantry's own reusable
 * workflows (`<owner>/gantry/.github/workflows/…@v1`) and Gantry's own actions in a starter template
 * (`<owner>/gantry/actions/<name>@v1`) are the product itself, not third-party.
 */
export function thirdPartyPinned(text: string): string[] {
  const problems: string[] = [];
  const doc = parseDocument(text);
  const jobs = mapAt(doc.contents, 'jobs');
  const check = (where: string, pair: Pair | undefined): void => {
    if (pair === undefined || !isScalar(pair.value)) return;
    const uses = String(pair.value.value);
    if (
      uses.startsWith('./') ||
      gantryWorkflowFile(uses) !== undefined ||
      gantryActionName(uses) !== undefined
    )
      return;
    if (!SHA_PINNED.test(uses)) problems.push(`${where}: ${uses} is not pinned to a full commit SHA`);
    else if (!VERSION_COMMENT.test(commentOf(pair)))
      problems.push(`${where}: ${uses} has no # vX.Y.Z comment`);
  };
  const usesPair = (map: unknown): Pair | undefined =>
    isMap(map)
      ? (map.items.find((p) => isScalar(p.key) && p.key.value === 'uses') as Pair | undefined)
      : undefined;
  for (const item of jobs?.items ?? []) {
    if (!isPair(item) || !isMap(item.value)) continue;
    const jobId = String(isScalar(item.key) ? item.key.value : item.key);
    check(jobId, usesPair(item.value));
    const steps = item.value.get('steps', true);
    if (steps !== undefined && typeof steps === 'object' && steps !== null && 'items' in steps)
      (steps.items as unknown[]).forEach((step, index) => check(`${jobId}.steps[${index}]`, usesPair(step)));
  }
  return problems;
}

/** No `${{ … }}` inside a `run:` script: values reach scripts through `env:` (no script injection). */
export function noExpressionsInRun(text: string): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of jobsOf(text))
    for (const [index, step] of (job.steps ?? []).entries())
      if (typeof step.run === 'string' && step.run.includes('${{'))
        problems.push(`${jobId}.steps[${index}]: \${{ }} inside run: — pass the value through env:`);
  return problems;
}

/** No `secrets: inherit`: each secret is passed by name to the workflow that needs it. */
export function noSecretsInherit(text: string): string[] {
  return jobsOf(text)
    .filter(([, job]) => job.secrets === 'inherit')
    .map(([jobId]) => `${jobId}: secrets: inherit — pass each secret by name`);
}

const CHANGES_SERVICE = new Set(['deploy-rolling', 'deploy-bluegreen', 'rollback']);

/** A job that changes a service: it declares an environment, calls the deploy workflow, or rolls out or back. */
function deploys(job: Job): boolean {
  return (
    job.environment !== undefined ||
    (job.uses !== undefined && gantryWorkflowFile(job.uses) === 'gantry-deploy-ecs.yml') ||
    (job.steps ?? []).some((step) => CHANGES_SERVICE.has(gantryActionName(step.uses ?? '') ?? ''))
  );
}

/** The environment a job changes, as written: its environment name, or the environment input it passes. */
function environmentOf(job: Job): string {
  if (job.uses !== undefined) return String(job.with?.['environment'] ?? '');
  if (typeof job.environment === 'string') return job.environment;
  if (job.environment !== undefined) return String((job.environment as { name?: string }).name ?? '');
  return '';
}

/**
 * Every job that changes a service has a `concurrency` group that names its environment (so two deploys,
 * or a deploy and a rollback, of one service never interleave) and never cancels a running one
 * (`cancel-in-progress` absent or false). A job without an environment of its own (a health check that
 * may roll back) must name one in its group through an expression (`matrix.target.environment`).
 */
export function deployConcurrency(text: string): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of jobsOf(text)) {
    if (!deploys(job)) continue;
    const concurrency = job.concurrency;
    const group = typeof concurrency === 'string' ? concurrency : concurrency?.group;
    if (group === undefined || group === '') {
      problems.push(`${jobId}: deploys without a concurrency group`);
      continue;
    }
    const environment = environmentOf(job);
    const named = environment === '' ? /\.environment\b/.test(group) : group.includes(environment);
    if (!named)
      problems.push(
        `${jobId}: the concurrency group "${group}" does not name the environment (${environment})`,
      );
    if (
      typeof concurrency === 'object' &&
      concurrency['cancel-in-progress'] !== undefined &&
      concurrency['cancel-in-progress'] !== false
    )
      problems.push(`${jobId}: cancel-in-progress would cancel a running deploy`);
  }
  return problems;
}

const LONG_LIVED_KEYS =
  /^(aws-access-key-id|aws-secret-access-key|aws-session-token|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)$/;

/**
 * AWS through OIDC only: a job that configures AWS credentials (or calls the deploy workflow) grants
 * `id-token: write` and uses aws-actions/configure-aws-credentials with `role-to-assume`; no access key
 * is passed anywhere (inputs, env).
 */
export function awsThroughOidc(text: string): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of jobsOf(text)) {
    const permissions = typeof job.permissions === 'object' ? job.permissions : {};
    const configures = (job.steps ?? []).filter((s) =>
      s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    const needsOidc =
      configures.length > 0 ||
      (job.uses !== undefined && gantryWorkflowFile(job.uses) === 'gantry-deploy-ecs.yml');
    if (needsOidc && permissions['id-token'] !== 'write')
      problems.push(`${jobId}: AWS without id-token: write (OIDC)`);
    for (const step of configures)
      if (typeof step.with?.['role-to-assume'] !== 'string' || step.with['role-to-assume'] === '')
        problems.push(`${jobId}: configure-aws-credentials without role-to-assume`);
    const keys = [
      ...Object.keys(job.with ?? {}),
      ...Object.keys(typeof job.secrets === 'object' ? job.secrets : {}),
      ...(job.steps ?? []).flatMap((s) => [...Object.keys(s.with ?? {}), ...Object.keys(s.env ?? {})]),
    ];
    for (const key of keys)
      if (LONG_LIVED_KEYS.test(key)) problems.push(`${jobId}: long-lived AWS key ${key}`);
  }
  return problems;
}

/** Every rule by name, for the tests. */
export const RULES = {
  'top-level permissions: {}': topLevelPermissionsEmpty,
  'per-job least privilege, each grant commented': jobPermissionsLeastAndCommented,
  'third-party uses: pinned to a commit SHA with the version': thirdPartyPinned,
  'no ${{ }} inside run:': noExpressionsInRun,
  'no secrets: inherit': noSecretsInherit,
  'concurrency per environment, never cancelling a deploy': deployConcurrency,
  'AWS through OIDC, no long-lived keys': awsThroughOidc,
} as const;
