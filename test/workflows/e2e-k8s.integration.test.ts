/**
 * Post-deploy E2E on Kubernetes (gantry-deploy-k8s.yml's `e2e-command`, strategy rolling), run for real: the
 * reusable workflow through the offline runner (tools/pipeline) with the built deploy-rolling, smoke-test,
 * rollback and notify bundles against the Kubernetes API stand-in (seeded and read back with the real
 * kubectl), notify and the commit statuses on the local receivers, and the example suite examples/hello-e2e
 * driving Debian's Chromium against hello-service on loopback, exactly as e2e-staging.integration.test.ts
 * runs it for the ECS workflow (the shared setup is ./e2e-suite.ts).
 *
 * A passing suite: the job succeeds, the report is uploaded, the Deployment runs the new digest, which is
 * recorded as having passed staging. A failing suite (hello-service answering 500 on `/`, while `/health`,
 * the smoke check, passes): the job fails (result rolled-back), the rollback step puts the Deployment back on
 * the image it ran before, nothing is recorded, and — staging not being a production environment — nobody
 * is paged while Slack reports the rollback.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHelloService, type HelloService } from '../../testkit/hello-service.ts';
import { startKubernetesStandIn, type KubernetesStandIn } from '../../testkit/kubernetes-standin/index.ts';
import { GITHUB_TOKEN, Receivers, SLACK_TOKEN } from '../../testkit/receivers.ts';
import { loadConfig } from '../../tools/pipeline/config.ts';
import { runWorkflow, type RunReport } from '../../tools/pipeline/runner.ts';
import {
  E2E_INPUTS,
  e2eWorkspace,
  expectSuiteFailedAndRolledBack,
  expectSuitePassed,
  stepById,
  stepLog,
} from './e2e-suite.ts';

const exec = promisify(execFile);
const SHA = 'e2e1e2e1e2e1e2e1e2e1e2e1e2e1e2e1e2e1e2e1';
const OLD_IMAGE = 'registry.local/hello:1';
const DIGEST = `sha256:${'f'.repeat(64)}`;
const NEW_IMAGE = `registry.local/hello@${DIGEST}`;

describe('gantry-deploy-k8s.yml: E2E suite after the staging smoke test (Playwright, real Chromium)', () => {
  let temp: string;
  let workspace: string;
  let cluster: KubernetesStandIn;
  let receivers: Receivers;
  let good: HelloService;
  let broken: HelloService;

  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-e2e-k8s-'));
    workspace = await e2eWorkspace(temp);
    // The caller's manifests: deployment/hello on OLD_IMAGE (the rollout substitutes the promoted digest).
    await mkdir(path.join(workspace, 'k8s'));
    await writeFile(
      path.join(workspace, 'k8s', 'hello.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: hello }
spec:
  replicas: 2
  selector: { matchLabels: { app: hello } }
  template:
    metadata: { labels: { app: hello } }
    spec:
      containers: [{ name: web, image: '${OLD_IMAGE}' }]
`,
    );
    cluster = await startKubernetesStandIn({ namespaces: ['e2e-pass', 'e2e-fail'] });
    // any credentials: notify sends `token`, the workflow's curl steps `Bearer`
    receivers = await new Receivers({ anyCredentials: true }).start();
    good = await startHelloService({ APP_VERSION: '1.1.0', APP_ENV: 'staging' });
    // Healthy for the smoke test (/health answers 200), broken for a user: every GET / answers 500.
    broken = await startHelloService({ APP_VERSION: '1.1.1', APP_ENV: 'staging', APP_ERROR_RATE: '1' });
  }, 90_000);
  afterAll(async () => {
    await good?.stop();
    await broken?.stop();
    await receivers?.stop();
    await cluster?.stop();
    await rm(temp, { recursive: true, force: true });
  });

  /** The real kubectl against the stand-in. */
  async function kubectl(namespace: string, ...args: string[]): Promise<string> {
    const kubeconfig = ['--kubeconfig', cluster.kubeconfigPath, '-n', namespace];
    const { stdout } = await exec('kubectl', [...kubeconfig, ...args], { timeout: 30_000 });
    return stdout.trim();
  }
  /** deployment/hello at OLD_IMAGE, rolled out (its revision 1), in `namespace`. */
  async function seed(namespace: string): Promise<void> {
    await kubectl(namespace, 'apply', '--server-side', '-f', path.join(workspace, 'k8s', 'hello.yaml'));
    await kubectl(namespace, 'rollout', 'status', 'deployment/hello', '--timeout=60s');
  }
  const image = (namespace: string): Promise<string> =>
    kubectl(namespace, 'get', 'deployment/hello', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');

  /** Deploys DIGEST to staging in `namespace`; the smoke test checks `<url>/health`, the suite tests `url`. */
  const deploy = async (
    namespace: string,
    url: string,
    inputs: Record<string, string>,
  ): Promise<RunReport> => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env))
      if (value !== undefined && !key.startsWith('AWS_') && key !== 'KUBECONFIG') env[key] = value;
    return runWorkflow({
      workflow: '.github/workflows/gantry-deploy-k8s.yml',
      workspace,
      event: 'workflow_dispatch',
      github: { sha: SHA, ref_name: 'main', repository: 'acme/hello', repository_owner: 'acme' },
      inputs: {
        environment: 'staging',
        image: 'registry.local/hello',
        'image-digest': DIGEST,
        'image-scan': 'false',
        'security-gate': 'false',
        'gantry-checkout': 'false',
        strategy: 'rolling',
        manifests: 'k8s/',
        namespace,
        container: 'web',
        deployment: 'hello',
        'deploy-timeout': '2m',
        'smoke-url': `${url}/health`,
        'smoke-timeout': '10s',
        'slack-channel': '#deploys',
        ...E2E_INPUTS,
        ...inputs,
      },
      secrets: {
        kubeconfig: cluster.kubeconfig,
        'slack-token': SLACK_TOKEN,
        'pagerduty-routing-key': 'R0UTINGKEYE2EK8S',
        GITHUB_TOKEN,
      },
      env: {
        ...env,
        GITHUB_API_URL: receivers.githubApiUrl,
        GANTRY_LOCAL_SLACK_API_URL: receivers.slackApiUrl,
        GANTRY_LOCAL_PAGERDUTY_API_URL: receivers.pagerDutyUrl,
        GANTRY_RETRY_DELAY_SCALE: '0.01',
      },
      config: await loadConfig(),
      quiet: true,
    });
  };
  const recorded = (): string[] =>
    receivers.commitStatuses
      .filter((s) => s.sha === SHA && s.context === 'gantry/image/staging')
      .map((s) => `${s.state} ${s.description}`);

  /** The blocks of every Slack post and update so far, as JSON. */
  const slackPosts = (): string[] =>
    receivers.requests
      .filter((r) => /\/chat\.(postMessage|update)$/.test(r.path))
      .map((r) => JSON.stringify(r.body['blocks'] ?? ''));

  test('a passing suite (BASE_URL = environment-url): deployed on the new digest, report uploaded, the digest recorded', async () => {
    await seed('e2e-pass');
    const report = await deploy('e2e-pass', good.url, { 'environment-url': good.url });
    expect(report.result, stepLog(report)).toBe('success');
    expect(report.outputs['result']).toBe('success');
    expect(stepById(report, 'rolling')?.outcome).toBe('success');
    expectSuitePassed(report, workspace, good.url, 'staging');
    expect(await image('e2e-pass')).toBe(NEW_IMAGE);
    expect(recorded()).toEqual([`success ${DIGEST}`]);
  }, 240_000);

  test('a failing suite (BASE_URL = e2e-base-url): the job fails, result rolled-back, the Deployment back on its image, nothing recorded, no page in staging', async () => {
    await seed('e2e-fail');
    const recordedBefore = recorded();
    const pagesBefore = receivers.pagerDutyEvents.length;
    const slackBefore = slackPosts().length;
    // environment-url is the healthy service: only e2e-base-url sends the suite to the broken one
    const report = await deploy('e2e-fail', broken.url, {
      'environment-url': good.url,
      'e2e-base-url': broken.url,
    });
    expect(report.result, stepLog(report)).toBe('failure');
    expect(report.outputs['result']).toBe('rolled-back');
    // the new digest did roll out before the suite ran: the rollback is what puts the old image back
    expect(stepById(report, 'rolling')?.outcome).toBe('success');
    expect(stepById(report, 'rolling')?.outputs['revision']).toBe('deployment/hello=2');
    expectSuiteFailedAndRolledBack(report);
    expect(stepById(report, 'e2e')?.log.join('\n')).toContain(`E2E against ${broken.url}`);
    expect(await image('e2e-fail')).toBe(OLD_IMAGE);
    expect(recorded()).toEqual(recordedBefore);
    // staging is not in production-environments (production, prod): notify pages nobody, Slack says it
    expect(receivers.pagerDutyEvents.slice(pagesBefore)).toEqual([]);
    expect(stepById(report, 'finished')?.outcome).toBe('success');
    const posted = slackPosts().slice(slackBefore).join('\n');
    expect(posted).toMatch(/Rolled back: acme\/hello \w+ in staging/);
    expect(posted).toMatch(/\*E2E suite\*\\nfailure/);
  }, 240_000);
});
