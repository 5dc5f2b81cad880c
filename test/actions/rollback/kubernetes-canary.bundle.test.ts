/**
 * The built rollback bundle on `platform: kubernetes` with a canary deploy-bluegreen paused at 25 %, against
 * the Kubernetes API stand-in (or a real cluster when GANTRY_TEST_KUBECONFIG is set) driven by the real
 * kubectl: the canary is ended (HTTPRoute weight 0, scaled to 0, pause cleared) by replica ratio and by
 * HTTPRoute, the stable Deployment kept, a later `action: promote` refused; a Deployment merely named
 * `<deployment>-canary` is not touched; a refused route patch fails the step naming what was done.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBundle } from '../../../testkit/bundle-runner.ts';
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

let cluster: TestCluster;
let workspace: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  workspace = mkdtempSync(path.join(tmpdir(), 'gantry-rollback-canary-'));
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

const kubectl = (...args: string[]): Promise<string> => kubectlIn(cluster, ...args);
const apply = (yaml: string, name: string): Promise<void> => applyIn(cluster, workspace, yaml, name);
const weights = (route: string): Promise<string> => routeWeights(cluster, route);

/**
 * The stable Deployment with two revisions that both completed a rollout (goodImages[1], then
 * goodImages[0]), recorded as Gantry records them: `to: previous` would restore revision 1.
 */
async function stableWithHistory(name: string, extra: Record<string, string> = {}): Promise<void> {
  for (const image of [cluster.goodImages[1], cluster.goodImages[0]]) {
    await apply(stableManifest(name, image, extra), name);
    await kubectl('rollout', 'status', `deployment/${name}`, '--timeout=60s');
  }
  const sets = JSON.parse(await kubectl('get', 'replicasets', '-o', 'json')) as {
    items: {
      metadata: { name: string; ownerReferences?: { name: string }[]; annotations?: Record<string, string> };
    }[];
  };
  const owned = sets.items
    .filter((rs) => rs.metadata.ownerReferences?.some((owner) => owner.name === name))
    .sort(
      (a, b) =>
        Number(a.metadata.annotations?.['deployment.kubernetes.io/revision']) -
        Number(b.metadata.annotations?.['deployment.kubernetes.io/revision']),
    )
    .map((rs) => rs.metadata.name);
  expect(owned).toHaveLength(2);
  await kubectl(
    'annotate',
    '--overwrite',
    `deployment/${name}`,
    `gantry.dev/completed-replicasets=${owned.join(',')}`,
    'gantry.dev/last-completed-revision=2',
  );
}

const env = (): Record<string, string> => ({ RUNNER_TEMP: workspace });

/** deploy-bluegreen canary inputs for `deployment`, paused at 25 % (steps 5, 25, 100), health-only analysis. */
const canaryInputs = (deployment: string, extra: Record<string, string> = {}): Record<string, string> =>
  canaryWorldInputs(cluster, deployment, { extra: { 'pause-at': '25', ...extra } });

/** Runs the rollback bundle on `deployment` (platform kubernetes, no traffic inputs). */
const rollback = (deployment: string): ReturnType<typeof runBundle> =>
  runBundle('rollback', {
    inputs: {
      platform: 'kubernetes',
      deployment,
      namespace: cluster.namespace,
      kubeconfig: cluster.kubeconfig,
      timeout: '1m',
      reason: 'smoke test failed',
    },
    env: env(),
    cwd: workspace,
  });

async function field(object: string, jsonpath: string): Promise<string> {
  return kubectl('get', object, '-o', `jsonpath={${jsonpath}}`);
}

/** Pauses a canary of `deployment` at 25 % and checks it is paused there. */
async function pauseAt25(deployment: string, extra: Record<string, string> = {}): Promise<void> {
  const paused = await runBundle('deploy-bluegreen', {
    inputs: canaryInputs(deployment, extra),
    env: env(),
    cwd: workspace,
  });
  expect(paused.exitCode, paused.log).toBe(0);
  expect(paused.outputs['paused']).toBe('true');
  expect(paused.outputs['canary-weight']).toBe('25');
  expect(await field(`deployment/${deployment}-canary`, '.spec.replicas')).toBe('1');
  expect(
    await field(`deployment/${deployment}-canary`, ".metadata.annotations['gantry\\.dev/canary-paused']"),
  ).toBe('25');
}

/**
 * A stable Deployment and Service `name` (pods labelled `gantry.dev/track: stable`), an HTTPRoute `name` to
 * it, and a canary paused at 25 % on that route. @returns the deploy-bluegreen traffic inputs used
 */
