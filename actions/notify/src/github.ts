/**
 * GitHub delivery with @actions/github's Octokit: a commit status (REST "Create a commit status") and a
 * deployment with deployment statuses (REST "Deployments" and "Deployment statuses").
 *
 * Least permissions for the default GITHUB_TOKEN: `statuses: write` for the commit status,
 * `deployments: write` for deployments.
 *
 * Runtime note: @actions/github sets its default `request.fetch` to undici's `fetch` (via its proxy
 * helper), which the bundles here replace by a stub; Octokit's constructor options replace `request`
 * wholesale, so passing Node's own `fetch` makes no request depend on undici.
 */
import type { Logger } from '../../../shared/src/logger.ts';
import { githubRetryDecision } from '../../../shared/src/github.ts';
import { REQUEST_TIMEOUT_MS, withRetries, type PlannedRequest } from './delivery.ts';
import type { RunContext } from './run-context.ts';
import { meaningOf, type DeploymentState, type Status } from './status.ts';

type Octokit = ReturnType<(typeof import('@actions/github'))['getOctokit']>;

/** GitHub shows 140 characters of a status description. */
const MAX_DESCRIPTION = 140;
/** How many earlier deployments of the environment are checked for superseding. */
const SUPERSEDE_LOOKBACK = 30;

/** The retry decision for GitHub requests is the shared one (shared/src/github.ts). */
export { githubRetryDecision };

function truncateDescription(text: string): string {
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`;
}

/** The description of statuses: "Deployed v1.2 to production", "Deploy failed in staging"… */
export function describeStatus(status: Status, environment: string, version: string): string {
  const verb = meaningOf(status).verb;
  const what = version === '' ? '' : ` ${version}`;
  const where =
    environment === '' ? '' : ` ${status === 'started' || status === 'success' ? 'to' : 'in'} ${environment}`;
  return truncateDescription(`${verb}${what}${where}`);
}

/**
 * Builds an Octokit for the token with @actions/github (GITHUB_API_URL is the base URL; GitHub Enterprise
 * Server sets it to `https://HOST/api/v3`), using Node's fetch with a {@link REQUEST_TIMEOUT_MS} timeout per
 * request, with retries left to {@link withRetries}.
 */
export async function createOctokit(token: string, apiUrl: string, logger: Logger): Promise<Octokit> {
  const { getOctokit } = await import('@actions/github');
  return getOctokit(token, {
    baseUrl: apiUrl.replace(/\/+$/, ''),
    // Node's fetch, with a per-request timeout (Octokit's request has no timeout option of its own).
    request: {
      fetch: (url: string | URL, init?: RequestInit) =>
        globalThis.fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
    },
    log: {
      debug: (message: string) => logger.debug(`github: ${message}`),
      info: (message: string) => logger.debug(`github: ${message}`),
      warn: (message: string) => logger.debug(`github: ${message}`),
      error: (message: string) => logger.debug(`github: ${message}`),
    },
  });
}

/** What a commit status call sends. */
export interface CommitStatusRequest {
  owner: string;
  repo: string;
  sha: string;
  state: ReturnType<typeof meaningOf>['commitState'];
  target_url?: string;
  description: string;
  context: string;
}

/** The commit status for a status: started → pending, success → success, failure/rolled-back → failure, cancelled → error. */
export function commitStatusRequest(
  run: RunContext,
  status: Status,
  context: string,
  environment: string,
  version: string,
): CommitStatusRequest {
  const request: CommitStatusRequest = {
    owner: run.owner,
    repo: run.repo,
    sha: run.sha,
    state: meaningOf(status).commitState,
    description: describeStatus(status, environment, version),
    context,
  };
  if (run.runUrl !== '') request.target_url = run.runUrl;
  return request;
}

/** The default commit status context: `deploy/<environment>`, or `deploy`. */
export function defaultContext(environment: string): string {
  return environment === '' ? 'deploy' : `deploy/${environment}`;
}

/** Dry-run form of {@link setCommitStatus}. */
export function plannedCommitStatus(apiUrl: string, request: CommitStatusRequest): PlannedRequest[] {
  const { owner, repo, sha, ...body } = request;
  return [{ method: 'POST', url: `${apiUrl}/repos/${owner}/${repo}/statuses/${sha}`, body }];
}

/**
 * Creates the commit status.
 * @returns the commit's page URL for the summary
 * @throws Octokit's RequestError after retries (e.g. 403 without `statuses: write`, 422 for an unknown sha)
 */
export async function setCommitStatus(
  octokit: Octokit,
  request: CommitStatusRequest,
  logger: Logger,
): Promise<void> {
  await withRetries(
    'GitHub commit status',
    () => octokit.rest.repos.createCommitStatus({ ...request }),
    githubRetryDecision,
    logger,
  );
  logger.info(`Commit status ${request.context}: ${request.state} on ${request.sha.slice(0, 7)}`);
}

/** What the deployment channel needs. */
export interface DeploymentInput {
  run: RunContext;
  status: Status;
  environment: string;
  environmentUrl: string;
  version: string;
  image: string;
  /** An existing deployment to add statuses to, or '' to create one. */
  deploymentId: string;
  description: string;
  production: boolean;
}

/** The body of "Create a deployment". */
export interface DeploymentCreateBody {
  ref: string;
  task: string;
  environment: string;
  description: string;
  auto_merge: boolean;
  required_contexts: string[];
  production_environment: boolean;
  transient_environment: boolean;
  payload: Record<string, string>;
}

/** The body of "Create a deployment status". */
export interface DeploymentStatusBody {
  state: DeploymentState;
  description: string;
  auto_inactive: boolean;
  log_url?: string;
  environment_url?: string;
}

function createBody(input: DeploymentInput): DeploymentCreateBody {
  const payload: Record<string, string> = {};
  if (input.version !== '') payload['version'] = input.version;
  if (input.image !== '') payload['image'] = input.image;
  return {
    ref: input.run.sha,
    task: 'deploy',
    environment: input.environment,
    description: truncateDescription(
      input.description || describeStatus('started', input.environment, input.version),
    ),
    // The deployment records what ran; it must not wait for (or merge) anything.
    auto_merge: false,
    required_contexts: [],
    production_environment: input.production,
    transient_environment: false,
    payload,
  };
}

function statusBody(input: DeploymentInput): DeploymentStatusBody {
  const body: DeploymentStatusBody = {
    state: meaningOf(input.status).deploymentState,
    description: describeStatus(input.status, input.environment, input.version),
    // GitHub marks earlier successful non-production deployments inactive itself; production ones are
    // handled by supersede().
    auto_inactive: true,
  };
  if (input.run.runUrl !== '') body.log_url = input.run.runUrl;
  if (input.environmentUrl !== '') body.environment_url = input.environmentUrl;
  return body;
}

/** Dry-run form of {@link updateDeployment}. */
export function plannedDeployment(apiUrl: string, input: DeploymentInput): PlannedRequest[] {
  const base = `${apiUrl}/repos/${input.run.owner}/${input.run.repo}/deployments`;
  const id = input.deploymentId || '{id of the new deployment}';
  const requests: PlannedRequest[] = [];
  if (input.deploymentId === '') requests.push({ method: 'POST', url: base, body: createBody(input) });
  requests.push({ method: 'POST', url: `${base}/${id}/statuses`, body: statusBody(input) });
  if (input.status === 'success' && input.production)
    requests.push({
      method: 'GET',
      url: `${base}?environment=${encodeURIComponent(input.environment)}&per_page=${SUPERSEDE_LOOKBACK}`,
    });
  return requests;
}

/**
 * Creates the deployment (unless `deploymentId` is given) and adds the status: started → in_progress,
 * success → success, failure/rolled-back → failure, cancelled → error; with `environment_url` and the run
 * as `log_url`. After a success in a production environment, earlier deployments of the environment whose
 * latest status is success get an `inactive` status (GitHub's `auto_inactive` skips production ones).
 *
 * @param onCreated called with the new deployment's ID as soon as it exists (so it is reported even when
 *   adding its status fails)
 * @returns the deployment ID and the environment's deployments page
 * @throws Octokit's RequestError after retries (403 without `deployments: write`, 409/422 when GitHub
 *   refuses the deployment)
 */
export async function updateDeployment(
  octokit: Octokit,
  input: DeploymentInput,
  logger: Logger,
  onCreated: (id: number) => void = () => undefined,
): Promise<{ id: number; url: string; superseded: number[] }> {
  const { owner, repo } = input.run;
  let id = Number(input.deploymentId);
  if (input.deploymentId === '') {
    const created = await withRetries(
      'GitHub create deployment',
      () => octokit.rest.repos.createDeployment({ owner, repo, ...createBody(input) }),
      githubRetryDecision,
      logger,
    );
    const data = created.data as { id?: number; message?: string };
    if (typeof data.id !== 'number')
      throw new Error(`GitHub did not create the deployment: ${data.message ?? `HTTP ${created.status}`}`);
    id = data.id;
    onCreated(id);
    logger.info(`Created deployment ${id} of ${input.run.sha.slice(0, 7)} to ${input.environment}`);
  }
  const body = statusBody(input);
  await withRetries(
    'GitHub deployment status',
    () => octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: id, ...body }),
    githubRetryDecision,
    logger,
  );
  logger.info(`Deployment ${id}: ${body.state}`);
  const superseded =
    input.status === 'success' && input.production ? await supersede(octokit, input, id, logger) : [];
  return {
    id,
    url: `${input.run.repositoryUrl}/deployments/${encodeURIComponent(input.environment)}`,
    superseded,
  };
}

