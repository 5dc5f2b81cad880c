/**
 * How rollback ends a canary deploy-bluegreen left paused (shared/src/kubernetes/rollback.ts findCanaries
 * and endCanaries, canary.ts endCanary), in this process against the Kubernetes API stand-in (or
 * GANTRY_TEST_KUBECONFIG): the canary's weight goes to 0 on its HTTPRoute before it is scaled down, its
 * pause is cleared; a Deployment merely named `<deployment>-canary` is found as nothing; a refused route
 * patch is reported as not done and leaves the canary findable for the next run. The canaries are paused
 * by deploy-bluegreen's flow in process (canary-world.ts). The bundle is run by
 * test/actions/rollback/kubernetes-canary.bundle.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type KubernetesConnection } from '../../../shared/src/kubernetes/connection.ts';
import { endCanaries, findCanaries } from '../../../shared/src/kubernetes/rollback.ts';
import { endCanary } from '../../../shared/src/kubernetes/canary.ts';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import {
  applyIn,
  connectionInputs,
  kubectlIn,
  routeWeights,
  servesGatewayApi,
  stableManifest,
  startTestCluster,
  type TestCluster,
} from './cluster.ts';
import { canaryInputs, canaryState, runCanaryFlow, seedStable } from './canary-world.ts';

let cluster: TestCluster;
let workspace: string;
let connection: KubernetesConnection;

beforeAll(async () => {
  cluster = await startTestCluster({ podStartDelayMs: 50 });
  workspace = mkdtempSync(path.join(tmpdir(), 'gantry-k8s-rollback-canary-'));
  process.env['KUBECONFIG'] = cluster.kubeconfigPath;
  connection = await connect(connectionInputs(cluster), createCaptureLogger());
}, 60_000);
afterAll(async () => {
  delete process.env['KUBECONFIG'];
  await cluster?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

const ref = (name: string): { kind: 'Deployment'; name: string; namespace: string } => ({
  kind: 'Deployment',
  name,
  namespace: cluster.namespace,
});

/** A stable Deployment `name` (on an HTTPRoute with `route`) with a canary paused at 25 % by deploy-bluegreen. */
async function pausedAt25(name: string, route: boolean): Promise<void> {
  await seedStable(cluster, workspace, name, { route });
  const paused = await runCanaryFlow(canaryInputs(cluster, name, { route, extra: { 'pause-at': '25' } }));
  expect(paused.exitCode, paused.log).toBe(0);
  expect(await canaryState(cluster, name)).toEqual({ replicas: 1, weight: '25', paused: '25' });
}

