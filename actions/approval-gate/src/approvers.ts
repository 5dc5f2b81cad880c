/**
 * Who may approve: members of `allowed-users` / `allowed-teams` when either is given; otherwise anyone
 * (for pull-request reviews: GitHub already limits who can review) — and for the approval issue, where
 * anyone can comment, people with write access to the repository. Lookups are cached for the run.
 */
import type { Octokit } from '../../../shared/src/github.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { isTeamMember, repositoryPermission, type RepoRef } from './api.ts';
import type { Inputs } from './inputs.ts';

/** Permissions that allow approving on the approval issue when no allow-list is given. */
const WRITE_PERMISSIONS = new Set(['admin', 'maintain', 'write']);

/** Answers "may this login approve?" (case-insensitive), caching each answer. */
export interface ApproverPolicy {
  /** Whether an allow-list (users or teams) was given. */
  restricted: boolean;
  /** Human description for logs and the approval issue, e.g. `alice, bob or members of acme/release`. */
  describe(): string;
  /** For pull-request reviews: in the allow-list, or anyone when there is none. */
  mayApproveReview(login: string): Promise<boolean>;
  /** For the approval issue: in the allow-list, or with write access when there is none. */
  mayApproveIssue(login: string): Promise<boolean>;
}

/**
 * Builds the policy from the inputs.
 * @param octokit used for team membership and repository permission lookups (only when needed)
 */
export function approverPolicy(
  inputs: Pick<Inputs, 'allowed-users' | 'allowed-teams'>,
  octokit: Octokit,
  where: RepoRef,
  logger: Logger,
): ApproverPolicy {
  const users = new Set(inputs['allowed-users'].map((login) => login.toLowerCase()));
  const teams = inputs['allowed-teams'];
  const restricted = users.size > 0 || teams.length > 0;
  const listed = new Map<string, Promise<boolean>>();
  const writers = new Map<string, Promise<boolean>>();
  const inLists = (login: string): Promise<boolean> => {
    const key = login.toLowerCase();
    let answer = listed.get(key);
    if (answer === undefined) {
      answer = (async () => {
        if (users.has(key)) return true;
        for (const team of teams) if (await isTeamMember(octokit, team, login, logger)) return true;
        return false;
      })();
      listed.set(key, answer);
    }
    return answer;
  };
  const canWrite = (login: string): Promise<boolean> => {
    const key = login.toLowerCase();
    let answer = writers.get(key);
    if (answer === undefined) {
      answer = repositoryPermission(octokit, where, login, logger).then((p) => WRITE_PERMISSIONS.has(p));
      writers.set(key, answer);
    }
    return answer;
  };
  return {
    restricted,
    describe: () => {
      if (!restricted) return 'anyone with write access to the repository';
      const parts = [...inputs['allowed-users']];
      if (teams.length > 0) parts.push(`members of ${teams.map((t) => `@${t.org}/${t.slug}`).join(', ')}`);
      return parts.join(', ');
    },
    mayApproveReview: (login) => (restricted ? inLists(login) : Promise.resolve(true)),
    mayApproveIssue: (login) => (restricted ? inLists(login) : canWrite(login)),
  };
}
