/**
 * The one reader of the GitHub run context (notify, approval-gate and every action that links to the run):
 * the workflow run, from the variables the runner sets (GITHUB_REPOSITORY, GITHUB_SHA,
 * GITHUB_REF, GITHUB_ACTOR, GITHUB_RUN_ID, …; see GitHub's "Variables reference"). Read from the
 * environment directly so the fail-fast path does not load @actions/github.
 */

/** Where and by whom the deploy runs, with the links messages show. */
export interface RunContext {
  /** `owner/repo`. */
  repository: string;
  owner: string;
  repo: string;
  /** The ref that triggered the run, e.g. `refs/heads/main`. */
  ref: string;
  /** The ref shown to people: branch or tag name (GITHUB_REF_NAME, else the ref without refs/heads/). */
  refName: string;
  /** The commit reported on (the `sha` input, else GITHUB_SHA). */
  sha: string;
  actor: string;
  workflow: string;
  runId: string;
  runNumber: string;
  runAttempt: string;
  /** `https://github.com` or a GitHub Enterprise Server URL. */
  serverUrl: string;
  /** The REST API base: GITHUB_API_URL, else `https://api.github.com` (GHES: `https://HOST/api/v3`). */
  apiUrl: string;
  /** `https://github.com/owner/repo`. */
  repositoryUrl: string;
  /** `https://github.com/owner/repo/commit/<sha>`. */
  commitUrl: string;
  /** The run's page, `…/actions/runs/<id>` (plus `/attempts/<n>` after a re-run). */
  runUrl: string;
}

/**
 * Builds the run context from the environment.
 * @param env  the process environment (tests pass their own)
 * @param sha  the commit to report on; empty means GITHUB_SHA
 * @returns the context; values the runner did not set are empty strings (a local run), and
 *   `owner`/`repo` are empty when GITHUB_REPOSITORY is not `owner/repo`
 */
export function readRunContext(env: NodeJS.ProcessEnv, sha = ''): RunContext {
  const repository = env['GITHUB_REPOSITORY'] ?? '';
  const [owner = '', repo = ''] = repository.includes('/') ? repository.split('/', 2) : [];
  const serverUrl = (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, '');
  const ref = env['GITHUB_REF'] ?? '';
  const refName =
    env['GITHUB_HEAD_REF'] || env['GITHUB_REF_NAME'] || ref.replace(/^refs\/(heads|tags)\//, '');
  const commit = sha || env['GITHUB_SHA'] || '';
  const runId = env['GITHUB_RUN_ID'] ?? '';
  const runAttempt = env['GITHUB_RUN_ATTEMPT'] ?? '';
  const repositoryUrl = `${serverUrl}/${repository}`;
  const attempt = runAttempt !== '' && runAttempt !== '1' ? `/attempts/${runAttempt}` : '';
  return {
    repository,
    owner,
    repo,
    ref,
    refName,
    sha: commit,
    actor: env['GITHUB_TRIGGERING_ACTOR'] || env['GITHUB_ACTOR'] || '',
    workflow: env['GITHUB_WORKFLOW'] ?? '',
    runId,
    runNumber: env['GITHUB_RUN_NUMBER'] ?? '',
    runAttempt,
    serverUrl,
    apiUrl: (env['GITHUB_API_URL'] || 'https://api.github.com').replace(/\/+$/, ''),
    repositoryUrl,
    commitUrl: commit === '' ? '' : `${repositoryUrl}/commit/${commit}`,
    runUrl: runId === '' ? '' : `${repositoryUrl}/actions/runs/${runId}${attempt}`,
  };
}
