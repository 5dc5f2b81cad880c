/**
 * The built deploy-bluegreen bundle, strategy canary on platform kubernetes, against the Kubernetes API
 * stand-in (or a real cluster when GANTRY_TEST_KUBECONFIG is set) driven by the real kubectl, and a real
 * Prometheus (testkit/prometheus.ts) scraping two real hello-service processes labelled `track: stable`
 * and `track: canary` — they stand for the two Deployments' pods (the stand-in runs no containers). What
 * is judged is what Prometheus scraped; what moved is read back with kubectl.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { startHelloService, traffic } from '../../../testkit/hello-service.ts';
import { startKubernetesStandIn } from '../../../testkit/kubernetes-standin/index.ts';
import { startPrometheus, waitForTargets, type RunningPrometheus } from '../../../testkit/prometheus.ts';
import {
  applyIn,
  kubectlIn,
  routeManifest,
  routeWeights,
  servesGatewayApi,
  stableManifest,
  startTestCluster,
  type TestCluster,
} from '../../shared/kubernetes/cluster.ts';
import { canaryInputs as canaryWorldInputs } from '../../shared/kubernetes/canary-world.ts';

const run = promisify(execFile);
let cluster: TestCluster;
let workspace: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  workspace = mkdtempSync(path.join(tmpdir(), 'gantry-k8s-canary-'));
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

const kubectl = (...args: string[]): Promise<string> => kubectlIn(cluster, ...args);
const apply = (yaml: string, name: string): Promise<void> => applyIn(cluster, workspace, yaml, name);
const weights = (route: string): Promise<string> => routeWeights(cluster, route);
const gatewayApi = (): Promise<boolean> => servesGatewayApi(cluster);

/** Waits (bounded) until `kubectl rollout status` says the Deployment is rolled out. */
async function rolledOut(name: string): Promise<void> {
  await kubectl('rollout', 'status', `deployment/${name}`, '--timeout=60s');
}

/** Two hello-services (stable, canary at `errorRate`) scraped by a real Prometheus, under traffic. */
async function metricsWorld(
  errorRate: string,
): Promise<{ prometheus: RunningPrometheus; stop: () => Promise<void> }> {
  const stable = await startHelloService({ APP_VERSION: '1.0.0' });
  const canary = await startHelloService({ APP_VERSION: '1.1.0', APP_ERROR_RATE: errorRate });
  const prometheus = await startPrometheus({
    targets: [
      { address: stable.address, labels: { track: 'stable' } },
      { address: canary.address, labels: { track: 'canary' } },
    ],
  });
  const stopTraffic = traffic([stable, canary], 10);
  await waitForTargets(prometheus, 2);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  return {
    prometheus,
    stop: async () => {
      stopTraffic();
      await prometheus.stop();
      await Promise.all([stable.stop(), canary.stop()]);
    },
  };
}

