/**
 * The parts of the GitHub context that image tags and labels are computed from, read from the runner's
 * `GITHUB_*` variables and the event payload (`GITHUB_EVENT_PATH`), as docker/metadata-action reads them
 * through `@actions/github`'s context.
 */
import { readFileSync } from 'node:fs';

/** What tags and labels depend on. */
export interface GitHubContext {
  /** `push`, `pull_request`, `workflow_dispatch`, … (`GITHUB_EVENT_NAME`). */
  eventName: string;
  /** The full ref: `refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/42/merge` (`GITHUB_REF`). */
  ref: string;
  /** The 40-hex commit SHA (`GITHUB_SHA`). */
  sha: string;
  /** `owner/name` (`GITHUB_REPOSITORY`). */
  repository: string;
  /** `https://github.com` (`GITHUB_SERVER_URL`). */
  serverUrl: string;
  /** The pull request number for `pull_request*` events. */
  pullRequestNumber?: number;
  /** The repository's default branch, from the payload (`repository.default_branch`). */
  defaultBranch?: string;
  /** From the payload's `repository.description`. */
  description?: string;
  /** SPDX id from the payload's `repository.license.spdx_id` (`NOASSERTION` is dropped). */
  license?: string;
}

interface EventPayload {
  number?: unknown;
  pull_request?: { number?: unknown };
  repository?: {
    default_branch?: unknown;
    description?: unknown;
    license?: { spdx_id?: unknown } | null;
  };
}

function readPayload(file: string | undefined): EventPayload {
  if (file === undefined || file === '') return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as EventPayload) : {};
  } catch {
    return {}; // a missing or unreadable payload only loses optional details (PR number, description)
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * Reads the GitHub context from an environment (the runner's variables) and the event payload it names.
 * @param env defaults to `process.env`
 * @returns the context; fields the environment does not give are empty strings or undefined
 */
export function readGitHubContext(env: NodeJS.ProcessEnv = process.env): GitHubContext {
  const payload = readPayload(env['GITHUB_EVENT_PATH']);
  const ref = env['GITHUB_REF'] ?? '';
  const context: GitHubContext = {
    eventName: env['GITHUB_EVENT_NAME'] ?? '',
    ref,
    sha: env['GITHUB_SHA'] ?? '',
    repository: env['GITHUB_REPOSITORY'] ?? '',
    serverUrl: (env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/+$/, ''),
  };
  const prFromPayload = payload.pull_request?.number ?? payload.number;
  const prFromRef = /^refs\/pull\/(\d+)\//.exec(ref)?.[1];
  const pr = typeof prFromPayload === 'number' ? prFromPayload : Number(prFromRef ?? Number.NaN);
  if (Number.isSafeInteger(pr) && pr > 0) context.pullRequestNumber = pr;
  const defaultBranch = text(payload.repository?.default_branch);
  if (defaultBranch !== undefined) context.defaultBranch = defaultBranch;
  const description = text(payload.repository?.description);
  if (description !== undefined) context.description = description;
  const license = text(payload.repository?.license?.spdx_id);
  if (license !== undefined && license !== 'NOASSERTION') context.license = license;
  return context;
}
