/**
 * approval-gate: passes when the pull request(s) that brought the commit carry `required-approvals`
 * approvals counted as GitHub counts them (see reviews.ts); for a direct push, fails — or, with
 * `on-no-pull-request: wait`, waits for approvals on an approval issue. Outputs are written before the
 * step fails.
 */
import { formatDuration } from '../../../shared/src/duration.ts';
import { createOctokit, inertLine, type Octokit } from '../../../shared/src/github.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { readRunContext, type RunContext } from '../../../shared/src/run-context.ts';
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import { pullRequestsOfCommit, reviewsOf, type RepoRef } from './api.ts';
import { waitForIssueApproval, type IssueOutcome } from './approval-issue.ts';
import { approverPolicy, type ApproverPolicy } from './approvers.ts';
import { getInputs, type Inputs } from './inputs.ts';
import { writeOutputs, type Outputs } from './outputs.ts';
import { countApprovals, describeVerdict, type PullRequestVerdict } from './reviews.ts';

/** What the gate decided. */
export interface GateDecision {
  approved: boolean;
  /** One verdict per pull request ([] for a direct push). */
  verdicts: PullRequestVerdict[];
  /** The approval issue's outcome, for `on-no-pull-request: wait`. */
  issue?: IssueOutcome;
  /** Why it did not pass ('' when it did). */
  reason: string;
}

/** Runs the approval-gate flow; throws (after outputs and summary) when the commit is not approved. */
export async function run(env: NodeJS.ProcessEnv = process.env, logger: Logger = coreLogger): Promise<void> {
  const inputs = await getInputs(env, logger);
  const context = readRunContext(env, inputs.sha);
  if (context.owner === '' || context.sha === '')
    throw new Error(
      'GITHUB_REPOSITORY and GITHUB_SHA (or the `sha` input) must name the repository and commit',
    );
  const octokit = await createOctokit(inputs['github-token'], context.apiUrl, logger);
  const decision = await decide(octokit, inputs, context, logger);
  const outputs = outputsOf(decision);
  writeOutputs(outputs);
  await report(decision, inputs['required-approvals'], context);
  if (!decision.approved) throw new Error(`Not approved: ${decision.reason}`);
  logger.info(`Approved by ${outputs.approvers.join(', ')}.`);
}

/**
 * The gate's decision for `run.sha`: the pull requests that brought it and their approvals, or the
 * approval issue when there is none and `on-no-pull-request` is `wait`.
 * @throws Octokit's RequestError when GitHub refuses a read (after retries)
 */
export async function decide(
  octokit: Octokit,
  inputs: Inputs,
  run: RunContext,
  logger: Logger,
): Promise<GateDecision> {
  const where: RepoRef = { owner: run.owner, repo: run.repo };
  const policy = approverPolicy(inputs, octokit, where, logger);
  const required = inputs['required-approvals'];
  const pulls = await logger.group(`Pull requests that brought ${run.sha.slice(0, 7)}`, async () => {
    const found = await pullRequestsOfCommit(octokit, where, run.sha, logger);
    logger.info(
      found.length === 0 ? 'None: a direct push.' : found.map((pull) => `#${pull.number}`).join(', '),
    );
    return found;
  });
  if (pulls.length === 0) return noPullRequest(octokit, inputs, run, policy, logger);
  const verdicts = await logger.group(`Counting approvals (${required} needed)`, () =>
    judgePullRequests(octokit, where, pulls, required, policy, logger),
  );
  const failing = verdicts.filter((verdict) => !verdict.approved);
  return {
    approved: failing.length === 0,
    verdicts,
    reason: failing.map(describeVerdict).join(' | '),
  };
}

/** Reads every pull request's reviews and counts its approvals (allow-lists resolved first). */
async function judgePullRequests(
  octokit: Octokit,
  where: RepoRef,
  pulls: Awaited<ReturnType<typeof pullRequestsOfCommit>>,
  required: number,
  policy: ApproverPolicy,
  logger: Logger,
): Promise<PullRequestVerdict[]> {
  const verdicts: PullRequestVerdict[] = [];
  for (const pull of pulls) {
    const reviews = await reviewsOf(octokit, where, pull.number, logger);
    const allowed = new Set<string>();
    for (const review of reviews)
      if (review.state === 'APPROVED' && (await policy.mayApproveReview(review.login)))
        allowed.add(review.login.toLowerCase());
    const verdict = countApprovals(pull, reviews, required, (login) => allowed.has(login.toLowerCase()));
    logger.info(inertLine(describeVerdict(verdict), 1_000));
    verdicts.push(verdict);
  }
  return verdicts;
}

/** A direct push: fail clearly, or wait on an approval issue. */
async function noPullRequest(
  octokit: Octokit,
  inputs: Inputs,
  run: RunContext,
  policy: ApproverPolicy,
  logger: Logger,
): Promise<GateDecision> {
  const required = inputs['required-approvals'];
  if (inputs['on-no-pull-request'] === 'fail') {
    return {
      approved: false,
      verdicts: [],
      reason:
        `no pull request brought ${run.sha.slice(0, 7)} (a direct push), so nobody reviewed it; merge it ` +
        'through a pull request, or set on-no-pull-request: wait to ask for approvals on an issue',
    };
  }
  const issue = await logger.group(
    `Waiting up to ${formatDuration(inputs.timeout)} for ${required} approval(s) on an issue`,
    () =>
      waitForIssueApproval(
        octokit,
        { owner: run.owner, repo: run.repo },
        run,
        {
          required,
          policy,
          timeoutMs: inputs.timeout,
          intervalMs: inputs['poll-interval'],
          assignees: inputs['allowed-users'],
        },
        logger,
      ),
  );
  return { approved: issue.approved, verdicts: [], issue, reason: issue.reason };
}

/** The outputs of a decision. */
export function outputsOf(decision: GateDecision): Outputs {
  const approvers = decision.issue?.approvers ?? [
    ...new Set(decision.verdicts.flatMap((verdict) => verdict.approvers)),
  ];
  const outputs: Outputs = {
    approved: decision.approved,
    approvers,
    'pull-requests': decision.verdicts.map((verdict) => verdict.number),
  };
  if (decision.issue !== undefined) outputs['approval-issue'] = decision.issue.issueNumber;
  return outputs;
}

/** The job summary: one row per pull request (or the approval issue). */
async function report(decision: GateDecision, required: number, run: RunContext): Promise<void> {
  const rows =
    decision.issue !== undefined
      ? [
          [
            `issue #${decision.issue.issueNumber}`,
            `${decision.issue.approvers.length} of ${required}`,
            decision.issue.approvers.join(', '),
            decision.issue.reason || 'approved',
          ],
        ]
      : decision.verdicts.map((verdict) => [
          `#${verdict.number}`,
          `${verdict.approvers.length} of ${required}`,
          verdict.approvers.join(', '),
          verdict.approved ? 'approved' : describeVerdict(verdict),
        ]);
  if (rows.length === 0) rows.push(['(none: a direct push)', `0 of ${required}`, '', decision.reason]);
  await writeSummaryTable(
    `Approval gate for ${run.sha.slice(0, 7)}`,
    ['Pull request', 'Approvals', 'Approvers', 'Verdict'],
    rows,
    decision.approved ? 'Approved.' : `Not approved: ${decision.reason}`,
  );
}
