/**
 * gantry-deploy-k8s.yml with strategy canary, run for real through the offline runner (tools/pipeline) with
 * the built deploy-bluegreen, smoke-test and notify bundles against the Kubernetes API stand-in (driven and
 * read back with the real kubectl), a hello-service as the smoke target and the local Slack and GitHub
 * receivers. A canary goes 5 → 25 → 100 % and the stable Deployment ends on the new digest; a run with
 * canary-pause-at 25 stops with the canary Deployment at 25 % (result `paused`), and a second run with
 * canary-action promote ends it at 100 %, another with abort puts all traffic back on the stable Deployment;
 * promote and abort build, scan and migrate nothing. The starter pipeline-kubernetes.yml's Run workflow (action
 * promote) skips CI and dev/staging and goes straight to the production canary step.
 * Metrics: most runs use `metrics-provider: none` (steps judged on health; an unhealthy canary is stopped);
 * one runs `prometheus` with the default checks (the four triggers) against a real Prometheus scraping two
 * real hello-services labelled track stable / canary, the canary answering 50 % errors: it is stopped at 5 %
 * and PagerDuty gets the analysis report.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../testkit/bundle-runner.ts';
import { startHelloService, traffic, type HelloService } from '../../testkit/hello-service.ts';
import { startKubernetesStandIn, type KubernetesStandIn } from '../../testkit/kubernetes-standin/index.ts';
import { startPrometheus, waitForTargets } from '../../testkit/prometheus.ts';
import { GITHUB_TOKEN, Receivers, SLACK_TOKEN } from '../../testkit/receivers.ts';
import { loadConfig } from '../../tools/pipeline/config.ts';
import { runWorkflow, type RunReport } from '../../tools/pipeline/runner.ts';
import { canaryPause, canaryState, deploymentImage, kubectlFor, type Kubectl } from './k8s-cluster.ts';

const NAMESPACE = 'web-canary-wf';
const OLD_IMAGE = 'registry.local/web:1';
const DIGEST = `sha256:${'c'.repeat(64)}`;
const NEW_IMAGE = `registry.local/web@${DIGEST}`;
/** Steps a promote or abort must not run (they belong to a new deploy). */
const DEPLOY_ONLY = [
  'Build and push the image',
  'The image to deploy',
  'Scan the image (trivy-image)',
  'Run the migrations (before the new code ships)',
  'Check the promoted digest passed the environment below',
  'Record the digest that passed (gantry/image/<environment> status)',
];

