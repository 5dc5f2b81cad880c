/**
 * `npm run demo -- --canary --platform kubernetes` (and `--bad-release`): a canary release of hello-service
 * on Kubernetes, judged on a real Prometheus, against the Kubernetes API STAND-IN (testkit/kubernetes-standin:
 * no real API server runs here; it serves the Gateway API's HTTPRoutes, and no gateway routes them).
 *
 * 1. The stand-in (namespace production) holds Deployment hello-service (4 replicas of 1.0.0, pods labelled
 *    `gantry.dev/track: stable`), its Service and an HTTPRoute sending 100 % to it.
 * 2. Two real hello-service processes stand for the stable and the canary pods (with --bad-release the
 *    canary answers 20 % of its requests with 500). A small **gateway stand-in** sends 100 requests a second,
 *    split by the HTTPRoute's backendRef weights as stored in the API — so the canary gets 5 % of the
 *    requests when the route says 5.
 * 3. A real Prometheus scrapes both every second (labels track=stable / track=canary).
 * 4. The built deploy-bluegreen bundle runs `platform: kubernetes`, `strategy: canary`, `http-route` (5 → 25
 *    → 100, each step held 8 s and judged every 2 s on error-rate and latency), then notify reports to the
 *    local PagerDuty receiver.
 * A good release ends with the Deployment on 1.1.0 and the route 100 % stable; the bad one is stopped at 5 %:
 * route weight 0, the canary at zero replicas, a PagerDuty incident, exit 1. It measures the time from the
 * canary's error ratio (as Prometheus computes it) crossing 5 % to the route reading canary weight 0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBundle } from '../../testkit/bundle-runner.ts';
import { startHelloService } from '../../testkit/hello-service.ts';
import { startKubernetesStandIn, type KubeObject } from '../../testkit/kubernetes-standin/index.ts';
import { startPrometheus, waitForTargets } from '../../testkit/prometheus.ts';
import { Receivers } from '../../testkit/receivers.ts';
import { concludeCanaryDemo, watchCanaryMoments, type CanaryDemoResult } from './canary.ts';

const NAMESPACE = 'production';
const ERROR_QUERY =
  '100 * (sum(rate(http_requests_total{job="hello",track="canary",code=~"5.."}[2s])) or vector(0)) / sum(rate(http_requests_total{job="hello",track="canary"}[2s]))';

/** The canary's weight in the stored HTTPRoute (0 when it has no canary backendRef). */
function canaryWeight(route: KubeObject | undefined): number {
  const rules = (
    route?.spec as { rules?: { backendRefs?: { name?: string; weight?: number }[] }[] } | undefined
  )?.rules;
  const refs = rules?.[0]?.backendRefs ?? [];
  const canary = refs.find((ref) => ref.name === 'hello-service-canary')?.weight ?? 0;
  const stable = refs.find((ref) => ref.name === 'hello-service')?.weight ?? 0;
  return stable + canary === 0 ? 0 : (100 * canary) / (stable + canary);
}

/**
 * Runs the Kubernetes canary demo.
 * @param options.badRelease the canary answers 20 % errors
 * @param options.quiet print only the conclusion
 */
