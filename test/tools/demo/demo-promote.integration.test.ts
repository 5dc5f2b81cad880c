/**
 * `npm run demo -- --promote` end to end: examples/hello-service/workflows/promote.yml through the offline
 * runner with the built bundles, the demo's real registry, PostgreSQL, moto and buildah, and the local
 * GitHub stand-in holding the pull request and its reviews. One digest is built in dev and promoted to
 * staging and production behind approval-gate (2, then 3 approvals); a digest that never passed staging is
 * refused.
 */
import { describe, expect, test } from 'vitest';
import { DEMO_SECRETS, runDemo } from '../../../tools/demo/demo.ts';

describe('npm run demo -- --promote', () => {
  test('build once, promote the same digest dev → staging → production, refuse an undeployed one', async () => {
    const lines: string[] = [];
    const result = await runDemo({ promote: true, quiet: true, print: (line) => lines.push(line) });
    const text = lines.join('\n');
    expect(result.exitCode, text).toBe(0);
    const byId = (id: string) => result.report.jobs.find((job) => job.id === id);
    for (const id of [
      'deploy-dev',
      'approve-staging',
      'deploy-staging',
      'approve-production',
      'deploy-production',
    ])
      expect(byId(id)?.result, id).toBe('success');
    // one build: only dev ran build-push; staging and production skipped it
    const buildSteps = result.report.jobs
      .filter((job) => job.id.endsWith('/ deploy'))
      .map((job) => [job.id, job.steps.find((s) => s.name === 'Build and push the image')?.outcome]);
    expect(buildSteps).toEqual([
      ['deploy-dev / deploy', 'success'],
      ['deploy-staging / deploy', 'skipped'],
      ['deploy-production / deploy', 'skipped'],
    ]);
    // the same digest everywhere, and it is what the registry holds and the service runs
    const digests = ['deploy-dev', 'deploy-staging', 'deploy-production'].map(
      (id) => byId(id)?.outputs['image-digest'],
    );
    expect(new Set(digests).size).toBe(1);
    expect(digests[0]).toBe(result.registry.releaseDigest);
    expect(result.agentEvents.at(-1)?.image).toContain(digests[0] ?? 'none');
    // the gates counted alice, bob and carol (not the author, the bot or the stale approval)
    expect(text).toContain('approve-staging: success — approvers alice,bob,carol');
    expect(text).toContain('approve-production: success — approvers alice,bob,carol');
    expect(text).toMatch(/#42 \| 3 of 2 \|/);
    expect(text).toMatch(/#42 \| 3 of 3 \|/);
    // the undeployed digest was refused
    expect(text).toMatch(
      /an undeployed digest to production: failure — Promotion refused: sha256:d{64} is not the image that passed staging/,
    );
    for (const secret of Object.values(DEMO_SECRETS)) expect(text).not.toContain(secret);
  });
});