async function routeCanaryAt25(name: string): Promise<Record<string, string>> {
  const extra = { 'http-route': name, 'stable-service': name };
  await stableWithHistory(name, { 'gantry.dev/track': 'stable' });
  await apply(routeManifest(name, name), `${name}-route`);
  await pauseAt25(name, extra);
  return extra;
}

/** The canary is over: no replicas, weight 0, no pause — and `action: promote` refuses. */
async function expectEnded(deployment: string, extra: Record<string, string> = {}): Promise<void> {
  const canary = `deployment/${deployment}-canary`;
  expect(await field(canary, '.spec.replicas')).toBe('0');
  expect(await field(canary, ".metadata.annotations['gantry\\.dev/canary-paused']")).toBe('');
  expect(await field(canary, ".metadata.annotations['gantry\\.dev/canary-weight']")).toBe('0');
  const promote = await runBundle('deploy-bluegreen', {
    inputs: { ...canaryInputs(deployment, extra), action: 'promote' },
    env: env(),
    cwd: workspace,
  });
  expect(promote.exitCode, promote.log).toBe(1);
  expect(promote.annotations[0]?.message).toMatch(
    new RegExp(
      `There is no paused canary for deployment/${deployment} .*ended by an abort, an anomaly or a rollback`,
    ),
  );
  expect(await field(canary, '.spec.replicas')).toBe('0');
  expect(await field(`deployment/${deployment}`, '.spec.template.spec.containers[0].image')).toBe(
    cluster.goodImages[0],
  );
}

