/**
 * `on-no-pull-request: wait`: for a commit no pull request brought, open an approval issue and wait for
 * N distinct people allowed to approve to comment `approve` (as trstringer/manual-approval does: the
 * words `approve`, `approved`, `lgtm` or `yes` approve; `deny`, `denied` or `no` refuse). Bots, the
 * person whose push started the run and people not allowed never count. The issue is closed with a
 * comment saying how it ended (approved, denied or timed out).
 */
import { TimeoutError } from '../../../shared/src/errors.ts';
import { inertLine, type Octokit } from '../../../shared/src/github.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { pollUntil } from '../../../shared/src/poll.ts';
import type { RunContext } from '../../../shared/src/run-context.ts';
import { closeIssue, issueComments, openIssue, type CommentFacts, type RepoRef } from './api.ts';
import type { ApproverPolicy } from './approvers.ts';
import { isBot } from './reviews.ts';

const APPROVE_WORDS = new Set(['approve', 'approved', 'lgtm', 'yes']);
const DENY_WORDS = new Set(['deny', 'denied', 'no']);
/** GitHub accepts at most 10 assignees on an issue. */
const MAX_ASSIGNEES = 10;

/**
 * What one comment says: its first line, trimmed, lower-cased, without trailing `.`/`!`.
 * @returns `approve`, `deny` or undefined for anything else
 */
export function commentDecision(body: string): 'approve' | 'deny' | undefined {
  const first = (body.split(/\r?\n/)[0] ?? '')
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, '');
  if (APPROVE_WORDS.has(first)) return 'approve';
  if (DENY_WORDS.has(first)) return 'deny';
  return undefined;
}

/** Where the approval issue stands after reading its comments. */
export interface IssueTally {
  approvers: string[];
  deniedBy?: string;
}

/**
 * Reads the comments in order: distinct allowed approvers, or the first allowed person who denied.
 * @param excluded logins that never count (the run's actor), lower-cased
 */
export async function tallyComments(
  comments: readonly CommentFacts[],
  policy: ApproverPolicy,
  excluded: ReadonlySet<string>,
): Promise<IssueTally> {
  const approvers: string[] = [];
  for (const comment of comments) {
    const decision = commentDecision(comment.body);
    if (decision === undefined || comment.login === '') continue;
    const key = comment.login.toLowerCase();
    if (isBot(comment.login, comment.userType) || excluded.has(key)) continue;
    if (!(await policy.mayApproveIssue(comment.login))) continue;
    if (decision === 'deny') return { approvers, deniedBy: comment.login };
    if (!approvers.some((login) => login.toLowerCase() === key)) approvers.push(comment.login);
  }
  return { approvers };
}

/** The result of waiting on the approval issue. */
export interface IssueOutcome {
  approved: boolean;
  approvers: string[];
  issueNumber: number;
  issueUrl: string;
  /** Why it did not pass ('' when approved). */
  reason: string;
}

/**
 * Opens the approval issue and waits until `required` distinct allowed people approve, someone allowed
 * denies, or `timeoutMs` passes (reading comments every `intervalMs`). Closes the issue either way.
 * @returns the outcome; never throws for a denial or a timeout (the caller fails the step)
 * @throws Octokit's RequestError when GitHub refuses (e.g. 403 without `issues: write`)
 */
export async function waitForIssueApproval(
  octokit: Octokit,
  where: RepoRef,
  run: RunContext,
  options: {
    required: number;
    policy: ApproverPolicy;
    timeoutMs: number;
    intervalMs: number;
    assignees: string[];
  },
  logger: Logger,
): Promise<IssueOutcome> {
  const excluded = new Set(run.actor === '' ? [] : [run.actor.toLowerCase()]);
  const short = run.sha.slice(0, 7);
  const body = [
    `The run [${run.workflow} #${run.runNumber}](${run.runUrl}) wants to promote commit ${short}, which no pull request brought, so no review approved it.`,
    '',
    `It needs **${options.required}** approval(s) from ${options.policy.describe()}` +
      (run.actor === '' ? '.' : `, not counting @${run.actor} who started it.`),
    '',
    'Comment `approve` (or `approved`, `lgtm`, `yes`) to approve, or `deny` to refuse.',
    `The run waits until ${new Date(Date.now() + options.timeoutMs).toISOString()}.`,
  ].join('\n');
  const issue = await openIssue(
    octokit,
    where,
    {
      title: `Approval needed: promote ${short} (${run.workflow || 'workflow'} run ${run.runNumber || run.runId})`,
      body,
      assignees: options.assignees.slice(0, MAX_ASSIGNEES),
    },
    logger,
  );
  logger.info(`Opened approval issue #${issue.number}: ${issue.url}`);
  let tally: IssueTally = { approvers: [] };
  let reason = '';
  try {
    await pollUntil(
      async () => {
        tally = await tallyComments(
          await issueComments(octokit, where, issue.number, logger),
          options.policy,
          excluded,
        );
        if (tally.deniedBy !== undefined || tally.approvers.length >= options.required)
          return { done: true, value: tally };
        return {
          done: false,
          progress: `${tally.approvers.length} of ${options.required} approval(s)${tally.approvers.length > 0 ? ` (${tally.approvers.join(', ')})` : ''}`,
        };
      },
      {
        timeoutMs: options.timeoutMs,
        intervalMs: options.intervalMs,
        description: `${options.required} approval(s) on issue #${issue.number}`,
        logger,
      },
    );
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    reason = inertLine(error.message, 300);
  }
  const approved = reason === '' && tally.deniedBy === undefined;
  if (tally.deniedBy !== undefined) reason = `denied by ${tally.deniedBy} on issue #${issue.number}`;
  const closing = approved
    ? `Approved by ${tally.approvers.map((login) => `@${login}`).join(', ')}; the run continues.`
    : `Not approved: ${reason}. The run stops here.`;
  await closeIssue(octokit, where, issue.number, closing, approved, logger);
  return { approved, approvers: tally.approvers, issueNumber: issue.number, issueUrl: issue.url, reason };
}
