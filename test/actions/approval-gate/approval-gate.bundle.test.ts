/**
 * The approval-gate bundle, run as the runner runs it, against the local GitHub stand-in.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { startGithubStandin, type GithubStandin } from '../../../testkit/github-reviews-standin.ts';

const MERGE = 'c'.repeat(40);
const HEAD = 'b'.repeat(40);

describe('approval-gate bundle', () => {
  let github: GithubStandin;
  beforeAll(async () => {
    github = await startGithubStandin();
    github.addPull({
      number: 5,
      user: 'dana',
      state: 'closed',
      merged: true,
      headSha: HEAD,
      mergeCommitSha: MERGE,
    });
    github.addReview(5, { user: 'alice', state: 'APPROVED', commitId: HEAD });
    github.addReview(5, { user: 'bob', state: 'APPROVED', commitId: HEAD });
  });
  afterAll(() => github.stop());
  const env = (sha: string): Record<string, string> => ({
    GITHUB_API_URL: github.url,
    GITHUB_SHA: sha,
    GANTRY_RETRY_DELAY_SCALE: '0',
  });

  test('approved: outputs, summary, exit 0, the token masked', async () => {
    const run = await runBundle('approval-gate', {
      inputs: { 'required-approvals': '2', 'github-token': github.token },
      env: env(MERGE),
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ approved: 'true', approvers: 'alice,bob', 'pull-requests': '5' });
    expect(run.summary).toContain('Approval gate for ccccccc');
    expect(run.masks).toContain(github.token);
    expect(run.log).not.toContain(github.token);
  });

  test('too few approvals: outputs written, the step fails naming the count', async () => {
    const run = await runBundle('approval-gate', {
      inputs: { 'required-approvals': '3', 'github-token': github.token },
      env: env(MERGE),
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['approved']).toBe('false');
    expect(run.annotations.find((a) => a.level === 'error')?.message).toBe(
      'Not approved: #5: 2 of 3 approval(s) (alice, bob)',
    );
  });

  test('a direct push fails clearly by default', async () => {
    const run = await runBundle('approval-gate', {
      inputs: { 'github-token': github.token },
      env: env('e'.repeat(40)),
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ approved: 'false', 'pull-requests': '' });
    expect(run.log).toMatch(/no pull request brought eeeeeee \(a direct push\)/);
  });

  test.each([
    [{ 'required-approvals': 'two' }, "Input 'required-approvals'"],
    [{ 'required-approvals': '0' }, "Input 'required-approvals'"],
    [{ 'on-no-pull-request': 'ask' }, "Input 'on-no-pull-request'"],
    [{ 'allowed-teams': 'acme/a/b' }, "Input 'allowed-teams'"],
    [{ 'allowed-users': 'not a login' }, "Input 'allowed-users'"],
    [{ timeout: '7h' }, "Input 'timeout'"],
    [{ sha: 'main' }, "Input 'sha'"],
  ])('bad input %j fails naming it, with no request made', async (inputs, message) => {
    const before = github.requests.length;
    const run = await runBundle('approval-gate', {
      inputs: { 'github-token': github.token, ...inputs },
      env: env(MERGE),
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations.find((a) => a.level === 'error')?.message).toContain(message);
    expect(github.requests.length).toBe(before);
  });
});