describe('rollback platform kubernetes ends a paused canary (bundle, real kubectl)', () => {
  test('replica ratio: canary paused at 25 % → scaled to 0, pause cleared, stable kept on its revision; promote then refuses', async () => {
    await stableWithHistory('web-ratio');
    await pauseAt25('web-ratio', { 'stable-service': 'web-ratio' });
    const revision = await field(
      'deployment/web-ratio',
      ".metadata.annotations['deployment\\.kubernetes\\.io/revision']",
    );

    const result = await rollback('web-ratio');
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs['canary']).toBe('deployment/web-ratio-canary scaled to 0');
    expect(result.outputs['revision']).toBe('');
    expect(result.log).toContain(
      'deployment/web-ratio-canary (1 replica, weight 25% (paused at 25%); traffic by replica ratio): ending it',
    );
    expect(result.log).toMatch(
      /deployment\/web-ratio runs the images it ran when its canary began \(web=[^)]+\): kept/,
    );
    expect(result.summary).toContain('deployment/web-ratio-canary (canary)');
    expect(result.summary).toContain('kept (runs the images it ran when its canary began)');
    // Stable untouched: same revision, same image (revision 1, goodImages[1], would be `previous` without the canary).
    expect(
      await field('deployment/web-ratio', ".metadata.annotations['deployment\\.kubernetes\\.io/revision']"),
    ).toBe(revision);
    await expectEnded('web-ratio', { 'stable-service': 'web-ratio' });

    // A second rollback finds the canary ended and rolls the stable Deployment back as usual.
    const again = await rollback('web-ratio');
    expect(again.exitCode, again.log).toBe(0);
    expect(again.outputs['canary']).toBe('');
    expect(again.log).toContain('deployment/web-ratio-canary: the canary was ended already');
    expect(await field('deployment/web-ratio', '.spec.template.spec.containers[0].image')).toBe(
      cluster.goodImages[1],
    );
  }, 180_000);

  test('HTTPRoute: canary paused at 75/25 → weight 0 on the route first, scaled to 0, pause cleared; promote then refuses', async (context) => {
    if (!(await servesGatewayApi(cluster))) context.skip('this cluster does not serve the Gateway API');
    const extra = await routeCanaryAt25('web-route');
    expect(await weights('web-route')).toBe('web-route=75 web-route-canary=25');
    expect(
      await field('deployment/web-route-canary', ".metadata.annotations['gantry\\.dev/canary-http-route']"),
    ).toBe('web-route');

    // rollback is given no traffic input: it reads the route and Services the canary recorded.
    const result = await rollback('web-route');
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs['canary']).toBe(
      'HTTPRoute web-route web-route 100% / web-route-canary 0%, deployment/web-route-canary scaled to 0',
    );
    expect(await weights('web-route')).toBe('web-route=100 web-route-canary=0');
    const route = result.log.indexOf('HTTPRoute web-route: web-route 100 / web-route-canary 0');
    const scaled = result.log.indexOf('deployment/web-route-canary scaled to 0 replicas');
    expect(route).toBeGreaterThan(-1);
    expect(scaled).toBeGreaterThan(route);
    await expectEnded('web-route', extra);
    expect(await weights('web-route')).toBe('web-route=100 web-route-canary=0');
  }, 180_000);

  test('a stable Deployment changed since the canary began is rolled back too, after the canary is ended', async () => {
    await stableWithHistory('web-moved');
    await pauseAt25('web-moved', { 'stable-service': 'web-moved' });
    // Someone rolls the stable Deployment forward by hand while the canary is paused (revision 3, not completed).
    await kubectl('set', 'image', 'deployment/web-moved', `web=${cluster.goodImages[1]}`);
    await kubectl('rollout', 'status', 'deployment/web-moved', '--timeout=60s');

    const result = await rollback('web-moved');
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs['canary']).toBe('deployment/web-moved-canary scaled to 0');
    expect(result.outputs['rolled-back-from']).toBe('deployment/web-moved=3');
    expect(result.outputs['revision']).toBe('deployment/web-moved=2');
    expect(result.log).not.toContain('kept, the canary was the version being tried');
    const scaled = result.log.indexOf('deployment/web-moved-canary scaled to 0 replicas');
    expect(scaled).toBeGreaterThan(-1);
    expect(result.log.indexOf('deployment/web-moved=3 → deployment/web-moved=2')).toBeGreaterThan(scaled);
    await expectEnded('web-moved', { 'stable-service': 'web-moved' });
  }, 180_000);

  test('a Deployment named <deployment>-canary that Gantry did not make is not touched', async () => {
    await stableWithHistory('web-plain');
    // Labelled as a canary track by its owner, but without the annotations deploy-bluegreen writes.
    await apply(
      stableManifest('web-plain-canary', cluster.goodImages[1], { 'gantry.dev/track': 'canary' }).replace(
        'metadata:\n  name: web-plain-canary\n',
        'metadata:\n  name: web-plain-canary\n  annotations: { owner: someone-else }\n',
      ),
      'web-plain-canary',
    );
    const before = await kubectl(
      'get',
      'deployment/web-plain-canary',
      '-o',
      'jsonpath={.spec.replicas} {.metadata.generation} {.metadata.annotations}',
    );
    const result = await rollback('web-plain');
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs['canary']).toBe('');
    expect(result.log).toContain('deployment/web-plain-canary is not a canary Gantry made');
    expect(result.outputs['revision']).toBe('deployment/web-plain=1');
    expect(
      await kubectl(
        'get',
        'deployment/web-plain-canary',
        '-o',
        'jsonpath={.spec.replicas} {.metadata.generation} {.metadata.annotations}',
      ),
    ).toBe(before);
    expect(before.startsWith('4 ')).toBe(true);
  }, 180_000);

  test('a refused route patch fails the step naming what was and was not done; a second rollback finishes it', async (context) => {
    if (cluster.standIn === undefined) context.skip('faults are injected into the stand-in only');
    const extra = await routeCanaryAt25('web-fault');
    cluster.standIn?.injectFault({ method: 'PATCH', path: '/httproutes/web-fault', status: 403, times: 3 });

    const failed = await rollback('web-fault');
    expect(failed.exitCode, failed.log).toBe(1);
    expect(failed.annotations.at(-1)?.message).toMatch(
      /Rollback of deployment\/web-fault: the canary was not fully ended — done: deployment\/web-fault-canary scaled to 0; NOT done: could not set the canary's weight to 0 on HTTPRoute web-fault: /,
    );
    expect(failed.outputs['canary']).toBe(
      'setting HTTPRoute web-fault to 0% FAILED, deployment/web-fault-canary scaled to 0',
    );
    expect(failed.summary).toContain('NOT fully ended');
    expect(await weights('web-fault')).toBe('web-fault=75 web-fault-canary=25');
    // Not revivable, but still in progress (its weight kept) so that a second rollback retries the route.
    expect(
      await field('deployment/web-fault-canary', ".metadata.annotations['gantry\\.dev/canary-paused']"),
    ).toBe('');
    expect(
      await field('deployment/web-fault-canary', ".metadata.annotations['gantry\\.dev/canary-weight']"),
    ).toBe('25');
    expect(await field('deployment/web-fault', '.spec.template.spec.containers[0].image')).toBe(
      cluster.goodImages[0],
    );

    const again = await rollback('web-fault');
    expect(again.exitCode, again.log).toBe(0);
    expect(await weights('web-fault')).toBe('web-fault=100 web-fault-canary=0');
    await expectEnded('web-fault', extra);
  }, 180_000);
});
