/**
 * Post-deploy E2E in staging (gantry-deploy-ecs.yml's `e2e-command`), run for real: the reusable workflow
 * through the offline runner (tools/pipeline) with the built bundles, ECS on moto (testkit/moto.ts), notify
 * and the commit statuses on the local receivers, and the example suite examples/hello-e2e — Playwright Test
 * (@playwright/test, a pinned devDependency) driving Debian's /usr/bin/chromium (e2e-browser-path), no
 * browser downloaded — against hello-service on loopback (testkit/hello-service.ts).
 *
 * A passing suite: the job succeeds, the report is uploaded, the digest is recorded as having passed
 * staging. A failing suite (hello-service answering 500 on `/`, while `/health`, the smoke check, passes):
 * the job fails, the service is rolled back to the revision it ran before, and nothing is recorded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seedService, serviceTaskDefinition, type Moto } from '../../testkit/moto.ts';
import { Receivers } from '../../testkit/receivers.ts';
import { sharedMoto } from '../../testkit/shared-parts.ts';
import { loadConfig } from '../../tools/pipeline/config.ts';
import { runWorkflow, type RunReport } from '../../tools/pipeline/runner.ts';
import * as suite from './e2e-suite.ts';

const SHA = 'e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0';
const DIGEST = `sha256:${'e'.repeat(64)}`;

describe('gantry-deploy-ecs.yml: E2E suite after the staging smoke test (Playwright, real Chromium)', () => {
  let temp: string;
  let workspace: string;
  let moto: Moto;
  let receivers: Receivers;
  let targets: suite.E2eTargets;

  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-e2e-'));
    workspace = await suite.e2eWorkspace(temp);
    moto = await sharedMoto();
    receivers = await new Receivers({ anyCredentials: true }).start();
    targets = await suite.startE2eTargets();
  });
  afterAll(async () => {
    await targets?.stop();
    await receivers?.stop();
    await moto?.stop();
    await rm(temp, { recursive: true, force: true });
  });

  const deploy = async (cluster: string, url: string): Promise<{ report: RunReport; log: string }> => {
    const lines: string[] = [];
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env))
      if (value !== undefined && !key.startsWith('AWS_')) env[key] = value;
    Object.assign(env, {
      LOCAL_AWS_ENDPOINT_URL: moto.endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      GITHUB_API_URL: receivers.githubApiUrl,
      GANTRY_LOCAL_SLACK_API_URL: receivers.slackApiUrl,
      GANTRY_LOCAL_PAGERDUTY_API_URL: receivers.pagerDutyUrl,
      GANTRY_ECS_POLL_INTERVAL: '100ms',
      GANTRY_RETRY_DELAY_SCALE: '0',
    });
    const report = await runWorkflow({
      workflow: '.github/workflows/gantry-deploy-ecs.yml',
      workspace,
      event: 'workflow_dispatch',
      inputs: {
        environment: 'staging',
        'environment-url': url,
        'aws-region': 'us-east-1',
        'role-to-assume': 'arn:aws:iam::123456789012:role/gantry-deploy-staging',
        cluster,
        service: 'hello',
        image: '127.0.0.1:5000/hello',
        'image-digest': DIGEST,
        'image-scan': 'false',
        'security-gate': 'false',
        'gantry-checkout': 'false',
        'smoke-checks': `- name: health\n  url: ${url}/health\n  expect-json: { "$.status": ok }`,
        'smoke-timeout': '10s',
        'deploy-timeout': '1m',
        ...suite.E2E_INPUTS,
      },
      env,
      config: await loadConfig(),
      github: { sha: SHA, ref_name: 'main', repository: 'acme/hello', repository_owner: 'acme' },
      print: (line) => lines.push(line),
      quiet: true,
    });
    return { report, log: lines.join('\n') };
  };

  test('a passing suite: deployed, report uploaded, the digest recorded as having passed staging', async () => {
    const seeded = await seedService(moto, {
      cluster: 'e2e-pass',
      service: 'hello',
      family: 'hello-e2e-pass',
    });
    const { report } = await deploy('e2e-pass', targets.good.url);
    expect(report.result, suite.stepLog(report)).toBe('success');
    suite.expectSuitePassed(report, workspace, targets.good.url, 'staging');
    const current = await serviceTaskDefinition(moto, 'e2e-pass', 'hello');
    expect(current).not.toBe(seeded);
    expect(
      receivers.commitStatuses.filter((s) => s.context === 'gantry/image/staging').map((s) => s.state),
    ).toEqual(['success']);
  });

  test('a failing suite: the job fails, the service is rolled back, nothing recorded as passed', async () => {
    const seeded = await seedService(moto, {
      cluster: 'e2e-fail',
      service: 'hello',
      family: 'hello-e2e-fail',
    });
    const before = receivers.commitStatuses.filter((s) => s.context === 'gantry/image/staging').length;
    const { report } = await deploy('e2e-fail', targets.broken.url);
    expect(report.result, suite.stepLog(report)).toBe('failure');
    suite.expectSuiteFailedAndRolledBack(report);
    expect(await serviceTaskDefinition(moto, 'e2e-fail', 'hello')).toBe(seeded);
    expect(receivers.commitStatuses.filter((s) => s.context === 'gantry/image/staging')).toHaveLength(before);
    expect(suite.stepById(report, 'finished')?.outcome).toBe('success');
  });
});
