/**
 * approval-gate inputs: how many approvals, whose approvals count (allowed-users / allowed-teams), the
 * token, and what to do for a commit no pull request brought (`fail`, or `wait` on an approval issue).
 */
import { InputError } from '../../../shared/src/errors.ts';
import { getDuration, getEnum, getInteger, getList, getString } from '../../../shared/src/inputs.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { getSecret } from '../../../shared/src/secret-inputs.ts';

/** One allowed team: the organisation and the team's slug. */
export interface TeamRef {
  org: string;
  slug: string;
}

export interface Inputs {
  'required-approvals': number;
  'github-token': string;
  /** Logins, as given (compared case-insensitively). */
  'allowed-users': string[];
  'allowed-teams': TeamRef[];
  'on-no-pull-request': 'fail' | 'wait';
  /** milliseconds: how long `wait` waits for approvals on the issue */
  timeout: number;
  /** milliseconds between reads of the approval issue's comments */
  'poll-interval': number;
  /** The commit to gate ('' → GITHUB_SHA). */
  sha: string;
}

/** GitHub logins: alphanumerics and single hyphens, up to 39 characters; `[bot]` suffix for apps. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(\[bot\])?$/;
const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** Six hours: GitHub stops a job on a hosted runner after that. */
const MAX_TIMEOUT_MS = 6 * 60 * 60 * 1_000;

/**
 * Parses `allowed-teams` items: `org/team-slug`, or `team-slug` for a team of `defaultOrg` (the
 * repository's owner).
 * @throws InputError naming `allowed-teams` for an item that is not a team
 */
export function parseTeams(items: readonly string[], defaultOrg: string): TeamRef[] {
  return items.map((item) => {
    const [first = '', second, extra] = item.replace(/^@/, '').split('/');
    const org = second === undefined ? defaultOrg : first;
    const slug = second ?? first;
    if (extra !== undefined || !LOGIN.test(org) || !SLUG.test(slug))
      throw new InputError(
        'allowed-teams',
        `"${item}" is not a team (org/team-slug)`,
        'acme/release-managers',
      );
    return { org, slug: slug.toLowerCase() };
  });
}

/**
 * A default that is still an unevaluated `${{ … }}` expression (a local run with @github/local-action or
 * the test harness, which apply action.yml defaults literally) counts as not given.
 */
function evaluated(value: string): string {
  return value.includes('${{') ? '' : value;
}

/**
 * Reads and validates every input; the token is masked before anything else can print it.
 * @param env the process environment (for the repository owner that bare team slugs belong to)
 * @throws InputError for the first bad input (no network call is made before this returns)
 */
export async function getInputs(
  env: NodeJS.ProcessEnv = process.env,
  logger: Logger = coreLogger,
): Promise<Inputs> {
  const token = evaluated(await getSecret('github-token', { logger }));
  if (token === '')
    throw new InputError('github-token', 'a token is required to read reviews', '${{ github.token }}');
  const users = getList('allowed-users');
  for (const login of users)
    if (!LOGIN.test(login.replace(/^@/, '')))
      throw new InputError('allowed-users', `"${login}" is not a GitHub login`, 'alice, bob');
  const owner = (env['GITHUB_REPOSITORY'] ?? '').split('/')[0] ?? '';
  const sha = getString('sha');
  if (sha !== '' && !/^[0-9a-f]{40}$/i.test(sha))
    throw new InputError('sha', `"${sha}" is not a full 40-character commit SHA`, '${{ github.sha }}');
  return {
    'required-approvals': getInteger('required-approvals', { default: 1, min: 1, max: 20 }) ?? 1,
    'github-token': token,
    'allowed-users': users.map((login) => login.replace(/^@/, '')),
    'allowed-teams': parseTeams(getList('allowed-teams'), owner),
    'on-no-pull-request': getEnum('on-no-pull-request', ['fail', 'wait'] as const, { default: 'fail' }),
    timeout: getDuration('timeout', { default: '1h', min: 1_000, max: MAX_TIMEOUT_MS }) ?? 3_600_000,
    'poll-interval': getDuration('poll-interval', { default: '30s', min: 100, max: 600_000 }) ?? 30_000,
    sha: sha.toLowerCase(),
  };
}
