/**
 * deploy-rolling's bundle against a scripted ECS endpoint on loopback (real SDK, real HTTP, the ECS JSON
 * protocol): what goes over the wire. Fields the SDK does not model reach ECS (the peer's "Unexpected
 * key", its issues #22/#810), and a rollout that progresses is followed with DescribeServices until the
 * scripted moment it completes.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { startScriptedEcs, type ScriptedEcs } from '../../../testkit/scripted-ecs.ts';

describe('deploy-rolling against a scripted ECS endpoint', () => {
  let ecs: ScriptedEcs;
  let workspace: string;
  beforeAll(async () => {
    ecs = await startScriptedEcs({ stableAfterUpdateMs: 600 });
    workspace = await mkdtemp(path.join(tmpdir(), 'gantry-scripted-'));
  });
  afterAll(async () => {
    await ecs.close();
    await rm(workspace, { recursive: true, force: true });
  });

  test('unknown task-definition fields are sent as written; the rollout is followed to COMPLETED', async () => {
    await writeFile(
      path.join(workspace, 'td.json'),
      JSON.stringify({
        family: 'web',
        futureTopLevelField: { mode: 'strict', limits: [1, 2] },
        containerDefinitions: [
          { name: 'web', image: 'registry.example/web:1', memory: 256, futureContainerField: 'kept' },
        ],
      }),
    );
    const run = await runBundle('deploy-rolling', {
      inputs: {
        cluster: 'bench',
        service: 'web',
        image: 'registry.example/web:2',
        'task-definition': 'td.json',
      },
      env: {
        AWS_ENDPOINT_URL: ecs.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'us-east-1',
        GANTRY_ECS_POLL_INTERVAL: '100ms',
      },
      cwd: workspace,
    });
    assert.equal(run.exitCode, 0, run.log);
    const register = ecs.calls.find((call) => call.operation === 'RegisterTaskDefinition');
    assert.deepEqual(register?.body['futureTopLevelField'], { mode: 'strict', limits: [1, 2] });
    const containers = register?.body['containerDefinitions'] as Record<string, unknown>[];
    assert.equal(containers[0]?.['futureContainerField'], 'kept');
    assert.equal(containers[0]?.['image'], 'registry.example/web:2');
    assert.match(
      run.log,
      /Kept fields the SDK does not model yet: futureTopLevelField, containerDefinitions\[0\]\.futureContainerField/,
    );
    // Followed, not waited blindly: several looks while IN_PROGRESS, then COMPLETED.
    const update = ecs.calls.findIndex((call) => call.operation === 'UpdateService');
    const looks = ecs.calls.slice(update).filter((call) => call.operation === 'DescribeServices').length;
    assert.ok(looks >= 3, `DescribeServices after UpdateService: ${looks}`);
    assert.match(run.log, /IN_PROGRESS — running 0\/2, pending 2/);
    assert.match(run.log, /COMPLETED — running 2\/2, pending 0/);
    assert.equal(run.outputs['rollout-state'], 'COMPLETED');
  });

  test('a circuit-breaker failure is a red step naming the stopped tasks, rolled back to the previous revision', async () => {
    const failing = await startScriptedEcs({ stableAfterUpdateMs: 400, failFirstRollout: true });
    try {
      const run = await runBundle('deploy-rolling', {
        inputs: { cluster: 'bench', service: 'web', image: 'registry.example/web:2' },
        env: {
          AWS_ENDPOINT_URL: failing.endpoint,
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_REGION: 'us-east-1',
          GANTRY_ECS_POLL_INTERVAL: '100ms',
        },
      });
      assert.equal(run.exitCode, 1, run.log);
      const error = run.annotations.filter((a) => a.level === 'error').at(-1)?.message ?? '';
      assert.match(error, /Rollout of web:2 to web FAILED: rollout FAILED: ECS deployment circuit breaker/);
      assert.match(
        error,
        /2 tasks: Essential container in task exited — web exit 1 \(Error: DATABASE_URL is not set\)/,
      );
      assert.match(error, /rolled back to web:1 \(COMPLETED\)/);
      assert.equal(run.outputs['rollout-state'], 'FAILED');
      const updates = failing.calls
        .filter((call) => call.operation === 'UpdateService')
        .map((c) => c.body['taskDefinition']);
      assert.deepEqual(updates, [
        run.outputs['task-definition-arn'],
        run.outputs['previous-task-definition-arn'],
      ]);
      assert.match(run.summary, /Rollout timeline/);
    } finally {
      await failing.close();
    }
  });
});
