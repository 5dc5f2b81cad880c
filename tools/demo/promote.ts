/**
 * `npm run demo -- --promote`: the promotion path through the offline runner. The local GitHub stand-in
 * (testkit/github-reviews-standin.ts) holds the pull request that brought the commit and its reviews
 * (three that count, plus a stale one, the author's and a bot's, which do not), the deployments the runner
 * records and the commit statuses. examples/hello-service/workflows/promote.yml builds once in dev, then
 * approval-gate asks for 2 approvals before staging and 3 before production, and the deploy workflow
 * promotes the same digest, checking it passed the environment below. A second run asks production to
 * deploy a digest that never passed staging: it must be refused.
 */
import type { RunReport } from '../pipeline/runner.ts';
import { startGithubStandin, type GithubStandin } from '../../testkit/github-reviews-standin.ts';

export const PROMOTE_WORKFLOW = 'examples/hello-service/workflows/promote.yml';
export const UNDEPLOYED_WORKFLOW = 'examples/hello-service/workflows/promote-undeployed.yml';

/** The stand-in with the pull request and reviews of `sha`. */
export interface Promotion {
  github: GithubStandin;
  stop(): Promise<void>;
}

/**
 * Starts the GitHub stand-in for `acme/hello-service` with pull request #42 merged as `sha`: approvals by
 * alice, bob and carol on its final head count; dana's (the author), renovate[bot]'s and erin's (given on an
 * earlier head) do not.
 * @param sha the 40-hex commit the run deploys
 * @param token the token the run uses as github.token (the demo's GITHUB_TOKEN secret)
 */
export async function startPromotion(sha: string, token: string): Promise<Promotion> {
  const github = await startGithubStandin({ owner: 'acme', repo: 'hello-service', token });
  const head = sha.startsWith('e') ? 'f'.repeat(40) : 'e'.repeat(40);
  const earlier = 'a'.repeat(40);
  github.addPull({
    number: 42,
    user: 'dana',
    state: 'closed',
    merged: true,
    headSha: head,
    mergeCommitSha: sha,
  });
  github.addReview(42, { user: 'erin', state: 'APPROVED', commitId: earlier });
  github.addReview(42, { user: 'dana', state: 'APPROVED', commitId: head });
  github.addReview(42, { user: 'renovate[bot]', state: 'APPROVED', commitId: head });
  for (const user of ['alice', 'bob', 'carol'])
    github.addReview(42, { user, state: 'APPROVED', commitId: head });
  return { github, stop: () => github.stop() };
}

/** What the promotion left: the gates' approvers, the digest deployed per environment, the refusal. */
export function promotionLines(
  report: RunReport,
  github: GithubStandin,
  sha: string,
  refused?: RunReport,
): string[] {
  const lines = ['', '── promotion ──'];
  for (const gate of ['approve-staging', 'approve-production']) {
    const job = report.jobs.find((j) => j.id === gate);
    const step = job?.steps.find((s) => s.outputs['approvers'] !== undefined);
    lines.push(`${gate}: ${job?.result ?? 'not run'} — approvers ${step?.outputs['approvers'] || '(none)'}`);
  }
  for (const environment of ['dev', 'staging', 'production']) {
    const recorded = github.statuses(sha).find((s) => s.context === `gantry/image/${environment}`);
    const deployment = github.deployments().find((d) => d.environment === environment && d.sha === sha);
    lines.push(
      `${environment}: deployment ${deployment?.statuses.at(-1)?.state ?? 'none'}, image ${recorded?.description ?? '(not recorded)'}`,
    );
  }
  if (refused !== undefined) {
    const why = refused.jobs
      .flatMap((job) => job.steps)
      .flatMap((step) => step.annotations ?? [])
      .find((a) => a.message.startsWith('Promotion refused'));
    lines.push(
      `an undeployed digest to production: ${refused.result} — ${why?.message ?? 'no refusal reported'}`,
    );
  }
  return lines;
}
