/**
 * approval-gate's decision against the local GitHub stand-in (real HTTP on loopback, driven by the real
 * Octokit): stale approvals, the author, a bot, one person twice, a later change request, team
 * membership, pagination, and a direct push (fail and wait modes).
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { decide } from '../../../actions/approval-gate/src/main.ts';
import type { Inputs } from '../../../actions/approval-gate/src/inputs.ts';
import { createOctokit } from '../../../shared/src/github.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { readRunContext } from '../../../shared/src/run-context.ts';
import { startGithubStandin, type GithubStandin } from '../../../testkit/github-reviews-standin.ts';

const MERGE = 'c'.repeat(40);
const HEAD = 'b'.repeat(40);
const OLD = 'a'.repeat(40);
let github: GithubStandin;

beforeEach(async () => {
  process.env['GANTRY_RETRY_DELAY_SCALE'] = '0';
  github = await startGithubStandin();
  github.addPull({
    number: 12,
    user: 'dana',
    state: 'closed',
    merged: true,
    headSha: HEAD,
    mergeCommitSha: MERGE,
  });
});
afterEach(async () => {
  await github.stop();
});

const inputs = (overrides: Partial<Inputs> = {}): Inputs => ({
  'required-approvals': 2,
  'github-token': github.token,
  'allowed-users': [],
  'allowed-teams': [],
  'on-no-pull-request': 'fail',
  timeout: 10_000,
  'poll-interval': 100,
  sha: '',
  ...overrides,
});

async function gate(overrides: Partial<Inputs> = {}, sha = MERGE) {
  const logger = createCaptureLogger();
  const run = readRunContext({
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SHA: sha,
    GITHUB_API_URL: github.url,
    GITHUB_ACTOR: 'pusher',
    GITHUB_WORKFLOW: 'pipeline',
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_NUMBER: '3',
  });
  const octokit = await createOctokit(github.token, run.apiUrl, logger);
  const decision = await decide(octokit, inputs(overrides), run, logger);
  return { decision, logger };
}

describe('approval-gate against the GitHub stand-in', () => {
  test('two approvals on the final head pass; the merged pull request is found from its merge commit', async () => {
    github.addReview(12, { user: 'alice', state: 'APPROVED', commitId: HEAD });
    github.addReview(12, { user: 'bob', state: 'APPROVED', commitId: HEAD });
    const { decision } = await gate();
    expect(decision.approved).toBe(true);
    expect(decision.verdicts.map((v) => [v.number, v.approvers])).toEqual([[12, ['alice', 'bob']]]);
  });

  test('an approval of an older head is stale', async () => {
    github.addReview(12, { user: 'alice', state: 'APPROVED', commitId: OLD });
    github.addReview(12, { user: 'bob', state: 'APPROVED', commitId: HEAD });
    const { decision } = await gate();
    expect(decision.approved).toBe(false);
    expect(decision.reason).toContain('alice (stale: approved aaaaaaa, head is bbbbbbb)');
  });

  test('the author approving and a bot approving do not count', async () => {
    github.addUser('release-bot', 'Bot');
    github.addReview(12, { user: 'dana', state: 'APPROVED', commitId: HEAD });
    github.addReview(12, { user: 'release-bot', state: 'APPROVED', commitId: HEAD });
    github.addReview(12, { user: 'bob', state: 'APPROVED', commitId: HEAD });
    const { decision } = await gate();
    expect(decision.approved).toBe(false);
    expect(decision.verdicts[0]?.approvers).toEqual(['bob']);
    expect(decision.verdicts[0]?.notCounted.map((n) => `${n.login}:${n.reason}`)).toEqual([
      'dana:author',
      'release-bot:bot',
    ]);
  });

  test('two reviews by one person count once', async () => {
    github.addReview(12, { user: 'bob', state: 'APPROVED', commitId: HEAD });
    github.addReview(12, { user: 'bob', state: 'APPROVED', commitId: HEAD });
    const { decision } = await gate();
    expect(decision.approved).toBe(false);
    expect(decision.verdicts[0]?.approvers).toEqual(['bob']);
  });

  test('a later CHANGES_REQUESTED blocks even with enough approvals', async () => {
    for (const user of ['alice', 'bob', 'carol'])
      github.addReview(12, { user, state: 'APPROVED', commitId: HEAD });
    github.addReview(12, { user: 'carol', state: 'CHANGES_REQUESTED', commitId: HEAD });
    const { decision } = await gate();
    expect(decision.approved).toBe(false);
    expect(decision.verdicts[0]?.changesRequestedBy).toEqual(['carol']);
    expect(decision.reason).toContain('changes requested by carol');
  });

  test('allowed-teams counts active team members only (read through the membership API)', async () => {
    github.addTeamMember('acme', 'release', 'alice');
    github.addTeamMember('acme', 'sre', 'bob');
    for (const user of ['alice', 'bob', 'eve'])
      github.addReview(12, { user, state: 'APPROVED', commitId: HEAD });
    const teams = await gate({
      'allowed-teams': [
        { org: 'acme', slug: 'release' },
        { org: 'acme', slug: 'sre' },
      ],
    });
    expect(teams.decision.approved).toBe(true);
    expect(teams.decision.verdicts[0]?.approvers).toEqual(['alice', 'bob']);
    expect(teams.decision.verdicts[0]?.notCounted).toEqual([{ login: 'eve', reason: 'not-allowed' }]);
    const asked = github.requests.filter((r) => r.path.includes('/memberships/')).map((r) => r.path);
    expect(asked).toContain('/orgs/acme/teams/release/memberships/eve');
    expect(asked).toContain('/orgs/acme/teams/sre/memberships/eve');
    const one = await gate({ 'allowed-teams': [{ org: 'acme', slug: 'release' }], 'allowed-users': ['Eve'] });
    expect(one.decision.verdicts[0]?.approvers).toEqual(['alice', 'eve']);
  });

  test('every page of reviews is read', async () => {
    for (let i = 0; i < 150; i++)
      github.addReview(12, { user: `user${i}`, state: 'COMMENTED', commitId: HEAD });
    github.addReview(12, { user: 'alice', state: 'APPROVED', commitId: HEAD });
    github.addReview(12, { user: 'bob', state: 'APPROVED', commitId: HEAD });
    const { decision } = await gate();
    expect(decision.approved).toBe(true);
    const pages = github.requests
      .filter((r) => r.path.endsWith('/pulls/12/reviews'))
      .map((r) => r.query['page'] ?? '1');
    expect(pages).toEqual(['1', '2']);
  });

  test('every pull request that brought the commit must be approved', async () => {
    github.addPull({ number: 13, user: 'erin', state: 'open', headSha: MERGE });
    github.addReview(12, { user: 'alice', state: 'APPROVED', commitId: HEAD });
    github.addReview(12, { user: 'bob', state: 'APPROVED', commitId: HEAD });
    github.addReview(13, { user: 'alice', state: 'APPROVED', commitId: MERGE });
    const { decision } = await gate();
    expect(decision.verdicts.map((v) => [v.number, v.approved])).toEqual([
      [12, true],
      [13, false],
    ]);
    expect(decision.approved).toBe(false);
  });

  test('a direct push fails clearly with on-no-pull-request: fail, opening nothing', async () => {
    const { decision } = await gate({}, 'd'.repeat(40));
    expect(decision.approved).toBe(false);
    expect(decision.reason).toMatch(
      /no pull request brought ddddddd \(a direct push\).*on-no-pull-request: wait/,
    );
    expect(github.issues()).toEqual([]);
  });

  test('a direct push with on-no-pull-request: wait passes on N distinct allowed approve comments', async () => {
    github.setPermission('alice', 'write');
    github.setPermission('bob', 'admin');
    github.setPermission('pusher', 'admin');
    github.setPermission('reader', 'read');
    let reads = 0;
    github.onRequest = (request) => {
      if (request.method !== 'GET' || !request.path.endsWith('/issues/1/comments')) return;
      reads += 1;
      if (reads === 1) {
        github.addIssueComment(1, 'alice', 'approve');
        github.addIssueComment(1, 'alice', 'Approved!');
        github.addIssueComment(1, 'pusher', 'approve');
        github.addIssueComment(1, 'github-actions[bot]', 'approve');
        github.addIssueComment(1, 'reader', 'lgtm');
        github.addIssueComment(1, 'bob', 'looks fine, will approve after lunch');
      }
      if (reads === 3) github.addIssueComment(1, 'bob', 'LGTM');
    };
    const { decision } = await gate({ 'on-no-pull-request': 'wait' }, 'd'.repeat(40));
    expect(decision.approved).toBe(true);
    expect(decision.issue?.approvers).toEqual(['alice', 'bob']);
    expect(reads).toBe(3); // the first read saw only one allowed approver; the third saw bob
    const [issue] = github.issues();
    expect(issue?.title).toBe('Approval needed: promote ddddddd (pipeline run 3)');
    expect(issue?.body).toContain('**2** approval(s) from anyone with write access');
    expect(issue?.state).toBe('closed');
    expect(github.comments(1).at(-1)?.body).toBe('Approved by @alice, @bob; the run continues.');
  });

  test('wait: a deny from an allowed person stops at once; assignees are the allowed users', async () => {
    github.onRequest = (request) => {
      if (
        request.method === 'GET' &&
        request.path.endsWith('/issues/1/comments') &&
        github.comments(1).length === 0
      ) {
        github.addIssueComment(1, 'alice', 'approve');
        github.addIssueComment(1, 'mallory', 'deny');
        github.addIssueComment(1, 'bob', 'deny');
      }
    };
    const { decision } = await gate(
      { 'on-no-pull-request': 'wait', 'allowed-users': ['alice', 'bob'] },
      'd'.repeat(40),
    );
    expect(decision.approved).toBe(false);
    expect(decision.reason).toBe('denied by bob on issue #1');
    expect(github.issues()[0]?.assignees).toEqual(['alice', 'bob']);
    expect(github.issues()[0]?.state).toBe('closed');
  });

  test('wait: the timeout closes the issue and fails', async () => {
    const { decision } = await gate(
      { 'on-no-pull-request': 'wait', timeout: 400, 'required-approvals': 1 },
      'd'.repeat(40),
    );
    expect(decision.approved).toBe(false);
    expect(decision.reason).toMatch(
      /Timed out .*1 approval\(s\) on issue #1; last state: 0 of 1 approval\(s\)/,
    );
    expect(github.issues()[0]?.state).toBe('closed');
    expect(github.comments(1).at(-1)?.body).toMatch(/^Not approved: Timed out/);
  });

  test('a wrong token is reported as GitHub answered it, after no retries', async () => {
    const logger = createCaptureLogger();
    const run = readRunContext({
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_SHA: MERGE,
      GITHUB_API_URL: github.url,
    });
    const octokit = await createOctokit('wrong', run.apiUrl, logger);
    await expect(decide(octokit, inputs(), run, logger)).rejects.toThrow(/Bad credentials/);
    expect(github.requests).toHaveLength(1);
  });
});
