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
 * is paged while Slack reports the rollback; where the caller counts staging as production
 * (production-environments), PagerDuty gets a trigger for the rollback.
 *
 * With strategy canary (deploy-bluegreen made from the live stable Deployment, metrics-provider none, as
 * k8s-canary.integration.test.ts drives it): a canary promoted to 100 % whose suite then fails is rolled back
 * to the image the stable Deployment ran before the canary; a canary paused at 25 % whose suite fails is ended
 * by the rollback step (scaled to 0, weight 0, pause cleared) with the stable Deployment kept on its image; a
 * passing suite after a canary to 100 % leaves the new digest serving and the report uploaded.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { webManifest } from '../shared/kubernetes/cluster.ts';
import { startKubernetesStandIn, type KubernetesStandIn } from '../../testkit/kubernetes-standin/index.ts';
import { GITHUB_TOKEN, Receivers, SLACK_TOKEN } from '../../testkit/receivers.ts';
import { loadConfig } from '../../tools/pipeline/config.ts';
import { runWorkflow, type RunReport } from '../../tools/pipeline/runner.ts';
import * as suite from './e2e-suite.ts';
import {
  canaryPause,
  canaryState,
  deploymentImage,
  kubectlFor,
  seedDeployment,
  type Kubectl,
} from './k8s-cluster.ts';

const SHA = 'e2e1e2e1e2e1e2e1e2e1e2e1e2e1e2e1e2e1e2e1';
const OLD_IMAGE = 'registry.local/web:1';
const DIGEST = `sha256:${'f'.repeat(64)}`;
const NEW_IMAGE = `registry.local/web@${DIGEST}`;

