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
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../testkit/bundle-runner.ts';
import { startHelloService, type HelloService } from '../../testkit/hello-service.ts';
import { seedService, serviceTaskDefinition, type Moto } from '../../testkit/moto.ts';
import { Receivers } from '../../testkit/receivers.ts';
import { sharedMoto } from '../../testkit/shared-parts.ts';
import { loadConfig } from '../../tools/pipeline/config.ts';
import { runWorkflow, type RunReport, type StepReport } from '../../tools/pipeline/runner.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHA = 'e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0';
const DIGEST = `sha256:${'e'.repeat(64)}`;

describe('gantry-deploy-ecs.yml: E2E suite after the staging smoke test (Playwright, real Chromium)', () => {
  let temp: string;
  let workspace: string;
  let moto: Moto;
  let receivers: Receivers;
  let good: HelloService;
  let broken: HelloService;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (see .ci/system-packages.txt)`);
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-e2e-'));
    workspace = path.join(temp, 'workspace');
    await mkdir(workspace);
    // The caller's checkout: Gantry's workflows, actions and bundles (gantry-checkout: false), the E2E
    // project copied (its report is written there), and node_modules with @playwright/test, as `npm ci` leaves it.
    for (const entry of ['.github', 'actions', 'dist', 'node_modules'])
      await symlink(path.join(repoRoot, entry), path.join(workspace, entry));
    await mkdir(path.join(workspace, 'examples'));
    await cp(path.join(repoRoot, 'examples', 'hello-e2e'), path.join(workspace, 'examples', 'hello-e2e'), {
      recursive: true,
      filter: (source) => !/playwright-report|test-results/.test(source),
    });
    moto = await sharedMoto();
    receivers = await new Receivers({ anyCredentials: true }).start();
    good = await startHelloService({ APP_VERSION: '1.1.0', APP_ENV: 'staging' });
    // Healthy for the smoke test (/health answers 200), broken for a user: every GET / answers 500.
    broken = await startHelloService({ APP_VERSION: '1.1.1', APP_ENV: 'staging', APP_ERROR_RATE: '1' });
  });
  afterAll(async () => {
    await good?.stop();
    await broken?.stop();
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
        'e2e-command': 'npx playwright test',
        'e2e-working-directory': 'examples/hello-e2e',
        'e2e-browser-path': CHROMIUM,
      },
      env,
      config: await loadConfig(),
      github: { sha: SHA, ref_name: 'main', repository: 'acme/hello', repository_owner: 'acme' },
      print: (line) => lines.push(line),
      quiet: true,
    });
    return { report, log: lines.join('\n') };
  };
  const step = (report: RunReport, id: string): StepReport | undefined =>
    report.jobs.flatMap((job) => job.steps).find((s) => s.id === id);
  const named = (report: RunReport, name: string): StepReport | undefined =>
    report.jobs.flatMap((job) => job.steps).find((s) => s.name === name);
  const stepLog = (report: RunReport): string =>
    report.jobs
      .flatMap((job) => job.steps)
      .map((s) => `## ${s.name}: ${s.outcome}\n${s.log.join('\n')}`)
      .join('\n');

  test('a passing suite: deployed, report uploaded, the digest recorded as having passed staging', async () => {
    const seeded = await seedService(moto, {
      cluster: 'e2e-pass',
      service: 'hello',
      family: 'hello-e2e-pass',
    });
    const { report } = await deploy('e2e-pass', good.url);
    expect(report.result, stepLog(report)).toBe('success');
    const e2e = step(report, 'e2e');
    expect(e2e?.outcome).toBe('success');
    const e2eLog = e2e?.log.join('\n') ?? '';
    expect(e2eLog).toMatch(/2 passed/);
    expect(e2eLog).toContain(`E2E against ${good.url} with ${CHROMIUM}`);
    expect(named(report, 'Upload the E2E report')?.outcome).toBe('success');
    expect(named(report, 'Upload the E2E report')?.log.join('\n')).toMatch(/artifacts\/e2e-report-staging/);
    expect(existsSync(path.join(workspace, 'examples/hello-e2e/playwright-report/index.html'))).toBe(true);
    expect(step(report, 'rollback')?.outcome).toBe('skipped');
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
    const { report } = await deploy('e2e-fail', broken.url);
    expect(report.result, stepLog(report)).toBe('failure');
    expect(step(report, 'smoke')?.outcome).toBe('success');
    const e2e = step(report, 'e2e');
    expect(e2e?.outcome).toBe('failure');
    expect(e2e?.log.join('\n')).toMatch(/1 failed/);
    expect(e2e?.log.join('\n')).toMatch(/GET \/ status/);
    expect(named(report, 'Upload the E2E report')?.outcome).toBe('success');
    const rollback = step(report, 'rollback');
    expect(rollback?.outcome, stepLog(report)).toBe('success');
    expect(rollback?.log.join('\n')).toMatch(/the E2E suite failed/);
    expect(await serviceTaskDefinition(moto, 'e2e-fail', 'hello')).toBe(seeded);
    expect(receivers.commitStatuses.filter((s) => s.context === 'gantry/image/staging')).toHaveLength(before);
    expect(step(report, 'finished')?.outcome).toBe('success');
  });
});
