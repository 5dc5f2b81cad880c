/**
 * Rollout timelines for the watcher, scripted with aws-sdk-client-mock (ECS rollouts cannot run here; moto
 * reports every deployment COMPLETED at once). A virtual clock drives the real wait logic: every sleep
 * the watcher asks for is recorded and advances the clock.
 */
import { afterEach, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Deployment,
  type DescribeServicesCommandOutput,
  type ServiceEvent,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { summarizeStoppedTasks, watchRollout, type WatchOptions } from '../../../shared/src/ecs/watch.ts';

const ecsMock = mockClient(ECSClient);
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8';
const OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';

function deployment(id: string, overrides: Partial<Deployment>): Deployment {
  return {
    id,
    status: 'PRIMARY',
    taskDefinition: NEW,
    desiredCount: 2,
    runningCount: 0,
    pendingCount: 0,
    ...overrides,
  };
}

function answer(deployments: Deployment[], events: ServiceEvent[] = []): DescribeServicesCommandOutput {
  return {
    $metadata: {},
    services: [{ serviceName: 'web', status: 'ACTIVE', taskDefinition: NEW, deployments, events }],
    failures: [],
  };
}

function throttling(): Error {
  return Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });
}

/** A virtual clock: `sleep` records the delay and moves time forward. */
function clock(): { now: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  let time = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
    sleeps,
  };
}

function options(extra: Partial<WatchOptions> & { logger: WatchOptions['logger'] }): WatchOptions {
  return {
    cluster: 'prod',
    service: 'web',
    deploymentId: 'ecs-svc/new',
    timeoutMs: 60_000,
    intervalMs: 2_000,
    ...extra,
  };
}