/** Canary inputs (canary-world.ts) judged by the Prometheus at `prometheusUrl` over 4 s windows. */
const canaryInputs = (
  deployment: string,
  prometheusUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> =>
  canaryWorldInputs(cluster, deployment, {
    extra: {
      timeout: '3m',
      'metrics-provider': 'prometheus',
      'prometheus-url': prometheusUrl,
      'metrics-selector': 'job="hello",track="{{track}}"',
      'analysis-checks': '- preset: error-rate\n  failing-intervals: 2\n- latency\n',
      'analysis-window': '4s',
      ...extra,
    },
  });

const env = (): Record<string, string> => ({ RUNNER_TEMP: workspace });

describe('deploy-bluegreen canary on Kubernetes (bundle, real kubectl, real Prometheus)', () => {
  test('replica ratio: a healthy canary goes 5 → 25 → 100; the stable Deployment ends on the new image, the canary deleted', async () => {
    await apply(stableManifest('web-ratio', cluster.goodImages[0]), 'web-ratio');
    await rolledOut('web-ratio');
    const { prometheus, stop } = await metricsWorld('0');
    try {
      const result = await runBundle('deploy-bluegreen', {
        inputs: canaryInputs('web-ratio', prometheus.url, { 'stable-service': 'web-ratio' }),
        env: env(),
        cwd: workspace,
      });
      expect(result.exitCode, result.log).toBe(0);
      expect(result.outputs['analysis-verdict']).toBe('pass');
      expect(result.outputs['canary-weight']).toBe('0');
      expect(result.outputs['images']).toBe(`web=${cluster.goodImages[1]}`);
      // 4 stable replicas: ceil(4 × 5 / 100) = 1 and ceil(4 × 25 / 100) = 1 canary pod (20 % of endpoints).
      expect(result.summary).toContain('web-ratio 4 pods / web-ratio-canary 1 pod (20% of endpoints)');
      expect(result.log).toMatch(/\[5% #1\] error-rate: canary 0%, limit 5% → pass/);
      expect(result.log).toMatch(/\[25% #\d+\] error-rate: canary 0%/);
      expect(
        await kubectl(
          'get',
          'deployment/web-ratio',
          '-o',
          'jsonpath={.spec.template.spec.containers[0].image}',
        ),
      ).toBe(cluster.goodImages[1]);
      expect(await kubectl('get', 'deployments', '-o', 'name')).not.toContain('web-ratio-canary');
    } finally {
      await stop();
    }
  }, 180_000);

  test('HTTPRoute: a healthy canary goes 5 → 25 → 100 by backendRef weights; kubectl reads stable 100 / canary 0 at the end', async (context) => {
    if (!(await gatewayApi())) context.skip('this cluster does not serve the Gateway API');
    await apply(
      stableManifest('web-route', cluster.goodImages[0], { 'gantry.dev/track': 'stable' }),
      'web-route',
    );
    await apply(routeManifest('web-route', 'web-route'), 'web-route-route');
    await rolledOut('web-route');
    const { prometheus, stop } = await metricsWorld('0');
    try {
      const result = await runBundle('deploy-bluegreen', {
        inputs: canaryInputs('web-route', prometheus.url, {
          'http-route': 'web-route',
          'stable-service': 'web-route',
        }),
        env: env(),
        cwd: workspace,
      });
      expect(result.exitCode, result.log).toBe(0);
      expect(result.outputs['analysis-verdict']).toBe('pass');
      for (const step of ['web-route 95% / web-route-canary 5%', 'web-route 75% / web-route-canary 25%'])
        expect(result.summary).toContain(step);
      expect(await weights('web-route')).toBe('web-route=100 web-route-canary=0');
      expect(
        await kubectl(
          'get',
          'service/web-route-canary',
          '-o',
          'jsonpath={.spec.selector.gantry\\.dev/track}',
        ),
      ).toBe('canary');
      expect(
        await kubectl(
          'get',
          'deployment/web-route',
          '-o',
          'jsonpath={.spec.template.spec.containers[0].image}',
        ),
      ).toBe(cluster.goodImages[1]);
      expect(await kubectl('get', 'deployments', '-o', 'name')).not.toContain('web-route-canary');
    } finally {
      await stop();
    }
  }, 180_000);

  test('HTTPRoute: a canary answering 20 % errors is stopped at 5 %: weight 0, canary at zero replicas, stable untouched, the check named', async (context) => {
    if (!(await gatewayApi())) context.skip('this cluster does not serve the Gateway API');
    await apply(
      stableManifest('web-bad', cluster.goodImages[0], { 'gantry.dev/track': 'stable' }),
      'web-bad',
    );
    await apply(routeManifest('web-bad', 'web-bad'), 'web-bad-route');
    await rolledOut('web-bad');
    const { prometheus, stop } = await metricsWorld('0.2');
    try {
      const result = await runBundle('deploy-bluegreen', {
        inputs: canaryInputs('web-bad', prometheus.url, {
          'http-route': 'web-bad',
          'stable-service': 'web-bad',
        }),
        env: env(),
        cwd: workspace,
      });
      expect(result.exitCode, result.log).toBe(1);
      expect(result.outputs['analysis-verdict']).toBe('fail');
      expect(result.outputs['analysis-failed-check']).toBe('error-rate');
      expect(result.outputs['analysis-failed-step']).toBe('5%');
      expect(result.outputs['analysis-report']).toMatch(
        /^error-rate > 5 failed at 5% \(intervals 1–2\): canary \d+(\.\d+)?%, \d+(\.\d+)?% \(limit 5%\)$/,
      );
      expect(result.annotations[0]?.message).toMatch(
        /Canary deployment failed: anomaly at 5%: error-rate > 5 failed/,
      );
      expect(await weights('web-bad')).toBe('web-bad=100 web-bad-canary=0');
      expect(await kubectl('get', 'deployment/web-bad-canary', '-o', 'jsonpath={.spec.replicas}')).toBe('0');
      expect(
        await kubectl(
          'get',
          'deployment/web-bad',
          '-o',
          'jsonpath={.spec.template.spec.containers[0].image}',
        ),
      ).toBe(cluster.goodImages[0]);
      expect(result.summary).not.toContain('web-bad 75% / web-bad-canary 25%');
      expect(result.log).toMatch(
        /Traffic back on deployment\/web-bad \d+ ms after the failing interval was evaluated/,
      );
      expect(result.outputs['canary-weight']).toBe('0');
    } finally {
      await stop();
    }
  }, 180_000);

  test('replica ratio with pause-at 5: paused with the canary up, then abort scales it to zero', async () => {
    await apply(stableManifest('web-pause', cluster.goodImages[0]), 'web-pause');
    await rolledOut('web-pause');
    const inputs = {
      platform: 'kubernetes',
      strategy: 'canary',
      deployment: 'web-pause',
      image: `web=${cluster.goodImages[1]}`,
      namespace: cluster.namespace,
      kubeconfig: cluster.kubeconfig,
      'analysis-window': '1s',
      'analysis-interval': '1s',
      'pause-at': '5',
    };
    const paused = await runBundle('deploy-bluegreen', { inputs, env: env(), cwd: workspace });
    expect(paused.exitCode, paused.log).toBe(0);
    expect(paused.outputs['paused']).toBe('true');
    expect(paused.outputs['canary-weight']).toBe('5');
    expect(await kubectl('get', 'deployment/web-pause-canary', '-o', 'jsonpath={.spec.replicas}')).toBe('1');
    const again = await runBundle('deploy-bluegreen', { inputs, env: env(), cwd: workspace });
    expect(again.exitCode).toBe(1);
    expect(again.annotations[0]?.message).toMatch(
      /A canary is in progress: .*paused at 5%.*action: promote or action: abort/,
    );
    const aborted = await runBundle('deploy-bluegreen', {
      inputs: { ...inputs, action: 'abort' },
      env: env(),
      cwd: workspace,
    });
    expect(aborted.exitCode, aborted.log).toBe(0);
    expect(aborted.outputs['canary-weight']).toBe('0');
    expect(await kubectl('get', 'deployment/web-pause-canary', '-o', 'jsonpath={.spec.replicas}')).toBe('0');
    expect(
      await kubectl(
        'get',
        'deployment/web-pause',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image}',
      ),
    ).toBe(cluster.goodImages[0]);
  }, 120_000);
});

describe('deploy-bluegreen canary on Kubernetes: pause and promote', () => {
  test('HTTPRoute with pause-at 25: paused at 75/25, then action promote finishes 100 % and a second promote finds nothing paused', async (context) => {
    if (!(await gatewayApi())) context.skip('this cluster does not serve the Gateway API');
    await apply(
      stableManifest('web-promote', cluster.goodImages[0], { 'gantry.dev/track': 'stable' }),
      'web-promote',
    );
    await apply(routeManifest('web-promote', 'web-promote'), 'web-promote-route');
    await rolledOut('web-promote');
    const inputs = {
      platform: 'kubernetes',
      strategy: 'canary',
      deployment: 'web-promote',
      images: `web=${cluster.goodImages[1]}`,
      namespace: cluster.namespace,
      kubeconfig: cluster.kubeconfig,
      'http-route': 'web-promote',
      'stable-service': 'web-promote',
      'analysis-window': '1s',
      'analysis-interval': '1s',
      'pause-at': '25',
    };
    const paused = await runBundle('deploy-bluegreen', { inputs, env: env(), cwd: workspace });
    expect(paused.exitCode, paused.log).toBe(0);
    expect(paused.outputs['paused']).toBe('true');
    expect(await weights('web-promote')).toBe('web-promote=75 web-promote-canary=25');
    const promoted = await runBundle('deploy-bluegreen', {
      inputs: { ...inputs, action: 'promote' },
      env: env(),
      cwd: workspace,
    });
    expect(promoted.exitCode, promoted.log).toBe(0);
    expect(promoted.outputs['paused']).toBe('false');
    expect(promoted.outputs['images']).toBe(`web=${cluster.goodImages[1]}`);
    expect(await weights('web-promote')).toBe('web-promote=100 web-promote-canary=0');
    expect(await kubectl('get', 'deployments', '-o', 'name')).not.toContain('web-promote-canary');
    const again = await runBundle('deploy-bluegreen', {
      inputs: { ...inputs, action: 'promote' },
      env: env(),
      cwd: workspace,
    });
    expect(again.exitCode).toBe(1);
    expect(again.annotations[0]?.message).toMatch(/There is no paused canary for deployment\/web-promote/);
  }, 120_000);
  test('HTTPRoute: an abort whose route patch is refused fails, naming what was and was not done', async (context) => {
    if (!(await gatewayApi())) context.skip('this cluster does not serve the Gateway API');
    if (cluster.standIn === undefined) context.skip('faults are injected into the stand-in only');
    await apply(
      stableManifest('web-abort', cluster.goodImages[0], { 'gantry.dev/track': 'stable' }),
      'web-abort',
    );
    await apply(routeManifest('web-abort', 'web-abort'), 'web-abort-route');
    await rolledOut('web-abort');
    const inputs = {
      platform: 'kubernetes',
      strategy: 'canary',
      deployment: 'web-abort',
      images: `web=${cluster.goodImages[1]}`,
      namespace: cluster.namespace,
      kubeconfig: cluster.kubeconfig,
      'http-route': 'web-abort',
      'stable-service': 'web-abort',
      'analysis-window': '1s',
      'analysis-interval': '1s',
      'pause-at': '25',
    };
    const paused = await runBundle('deploy-bluegreen', { inputs, env: env(), cwd: workspace });
    expect(paused.exitCode, paused.log).toBe(0);
    cluster.standIn?.injectFault({ method: 'PATCH', path: '/httproutes/web-abort', status: 403, times: 3 });
    const aborted = await runBundle('deploy-bluegreen', {
      inputs: { ...inputs, action: 'abort' },
      env: env(),
      cwd: workspace,
    });
    expect(aborted.exitCode, aborted.log).toBe(1);
    expect(aborted.annotations.at(-1)?.message).toMatch(
      /Canary abort not complete: aborted by request; traffic is NOT fully back on deployment\/web-abort \(could not set the canary's weight to 0 on HTTPRoute web-abort: .*\); setting HTTPRoute web-abort to 0% FAILED; deployment\/web-abort-canary scaled to 0/,
    );
    expect(aborted.outputs['canary-weight']).toBe('25');
    expect(await weights('web-abort')).toBe('web-abort=75 web-abort-canary=25');
  }, 120_000);
});

describe('deploy-bluegreen platform kubernetes: refused before any change', () => {
  test('a cluster without the Gateway API: http-route is a clear error, nothing created', async () => {
    const bare = await startKubernetesStandIn({ gatewayApi: false });
    try {
      const file = path.join(workspace, 'bare.yaml');
      writeFileSync(file, stableManifest('web', 'registry.local/web:1'));
      await run('kubectl', ['--kubeconfig', bare.kubeconfigPath, 'apply', '--server-side', '-f', file]);
      const result = await runBundle('deploy-bluegreen', {
        inputs: {
          platform: 'kubernetes',
          strategy: 'canary',
          deployment: 'web',
          images: 'web=registry.local/web:2',
          kubeconfig: bare.kubeconfig,
          'http-route': 'web',
          'stable-service': 'web',
        },
        env: env(),
        cwd: workspace,
      });
      expect(result.exitCode).toBe(1);
      expect(result.annotations[0]?.message).toMatch(
        /http-route is set, but the cluster does not serve the Gateway API \(gateway\.networking\.k8s\.io\/v1 is not in its discovery\)/,
      );
      expect(bare.get('deployments', 'default', 'web-canary')).toBeUndefined();
    } finally {
      await bare.stop();
    }
  }, 60_000);

  test.each([
    [{ strategy: 'alb-weighted' }, 'strategy', /platform: kubernetes runs strategy canary only/],
    [
      {
        strategy: 'canary',
        'listener-arn': 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/1/2',
      },
      'listener-arn',
      /is an input of platform: ecs/,
    ],
    [{ strategy: 'canary', deployment: '' }, 'deployment', /required/],
    [{ strategy: 'canary', 'http-route': 'web' }, 'stable-service', /http-route needs the stable Service/],
    [
      {
        strategy: 'canary',
        'metrics-provider': 'prometheus',
        'prometheus-url': 'http://127.0.0.1:9',
        'metrics-selector': 'job="web",color="blue"',
      },
      'metrics-selector',
      /\{\{track\}\}/,
    ],
  ])('%o is an input error naming %s, with no request to the cluster', async (extra, name, message) => {
    const before = cluster.standIn?.requests.length ?? 0;
    const result = await runBundle('deploy-bluegreen', {
      inputs: {
        platform: 'kubernetes',
        deployment: 'web',
        images: 'web=registry.local/web:2',
        kubeconfig: cluster.kubeconfig,
        ...extra,
      },
      env: env(),
      cwd: workspace,
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toContain(`Input '${name}'`);
    expect(result.annotations[0]?.message).toMatch(message);
    expect(cluster.standIn?.requests.length ?? 0).toBe(before);
  });

  test('an ECS canary refuses the Kubernetes inputs', async () => {
    const result = await runBundle('deploy-bluegreen', {
      inputs: { strategy: 'canary', cluster: 'production', image: 'web:2', deployment: 'web' },
      env: env(),
      cwd: workspace,
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toMatch(/deployment.*is an input of platform: kubernetes/);
  });
});
