/**
 * Finding "previous" and restoring it, with scripted ECS answers (aws-sdk-client-mock): moto has no
 * ListServiceDeployments / DescribeServiceRevisions, so the deployment-history path is covered here.
 */
import { beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  TagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { resolveRollbackTarget, restoreTaskDefinition } from '../../../shared/src/ecs/rollback.ts';

const ecsMock = mockClient(ECSClient);
const td = (n: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${n}`;
const rev = (n: number): string => `arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/${n}`;

describe('rollback target (SDK mock)', () => {
  let ecs: ECSClient;
  beforeEach(() => {
    ecsMock.reset();
    ecs = new ECSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  });

  test('previous comes from the deployment history: the newest successful deployment of another revision (SDK mock)', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          targetServiceRevisionArn: rev(1),
          status: 'SUCCESSFUL',
          finishedAt: new Date('2025-01-01T10:00:00Z'),
        },
        {
          targetServiceRevisionArn: rev(3),
          status: 'SUCCESSFUL',
          finishedAt: new Date('2025-01-03T10:00:00Z'),
        },
        {
          targetServiceRevisionArn: rev(2),
          status: 'ROLLBACK_SUCCESSFUL',
          finishedAt: new Date('2025-01-02T10:00:00Z'),
        },
      ],
    });
    // revision 3 is the current task definition (its deployment succeeded); 2 was restored by a rollback.
    ecsMock.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [
        { serviceRevisionArn: rev(1), taskDefinition: td(5) },
        { serviceRevisionArn: rev(2), taskDefinition: td(6) },
        { serviceRevisionArn: rev(3), taskDefinition: td(9) },
      ],
    });
    const target = await resolveRollbackTarget(ecs, {
      cluster: 'prod',
      service: 'web',
      current: td(9),
      to: 'previous',
      logger: createCaptureLogger(),
    });
    assert.deepEqual(target, { taskDefinitionArn: td(6), source: 'deployment history' });
    assert.deepEqual(ecsMock.commandCalls(ListServiceDeploymentsCommand)[0]?.args[0].input.status, [
      'SUCCESSFUL',
      'ROLLBACK_SUCCESSFUL',
    ]);
    assert.equal(ecsMock.commandCalls(ListTaskDefinitionsCommand).length, 0);
  });

  test('without history, Gantry tags decide: the latest completed rollout, skipping untagged and failed (SDK mock)', async () => {
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .rejects(Object.assign(new Error('Unknown operation'), { name: 'UnknownOperationException' }));
    ecsMock.on(ListTaskDefinitionsCommand).resolves({
      taskDefinitionArns: [td(9), td(8), td(7), td(6), 'arn:aws:ecs:us-east-1:1:task-definition/web-other:3'],
    });
    const tags: Record<number, [string, string][]> = {
      8: [['gantry:rollout', 'FAILED']],
      7: [
        ['gantry:rollout', 'COMPLETED'],
        ['gantry:rollout-completed-at', '2025-01-01T00:00:00.000Z'],
      ],
      6: [
        ['gantry:rollout', 'COMPLETED'],
        ['gantry:rollout-completed-at', '2025-02-01T00:00:00.000Z'],
      ],
    };
    ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
      const n = Number(input.taskDefinition.split(':').pop());
      return {
        taskDefinition: { taskDefinitionArn: input.taskDefinition },
        tags: (tags[n] ?? []).map(([key, value]) => ({ key, value })),
      };
    });
    const logger = createCaptureLogger();
    const target = await resolveRollbackTarget(ecs, {
      cluster: 'prod',
      service: 'web',
      current: td(9),
      to: 'previous',
      logger,
    });
    assert.deepEqual(target, { taskDefinitionArn: td(6), source: 'gantry tags' });
    assert.match(logger.text(), /deployment history is not available/);
  });

  test('nothing to roll back to is a ConfigurationError that says what was checked (SDK mock)', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [td(1)] });
    await assert.rejects(
      resolveRollbackTarget(ecs, {
        cluster: 'prod',
        service: 'web',
        current: td(1),
        to: 'previous',
        logger: createCaptureLogger(),
      }),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        /Nothing to roll back to.*deployment history.*gantry:rollout/.test(error.message),
    );
  });

  test('a bare revision number means the current family (SDK mock)', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: td(4) } });
    const target = await resolveRollbackTarget(ecs, {
      cluster: 'prod',
      service: 'web',
      current: td(9),
      to: '4',
      logger: createCaptureLogger(),
    });
    assert.equal(target.taskDefinitionArn, td(4));
    assert.equal(
      ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input.taskDefinition,
      'web:4',
    );
  });

  test('when ECS already rolled back (circuit breaker), the restore follows that deployment without UpdateService (SDK mock)', async () => {
    const deployment = {
      id: 'ecs-svc/cb',
      status: 'PRIMARY',
      taskDefinition: td(7),
      desiredCount: 1,
      runningCount: 1,
    };
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({
        services: [
          {
            status: 'ACTIVE',
            taskDefinition: td(7),
            deployments: [{ ...deployment, rolloutState: 'IN_PROGRESS' }],
          },
        ],
      })
      .resolvesOnce({
        services: [
          {
            status: 'ACTIVE',
            taskDefinition: td(7),
            deployments: [{ ...deployment, rolloutState: 'IN_PROGRESS' }],
          },
        ],
      })
      .resolves({
        services: [
          {
            status: 'ACTIVE',
            taskDefinition: td(7),
            deployments: [{ ...deployment, rolloutState: 'COMPLETED' }],
          },
        ],
      });
    ecsMock.on(TagResourceCommand).resolves({});
    const result = await restoreTaskDefinition(ecs, {
      cluster: 'prod',
      service: 'web',
      taskDefinitionArn: td(7),
      wait: true,
      timeoutMs: 10_000,
      intervalMs: 1,
      reason: 'rollout of web:8 FAILED (circuit breaker)',
      logger: createCaptureLogger(),
    });
    assert.equal(result.alreadyRestoring, true);
    assert.equal(result.outcome?.state, 'COMPLETED');
    assert.equal(ecsMock.commandCalls(UpdateServiceCommand).length, 0);
    const tags = ecsMock.commandCalls(TagResourceCommand)[0]?.args[0].input.tags ?? [];
    assert.equal(
      tags.find((tag) => tag.key === 'gantry:rollback-reason')?.value,
      'rollout of web:8 FAILED  circuit breaker ',
    );
  });

  test('a BLUE_GREEN service is restored through its service deployment, PAUSE hooks continued (SDK mock)', async () => {
    const SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/r1';
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        { status: 'ACTIVE', taskDefinition: td(8), deploymentConfiguration: { strategy: 'BLUE_GREEN' } },
      ],
    });
    ecsMock.on(UpdateServiceCommand).resolves({ service: {} });
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: SD, createdAt: new Date() }] });
    let continued = false;
    ecsMock.on(ContinueServiceDeploymentCommand).callsFake(() => {
      continued = true;
      return {};
    });
    ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(() => ({
      serviceDeployments: [
        continued
          ? { serviceDeploymentArn: SD, status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }
          : {
              serviceDeploymentArn: SD,
              status: 'IN_PROGRESS',
              lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
              lifecycleHookDetails: [{ hookId: 'h1', targetType: 'PAUSE', status: 'AWAITING_ACTION' }],
            },
      ],
    }));
    ecsMock.on(TagResourceCommand).resolves({});
    const logger = createCaptureLogger();
    const result = await restoreTaskDefinition(ecs, {
      cluster: 'prod',
      service: 'web',
      taskDefinitionArn: td(7),
      wait: true,
      timeoutMs: 10_000,
      intervalMs: 1,
      logger,
    });
    assert.equal(result.outcome?.state, 'COMPLETED');
    assert.equal(result.deploymentId, SD);
    assert.equal(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input.taskDefinition, td(7));
    assert.equal(ecsMock.commandCalls(ContinueServiceDeploymentCommand)[0]?.args[0].input.action, 'CONTINUE');
    assert.match(logger.text(), /stage POST_TEST_TRAFFIC_SHIFT/);
  });
});
