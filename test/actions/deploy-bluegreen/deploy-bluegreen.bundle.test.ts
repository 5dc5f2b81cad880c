/**
 * The built deploy-bluegreen bundle against moto server: strategy alb-weighted end to end — register,
 * UpdateService on the idle colour, target health, smoke checks on a loopback test listener, ELBv2
 * weighted forward actions stepped to 100 — and a failing smoke check that leaves production traffic
 * where it was. Strategy ecs-native needs ListServiceDeployments / DescribeServiceDeployments /
 * ContinueServiceDeployment, which moto does not implement: its lifecycle flows are covered with SDK
 * mocks in test/actions/deploy-bluegreen/main.test.ts.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateServiceCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeTagsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { listenerWeights, seedAlb, seedService, type Moto } from '../../../testkit/moto.ts';
import { sharedMoto } from '../../../testkit/shared-parts.ts';

describe('deploy-bluegreen bundle against moto (alb-weighted)', () => {
  let moto: Moto;
  let server: Server;
  let testUrl: string;
  let status = 200;
  let env: Record<string, string>;
  beforeAll(async () => {
    moto = await sharedMoto();
    env = { ...moto.env, GANTRY_ECS_POLL_INTERVAL: '50ms', GANTRY_RETRY_DELAY_SCALE: '0.01' };
    server = createServer((_request, response) => {
      response.writeHead(status);
      response.end(status === 200 ? 'green ok' : 'green broken');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    testUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await moto.stop();
  });

  async function seedColours(cluster: string): Promise<string> {
    const blueArn = await seedService(moto, { cluster, service: 'web-blue', family: `${cluster}-web` });
    await moto.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web-green',
        taskDefinition: blueArn,
        desiredCount: 2,
      }),
    );
    return blueArn;
  }

  async function running(cluster: string, service: string): Promise<string> {
    const described = await moto.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    return described.services?.[0]?.taskDefinition ?? '';
  }

  test('deploys to green, checks it, shifts 10 → 50 → 100 and records the colours', async () => {
    const blueArn = await seedColours('bg-ok');
    const alb = await seedAlb(moto, { blue: 100, green: 0 });
    status = 200;
    const run = await runBundle('deploy-bluegreen', {
      inputs: {
        strategy: 'alb-weighted',
        cluster: 'bg-ok',
        image: 'registry.example/web:2',
        'listener-arn': alb.listenerArn,
        'blue-service': 'web-blue',
        'green-service': 'web-green',
        'blue-target-group-arn': alb.blue,
        'green-target-group-arn': alb.green,
        'test-url': testUrl,
        'traffic-steps': '10,50,100',
        'step-interval': '200ms',
      },
      env,
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs['active-color'], 'green');
    assert.equal(run.outputs['previous-color'], 'blue');
    assert.equal(run.outputs['previous-task-definition-arn'], blueArn);
    const weights = await listenerWeights(moto, alb.listenerArn);
    assert.equal(weights.get(alb.green), 100);
    assert.equal(weights.get(alb.blue), 0);
    assert.equal(await running('bg-ok', 'web-green'), run.outputs['task-definition-arn']);
    assert.equal(
      await running('bg-ok', 'web-blue'),
      blueArn,
      'blue keeps the previous revision for rollback',
    );
    for (const step of ['blue 90% / green 10%', 'blue 50% / green 50%', 'blue 0% / green 100%'])
      assert.ok(run.summary.includes(step), run.summary);
    assert.match(run.log, /smoke check passed/);

    const elb = new ElasticLoadBalancingV2Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [alb.listenerArn] }));
    elb.destroy();
    const record = Object.fromEntries((tags.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.equal(record['gantry:active-color'], 'green');
    assert.equal(record['gantry:previous-target-group'], alb.blue);

    // …and the rollback action returns all traffic to blue from those tags.
    const rollback = await runBundle('rollback', {
      inputs: { cluster: 'bg-ok', service: 'web-green', 'listener-arn': alb.listenerArn },
      env,
    });
    assert.equal(rollback.exitCode, 0, rollback.log);
    assert.equal(rollback.outputs['active-color'], 'blue');
    assert.equal(rollback.outputs['task-definition-arn'], blueArn);
    assert.equal((await listenerWeights(moto, alb.listenerArn)).get(alb.blue), 100);
  });

  test('a failing smoke check on the test listener moves no production traffic and fails the step', async () => {
    await seedColours('bg-bad');
    const alb = await seedAlb(moto, { blue: 100, green: 0 });
    status = 500;
    const run = await runBundle('deploy-bluegreen', {
      inputs: {
        strategy: 'alb-weighted',
        cluster: 'bg-bad',
        image: 'registry.example/web:3',
        'listener-arn': alb.listenerArn,
        'blue-service': 'web-blue',
        'green-service': 'web-green',
        'blue-target-group-arn': alb.blue,
        'green-target-group-arn': alb.green,
        'test-url': testUrl,
        'smoke-timeout': '1s',
        'step-interval': '100ms',
      },
      env,
    });
    assert.equal(run.exitCode, 1, run.log);
    assert.match(
      run.annotations[0]?.message ?? '',
      /failed its checks before any production traffic: FAILED http:\/\/127\.0\.0\.1:\d+\/health → 500/,
    );
    const weights = await listenerWeights(moto, alb.listenerArn);
    assert.equal(weights.get(alb.blue), 100);
    assert.equal(weights.get(alb.green), 0);
    assert.equal(run.outputs['active-color'], 'blue');
  });

  test('rule-arn: the listener rule is shifted, the default action left alone (ModifyRule)', async () => {
    await seedColours('bg-rule');
    const alb = await seedAlb(moto, { blue: 0, green: 100 });
    status = 200;
    const run = await runBundle('deploy-bluegreen', {
      inputs: {
        strategy: 'alb-weighted',
        cluster: 'bg-rule',
        image: 'registry.example/web:4',
        'listener-arn': alb.listenerArn,
        'rule-arn': alb.ruleArn,
        'blue-service': 'web-blue',
        'green-service': 'web-green',
        'blue-target-group-arn': alb.blue,
        'green-target-group-arn': alb.green,
        'traffic-steps': '25,100',
        'step-interval': '100ms',
      },
      env,
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs['previous-color'], 'green');
    assert.equal(run.outputs['active-color'], 'blue');
    const rule = await listenerWeights(moto, alb.listenerArn, alb.ruleArn);
    assert.equal(rule.get(alb.blue), 100);
    assert.equal(rule.get(alb.green), 0);
    const listener = await listenerWeights(moto, alb.listenerArn);
    assert.equal(listener.get(alb.green), 100, 'the default action is untouched');
    assert.equal(await running('bg-rule', 'web-blue'), run.outputs['task-definition-arn']);
  });

  test('traffic already split is refused before any change', async () => {
    await seedColours('bg-split');
    const alb = await seedAlb(moto, { blue: 50, green: 50 });
    const run = await runBundle('deploy-bluegreen', {
      inputs: {
        strategy: 'alb-weighted',
        cluster: 'bg-split',
        image: 'registry.example/web:3',
        'listener-arn': alb.listenerArn,
        'blue-service': 'web-blue',
        'green-service': 'web-green',
        'blue-target-group-arn': alb.blue,
        'green-target-group-arn': alb.green,
      },
      env,
    });
    assert.equal(run.exitCode, 1);
    assert.match(run.annotations[0]?.message ?? '', /Traffic is split \(blue 50% \/ green 50%\)/);
  });
});
