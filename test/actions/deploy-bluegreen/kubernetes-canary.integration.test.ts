/**
 * deploy-bluegreen's canary on Kubernetes (actions/deploy-bluegreen/src/kubernetes-canary.ts) run in this
 * process (testkit runFlow: the real inputs parser, outputs and job summary) against the Kubernetes API
 * stand-in (or GANTRY_TEST_KUBECONFIG), health-only analysis: a healthy canary promoted by replica ratio,
 * paused at 25 % on an HTTPRoute and promoted, paused and aborted, an image that never becomes ready stopped
 * with traffic back on stable, and inputs refused before any request. What moved is read back with kubectl.
 * The built bundle, judged by a real Prometheus, is run by kubernetes-canary.bundle.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  kubectlIn,
  routeWeights,
  servesGatewayApi,
  startTestCluster,
  type TestCluster,
} from '../../shared/kubernetes/cluster.ts';
import {
  canaryInputs,
  canaryState,
  runCanaryFlow,
  seedStable,
  webImage,
} from '../../shared/kubernetes/canary-world.ts';

let cluster: TestCluster;
let workspace: string;

beforeAll(async () => {
  cluster = await startTestCluster({ podStartDelayMs: 50 });
  workspace = mkdtempSync(path.join(tmpdir(), 'gantry-k8s-canary-flow-'));
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

describe('deploy-bluegreen canary on Kubernetes, in process', () => {
  test('replica ratio: a healthy canary goes 5 → 25 → 100; stable runs the new image, the canary is deleted', async () => {
    await seedStable(cluster, workspace, 'web-ratio');
    const result = await runCanaryFlow(canaryInputs(cluster, 'web-ratio'));
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs).toMatchObject({
      paused: 'false',
      'canary-weight': '0',
      images: `web=${cluster.goodImages[1]}`,
    });
    // ceil(4 × 5 / 100) = ceil(4 × 25 / 100) = 1 canary pod beside 4 stable ones: 20 % of the endpoints.
    expect(result.summary).toContain('web-ratio 4 pods / web-ratio-canary 1 pod (20% of endpoints)');
    expect(await webImage(cluster, 'web-ratio')).toBe(cluster.goodImages[1]);
    expect(await canaryState(cluster, 'web-ratio')).toBeUndefined();
    // The version the canary began from was recorded as completed, so rollback can find it.
    expect(
      await kubectlIn(
        cluster,
        'get',
        'deployment/web-ratio',
        '-o',
        "jsonpath={.metadata.annotations['gantry\\.dev/last-completed-revision']}",
      ),
    ).not.toBe('');
  });

  test('HTTPRoute paused at 25: route 75/25, a second deploy refused, then action promote finishes at 100/0', async (context) => {
    if (!(await servesGatewayApi(cluster))) context.skip('this cluster does not serve the Gateway API');
    await seedStable(cluster, workspace, 'web-route', { route: true });
    const inputs = canaryInputs(cluster, 'web-route', { route: true, extra: { 'pause-at': '25' } });
    const paused = await runCanaryFlow(inputs);
    expect(paused.exitCode, paused.log).toBe(0);
    expect(paused.outputs).toMatchObject({ paused: 'true', 'canary-weight': '25' });
    expect(await routeWeights(cluster, 'web-route')).toBe('web-route=75 web-route-canary=25');
    expect(await canaryState(cluster, 'web-route')).toEqual({ replicas: 1, weight: '25', paused: '25' });
    expect(
      await kubectlIn(
        cluster,
        'get',
        'service/web-route-canary',
        '-o',
        'jsonpath={.spec.selector.gantry\\.dev/track}',
      ),
    ).toBe('canary');

    const again = await runCanaryFlow(inputs);
    expect(again.exitCode).toBe(1);
    expect(again.annotations[0]?.message).toMatch(/A canary is in progress: .*paused at 25%/);
    expect(await canaryState(cluster, 'web-route')).toEqual({ replicas: 1, weight: '25', paused: '25' });

    const promoted = await runCanaryFlow({ ...inputs, action: 'promote' });
    expect(promoted.exitCode, promoted.log).toBe(0);
    expect(promoted.outputs).toMatchObject({ paused: 'false', images: `web=${cluster.goodImages[1]}` });
    expect(await routeWeights(cluster, 'web-route')).toBe('web-route=100 web-route-canary=0');
    expect(await webImage(cluster, 'web-route')).toBe(cluster.goodImages[1]);
    expect(await canaryState(cluster, 'web-route')).toBeUndefined();
  });

  test('paused at 5 then action abort: canary at 0 replicas, weight 0, pause cleared, stable untouched; promote then finds nothing', async () => {
    await seedStable(cluster, workspace, 'web-abort');
    const inputs = canaryInputs(cluster, 'web-abort', { extra: { 'pause-at': '5' } });
    const paused = await runCanaryFlow(inputs);
    expect(paused.exitCode, paused.log).toBe(0);
    expect(await canaryState(cluster, 'web-abort')).toEqual({ replicas: 1, weight: '5', paused: '5' });

    const aborted = await runCanaryFlow({ ...inputs, action: 'abort' });
    expect(aborted.exitCode, aborted.log).toBe(0);
    expect(aborted.outputs['canary-weight']).toBe('0');
    expect(await canaryState(cluster, 'web-abort')).toEqual({ replicas: 0, weight: '0', paused: '' });
    expect(await webImage(cluster, 'web-abort')).toBe(cluster.goodImages[0]);

    const promote = await runCanaryFlow({ ...inputs, action: 'promote' });
    expect(promote.exitCode).toBe(1);
    expect(promote.annotations[0]?.message).toMatch(
      /There is no paused canary for deployment\/web-abort .*ended by an abort, an anomaly or a rollback/,
    );
  });

  test('HTTPRoute: a canary image that never becomes ready fails the step; route back to 100/0, canary at 0, stable untouched', async (context) => {
    if (!(await servesGatewayApi(cluster))) context.skip('this cluster does not serve the Gateway API');
    await seedStable(cluster, workspace, 'web-bad', { route: true });
    const result = await runCanaryFlow(
      canaryInputs(cluster, 'web-bad', {
        route: true,
        extra: { images: `web=${cluster.badImage}`, timeout: '8s' },
      }),
    );
    expect(result.exitCode).toBe(1);
    expect(result.annotations.at(-1)?.message).toMatch(
      /Canary deployment failed: the canary's rollout (TIMED_OUT|FAILED): .*all traffic is back on deployment\/web-bad/,
    );
    expect(result.outputs['canary-weight']).toBe('0');
    expect(await routeWeights(cluster, 'web-bad')).toBe('web-bad=100 web-bad-canary=0');
    expect(await canaryState(cluster, 'web-bad')).toEqual({ replicas: 0, weight: '0', paused: '' });
    expect(await webImage(cluster, 'web-bad')).toBe(cluster.goodImages[0]);
    expect(result.summary).toContain('FAILED');
  });
});

describe('deploy-bluegreen canary on Kubernetes, refused before any change', () => {
  test.each([
    [{ 'traffic-steps': '5,25,90' }, 'traffic-steps'],
    [{ 'pause-at': '50' }, 'pause-at'],
    [{ 'http-route': 'web', 'stable-service': '' }, 'stable-service'],
  ])('%o is an input error naming %s, with no request to the cluster', async (extra, name) => {
    const before = cluster.standIn?.requests.length ?? 0;
    const result = await runCanaryFlow(canaryInputs(cluster, 'web', { extra }));
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toContain(`Input '${name}'`);
    expect(cluster.standIn?.requests.length ?? 0).toBe(before);
  });

  test('replica ratio with a stable Service that does not select the canary pods: refused, no canary made', async () => {
    await seedStable(cluster, workspace, 'web-split', { route: true });
    const result = await runCanaryFlow(canaryInputs(cluster, 'web-split'));
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toMatch(
      /Service web-split does not select the canary's pods \(selector .*gantry\.dev\/track=stable/,
    );
    expect(await canaryState(cluster, 'web-split')).toBeUndefined();
  });
});