describe('gantry-deploy-k8s.yml: a canary on Kubernetes, green to 100 %, paused then promoted or aborted', () => {
  let temp: string;
  let workspace: string;
  let cluster: KubernetesStandIn;
  let receivers: Receivers;
  let hello: HelloService;
  /** The real kubectl against the stand-in. */
  let kubectl: Kubectl;
  const lines: string[] = [];

  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-k8s-canary-wf-'));
    workspace = path.join(temp, 'workspace');
    await mkdir(workspace);
    for (const entry of ['.github', 'actions', 'dist', 'workflows-templates'])
      await symlink(path.join(repoRoot, entry), path.join(workspace, entry));
    cluster = await startKubernetesStandIn({ namespaces: [NAMESPACE, 'app'] });
    kubectl = kubectlFor(cluster.kubeconfigPath);
    // any credentials: notify sends `token`, the workflow's curl steps `Bearer`
    receivers = await new Receivers({ anyCredentials: true }).start();
    hello = await startHelloService({ APP_VERSION: '1.1.0' });
  }, 90_000);
  afterAll(async () => {
    await hello?.stop();
    await receivers?.stop();
    await cluster?.stop();
    await rm(temp, { recursive: true, force: true });
  });

  /** A stable Deployment `name` (4 replicas of container `web` on OLD_IMAGE) and its Service, rolled out. */
  async function seed(name: string, namespace = NAMESPACE): Promise<void> {
    const file = path.join(temp, `${name}.yaml`);
    await writeFile(
      file,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 4
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: [{ name: web, image: '${OLD_IMAGE}' }]
---
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  selector: { app: ${name} }
  ports: [{ port: 80, targetPort: 8080 }]
`,
    );
    await kubectl(namespace, 'apply', '--server-side', '-f', file);
    await kubectl(namespace, 'rollout', 'status', `deployment/${name}`, '--timeout=60s');
  }

  const image = (name: string): Promise<string> => deploymentImage(kubectl, NAMESPACE, name);
  /** The canary Deployment's replicas and traffic annotation (`-` when there is no canary Deployment). */
  const canary = (name: string): Promise<string> => canaryState(kubectl, NAMESPACE, name);

  const env = (): Record<string, string> => ({
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? temp,
    GITHUB_API_URL: receivers.githubApiUrl,
    GANTRY_LOCAL_SLACK_API_URL: receivers.slackApiUrl,
    GANTRY_LOCAL_PAGERDUTY_API_URL: receivers.pagerDutyUrl,
    GANTRY_RETRY_DELAY_SCALE: '0.01',
  });

  const run = async (deployment: string, canaryInputs: Record<string, string>): Promise<RunReport> =>
    runWorkflow({
      workflow: '.github/workflows/gantry-deploy-k8s.yml',
      workspace,
      event: 'workflow_dispatch',
      approve: true,
      inputs: {
        environment: 'production',
        image: 'registry.local/web',
        'image-digest': DIGEST,
        // the offline runner has no trivy (as in the ECS workflow tests)
        'image-scan': 'false',
        manifests: 'k8s/',
        namespace: NAMESPACE,
        container: 'web',
        deployment,
        strategy: 'canary',
        'stable-service': deployment,
        'metrics-provider': 'none',
        'analysis-window': '2s',
        'analysis-interval': '1s',
        'deploy-timeout': '2m',
        'smoke-url': `${hello.url}/health`,
        'smoke-timeout': '10s',
        'slack-channel': '#deploys',
        'security-gate': 'false',
        'gantry-checkout': 'false',
        ...canaryInputs,
      },
      secrets: {
        kubeconfig: cluster.kubeconfig,
        'slack-token': SLACK_TOKEN,
        'pagerduty-routing-key': 'R0UTINGKEYK8SCANARY',
        GITHUB_TOKEN,
      },
      env: { ...env(), GITHUB_REPOSITORY: 'acme/web' },
      config: await loadConfig(),
      print: (line) => lines.push(line),
      quiet: true,
    });

  const steps = (report: RunReport): Map<string, string> =>
    new Map(report.jobs.flatMap((job) => job.steps.map((step) => [step.name, step.conclusion] as const)));
  /** The blocks of the last Slack post or update (the result message). */
  const lastSlackText = (): string =>
    JSON.stringify(
      receivers.requests.filter((r) => /\/chat\.(postMessage|update)$/.test(r.path)).at(-1)?.body['blocks'] ??
        '',
    );

  test('a healthy canary goes 5 → 25 → 100 %: the stable Deployment ends on the new digest, the canary deleted', async () => {
    await seed('web-green');
    const report = await run('web-green', {});
    expect(report.result, lines.join('\n')).toBe('success');
    expect(report.outputs['result']).toBe('success');
    expect(report.outputs['image-digest']).toBe(DIGEST);
    expect(report.outputs['revision']).toBe(`web=${NEW_IMAGE}`);
    expect(await image('web-green')).toBe(NEW_IMAGE);
    expect(await canary('web-green')).toBe('-');
    const ran = steps(report);
    expect(ran.get('Build and push the image')).toBe('skipped');
    expect(ran.get('Apply the manifests and watch the rollout')).toBe('skipped');
    expect(ran.get('Roll out (canary)')).toBe('success');
    expect(ran.get('Smoke-test the new version')).toBe('success');
    const rollOut = report.jobs.flatMap((job) => job.steps).find((step) => step.name === 'Roll out (canary)');
    // replica ratio: 4 stable pods, ceil(4 × 5 / 100) = ceil(4 × 25 / 100) = 1 canary pod at each step
    const log = rollOut?.log.join('\n') ?? '';
    expect(log).toMatch(/Shift 5% of traffic[\s\S]*Holding 5%[\s\S]*Shift 25% of traffic[\s\S]*Holding 25%/);
    expect(log).toMatch(/Promote: deployment\/web-green gets the new images[\s\S]*web-green-canary deleted/);
  }, 240_000);

  test('an unhealthy canary (its image never pulls): traffic back on the stable Deployment, result rolled-back, PagerDuty pages', async () => {
    await seed('web-bad');
    const before = receivers.pagerDutyEvents.length;
    // the stand-in never pulls an image whose name contains `bad`
    const report = await run('web-bad', { image: 'registry.local/web-bad', 'deploy-timeout': '20s' });
    expect(report.result, lines.join('\n')).toBe('failure');
    expect(report.outputs['result']).toBe('rolled-back');
    expect(await image('web-bad')).toBe(OLD_IMAGE);
    expect(await canary('web-bad')).toBe('0 0');
    const ran = steps(report);
    expect(ran.get('Roll out (canary)')).toBe('failure');
    // the deploy action already put traffic back: the rollback step does not go one version further
    expect(ran.get('Roll back (the new version is unhealthy)')).toBe('skipped');
    const events = receivers.pagerDutyEvents.slice(before);
    expect(events.map((e) => e['event_action'])).toContain('trigger');
    // the analysis report names what failed and says where the traffic is
    const details = JSON.stringify(
      events.map((e) => (e['payload'] as { custom_details?: unknown })?.custom_details),
    );
    expect(details).toMatch(/"Canary analysis":"none the canary's rollout TIMED_OUT[\s\S]*ImagePullBackOff/);
    expect(details).toMatch(/all traffic is back on deployment\/web-bad/);
    expect(details).toMatch(/"status":"rolled-back"/);
  }, 240_000);

  test('metrics-provider prometheus with the default checks (the four triggers): a canary answering 50 % errors is stopped at 5 %, result rolled-back, PagerDuty pages with the analysis report', async () => {
    await seed('web-errors');
    // two real hello-services stand for the stable and the canary pods (the stand-in runs no containers),
    // scraped by a real Prometheus, under traffic
    const stable = await startHelloService({ APP_VERSION: '1.0.0' });
    const failing = await startHelloService({ APP_VERSION: '1.1.0', APP_ERROR_RATE: '0.5' });
    const prometheus = await startPrometheus({
      targets: [
        { address: stable.address, labels: { track: 'stable' } },
        { address: failing.address, labels: { track: 'canary' } },
      ],
    });
    const stopTraffic = traffic([stable, failing], 10);
    try {
      await waitForTargets(prometheus, 2);
      const before = receivers.pagerDutyEvents.length;
      const report = await run('web-errors', {
        'metrics-provider': 'prometheus',
        'prometheus-url': prometheus.url,
        'metrics-selector': 'job="hello",track="{{track}}"',
        'analysis-window': '8s',
      });
      expect(report.result, lines.join('\n')).toBe('failure');
      expect(report.outputs['result']).toBe('rolled-back');
      expect(await image('web-errors')).toBe(OLD_IMAGE);
      expect(await canary('web-errors')).toBe('0 0');
      const rollOut = report.jobs
        .flatMap((job) => job.steps)
        .find((step) => step.name === 'Roll out (canary)');
      expect(rollOut?.outputs['analysis-verdict']).toBe('fail');
      expect(rollOut?.outputs['analysis-failed-step']).toBe('5%');
      expect(['error-rate', 'latency', 'cpu', 'memory']).toContain(rollOut?.outputs['analysis-failed-check']);
      const events = receivers.pagerDutyEvents.slice(before);
      expect(events.map((e) => e['event_action'])).toContain('trigger');
      const details = JSON.stringify(
        events.map((e) => (e['payload'] as { custom_details?: unknown } | undefined)?.custom_details),
      );
      expect(details).toMatch(/"Canary analysis":"fail [^,]*failed at 5%/);
    } finally {
      stopTraffic();
      await prometheus.stop();
      await Promise.all([stable.stop(), failing.stop()]);
    }
  }, 240_000);

  test('pause at 25 %, then promote in a second run: the stable Deployment on the new digest, result success', async () => {
    await seed('web-promote');
    const paused = await run('web-promote', { 'canary-pause-at': '25' });
    expect(paused.result, lines.join('\n')).toBe('success');
    expect(paused.outputs['result']).toBe('paused');
    expect(await image('web-promote')).toBe(OLD_IMAGE);
    // 4 stable replicas: ceil(4 × 25 / 100) = 1 canary pod, its weight 25
    expect(await canary('web-promote')).toBe('1 25');
    expect(lastSlackText()).toMatch(/Canary paused at 25 %/);

    const promoted = await run('web-promote', { 'canary-action': 'promote' });
    expect(promoted.result, lines.join('\n')).toBe('success');
    expect(promoted.outputs['result']).toBe('success');
    expect(await image('web-promote')).toBe(NEW_IMAGE);
    expect(await canary('web-promote')).toBe('-');
    const ran = steps(promoted);
    for (const name of DEPLOY_ONLY) expect(ran.get(name), name).toBe('skipped');
    for (const name of ['Roll out (canary)', 'Smoke-test the new version', 'Notify the result'])
      expect(ran.get(name), name).toBe('success');
    expect(lastSlackText()).toMatch(/Canary promoted: all production traffic is on deployment\/web-promote/);
  }, 300_000);

  test('pause at 25 % with a failing smoke test: the rollback step ends the canary and keeps the stable Deployment, result rolled-back, a later promote refuses', async () => {
    await seed('web-smoke');
    const before = receivers.pagerDutyEvents.length;
    // hello-service answers 404 outside its routes: the smoke test of the paused canary fails
    const report = await run('web-smoke', {
      'canary-pause-at': '25',
      'smoke-url': `${hello.url}/no-such-page`,
      'smoke-timeout': '3s',
    });
    expect(report.result, lines.join('\n')).toBe('failure');
    expect(report.outputs['result']).toBe('rolled-back');
    const ran = steps(report);
    expect(ran.get('Roll out (canary)')).toBe('success');
    expect(ran.get('Smoke-test the new version')).toBe('failure');
    expect(ran.get('Roll back (the new version is unhealthy)')).toBe('success');
    const rollback = report.jobs
      .flatMap((job) => job.steps)
      .find((step) => step.name === 'Roll back (the new version is unhealthy)');
    expect(rollback?.outputs['canary']).toMatch(/deployment\/web-smoke-canary scaled to 0/);
    // all traffic on the stable Deployment, which still runs the version before the canary
    expect(await image('web-smoke')).toBe(OLD_IMAGE);
    expect(await canary('web-smoke')).toBe('0 0');
    expect(await canaryPause(kubectl, NAMESPACE, 'web-smoke')).toBe('');
    const events = receivers.pagerDutyEvents.slice(before);
    expect(events.map((e) => e['event_action'])).toContain('trigger');

    const promoted = await run('web-smoke', { 'canary-action': 'promote' });
    expect(promoted.result).toBe('failure');
    const rollOut = promoted.jobs
      .flatMap((job) => job.steps)
      .find((step) => step.name === 'Roll out (canary)');
    expect(rollOut?.log.join('\n')).toMatch(/There is no paused canary/);
    expect(await image('web-smoke')).toBe(OLD_IMAGE);
  }, 300_000);

  test('pause at 25 %, then abort in a second run: the stable Deployment untouched, the canary at zero, result aborted', async () => {
    await seed('web-abort');
    const paused = await run('web-abort', { 'canary-pause-at': '25' });
    expect(paused.outputs['result'], lines.join('\n')).toBe('paused');
    expect(await canary('web-abort')).toBe('1 25');

    const aborted = await run('web-abort', { 'canary-action': 'abort' });
    expect(aborted.result, lines.join('\n')).toBe('success');
    expect(aborted.outputs['result']).toBe('aborted');
    expect(await image('web-abort')).toBe(OLD_IMAGE);
    const after = await canary('web-abort');
    expect(after === '-' || after === '0 0', after).toBe(true);
    const ran = steps(aborted);
    for (const name of DEPLOY_ONLY) expect(ran.get(name), name).toBe('skipped');
    expect(ran.get('Roll back (the new version is unhealthy)')).toBe('skipped');
    expect(lastSlackText()).toMatch(
      /Canary aborted on request: all production traffic is back on deployment\/web-abort/,
    );
  }, 300_000);

  test('canary-action promote with strategy rolling stops before anything runs', async () => {
    await seed('web-rolling');
    const report = await run('web-rolling', { strategy: 'rolling', 'canary-action': 'promote' });
    expect(report.result).toBe('failure');
    const ran = steps(report);
    expect(ran.get('Check the canary inputs')).toBe('failure');
    expect(ran.get('Apply the manifests and watch the rollout')).toBe('skipped');
    expect(await image('web-rolling')).toBe(OLD_IMAGE);
  }, 120_000);

  test("the starter pipeline-kubernetes.yml's Run workflow (action promote): CI, dev and staging skipped, production goes straight to the canary step", async () => {
    await seed('app', 'app');
    const report = await runWorkflow({
      workflow: 'workflows-templates/pipeline-kubernetes.yml',
      workspace,
      event: 'workflow_dispatch',
      inputs: { action: 'promote' },
      vars: { PRODUCTION_STRATEGY: 'canary' },
      approve: true,
      secrets: { GITHUB_TOKEN, KUBECONFIG_PRODUCTION: cluster.kubeconfig },
      env: env(),
      github: { repository: 'acme/app', repository_owner: 'acme' },
      config: await loadConfig(),
      print: (line) => lines.push(line),
      quiet: true,
    });
    const result = (id: string): string | undefined => report.jobs.find((job) => job.id === id)?.result;
    for (const id of ['ci', 'deploy-dev', 'approve-staging', 'deploy-staging', 'approve-production'])
      expect(result(id), id).toBe('skipped');
    const production = report.jobs.find((job) => job.id === 'deploy-production / deploy');
    expect(production?.result, lines.join('\n')).toBe('failure');
    const ran = steps({ ...report, jobs: production === undefined ? [] : [production] });
    for (const name of DEPLOY_ONLY) expect(ran.get(name), name).toBe('skipped');
    // Nothing was paused for deployment/app: the promote reaches the canary step and stops there, traffic
    // untouched, and the failure is reported.
    expect(ran.get('Roll out (canary)'), lines.join('\n')).toBe('failure');
    expect(ran.get('Notify the result')).toBe('success');
    const rollOut = production?.steps.find((step) => step.name === 'Roll out (canary)');
    expect(rollOut?.annotations.map((a) => a.message).join('\n')).toMatch(/no paused canary/);
    expect(await deploymentImage(kubectl, 'app', 'app')).toBe(OLD_IMAGE);
  }, 120_000);
});