/**
 * Marks earlier deployments of the environment whose latest status is `success` as `inactive`.
 * @returns the IDs marked inactive
 */
async function supersede(
  octokit: Octokit,
  input: DeploymentInput,
  current: number,
  logger: Logger,
): Promise<number[]> {
  const { owner, repo } = input.run;
  const list = await withRetries(
    'GitHub list deployments',
    () =>
      octokit.rest.repos.listDeployments({
        owner,
        repo,
        environment: input.environment,
        per_page: SUPERSEDE_LOOKBACK,
      }),
    githubRetryDecision,
    logger,
  );
  const marked: number[] = [];
  for (const deployment of list.data) {
    if (deployment.id === current || deployment.id > current) continue;
    const statuses = await withRetries(
      'GitHub list deployment statuses',
      () =>
        octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: deployment.id, per_page: 1 }),
      githubRetryDecision,
      logger,
    );
    if (statuses.data[0]?.state !== 'success') continue;
    await withRetries(
      'GitHub deployment status (inactive)',
      () =>
        octokit.rest.repos.createDeploymentStatus({
          owner,
          repo,
          deployment_id: deployment.id,
          state: 'inactive',
          description: truncateDescription(`Superseded by deployment ${current}`),
          auto_inactive: false,
        }),
      githubRetryDecision,
      logger,
    );
    marked.push(deployment.id);
  }
  if (marked.length > 0) logger.info(`Marked superseded deployments inactive: ${marked.join(', ')}`);
  return marked;
}
