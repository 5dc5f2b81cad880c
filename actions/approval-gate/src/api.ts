/**
 * The GitHub REST calls approval-gate makes, each with retries ({@link githubCall}) and every list read
 * to its last page (Octokit's `paginate`, which follows the `Link: rel="next"` header):
 *
 * - "List pull requests associated with a commit": `GET /repos/{owner}/{repo}/commits/{sha}/pulls`
 * - "List reviews for a pull request": `GET /repos/{owner}/{repo}/pulls/{number}/reviews`
 * - "Get team membership for a user": `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`
 *   (needs a token that can read the organisation's teams: the job's GITHUB_TOKEN cannot; use a GitHub
 *   App token or a token with `read:org`)
 * - "Get repository permissions for a user": `GET /repos/{owner}/{repo}/collaborators/{username}/permission`
 * - issues and issue comments for the approval issue of `on-no-pull-request: wait`.
 */
import { githubCall, requestStatus, type Octokit } from '../../../shared/src/github.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import type { TeamRef } from './inputs.ts';
import type { PullRequestFacts, ReviewFacts } from './reviews.ts';

/** Items per page asked of every list (GitHub's maximum). */
export const PAGE_SIZE = 100;

/** Which repository the calls address. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/**
 * The pull requests that brought `sha`: of those GitHub associates with the commit, the ones whose merge
 * commit or head is `sha`; when none is, every associated one (a commit inside a pull request's range).
 * @returns facts per pull request, lowest number first; [] for a direct push
 */
export async function pullRequestsOfCommit(
  octokit: Octokit,
  where: RepoRef,
  sha: string,
  logger: Logger,
): Promise<PullRequestFacts[]> {
  const pulls = await githubCall(
    `GitHub pull requests of ${sha.slice(0, 7)}`,
    () =>
      octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
        ...where,
        commit_sha: sha,
        per_page: PAGE_SIZE,
      }),
    logger,
  );
  const facts = pulls.map((pull): PullRequestFacts & { mergeSha: string } => ({
    number: pull.number,
    author: pull.user?.login ?? '',
    headSha: pull.head.sha,
    url: pull.html_url,
    mergeSha: pull.merge_commit_sha ?? '',
  }));
  const exact = facts.filter(
    (pull) => pull.headSha === sha || (pull.mergeSha === sha && pull.mergeSha !== ''),
  );
  return (exact.length > 0 ? exact : facts)
    .map(({ mergeSha: _mergeSha, ...pull }) => pull)
    .sort((a, b) => a.number - b.number);
}

/** Every review of a pull request (all pages). */
export async function reviewsOf(
  octokit: Octokit,
  where: RepoRef,
  number: number,
  logger: Logger,
): Promise<ReviewFacts[]> {
  const reviews = await githubCall(
    `GitHub reviews of #${number}`,
    () =>
      octokit.paginate(octokit.rest.pulls.listReviews, {
        ...where,
        pull_number: number,
        per_page: PAGE_SIZE,
      }),
    logger,
  );
  return reviews.map((review) => {
    const facts: ReviewFacts = {
      id: review.id,
      login: review.user?.login ?? '',
      userType: review.user?.type ?? 'User',
      state: review.state,
      commitId: review.commit_id ?? '',
    };
    if (review.submitted_at !== undefined) facts.submittedAt = review.submitted_at;
    return facts;
  });
}

/**
 * Whether `login` is an active member of the team (a pending invitation does not count).
 * @returns false on 404 (not a member, or a team the token cannot see)
 * @throws Octokit's RequestError for other failures after retries (e.g. 403 for a token without read:org)
 */
export async function isTeamMember(
  octokit: Octokit,
  team: TeamRef,
  login: string,
  logger: Logger,
): Promise<boolean> {
  try {
    const { data } = await githubCall(
      `GitHub membership of ${login} in ${team.org}/${team.slug}`,
      () =>
        octokit.rest.teams.getMembershipForUserInOrg({
          org: team.org,
          team_slug: team.slug,
          username: login,
        }),
      logger,
    );
    return data.state === 'active';
  } catch (error) {
    if (requestStatus(error) === 404) return false;
    throw error;
  }
}

/**
 * A user's permission on the repository: `admin`, `maintain`, `write`, `triage`, `read` or `none`
 * (GitHub answers `none` and 404 alike for people without access).
 */
export async function repositoryPermission(
  octokit: Octokit,
  where: RepoRef,
  login: string,
  logger: Logger,
): Promise<string> {
  try {
    const { data } = await githubCall(
      `GitHub permission of ${login}`,
      () => octokit.rest.repos.getCollaboratorPermissionLevel({ ...where, username: login }),
      logger,
    );
    return data.role_name || data.permission;
  } catch (error) {
    if (requestStatus(error) === 404) return 'none';
    throw error;
  }
}

/** Opens an issue. @returns its number and page */
export async function openIssue(
  octokit: Octokit,
  where: RepoRef,
  issue: { title: string; body: string; assignees: string[] },
  logger: Logger,
): Promise<{ number: number; url: string }> {
  const { data } = await githubCall(
    'GitHub create the approval issue',
    () => octokit.rest.issues.create({ ...where, ...issue }),
    logger,
  );
  return { number: data.number, url: data.html_url };
}

/** One issue comment: who wrote it and what. */
export interface CommentFacts {
  id: number;
  login: string;
  userType: string;
  body: string;
}

/** Every comment of an issue, oldest first (all pages). */
export async function issueComments(
  octokit: Octokit,
  where: RepoRef,
  number: number,
  logger: Logger,
): Promise<CommentFacts[]> {
  const comments = await githubCall(
    `GitHub comments of #${number}`,
    () =>
      octokit.paginate(octokit.rest.issues.listComments, {
        ...where,
        issue_number: number,
        per_page: PAGE_SIZE,
      }),
    logger,
  );
  return comments.map((comment) => ({
    id: comment.id,
    login: comment.user?.login ?? '',
    userType: comment.user?.type ?? 'User',
    body: comment.body ?? '',
  }));
}

/** Comments on the issue and closes it (`completed` when approved, else `not_planned`). */
export async function closeIssue(
  octokit: Octokit,
  where: RepoRef,
  number: number,
  comment: string,
  approved: boolean,
  logger: Logger,
): Promise<void> {
  await githubCall(
    `GitHub comment on #${number}`,
    () => octokit.rest.issues.createComment({ ...where, issue_number: number, body: comment }),
    logger,
  );
  await githubCall(
    `GitHub close #${number}`,
    () =>
      octokit.rest.issues.update({
        ...where,
        issue_number: number,
        state: 'closed',
        state_reason: approved ? 'completed' : 'not_planned',
      }),
    logger,
  );
}
