/**
 * rollback's flow (actions/rollback/src/main.ts) in process with the runner's environment (testkit
 * runFlow) against moto: an explicit revision restored and waited for, the ALB weighted forward returned
 * to the previous colour, and the refusal when nothing can be restored. The built bundle is run by
 * test/actions/rollback/rollback.bundle.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  AddTagsCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { runFlow } from '../../../testkit/bundle-runner.ts';
import {
  listenerWeights,
  seedAlb,
  seedService,
  serviceTaskDefinition,
  type Moto,
} from '../../../testkit/moto.ts';
import { sharedMoto } from '../../../testkit/shared-parts.ts';

let moto: Moto;
let env: Record<string, string>;
beforeAll(async () => {
  moto = await sharedMoto();
  env = { ...moto.env, GANTRY_ECS_POLL_INTERVAL: '50ms' };
});
afterAll(() => moto.stop());

describe('rollback flow against moto', () => {
  test('an explicit revision: restored, waited for, outputs and summary name both revisions', async () => {
    const first = await seedService(moto, { cluster: 'f-exp', service: 'api', family: 'api-exp' });
    const second = await moto.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'api-exp',
        containerDefinitions: [{ name: 'web', image: 'registry.example/web:2', memory: 256 }],
      }),
    );
    const secondArn = second.taskDefinition?.taskDefinitionArn ?? '';
    await moto.ecs.send(
      new UpdateServiceCommand({ cluster: 'f-exp', service: 'api', taskDefinition: secondArn }),
    );

    const run = await runFlow('rollback', {
      inputs: {
        cluster: 'f-exp',
        service: 'api',
        to: '1',
        reason: 'error rate 12 % after release',
        timeout: '60s',
      },
      env,
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs['task-definition-arn']).toBe(first);
    expect(run.outputs['rolled-back-from']).toBe(secondArn);
    expect(await serviceTaskDefinition(moto, 'f-exp', 'api')).toBe(first);
    expect(run.summary).toContain('rollback: api');
    expect(run.summary).toContain('api-exp:1');
    expect(run.summary).toContain('error rate 12 % after release');
    expect(run.summary).toContain('COMPLETED');
  });

  test('nothing to roll back to: a clear failure, the service untouched', async () => {
    const only = await seedService(moto, { cluster: 'f-none', service: 'api', family: 'api-none' });
    const run = await runFlow('rollback', { inputs: { cluster: 'f-none', service: 'api' }, env });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toMatch(/Nothing to roll back to/);
    expect(run.outputs['task-definition-arn']).toBeUndefined();
    expect(await serviceTaskDefinition(moto, 'f-none', 'api')).toBe(only);
  });

  test('alb-weighted: the rule returns all weight to the previous colour, once', async () => {
    const alb = await seedAlb(moto, { blue: 20, green: 80 });
    const elb = new ElasticLoadBalancingV2Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await elb.send(
      new AddTagsCommand({
        ResourceArns: [alb.ruleArn],
        Tags: [
          { Key: 'gantry:previous-target-group', Value: alb.blue },
          { Key: 'gantry:previous-color', Value: 'blue' },
        ],
      }),
    );
    elb.destroy();
    const inputs = { cluster: 'c', service: 'web', 'listener-arn': alb.listenerArn, 'rule-arn': alb.ruleArn };
    const run = await runFlow('rollback', { inputs, env });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs['active-color']).toBe('blue');
    const weights = await listenerWeights(moto, alb.listenerArn, alb.ruleArn);
    expect([weights.get(alb.blue), weights.get(alb.green)]).toEqual([100, 0]);
    const untouched = await listenerWeights(moto, alb.listenerArn);
    expect([untouched.get(alb.blue), untouched.get(alb.green)]).toEqual([20, 80]);
    const again = await runFlow('rollback', { inputs, env });
    expect(again.exitCode).toBe(1);
    expect(again.annotations[0]?.message).toMatch(/Nothing to roll back to/);
  });
  test('a paused canary rolled back: traffic on the stable colour, its pause tag cleared, a later promote refuses', async () => {
    // The listener as deploy-bluegreen leaves a canary paused at 25 % (blue stable, green the canary).
    await seedService(moto, { cluster: 'paused', service: 'web-blue', family: 'paused-web' });
    await seedService(moto, { cluster: 'paused', service: 'web-green', family: 'paused-web' });
    const alb = await seedAlb(moto, { blue: 75, green: 25 });
    const elb = new ElasticLoadBalancingV2Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    try {
      await elb.send(
        new AddTagsCommand({
          ResourceArns: [alb.listenerArn],
          Tags: [
            { Key: 'gantry:previous-color', Value: 'blue' },
            { Key: 'gantry:previous-target-group', Value: alb.blue },
            { Key: 'gantry:canary-paused', Value: '25' },
          ],
        }),
      );
      const run = await runFlow('rollback', {
        inputs: { cluster: 'paused', service: 'web-green', 'listener-arn': alb.listenerArn },
        env,
      });
      expect(run.exitCode, run.log).toBe(0);
      const weights = await listenerWeights(moto, alb.listenerArn);
      expect([weights.get(alb.blue), weights.get(alb.green)]).toEqual([100, 0]);
      const described = await elb.send(new DescribeTagsCommand({ ResourceArns: [alb.listenerArn] }));
      const tags = new Map((described.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key, t.Value ?? '']));
      expect(tags.get('gantry:canary-paused') ?? '').toBe('');

      // Even if a later deploy records a previous colour again, promote finds no paused canary to revive.
      await elb.send(
        new AddTagsCommand({
          ResourceArns: [alb.listenerArn],
          Tags: [{ Key: 'gantry:previous-color', Value: 'blue' }],
        }),
      );
      const promote = await runFlow('deploy-bluegreen', {
        inputs: {
          strategy: 'canary',
          action: 'promote',
          cluster: 'paused',
          image: 'registry.example/web:2',
          'listener-arn': alb.listenerArn,
          'blue-service': 'web-blue',
          'green-service': 'web-green',
          'blue-target-group-arn': alb.blue,
          'green-target-group-arn': alb.green,
          'metrics-provider': 'prometheus',
          'prometheus-url': 'http://127.0.0.1:9',
          'metrics-selector': 'job="hello",color="{{color}}"',
        },
        env,
      });
      expect(promote.exitCode, promote.log).toBe(1);
      expect(promote.annotations[0]?.message).toMatch(/There is no paused canary/);
      const after = await listenerWeights(moto, alb.listenerArn);
      expect([after.get(alb.blue), after.get(alb.green)]).toEqual([100, 0]);
    } finally {
      elb.destroy();
    }
  });

  test('promote refuses a canary whose pause tag outlived its traffic (0 % on the canary)', async () => {
    await seedService(moto, { cluster: 'stale', service: 'web-blue', family: 'stale-web' });
    await seedService(moto, { cluster: 'stale', service: 'web-green', family: 'stale-web' });
    const alb = await seedAlb(moto, { blue: 100, green: 0 });
    const elb = new ElasticLoadBalancingV2Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    try {
      await elb.send(
        new AddTagsCommand({
          ResourceArns: [alb.listenerArn],
          Tags: [
            { Key: 'gantry:previous-color', Value: 'blue' },
            { Key: 'gantry:previous-target-group', Value: alb.blue },
            { Key: 'gantry:canary-paused', Value: '25' },
          ],
        }),
      );
    } finally {
      elb.destroy();
    }
    const promote = await runFlow('deploy-bluegreen', {
      inputs: {
        strategy: 'canary',
        action: 'promote',
        cluster: 'stale',
        image: 'registry.example/web:2',
        'listener-arn': alb.listenerArn,
        'blue-service': 'web-blue',
        'green-service': 'web-green',
        'blue-target-group-arn': alb.blue,
        'green-target-group-arn': alb.green,
        'metrics-provider': 'prometheus',
        'prometheus-url': 'http://127.0.0.1:9',
        'metrics-selector': 'job="hello",color="{{color}}"',
      },
      env,
    });
    expect(promote.exitCode, promote.log).toBe(1);
    expect(promote.annotations[0]?.message).toMatch(/green has 0% of the traffic .*nothing to promote/);
    const after = await listenerWeights(moto, alb.listenerArn);
    expect([after.get(alb.blue), after.get(alb.green)]).toEqual([100, 0]);
  });
});
