/**
 * `npm run demo -- --platform kubernetes` (and `--bad-release`): hello-service's staging deploy on
 * Kubernetes, end to end on this machine, against the Kubernetes API STAND-IN (testkit/kubernetes-standin:
 * no real API server can run here; pods become ready or not from their image, and an image whose name
 * holds `bad` never pulls).
 *
 * 1. Starts the stand-in (namespace staging) and the local Slack, PagerDuty and GitHub receivers.
 * 2. Puts hello-service 1.0.0 in staging with Gantry's deploy flow (recorded as last-known-good).
 * 3. Runs examples/hello-service/workflows/deploy-kubernetes.yml through the offline runner for 1.1.0:
 *    notify started → deploy-rolling (platform kubernetes: server-side apply, rollout watched) → notify.
 *    With --bad-release the release image never becomes ready: the rollout times out, the pods' reason
 *    (ImagePullBackOff) is printed, deploy-rolling restores 1.0.0, Slack and PagerDuty are told, exit 1.
 * 4. Prints what the receivers got and the image the Deployment runs at the end, and stops everything.
 */
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDeployFlow } from '../../shared/src/deploy/flow.ts';
import { kubernetesRollingAdapter } from '../../shared/src/kubernetes/adapter.ts';
import { parseImagesInput } from '../../shared/src/kubernetes/manifests.ts';
import { createCaptureLogger } from '../../shared/src/logger.ts';
import { startKubernetesStandIn } from '../../testkit/kubernetes-standin/index.ts';
import { loadConfig } from '../pipeline/config.ts';
import { runWorkflow } from '../pipeline/runner.ts';
import { Receivers } from '../../testkit/receivers.ts';

const NAMESPACE = 'staging';
const DEPLOYMENT = 'hello-service';
const PREVIOUS_IMAGE = 'registry.local/hello-service:1.0.0';
const RELEASE_IMAGE = 'registry.local/hello-service:1.1.0';
const BAD_RELEASE_IMAGE = 'registry.local/hello-service:1.1.0-bad';
const SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-0000-demo-local-slack-token',
  PAGERDUTY_ROUTING_KEY: 'R0UT1NGKEYDEMO000000000000000000',
  GITHUB_TOKEN: 'ghs_demoLocalGitHubToken000000000000',
};

/** How the Kubernetes demo runs. */
export interface KubernetesDemoOptions {
  badRelease?: boolean;
  quiet?: boolean;
  print?: (line: string) => void;
  /** The repository root (actions, dist, examples are linked from there). */
  repoRoot: string;
}

/** What the Kubernetes demo ends with. */
export interface KubernetesDemoResult {
  /** 0 when the release is live, 1 when the deploy failed (as --bad-release should). */
  exitCode: number;
  /** The image the Deployment's container `hello` runs at the end. */
  finalImage: string;
  slackMessages: number;
  pagerDutyEvents: number;
}

/**
 * Runs the Kubernetes demo.
 * @throws an Error when a local part cannot start
 */