export async function runKubernetesCanaryDemo(
  options: { badRelease?: boolean; quiet?: boolean } = {},
): Promise<CanaryDemoResult> {
  const print = (line: string): void => {
    if (options.quiet !== true) console.log(line);
  };
  const stops: (() => Promise<void>)[] = [];
  const temp = await mkdtemp(path.join(tmpdir(), 'gantry-k8s-canary-demo-'));
  const intervalMs = 2_000;
  try {
    print(
      '▶ starting the local world: the Kubernetes API stand-in (with the Gateway API), Prometheus, hello-service stable 1.0.0 and canary 1.1.0',
    );
    const k8s = await startKubernetesStandIn({ namespaces: [NAMESPACE], podStartDelayMs: 100 });
    stops.push(() => k8s.stop());
    const receivers = await new Receivers({ anyCredentials: true }).start();
    stops.push(() => receivers.stop());
    const labels = { app: 'hello-service', 'gantry.dev/track': 'stable' };
    k8s.create('deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hello-service', namespace: NAMESPACE },
      spec: {
        replicas: 4,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'web', image: 'registry.local/hello-service:1.0.0' }] },
        },
      },
    });
    k8s.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'hello-service', namespace: NAMESPACE },
      spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
    });
    k8s.create('httproutes', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'hello-service', namespace: NAMESPACE },
      spec: {
        parentRefs: [{ name: 'gateway' }],
        rules: [{ backendRefs: [{ name: 'hello-service', port: 80, weight: 100 }] }],
      },
    });
    const stable = await startHelloService({ APP_VERSION: '1.0.0' });
    stops.push(() => stable.stop());
    const canary = await startHelloService({
      APP_VERSION: '1.1.0',
      ...(options.badRelease === true ? { APP_ERROR_RATE: '0.2' } : {}),
    });
    stops.push(() => canary.stop());
    const prometheus = await startPrometheus({
      targets: [
        { address: stable.address, labels: { track: 'stable' } },
        { address: canary.address, labels: { track: 'canary' } },
      ],
    });
    stops.push(() => prometheus.stop());
    await waitForTargets(prometheus, 2);
    // The deployment must be rolled out before the canary starts (the stand-in's controller does it).
    for (let i = 0; i < 100; i++) {
      const status = k8s.get('deployments', NAMESPACE, 'hello-service')?.status as
        { availableReplicas?: number } | undefined;
      if ((status?.availableReplicas ?? 0) >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // The gateway stand-in: 100 requests a second split by the HTTPRoute's weights, read from the API.
    let weight = 0;
    let sent = 0;
    const trafficTimer = setInterval(() => {
      weight = canaryWeight(k8s.get('httproutes', NAMESPACE, 'hello-service'));
      sent++;
      const target = (sent * 37) % 100 < weight ? canary : stable;
      fetch(`${target.url}/`)
        .then((response) => response.arrayBuffer())
        .catch(() => undefined);
    }, 10);
    stops.push(async () => clearInterval(trafficTimer));

    // The benchmark's two moments: the error ratio crossing 5 % (Prometheus), the route at canary 0 (API).
    const moments = watchCanaryMoments(prometheus.url, ERROR_QUERY, () => weight);
    stops.push(async () => moments.stop());

    print(
      `▶ releasing 1.1.0 as a canary on Kubernetes${options.badRelease === true ? ' (a bad release: 20 % of its requests fail)' : ''}: HTTPRoute weights 5 % → 25 % → 100 %, judged every 2 s on Prometheus`,
    );
    const deploy = await runBundle('deploy-bluegreen', {
      inputs: {
        platform: 'kubernetes',
        strategy: 'canary',
        kubeconfig: k8s.kubeconfig,
        namespace: NAMESPACE,
        deployment: 'hello-service',
        images: 'web=registry.local/hello-service:1.1.0',
        'http-route': 'hello-service',
        'stable-service': 'hello-service',
        'metrics-provider': 'prometheus',
        'prometheus-url': prometheus.url,
        'metrics-selector': 'job="hello",track="{{track}}"',
        'analysis-checks': '- preset: error-rate\n  failing-intervals: 1\n- latency\n',
        'analysis-window': '8s',
        'analysis-interval': `${intervalMs / 1000}s`,
        timeout: '5m',
      },
      env: { RUNNER_TEMP: temp },
      cwd: temp,
    });
    for (const line of deploy.log.split('\n'))
      if (
        /HTTPRoute hello-service:|scaled to|\[\d+% #\d+\]|anomaly|Traffic back|rolled out|Canary promoted/.test(
          line,
        )
      )
        print(`  ${line.replace(/^::[a-z]+::/, '')}`);

    const failed = deploy.exitCode !== 0;
    const notify = await runBundle('notify', {
      inputs: {
        status: failed ? 'rolled-back' : 'success',
        environment: 'production',
        version: '1.1.0',
        message: failed
          ? `Canary stopped: ${deploy.outputs['analysis-report'] ?? ''}`
          : 'Canary promoted to 100 %',
        'pagerduty-routing-key': 'R0UT1NGKEYDEMO000000000000000000',
        'pagerduty-api-url': receivers.pagerDutyUrl,
        'commit-status': 'false',
        deployment: 'false',
      },
      env: { GITHUB_REPOSITORY: 'acme/hello-service', GITHUB_SHA: '0'.repeat(40), GITHUB_RUN_ID: '1' },
      cwd: temp,
    });
    const canaryDeployment = k8s.get('deployments', NAMESPACE, 'hello-service-canary');
    const stableDeployment = k8s.get('deployments', NAMESPACE, 'hello-service');
    const image = (
      stableDeployment?.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined
    )?.template?.spec?.containers?.[0]?.image;
    print('');
    print(
      `HTTPRoute hello-service: canary weight ${canaryWeight(k8s.get('httproutes', NAMESPACE, 'hello-service'))}%; ` +
        `deployment/hello-service runs ${image ?? '?'}; deployment/hello-service-canary ${
          canaryDeployment === undefined
            ? 'deleted'
            : `${String((canaryDeployment.spec as { replicas?: number } | undefined)?.replicas ?? '?')} replicas`
        }`,
    );
    return concludeCanaryDemo({
      print,
      deploy,
      notify,
      receivers,
      intervalMs,
      crossedAt: moments.crossedAt,
      stableAt: moments.stableAt,
      stableLabel: 'HTTPRoute 100 % stable',
    });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
  }
}
