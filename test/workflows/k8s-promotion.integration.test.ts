/**
 * Build once, promote the digest, on Kubernetes: gantry-deploy-k8s.yml run for real through the offline runner
 * (tools/pipeline, recording a GitHub deployment for each environment job as GitHub does) with the built
 * deploy-rolling, smoke-test and notify bundles against the Kubernetes API stand-in (read back with the real
 * kubectl), a hello-service as the smoke target and the local GitHub and Slack receivers. A digest deployed
 * to staging (its deployment succeeded, gantry/image/staging records it) is accepted by production's
 * promotion check (`promote-from: staging`) and rolled out; a digest that never passed staging is refused
 * before anything changes in the cluster (kubectl still shows the old image) and no digest is recorded.
 * The image gate runs with `image-scan: false` as in the ECS workflow tests (canary-pause, e2e-staging): the
 * offline runner has no trivy and reaches no release download; the gate's report step is run on its own in
 * k8s-promotion.test.ts (bash + curl + jq against the receivers).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../testkit/bundle-runner.ts';
import { startHelloService, type HelloService } from '../../testkit/hello-service.ts';
import { startKubernetesStandIn, type KubernetesStandIn } from '../../testkit/kubernetes-standin/index.ts';
import { GITHUB_TOKEN, Receivers, SLACK_TOKEN } from '../../testkit/receivers.ts';
import { loadConfig } from '../../tools/pipeline/config.ts';
import { runWorkflow, type RunReport } from '../../tools/pipeline/runner.ts';
import { deploymentImage, kubectlFor, seedDeployment, type Kubectl } from './k8s-cluster.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const OLD_IMAGE = 'registry.local/web:1';
const DIGEST = `sha256:${'d'.repeat(64)}`;
const NEVER_DEPLOYED = `sha256:${'e'.repeat(64)}`;
const CHECK = 'Check the promoted digest passed the environment below';
const RECORD = 'Record the digest that passed (gantry/image/<environment> status)';
const APPLY = 'Apply the manifests and watch the rollout';

describe('gantry-deploy-k8s.yml: a digest promoted from staging to production, or refused', () => {
  let temp: string;
  let workspace: string;
  let cluster: KubernetesStandIn;
  let kubectl: Kubectl;
  let receivers: Receivers;
  let hello: HelloService;
  const lines: string[] = [];

  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-k8s-promotion-'));
    workspace = path.join(temp, 'workspace');
    await mkdir(path.join(workspace, 'k8s'), { recursive: true });
    for (const entry of ['.github', 'actions', 'dist'])
      await symlink(path.join(repoRoot, entry), path.join(workspace, entry));
    await writeFile(
      path.join(workspace, 'k8s', 'web.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: web, image: '${OLD_IMAGE}' }]
`,
    );
    cluster = await startKubernetesStandIn({ namespaces: ['web-staging', 'web-production', 'web-refused'] });
    kubectl = kubectlFor(cluster.kubeconfigPath);
    // any credentials: notify sends `token`, the workflow's curl steps and the runner `Bearer`
    receivers = await new Receivers({ anyCredentials: true }).start();
    hello = await startHelloService({ APP_VERSION: '1.2.0' });
  }, 90_000);
  afterAll(async () => {
    await hello?.stop();
    await receivers?.stop();
    await cluster?.stop();
    await rm(temp, { recursive: true, force: true });
  });

  /** deployment/web at OLD_IMAGE, rolled out, in `namespace`. */
  const seed = (namespace: string): Promise<void> =>
    seedDeployment(kubectl, namespace, path.join(workspace, 'k8s', 'web.yaml'), 'web');
  const image = (namespace: string): Promise<string> => deploymentImage(kubectl, namespace, 'web');

  const run = async (environment: string, inputs: Record<string, string>): Promise<RunReport> =>
    runWorkflow({
      workflow: '.github/workflows/gantry-deploy-k8s.yml',
      workspace,
      event: 'workflow_dispatch',
      approve: true,
      recordDeployments: true,
      github: { repository: 'acme/web', sha: SHA },
      inputs: {
        environment,
        image: 'registry.local/web',
        manifests: 'k8s/',
        container: 'web',
        deployment: 'web',
        strategy: 'rolling',
        'image-scan': 'false',
        'deploy-timeout': '2m',
        'smoke-url': `${hello.url}/health`,
        'smoke-timeout': '10s',
        'slack-channel': '#deploys',
        'security-gate': 'false',
        'gantry-checkout': 'false',
        ...inputs,
      },
      secrets: { kubeconfig: cluster.kubeconfig, 'slack-token': SLACK_TOKEN, GITHUB_TOKEN },
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? temp,
        GITHUB_API_URL: receivers.githubApiUrl,
        GANTRY_LOCAL_SLACK_API_URL: receivers.slackApiUrl,
        GANTRY_RETRY_DELAY_SCALE: '0.01',
      },
      config: await loadConfig(),
      print: (line) => lines.push(line),
      quiet: true,
    });
  const steps = (report: RunReport): Map<string, string> =>
    new Map(report.jobs.flatMap((job) => job.steps.map((step) => [step.name, step.conclusion] as const)));
  const recorded = (environment: string): string[] =>
    receivers.commitStatuses
      .filter((s) => s.sha === SHA && s.context === `gantry/image/${environment}`)
      .map((s) => `${s.state} ${s.description}`);

  test('staging deploys the digest and records it; production promotes it from staging: the check passes, the cluster runs it', async () => {
    await seed('web-staging');
    await seed('web-production');
    const staging = await run('staging', { 'image-digest': DIGEST, namespace: 'web-staging' });
    expect(staging.result, lines.join('\n')).toBe('success');
    expect(staging.outputs['image-digest']).toBe(DIGEST);
    expect(await image('web-staging')).toBe(`registry.local/web@${DIGEST}`);
    expect(steps(staging).get('Build and push the image')).toBe('skipped');
    expect(steps(staging).get(RECORD)).toBe('success');
    expect(recorded('staging')).toEqual([`success ${DIGEST}`]);
    // the runner recorded staging's GitHub deployment of the commit as GitHub does, and it succeeded
    const stagingDeployments = receivers.deployments.filter(
      (d) => d.environment === 'staging' && d.ref === SHA,
    );
    expect(stagingDeployments.map((d) => d.statuses.at(-1)?.state)).toEqual(['success']);

    const production = await run('production', {
      'image-digest': String(staging.outputs['image-digest']),
      'promote-from': 'staging',
      namespace: 'web-production',
    });
    expect(production.result, lines.join('\n')).toBe('success');
    const ran = steps(production);
    expect(ran.get(CHECK)).toBe('success');
    expect(ran.get('Build and push the image')).toBe('skipped');
    expect(ran.get('Scan the image (trivy-image)')).toBe('skipped');
    expect(ran.get(APPLY)).toBe('success');
    const check = production.jobs.flatMap((job) => job.steps).find((step) => step.name === CHECK);
    expect(check?.log.join('\n')).toContain(`Promoting ${DIGEST}: it passed staging`);
    expect(await image('web-production')).toBe(`registry.local/web@${DIGEST}`);
    expect(recorded('production')).toEqual([`success ${DIGEST}`]);
  }, 300_000);

  test('a digest that never passed staging is refused before any change to the cluster', async () => {
    await seed('web-refused');
    const before = receivers.commitStatuses.length;
    const report = await run('production', {
      'image-digest': NEVER_DEPLOYED,
      'promote-from': 'staging',
      namespace: 'web-refused',
    });
    expect(report.result, lines.join('\n')).toBe('failure');
    expect(report.outputs['result']).toBe('failure');
    const ran = steps(report);
    expect(ran.get(CHECK)).toBe('failure');
    for (const name of [
      'The image to deploy',
      'Run the migrations (before the new code ships)',
      APPLY,
      RECORD,
    ])
      expect(ran.get(name), name).toBe('skipped');
    expect(ran.get('Notify the result')).toBe('success');
    const check = report.jobs.flatMap((job) => job.steps).find((step) => step.name === CHECK);
    expect(check?.annotations.map((a) => a.message).join('\n')).toMatch(
      // after the first test: staging passed another digest; alone: the commit never reached staging
      new RegExp(
        `Promotion refused: (${NEVER_DEPLOYED} is not the image that passed staging|commit ${SHA} has no successful deployment in staging)`,
      ),
    );
    expect(await image('web-refused')).toBe(OLD_IMAGE);
    const after = receivers.commitStatuses.slice(before);
    expect(after.filter((s) => s.context.startsWith('gantry/image/'))).toEqual([]);
  }, 180_000);
});