export async function runKubernetesDemo(options: KubernetesDemoOptions): Promise<KubernetesDemoResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const temp = await mkdtemp(path.join(tmpdir(), 'gantry-demo-k8s-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    print('▶ starting the Kubernetes API stand-in and the receivers (Slack, PagerDuty, GitHub)');
    const standIn = await startKubernetesStandIn({ namespaces: [NAMESPACE], podStartDelayMs: 300 });
    stops.push(() => standIn.stop());
    const receivers = await new Receivers({ anyCredentials: true }).start();
    stops.push(() => receivers.stop());
    const workspace = path.join(temp, 'workspace');
    await mkdir(workspace);
    for (const entry of ['actions', 'dist', '.github'])
      await symlink(path.join(options.repoRoot, entry), path.join(workspace, entry));
    // The manifests and the workflow are copied, not linked: a manifest path must stay inside the workspace.
    for (const folder of ['k8s', 'workflows'])
      await cp(
        path.join(options.repoRoot, 'examples', 'hello-service', folder),
        path.join(workspace, 'examples', 'hello-service', folder),
        { recursive: true },
      );
    print(`  API server ${standIn.url} (stand-in) · kubeconfig ${standIn.kubeconfigPath}`);

    print(`▶ staging runs ${PREVIOUS_IMAGE} (deployed and recorded as last-known-good)`);
    const seedLogger = createCaptureLogger();
    const savedKubeconfig = process.env['KUBECONFIG'];
    process.env['KUBECONFIG'] = standIn.kubeconfigPath;
    await runDeployFlow(
      kubernetesRollingAdapter(
        {
          kubeconfig: '', // KUBECONFIG, set below for this step only
          context: '',
          namespace: NAMESPACE,
          'eks-cluster': '',
          'aws-region': '',
          manifests: ['examples/hello-service/k8s/'],
          images: parseImagesInput([`hello=${PREVIOUS_IMAGE}`], 'images'),
        },
        'deploy-rolling',
        seedLogger,
        { workspace },
      ),
      { wait: true, rollbackOnFailure: false, dryRun: false, timeoutMs: 60_000, logger: seedLogger },
    ).finally(() => {
      if (savedKubeconfig === undefined) delete process.env['KUBECONFIG'];
      else process.env['KUBECONFIG'] = savedKubeconfig;
    });

    const release = options.badRelease === true ? BAD_RELEASE_IMAGE : RELEASE_IMAGE;
    print(
      `▶ releasing ${release}${options.badRelease === true ? ' (a bad release: its image never becomes ready)' : ''} through deploy-kubernetes.yml`,
    );
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env))
      if (value !== undefined && !key.startsWith('KUBECONFIG')) env[key] = value;
    Object.assign(env, {
      GITHUB_API_URL: receivers.githubApiUrl,
      GITHUB_REPOSITORY: 'acme/hello-service',
      GANTRY_LOCAL_SLACK_API_URL: receivers.slackApiUrl,
      GANTRY_LOCAL_PAGERDUTY_API_URL: receivers.pagerDutyUrl,
    });
    const report = await runWorkflow({
      workflow: 'examples/hello-service/workflows/deploy-kubernetes.yml',
      workspace,
      event: 'push',
      secrets: { ...SECRETS, KUBECONFIG: standIn.kubeconfig },
      vars: { RELEASE_IMAGE: release, DEPLOY_TIMEOUT: options.badRelease === true ? '15s' : '2m' },
      env,
      config: await loadConfig(),
      github: {
        sha: '0123456789abcdef0123456789abcdef01234567',
        ref_name: 'main',
        repository: 'acme/hello-service',
        repository_owner: 'acme',
      },
      print,
      quiet: options.quiet === true,
    });

    const deployment = standIn.get('deployments', NAMESPACE, DEPLOYMENT) as
      { spec?: { template?: { spec?: { containers?: { name?: string; image?: string }[] } } } } | undefined;
    const finalImage =
      deployment?.spec?.template?.spec?.containers?.find((container) => container.name === 'hello')?.image ??
      '';
    print('');
    print('── what the receivers got ──');
    for (const message of receivers.slackMessages)
      print(`Slack ${message.ts}: ${message.texts.map((text) => `“${text.split('\n')[0]}”`).join(' → ')}`);
    for (const event of receivers.pagerDutyEvents) {
      const payload = (event['payload'] ?? {}) as Record<string, unknown>;
      print(`PagerDuty ${String(event['event_action'])}: ${String(payload['summary'] ?? '')}`);
    }
    if (receivers.pagerDutyEvents.length === 0) print('PagerDuty: (nothing)');
    print(`── deployment/${DEPLOYMENT} in ${NAMESPACE} runs ${finalImage} ──`);
    const exitCode = report.result === 'success' ? 0 : 1;
    print(exitCode === 0 ? `✔ ${release} is live` : `✘ the release failed; staging runs ${finalImage} again`);
    return {
      exitCode,
      finalImage,
      slackMessages: receivers.slackMessages.length,
      pagerDutyEvents: receivers.pagerDutyEvents.length,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(temp, { recursive: true, force: true });
  }
}
