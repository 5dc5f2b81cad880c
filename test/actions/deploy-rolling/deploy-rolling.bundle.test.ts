/**
 * The built deploy-rolling bundle against moto server (real ECS API shapes on loopback): register,
 * update, tags, bad inputs, dry run. moto reports every deployment COMPLETED at once (with
 * MOTO_ECS_SERVICE_RUNNING) and has no stopped tasks or circuit breaker: the failing and progressing
 * rollout timelines are covered with SDK mocks in test/shared/ecs/.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { seedService, type Moto } from '../../../testkit/moto.ts';
import { sharedMoto } from '../../../testkit/shared-parts.ts';

const DIGEST_IMAGE = `registry.example/web@sha256:${'ef'.repeat(32)}`;

describe('deploy-rolling bundle against moto', () => {
  let moto: Moto;
  let workspace: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    moto = await sharedMoto();
    workspace = await mkdtemp(path.join(tmpdir(), 'gantry-rolling-ws-'));
    env = { ...moto.env, GANTRY_ECS_POLL_INTERVAL: '50ms' };
  });
  afterAll(async () => {
    await moto.stop();
    await rm(workspace, { recursive: true, force: true });
  });

  async function revisions(family: string): Promise<string[]> {
    const listed = await moto.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family }));
    return listed.taskDefinitionArns ?? [];
  }

  test('registers the rendered revision with tags, updates the service, reports COMPLETED', async () => {
    const first = await seedService(moto, { cluster: 'c-ok', service: 'web', family: 'web-ok' });
    const run = await runBundle('deploy-rolling', {
      inputs: {
        cluster: 'c-ok',
        service: 'web',
        image: DIGEST_IMAGE,
        environment: 'RELEASE=2\nLOG_LEVEL=info',
      },
      env,
      cwd: workspace,
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs['rollout-state'], 'COMPLETED');
    assert.equal(run.outputs['previous-task-definition-arn'], first);
    assert.match(run.outputs['task-definition-arn'] ?? '', /task-definition\/web-ok:2$/);
    assert.match(run.outputs['deployment-id'] ?? '', /^ecs-svc\//);
    const service = await moto.ecs.send(new DescribeServicesCommand({ cluster: 'c-ok', services: ['web'] }));
    assert.equal(service.services?.[0]?.taskDefinition, run.outputs['task-definition-arn']);
    const registered = await moto.ecs.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: run.outputs['task-definition-arn'],
        include: ['TAGS'],
      }),
    );
    const container = registered.taskDefinition?.containerDefinitions?.[0];
    assert.equal(container?.image, DIGEST_IMAGE);
    assert.deepEqual(container?.environment, [
      { name: 'RELEASE', value: '2' },
      { name: 'LOG_LEVEL', value: 'info' },
    ]);
    const tags = Object.fromEntries((registered.tags ?? []).map((tag) => [tag.key, tag.value]));
    assert.equal(tags['gantry:commit'], '0123456789abcdef0123456789abcdef01234567');
    assert.equal(tags['gantry:run-url'], 'https://github.com/acme/app/actions/runs/1001');
    assert.equal(tags['gantry:rollout'], 'COMPLETED');
    assert.match(run.summary, /Rollout timeline/);
    assert.match(run.summary, /web-ok:1/);
  });

  test('a task-definition file with several containers: one image per container line', async () => {
    await seedService(moto, { cluster: 'c-multi', service: 'api', family: 'api' });
    await writeFile(
      path.join(workspace, 'td.json'),
      JSON.stringify({
        taskDefinition: {
          taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:9',
          revision: 9,
          status: 'ACTIVE',
          registeredAt: '2025-01-01T00:00:00Z',
          family: 'api',
          containerDefinitions: [
            { name: 'api', image: 'api:1', memory: 256, essential: true },
            { name: 'worker', image: 'worker:1', memory: 256, essential: true },
            { name: 'proxy', image: 'envoy:1', memory: 64, essential: false },
          ],
        },
      }),
    );
    const run = await runBundle('deploy-rolling', {
      inputs: {
        cluster: 'c-multi',
        service: 'api',
        'task-definition': 'td.json',
        image: `api=registry.example/api:2\nworker=registry.example/worker:2`,
      },
      env,
      cwd: workspace,
    });
    assert.equal(run.exitCode, 0, run.log);
    const registered = await moto.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: run.outputs['task-definition-arn'] }),
    );
    const images = (registered.taskDefinition?.containerDefinitions ?? []).map((c) => [c.name, c.image]);
    assert.deepEqual(images, [
      ['api', 'registry.example/api:2'],
      ['worker', 'registry.example/worker:2'],
      ['proxy', 'envoy:1'],
    ]);
  });

  test('bad inputs fail with an error naming the input, before any change', async () => {
    await seedService(moto, { cluster: 'c-bad', service: 'web', family: 'web-bad' });
    const cases: [Record<string, string>, RegExp][] = [
      [{ cluster: 'nope', service: 'web', image: DIGEST_IMAGE }, /ECS cluster "nope" was not found/],
      [{ cluster: 'c-bad', service: 'nope', image: DIGEST_IMAGE }, /ECS service "nope" was not found/],
      [
        { cluster: 'c-bad', service: 'web', image: 'Bad Image' },
        /Input 'image': "Bad Image" is not a valid image reference/,
      ],
      [
        { cluster: 'c-bad', service: 'web', image: DIGEST_IMAGE, container: 'api' },
        /Input 'container': "api" is not a container/,
      ],
      [
        { cluster: 'c-bad', service: 'web', image: DIGEST_IMAGE, environment: 'oops' },
        /Input 'environment': line 1/,
      ],
    ];
    for (const [inputs, message] of cases) {
      const run = await runBundle('deploy-rolling', { inputs, env, cwd: workspace });
      assert.equal(run.exitCode, 1, run.log);
      assert.equal(run.annotations.filter((a) => a.level === 'error').length, 1, run.log);
      assert.match(run.annotations[0]?.message ?? '', message);
    }
    assert.equal((await revisions('web-bad')).length, 1, 'nothing was registered');
  });

  test('dry run shows the diff and registers nothing', async () => {
    await seedService(moto, { cluster: 'c-dry', service: 'web', family: 'web-dry' });
    const run = await runBundle('deploy-rolling', {
      inputs: { cluster: 'c-dry', service: 'web', image: 'registry.example/web:3', 'dry-run': 'true' },
      env,
      cwd: workspace,
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.match(
      run.log,
      /~ containerDefinitions\[web\]\.image: "registry\.example\/web:1" → "registry\.example\/web:3"/,
    );
    assert.equal(run.outputs['rollout-state'], 'DRY_RUN');
    assert.equal((await revisions('web-dry')).length, 1);
  });
});