describe('rollout watcher (SDK mock)', () => {
  let ecs: ECSClient;
  beforeEach(() => {
    ecsMock.reset();
    ecs = new ECSClient({ region: 'us-east-1' });
  });
  afterEach(() => ecs.destroy());

  test('steady progress to COMPLETED prints a line per change, polls every 2 s (SDK mock)', async () => {
    const old = deployment('ecs-svc/old', {
      status: 'ACTIVE',
      taskDefinition: OLD,
      runningCount: 2,
      rolloutState: 'COMPLETED',
    });
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(
        answer([deployment('ecs-svc/new', { pendingCount: 2, rolloutState: 'IN_PROGRESS' }), old]),
      )
      .resolvesOnce(
        answer([deployment('ecs-svc/new', { pendingCount: 2, rolloutState: 'IN_PROGRESS' }), old]),
      )
      .resolvesOnce(
        answer(
          [deployment('ecs-svc/new', { runningCount: 1, pendingCount: 1, rolloutState: 'IN_PROGRESS' }), old],
          [
            {
              id: 'e1',
              createdAt: new Date(1_000_500),
              message: '(service web) has started 1 tasks: (task abc).',
            },
          ],
        ),
      )
      .resolvesOnce(answer([deployment('ecs-svc/new', { runningCount: 2, rolloutState: 'COMPLETED' })]));
    const c = clock();
    const logger = createCaptureLogger();
    const outcome = await watchRollout(ecs, options({ logger, now: c.now, sleep: c.sleep }));
    assert.equal(outcome.state, 'COMPLETED');
    assert.equal(outcome.describeCalls, 4);
    assert.deepEqual(c.sleeps, [2_000, 2_000, 2_000]);
    const progress = logger.lines.filter((line) => line.message.startsWith('deployment ecs-svc/new'));
    assert.equal(progress.length, 3, logger.text());
    assert.match(progress[0]?.message ?? '', /IN_PROGRESS — running 0\/2, pending 2/);
    assert.match(progress[2]?.message ?? '', /COMPLETED — running 2\/2/);
    assert.match(logger.text(), /event: \(service web\) has started 1 tasks/);
    assert.equal(outcome.timeline.length, 4);
    assert.equal(ecsMock.commandCalls(ListTasksCommand).length, 0);
  });

  test('circuit breaker FAILED names the stopped tasks reasons and exit codes (SDK mock)', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(answer([deployment('ecs-svc/new', { pendingCount: 2, rolloutState: 'IN_PROGRESS' })]))
      .resolvesOnce(
        answer([
          deployment('ecs-svc/new', {
            failedTasks: 3,
            rolloutState: 'FAILED',
            rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          }),
        ]),
      );
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:t/1', 'arn:t/2', 'arn:t/3'] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [1, 2, 3].map((n) => ({
        taskArn: `arn:t/${n}`,
        stoppedAt: new Date(n * 1000),
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'web', exitCode: 1 }],
      })),
    });
    const c = clock();
    const outcome = await watchRollout(
      ecs,
      options({ logger: createCaptureLogger(), now: c.now, sleep: c.sleep }),
    );
    assert.equal(outcome.state, 'FAILED');
    assert.match(outcome.reason, /circuit breaker: tasks failed to start/);
    assert.match(outcome.reason, /3 tasks: Essential container in task exited — web exit 1/);
    assert.equal(outcome.stoppedTasks.length, 3);
    const list = ecsMock.commandCalls(ListTasksCommand)[0]?.args[0].input;
    assert.equal(list?.startedBy, 'ecs-svc/new');
    assert.equal(list?.desiredStatus, 'STOPPED');
  });

  test('a deployment replaced by another (circuit-breaker rollback) is a failure (SDK mock)', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(answer([deployment('ecs-svc/new', { rolloutState: 'IN_PROGRESS', pendingCount: 2 })]))
      .resolvesOnce(
        answer([deployment('ecs-svc/rollback', { taskDefinition: OLD, rolloutState: 'IN_PROGRESS' })]),
      );
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    const c = clock();
    const outcome = await watchRollout(
      ecs,
      options({ logger: createCaptureLogger(), now: c.now, sleep: c.sleep }),
    );
    assert.equal(outcome.state, 'REPLACED');
    assert.match(outcome.reason, /ecs-svc\/rollback running web:7/);
  });

  test('the service disappearing is a failure (SDK mock)', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    const c = clock();
    const outcome = await watchRollout(
      ecs,
      options({ logger: createCaptureLogger(), now: c.now, sleep: c.sleep }),
    );
    assert.equal(outcome.state, 'GONE');
  });

  test('a throttling burst doubles the interval, and good answers bring it back (SDK mock)', async () => {
    const inProgress = answer([deployment('ecs-svc/new', { rolloutState: 'IN_PROGRESS', pendingCount: 2 })]);
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(inProgress)
      .rejectsOnce(throttling())
      .rejectsOnce(throttling())
      .rejectsOnce(throttling())
      .resolvesOnce(inProgress)
      .resolvesOnce(inProgress)
      .resolvesOnce(inProgress)
      .resolvesOnce(answer([deployment('ecs-svc/new', { rolloutState: 'COMPLETED', runningCount: 2 })]));
    const c = clock();
    const logger = createCaptureLogger();
    const outcome = await watchRollout(ecs, options({ logger, now: c.now, sleep: c.sleep }));
    assert.equal(outcome.state, 'COMPLETED');
    assert.equal(outcome.throttled, 3);
    assert.equal(outcome.describeCalls, 8);
    assert.deepEqual(c.sleeps, [2_000, 4_000, 8_000, 16_000, 8_000, 4_000, 2_000]);
    assert.match(logger.text(), /throttled by ECS/);
  });

  test('errors other than throttling or 5xx stop the watch at once (SDK mock)', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const c = clock();
    await assert.rejects(
      watchRollout(ecs, options({ logger: createCaptureLogger(), now: c.now, sleep: c.sleep })),
      /not authorized/,
    );
    assert.equal(c.sleeps.length, 0);
  });

  test('the timeout is honoured exactly: the last wait is cut short, one last look, TIMED_OUT (SDK mock)', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolves(answer([deployment('ecs-svc/new', { rolloutState: 'IN_PROGRESS', pendingCount: 2 })]));
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    const c = clock();
    const started = c.now();
    const outcome = await watchRollout(
      ecs,
      options({ timeoutMs: 7_000, logger: createCaptureLogger(), now: c.now, sleep: c.sleep }),
    );
    assert.equal(outcome.state, 'TIMED_OUT');
    assert.deepEqual(c.sleeps, [2_000, 2_000, 2_000, 1_000]);
    assert.equal(c.now() - started, 7_000);
    assert.equal(outcome.describeCalls, 5);
    assert.match(outcome.reason, /timed out after 7s .*IN_PROGRESS/);
  });

  test('initialDelayMs: the first look waits one interval after UpdateService (SDK mock)', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolves(answer([deployment('ecs-svc/new', { rolloutState: 'COMPLETED', runningCount: 2 })]));
    const c = clock();
    const outcome = await watchRollout(
      ecs,
      options({ initialDelayMs: 2_000, logger: createCaptureLogger(), now: c.now, sleep: c.sleep }),
    );
    assert.equal(outcome.state, 'COMPLETED');
    assert.deepEqual(c.sleeps, [2_000]);
    assert.equal(outcome.describeCalls, 1);
  });

  test('summarizeStoppedTasks groups identical reasons', () => {
    const lines = summarizeStoppedTasks([
      { taskArn: 'a', stoppedReason: 'OutOfMemoryError', containers: ['web exit 137'] },
      { taskArn: 'b', stoppedReason: 'OutOfMemoryError', containers: ['web exit 137'] },
      { taskArn: 'c', stoppedReason: 'CannotPullContainerError', containers: [] },
    ]);
    assert.deepEqual(lines, ['2 tasks: OutOfMemoryError — web exit 137', '1 task: CannotPullContainerError']);
  });
});