describe('gantry-deploy-k8s.yml: E2E suite after the staging smoke test (Playwright, real Chromium)', () => {
  let temp: string;
  let workspace: string;
  let cluster: KubernetesStandIn;
  let kubectl: Kubectl;
  let receivers: Receivers;
  let targets: suite.E2eTargets;

  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-e2e-k8s-'));
    workspace = await suite.e2eWorkspace(temp);
    // The caller's manifests: deployment/web (and its Service) on OLD_IMAGE; the rollout substitutes the digest.
    await mkdir(path.join(workspace, 'k8s'));
    await writeFile(path.join(workspace, 'k8s', 'web.yaml'), webManifest(OLD_IMAGE));
    cluster = await startKubernetesStandIn({
      namespaces: ['e2e-pass', 'e2e-fail', 'e2e-page', 'canary-fail', 'canary-paused', 'canary-pass'],
    });
    kubectl = kubectlFor(cluster.kubeconfigPath);
    // any credentials: notify sends `token`, the workflow's curl steps `Bearer`
    receivers = await new Receivers({ anyCredentials: true }).start();
    targets = await suite.startE2eTargets();
  }, 90_000);
  afterAll(async () => {
    await Promise.all([targets?.stop(), receivers?.stop(), cluster?.stop()]);
    await rm(temp, { recursive: true, force: true });
  });

  /** deployment/web at OLD_IMAGE, rolled out (its revision 1), in `namespace`. */
  const seed = (namespace: string): Promise<void> =>
    seedDeployment(kubectl, namespace, path.join(workspace, 'k8s', 'web.yaml'), 'web');
  const image = (namespace: string): Promise<string> => deploymentImage(kubectl, namespace, 'web');

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
        image: 'registry.local/web',
        'image-digest': DIGEST,
        'image-scan': 'false',
        'security-gate': 'false',
        'gantry-checkout': 'false',
        strategy: 'rolling',
        manifests: 'k8s/',
        namespace,
        container: 'web',
        deployment: 'web',
        'deploy-timeout': '2m',
        'smoke-url': `${url}/health`,
        'smoke-timeout': '10s',
        'slack-channel': '#deploys',
        ...suite.E2E_INPUTS,
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
    const report = await deploy('e2e-pass', targets.good.url, { 'environment-url': targets.good.url });
    expect(report.result, suite.stepLog(report)).toBe('success');
    expect(report.outputs['result']).toBe('success');
    expect(suite.stepById(report, 'rolling')?.outcome).toBe('success');
    suite.expectSuitePassed(report, workspace, targets.good.url, 'staging');
    expect(await image('e2e-pass')).toBe(NEW_IMAGE);
    expect(recorded()).toEqual([`success ${DIGEST}`]);
  }, 240_000);

  test('a failing suite (BASE_URL = e2e-base-url): the job fails, result rolled-back, the Deployment back on its image, nothing recorded, no page in staging', async () => {
    await seed('e2e-fail');
    const recordedBefore = recorded();
    const pagesBefore = receivers.pagerDutyEvents.length;
    const slackBefore = slackPosts().length;
    // environment-url is the healthy service: only e2e-base-url sends the suite to the broken one
    const report = await deploy('e2e-fail', targets.broken.url, {
      'environment-url': targets.good.url,
      'e2e-base-url': targets.broken.url,
    });
    expect(report.result, suite.stepLog(report)).toBe('failure');
    expect(report.outputs['result']).toBe('rolled-back');
    // the new digest did roll out before the suite ran: the rollback is what puts the old image back
    expect(suite.stepById(report, 'rolling')?.outcome).toBe('success');
    expect(suite.stepById(report, 'rolling')?.outputs['revision']).toBe('deployment/web=2');
    suite.expectSuiteFailedAndRolledBack(report);
    expect(suite.stepById(report, 'e2e')?.log.join('\n')).toContain(`E2E against ${targets.broken.url}`);
    expect(await image('e2e-fail')).toBe(OLD_IMAGE);
    expect(recorded()).toEqual(recordedBefore);
    // staging is not in production-environments (production, prod): notify pages nobody, Slack says it
    expect(receivers.pagerDutyEvents.slice(pagesBefore)).toEqual([]);
    expect(suite.stepById(report, 'finished')?.outcome).toBe('success');
    const posted = slackPosts().slice(slackBefore).join('\n');
    expect(posted).toMatch(/Rolled back: acme\/hello \w+ in staging/);
    expect(posted).toMatch(/\*E2E suite\*\\nfailure/);
  }, 240_000);

  test('a failing suite where staging counts as production (production-environments): rolled back, PagerDuty gets a trigger naming the rollback', async () => {
    await seed('e2e-page');
    const pagesBefore = receivers.pagerDutyEvents.length;
    const report = await deploy('e2e-page', targets.broken.url, {
      'environment-url': targets.broken.url,
      'production-environments': 'staging',
    });
    expect(report.outputs['result'], suite.stepLog(report)).toBe('rolled-back');
    expect(suite.stepById(report, 'rollback')?.outcome).toBe('success');
    expect(await image('e2e-page')).toBe(OLD_IMAGE);
    const pages = receivers.pagerDutyEvents.slice(pagesBefore);
    expect(pages.map((e) => e['event_action'])).toEqual(['trigger']);
    expect(JSON.stringify(pages[0]?.['payload'])).toMatch(/acme\/hello \w+: rolled back in staging/);
  }, 240_000);

  describe('strategy canary (the E2E suite after the canary, metrics-provider none)', () => {
    /**
     * Seeds deployment/web (2 replicas) in `namespace` and deploys DIGEST there as a canary with the canary
     * inputs of k8s-canary.integration.test.ts, plus `inputs`; the smoke test and the suite test `url`.
     */
    const deployCanary = async (
      namespace: string,
      url: string,
      inputs: Record<string, string> = {},
    ): Promise<RunReport> => {
      await seed(namespace);
      return deploy(namespace, url, {
        strategy: 'canary',
        'stable-service': 'web',
        'metrics-provider': 'none',
        'analysis-window': '2s',
        'analysis-interval': '1s',
        'environment-url': url,
        ...inputs,
      });
    };
    const canary = (namespace: string): Promise<string> => canaryState(kubectl, namespace, 'web');

    test('promoted to 100 %, then a failing suite: the rollback step puts the stable Deployment back on its image before the canary, result rolled-back', async () => {
      const recordedBefore = recorded();
      const report = await deployCanary('canary-fail', targets.broken.url);
      expect(report.result, suite.stepLog(report)).toBe('failure');
      expect(report.outputs['result']).toBe('rolled-back');
      // the canary went to 100 % before the suite ran: promoted, the canary Deployment deleted
      const rollOut = suite.stepById(report, 'canary');
      expect(rollOut?.outcome).toBe('success');
      expect(rollOut?.log.join('\n')).toMatch(
        /Promote: deployment\/web gets the new images[\s\S]*web-canary deleted/,
      );
      suite.expectSuiteFailedAndRolledBack(report);
      // no canary left to end: the rollback undoes the promotion (the last completed revision before it)
      const rollback = suite.stepById(report, 'rollback');
      expect(rollback?.outputs['canary']).toBe('');
      expect(rollback?.outputs['rolled-back-from']).toBe('deployment/web=2');
      expect(rollback?.outputs['revision']).toBe('deployment/web=1');
      expect(await image('canary-fail')).toBe(OLD_IMAGE);
      expect(await canary('canary-fail')).toBe('-');
      expect(recorded()).toEqual(recordedBefore);
    }, 240_000);

    test('paused at 25 %, then a failing suite: the rollback step ends the canary (0 replicas, weight 0, pause cleared), the stable Deployment keeps its image, result rolled-back', async () => {
      const report = await deployCanary('canary-paused', targets.broken.url, { 'canary-pause-at': '25' });
      expect(report.result, suite.stepLog(report)).toBe('failure');
      expect(report.outputs['result']).toBe('rolled-back');
      const rollOut = suite.stepById(report, 'canary');
      expect(rollOut?.outcome).toBe('success');
      expect(rollOut?.outputs['paused']).toBe('true');
      suite.expectSuiteFailedAndRolledBack(report);
      expect(suite.stepById(report, 'rollback')?.outputs['canary']).toMatch(
        /deployment\/web-canary scaled to 0/,
      );
      expect(await image('canary-paused')).toBe(OLD_IMAGE);
      expect(await canary('canary-paused')).toBe('0 0');
      expect(await canaryPause(kubectl, 'canary-paused', 'web')).toBe('');
    }, 240_000);

    test('promoted to 100 %, then a passing suite: green, the new digest serving, the canary deleted, report uploaded, the digest recorded', async () => {
      const recordedBefore = recorded();
      const report = await deployCanary('canary-pass', targets.good.url);
      suite.expectSuitePassed(report, workspace, targets.good.url, 'staging');
      expect(report.outputs['result']).toBe('success');
      expect(report.result).toBe('success');
      expect(suite.stepById(report, 'canary')?.log.join('\n')).toMatch(/web-canary deleted/);
      expect(await image('canary-pass')).toBe(NEW_IMAGE);
      expect(await canary('canary-pass')).toBe('-');
      expect(recorded()).toEqual([...recordedBefore, `success ${DIGEST}`]);
    }, 240_000);
  });
});