describe('rollback finds and ends a paused canary', () => {
  test('HTTPRoute: found with its route; ended weight 0 on the route first, then scaled to 0, pause cleared; found as ended after', async (context) => {
    if (!(await servesGatewayApi(cluster))) context.skip('this cluster does not serve the Gateway API');
    await pausedAt25('web-route', true);
    const plans = await findCanaries(connection, [ref('web-route')], {
      to: 'previous',
      logger: createCaptureLogger(),
    });
    expect(plans).toMatchObject([
      {
        name: 'web-route-canary',
        traffic: { route: { name: 'web-route', stable: 'web-route', canary: 'web-route-canary' } },
        state: '1 replica, weight 25% (paused at 25%)',
        keepStable: true,
        stableImages: `web=${cluster.goodImages[0]}`,
      },
    ]);
    // An explicit revision rolls the stable Deployment back as asked: it is not kept.
    const explicit = await findCanaries(connection, [ref('web-route')], {
      to: '1',
      logger: createCaptureLogger(),
    });
    expect(explicit[0]?.keepStable).toBe(false);

    const from = cluster.standIn?.requests.length ?? 0;
    const [ended] = await endCanaries(connection, plans, createCaptureLogger());
    expect(ended?.ended).toEqual({
      steps: [
        'HTTPRoute web-route web-route 100% / web-route-canary 0%',
        'deployment/web-route-canary scaled to 0',
      ],
      failures: [],
    });
    expect(await routeWeights(cluster, 'web-route')).toBe('web-route=100 web-route-canary=0');
    expect(await canaryState(cluster, 'web-route')).toEqual({ replicas: 0, weight: '0', paused: '' });
    if (cluster.standIn !== undefined) {
      const patches = cluster.standIn.requests
        .slice(from)
        .filter((request) => request.method === 'PATCH')
        .map((request) => request.path.split('/').slice(-2).join('/'));
      expect(patches.indexOf('httproutes/web-route')).toBeGreaterThanOrEqual(0);
      expect(patches.indexOf('httproutes/web-route')).toBeLessThan(
        patches.indexOf('deployments/web-route-canary'),
      );
    }

    const logger = createCaptureLogger();
    expect(await findCanaries(connection, [ref('web-route')], { to: 'previous', logger })).toEqual([]);
    expect(logger.text()).toContain('deployment/web-route-canary: the canary was ended already');
  });

  test('replica ratio: endCanary scales the canary to 0 and clears its pause, with no route step', async () => {
    await pausedAt25('web-ratio', false);
    const [plan] = await findCanaries(connection, [ref('web-ratio')], {
      to: 'previous',
      logger: createCaptureLogger(),
    });
    expect(plan?.traffic).toEqual({});
    const ended = await endCanary(
      connection.kubeConfig,
      cluster.namespace,
      'web-ratio-canary',
      {},
      createCaptureLogger(),
    );
    expect(ended).toEqual({ steps: ['deployment/web-ratio-canary scaled to 0'], failures: [] });
    expect(await canaryState(cluster, 'web-ratio')).toEqual({ replicas: 0, weight: '0', paused: '' });
  });

  test('a Deployment merely named <deployment>-canary, without Gantry marks, is found as nothing and left as it is', async () => {
    await seedStable(cluster, workspace, 'web-plain');
    await applyIn(
      cluster,
      workspace,
      stableManifest('web-plain-canary', cluster.goodImages[1]),
      'web-plain-canary',
    );
    const logger = createCaptureLogger();
    expect(await findCanaries(connection, [ref('web-plain')], { to: 'previous', logger })).toEqual([]);
    expect(logger.text()).toContain('deployment/web-plain-canary is not a canary Gantry made');
    expect(await canaryState(cluster, 'web-plain')).toMatchObject({ replicas: 4, paused: '' });
  });

  test('a canary whose stable Deployment is gone is a ConfigurationError naming it', async () => {
    await pausedAt25('web-gone', false);
    await kubectlIn(cluster, 'delete', 'deployment/web-gone');
    await expect(
      findCanaries(connection, [ref('web-gone')], { to: 'previous', logger: createCaptureLogger() }),
    ).rejects.toThrow(ConfigurationError);
    await expect(
      findCanaries(connection, [ref('web-gone')], { to: 'previous', logger: createCaptureLogger() }),
    ).rejects.toThrow(/deployment\/web-gone does not exist/);
  });

  test('a refused route patch: reported as not done, the canary scaled to 0 but its weight kept, so the next run finds it again', async (context) => {
    if (!(await servesGatewayApi(cluster))) context.skip('this cluster does not serve the Gateway API');
    if (cluster.standIn === undefined) context.skip('faults are injected into the stand-in only');
    await pausedAt25('web-refused', true);
    const plans = await findCanaries(connection, [ref('web-refused')], {
      to: 'previous',
      logger: createCaptureLogger(),
    });
    cluster.standIn?.injectFault({ method: 'PATCH', path: '/httproutes/web-refused', status: 403, times: 3 });
    const logger = createCaptureLogger();
    const [ended] = await endCanaries(connection, plans, logger);
    expect(ended?.ended.steps).toEqual([
      'setting HTTPRoute web-refused to 0% FAILED',
      'deployment/web-refused-canary scaled to 0',
    ]);
    expect(ended?.ended.failures).toHaveLength(1);
    expect(ended?.ended.failures[0]).toMatch(
      /^could not set the canary's weight to 0 on HTTPRoute web-refused: /,
    );
    expect(logger.lines.filter((line) => line.level === 'warning')).toHaveLength(1);
    expect(await routeWeights(cluster, 'web-refused')).toBe('web-refused=75 web-refused-canary=25');
    expect(await canaryState(cluster, 'web-refused')).toEqual({ replicas: 0, weight: '25', paused: '' });

    const again = await findCanaries(connection, [ref('web-refused')], {
      to: 'previous',
      logger: createCaptureLogger(),
    });
    expect(again.map((plan) => plan.state)).toEqual(['0 replicas, weight 25%']);
  });
});
