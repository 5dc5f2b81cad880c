/**
 * The built rollback bundle against moto server: `previous` from Gantry's revision tags, an explicit
 * revision, the refusal when there is nothing to roll back to, and the ALB weighted forward returned to the
 * previous colour. moto has no ListServiceDeployments/DescribeServiceRevisions (the deployment history):
 * the action falls back to its revision tags here, which this test asserts; the history path is covered
 * with SDK mocks in test/shared/ecs/rollback.test.ts.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { AddTagsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { listenerWeights, seedAlb, seedService, type Moto } from '../../../testkit/moto.ts';
import { sharedMoto } from '../../../testkit/shared-parts.ts';

describe('rollback bundle against moto', () => {
  let moto: Moto;
  let env: Record<string, string>;
  beforeAll(async () => {
    moto = await sharedMoto();
    env = { ...moto.env, GANTRY_ECS_POLL_INTERVAL: '50ms' };
  });
  afterAll(async () => moto.stop());

  async function running(cluster: string, service: string): Promise<string> {
    const described = await moto.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    return described.services?.[0]?.taskDefinition ?? '';
  }

  test('refuses clearly when no other revision completed a rollout, and changes nothing', async () => {
    const first = await seedService(moto, { cluster: 'c-none', service: 'web', family: 'none' });
    const run = await runBundle('rollback', { inputs: { cluster: 'c-none', service: 'web' }, env });
    assert.equal(run.exitCode, 1, run.log);
    assert.match(
      run.annotations[0]?.message ?? '',
      /Nothing to roll back to: no revision of none other than the current none:1/,
    );
    assert.equal(await running('c-none', 'web'), first);
  });

  test('previous = the last revision that completed a rollout (revision tags), not revision − 1', async () => {
    await seedService(moto, { cluster: 'c-prev', service: 'web', family: 'prev' });
    const deploy = async (image: string): Promise<string> => {
      const run = await runBundle('deploy-rolling', {
        inputs: { cluster: 'c-prev', service: 'web', image },
        env,
      });
      assert.equal(run.exitCode, 0, run.log);
      return run.outputs['task-definition-arn'] ?? '';
    };
    const second = await deploy('registry.example/web:2'); // prev:2 completes (prev:1 is tagged as it was steady)
    const third = await deploy('registry.example/web:3'); // prev:3 completes
    // prev:4 is registered but never rolled out: a dry run would not register, so register by deploying
    // with wait false — it is not tagged COMPLETED and must not be chosen.
    const unfinished = await runBundle('deploy-rolling', {
      inputs: { cluster: 'c-prev', service: 'web', image: 'registry.example/web:4', wait: 'false' },
      env,
    });
    assert.equal(unfinished.exitCode, 0, unfinished.log);
    assert.equal(unfinished.outputs['rollout-state'], 'IN_PROGRESS');

    const run = await runBundle('rollback', {
      inputs: { cluster: 'c-prev', service: 'web', reason: 'smoke test failed: 502 on /health' },
      env,
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.match(run.log, /deployment history is not available/, 'moto lacks ListServiceDeployments');
    assert.equal(run.outputs['task-definition-arn'], third);
    assert.equal(run.outputs['rolled-back-from'], unfinished.outputs['task-definition-arn']);
    assert.equal(await running('c-prev', 'web'), third);
    assert.match(run.summary, /smoke test failed: 502 on \/health/);

    const explicit = await runBundle('rollback', {
      inputs: { cluster: 'c-prev', service: 'web', to: '2' },
      env,
    });
    assert.equal(explicit.exitCode, 0, explicit.log);
    assert.equal(await running('c-prev', 'web'), second);
  });

  test('an explicit target equal to what runs is refused', async () => {
    await seedService(moto, { cluster: 'c-same', service: 'web', family: 'same' });
    const run = await runBundle('rollback', {
      inputs: { cluster: 'c-same', service: 'web', to: 'same:1' },
      env,
    });
    assert.equal(run.exitCode, 1);
    assert.match(run.annotations[0]?.message ?? '', /already runs same:1/);
  });

  test('bad inputs are refused before any call', async () => {
    const run = await runBundle('rollback', {
      inputs: { cluster: 'c', service: 'web', to: 'last-good' },
      env,
    });
    assert.equal(run.exitCode, 1);
    assert.match(run.annotations[0]?.message ?? '', /Input 'to': "last-good" is not previous/);
  });

  test('alb-weighted: all weight returns to the previous colour (ELBv2 weighted forward)', async () => {
    const alb = await seedAlb(moto, { blue: 10, green: 90 });
    const elb = new ElasticLoadBalancingV2Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await elb.send(
      new AddTagsCommand({
        ResourceArns: [alb.listenerArn],
        Tags: [
          { Key: 'gantry:previous-target-group', Value: alb.blue },
          { Key: 'gantry:previous-color', Value: 'blue' },
        ],
      }),
    );
    elb.destroy();
    const run = await runBundle('rollback', {
      inputs: { cluster: 'c', service: 'web', 'listener-arn': alb.listenerArn },
      env,
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs['active-color'], 'blue');
    const weights = await listenerWeights(moto, alb.listenerArn);
    assert.equal(weights.get(alb.blue), 100);
    assert.equal(weights.get(alb.green), 0);
    const again = await runBundle('rollback', {
      inputs: { cluster: 'c', service: 'web', 'listener-arn': alb.listenerArn },
      env,
    });
    assert.equal(again.exitCode, 1, 'a second rollback does not flip back');
    assert.match(again.annotations[0]?.message ?? '', /Nothing to roll back to/);
  });
});
