/**
 * deploy-rolling's flow against scripted ECS answers (aws-sdk-client-mock): moto cannot play a rollout
 * that progresses, fails on the circuit breaker or is replaced, so these timelines are mocked. The same
 * flow runs against moto through the bundle in test/actions/deploy-rolling/deploy-rolling.bundle.test.ts.
 * The watcher's real wait logic runs with GANTRY_ECS_POLL_INTERVAL=5ms.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type DescribeServicesCommandOutput,
  type Deployment,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigurationError, InputError } from '../../../shared/src/errors.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { parseFileCommands } from '../../../testkit/bundle-runner.ts';
import { run } from '../../../actions/deploy-rolling/src/main.ts';

const ecsMock = mockClient(ECSClient);
const OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8';
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:${'cd'.repeat(32)}`;

let temp: string;
const saved = { ...process.env };

function setInputs(inputs: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

function service(taskDefinition: string, deployments: Deployment[]): DescribeServicesCommandOutput {
  return {
    $metadata: {},
    services: [
      { serviceName: 'web', status: 'ACTIVE', taskDefinition, desiredCount: 2, deployments, events: [] },
    ],
    failures: [],
  };
}

const steadyOld = service(OLD, [
  {
    id: 'ecs-svc/old',
    status: 'PRIMARY',
    taskDefinition: OLD,
    desiredCount: 2,
    runningCount: 2,
    rolloutState: 'COMPLETED',
  },
]);

function mutatingCalls(): number {
  return (
    ecsMock.commandCalls(RegisterTaskDefinitionCommand).length +
    ecsMock.commandCalls(UpdateServiceCommand).length +
    ecsMock.commandCalls(TagResourceCommand).length
  );
}

async function outputs(): Promise<Record<string, string>> {
  return parseFileCommands(await readFile(path.join(temp, 'output'), 'utf8'));
}

describe('deploy-rolling flow (SDK mock)', () => {
  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-deploy-rolling-'));
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
    process.env = saved;
  });
  beforeEach(async () => {
    ecsMock.reset();
    await writeFile(path.join(temp, 'output'), '');
    process.env['GITHUB_OUTPUT'] = path.join(temp, 'output');
    process.env['GITHUB_WORKSPACE'] = temp;
    process.env['GITHUB_SHA'] = '0123456789abcdef0123456789abcdef01234567';
    process.env['GITHUB_REPOSITORY'] = 'acme/app';
    process.env['GITHUB_RUN_ID'] = '42';
    process.env['AWS_REGION'] = 'us-east-1';
    process.env['AWS_ACCESS_KEY_ID'] = 'testing';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'testing';
    process.env['GANTRY_ECS_POLL_INTERVAL'] = '5ms';
    delete process.env['GITHUB_STEP_SUMMARY'];
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: OLD,
        family: 'web',
        revision: 7,
        status: 'ACTIVE',
        containerDefinitions: [{ name: 'web', image: 'web:1', essential: true }],
      },
      tags: [],
    });
    ecsMock
      .on(RegisterTaskDefinitionCommand)
      .resolves({ taskDefinition: { taskDefinitionArn: NEW, revision: 8 } });
    ecsMock.on(TagResourceCommand).resolves({});
  });
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  });

  const base = { cluster: 'prod', service: 'web', image: IMAGE, timeout: '1m' };

  for (const [name, inputs, input] of [
    ['an image that is not a reference', { ...base, image: 'Not An Image' }, 'image'],
    ['malformed environment lines', { ...base, environment: 'GOOD=1\nno equals sign' }, 'environment'],
    ['a timeout without unit', { ...base, timeout: '300' }, 'timeout'],
    [
      'a task-definition file that does not exist',
      { ...base, 'task-definition': 'missing.json' },
      'task-definition',
    ],
  ] as const)
    test(`${name} fails before any AWS call (SDK mock)`, async () => {
      setInputs(inputs);
      await assert.rejects(
        run(createCaptureLogger()),
        (error: unknown) => error instanceof InputError && error.input === input,
      );
      assert.equal(ecsMock.calls().length, 0);
    });

  test('a container not in the task definition fails before any mutating call (SDK mock)', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(steadyOld);
    setInputs({ ...base, container: 'api' });
    await assert.rejects(run(createCaptureLogger()), /Input 'container': "api" is not a container .*: web/);
    assert.equal(mutatingCalls(), 0);
  });

  test('an unknown service or cluster fails before any mutating call (SDK mock)', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] });
    setInputs(base);
    await assert.rejects(
      run(createCaptureLogger()),
      (e: unknown) => e instanceof ConfigurationError && /service "web" was not found/.test(e.message),
    );
    ecsMock
      .on(DescribeServicesCommand)
      .rejects(Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' }));
    await assert.rejects(run(createCaptureLogger()), /ECS cluster "prod" was not found/);
    assert.equal(mutatingCalls(), 0);
  });

  test('a blue/green or CODE_DEPLOY service is refused before any change (SDK mock)', async () => {
    setInputs(base);
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'web',
          status: 'ACTIVE',
          taskDefinition: OLD,
          deploymentConfiguration: { strategy: 'BLUE_GREEN' },
        },
      ],
    });
    await assert.rejects(
      run(createCaptureLogger()),
      /deploys with the BLUE_GREEN strategy; .*use deploy-bluegreen/,
    );
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'web',
          status: 'ACTIVE',
          taskDefinition: OLD,
          deploymentController: { type: 'CODE_DEPLOY' },
        },
      ],
    });
    await assert.rejects(run(createCaptureLogger()), /deploys with the CODE_DEPLOY controller/);
    assert.equal(mutatingCalls(), 0);
  });

  test('a completed rollout: registers with commit and run tags, updates, tags COMPLETED (SDK mock)', async () => {
    const script = [
      steadyOld,
      service(NEW, [
        {
          id: 'ecs-svc/new',
          status: 'PRIMARY',
          taskDefinition: NEW,
          desiredCount: 3,
          runningCount: 1,
          pendingCount: 2,
          rolloutState: 'IN_PROGRESS',
        },
      ]),
      service(NEW, [
        {
          id: 'ecs-svc/new',
          status: 'PRIMARY',
          taskDefinition: NEW,
          desiredCount: 3,
          runningCount: 3,
          rolloutState: 'COMPLETED',
        },
      ]),
    ];
    ecsMock.on(DescribeServicesCommand).callsFake(() => script.shift() ?? script.at(-1));
    ecsMock.on(UpdateServiceCommand).resolves({
      service: {
        serviceName: 'web',
        deployments: [{ id: 'ecs-svc/new', status: 'PRIMARY', taskDefinition: NEW }],
      },
    });
    setInputs({ ...base, environment: 'RELEASE=8', 'desired-count': '3' });
    const logger = createCaptureLogger();
    await run(logger);
    const register = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    assert.equal(register?.family, 'web');
    assert.equal(register?.containerDefinitions?.[0]?.image, IMAGE);
    assert.deepEqual(register?.containerDefinitions?.[0]?.environment, [{ name: 'RELEASE', value: '8' }]);
    assert.equal('taskDefinitionArn' in (register ?? {}), false);
    assert.deepEqual(register?.tags, [
      { key: 'gantry:commit', value: '0123456789abcdef0123456789abcdef01234567' },
      { key: 'gantry:run-url', value: 'https://github.com/acme/app/actions/runs/42' },
    ]);
    const update = ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input;
    assert.deepEqual(update, { cluster: 'prod', service: 'web', taskDefinition: NEW, desiredCount: 3 });
    const tagged = ecsMock.commandCalls(TagResourceCommand).map((call) => call.args[0].input);
    assert.deepEqual(
      tagged.map((t) => [t.resourceArn, t.tags?.find((tag) => tag.key === 'gantry:rollout')?.value]),
      [
        [OLD, 'COMPLETED'],
        [NEW, 'COMPLETED'],
      ],
    );
    const out = await outputs();
    assert.equal(out['rollout-state'], 'COMPLETED');
    assert.equal(out['task-definition-arn'], NEW);
    assert.equal(out['previous-task-definition-arn'], OLD);
    assert.equal(out['deployment-id'], 'ecs-svc/new');
    assert.match(logger.text(), /running 1\/3, pending 2/);
  });

  test('circuit breaker FAILED: reasons on screen, rolled back to the previous revision, step fails (SDK mock)', async () => {
    const failedNew: Deployment = {
      id: 'ecs-svc/new',
      status: 'PRIMARY',
      taskDefinition: NEW,
      desiredCount: 2,
      failedTasks: 2,
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
    };
    const script = [
      steadyOld,
      service(NEW, [{ ...failedNew, rolloutState: 'IN_PROGRESS', failedTasks: 0, pendingCount: 2 }]),
      service(NEW, [failedNew]),
      service(NEW, [failedNew]), // the rollback reads the service
      service(OLD, [
        {
          id: 'ecs-svc/rollback',
          status: 'PRIMARY',
          taskDefinition: OLD,
          desiredCount: 2,
          runningCount: 1,
          rolloutState: 'IN_PROGRESS',
        },
      ]),
      service(OLD, [
        {
          id: 'ecs-svc/rollback',
          status: 'PRIMARY',
          taskDefinition: OLD,
          desiredCount: 2,
          runningCount: 2,
          rolloutState: 'COMPLETED',
        },
      ]),
    ];
    ecsMock.on(DescribeServicesCommand).callsFake(() => script.shift() ?? script.at(-1));
    ecsMock
      .on(UpdateServiceCommand)
      .resolvesOnce({
        service: { deployments: [{ id: 'ecs-svc/new', status: 'PRIMARY', taskDefinition: NEW }] },
      })
      .resolvesOnce({
        service: { deployments: [{ id: 'ecs-svc/rollback', status: 'PRIMARY', taskDefinition: OLD }] },
      });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/prod/abc'] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/abc',
          stoppedReason: 'Essential container in task exited',
          containers: [{ name: 'web', exitCode: 3, reason: 'missing DATABASE_URL' }],
        },
      ],
    });
    setInputs(base);
    const logger = createCaptureLogger();
    await assert.rejects(
      run(logger),
      /web:8 to web FAILED: rollout FAILED: ECS deployment circuit breaker.*Essential container in task exited — web exit 3 \(missing DATABASE_URL\).*rolled back to web:7 \(COMPLETED\)/,
    );
    assert.deepEqual(
      ecsMock.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input.taskDefinition),
      [NEW, OLD],
    );
    assert.ok(
      logger.lines.some(
        (line) => line.level === 'error' && /Task abc stopped: Essential container/.test(line.message),
      ),
    );
    const out = await outputs();
    assert.equal(out['rollout-state'], 'FAILED');
    const failedTag = ecsMock
      .commandCalls(TagResourceCommand)
      .find((call) => call.args[0].input.resourceArn === NEW);
    assert.equal(failedTag?.args[0].input.tags?.[0]?.value, 'FAILED');
  });

  test('timeout: TIMED_OUT, rolled back, red step with the last state (SDK mock)', async () => {
    const stuck = service(NEW, [
      {
        id: 'ecs-svc/new',
        status: 'PRIMARY',
        taskDefinition: NEW,
        desiredCount: 2,
        runningCount: 1,
        pendingCount: 1,
        rolloutState: 'IN_PROGRESS',
      },
    ]);
    let phase: 'deploy' | 'rollback' = 'deploy';
    const script = [steadyOld];
    ecsMock.on(DescribeServicesCommand).callsFake(
      () =>
        script.shift() ??
        (phase === 'deploy'
          ? stuck
          : service(OLD, [
              {
                id: 'ecs-svc/rb',
                status: 'PRIMARY',
                taskDefinition: OLD,
                desiredCount: 2,
                runningCount: 2,
                rolloutState: 'COMPLETED',
              },
            ])),
    );
    ecsMock.on(UpdateServiceCommand).callsFake((input: { taskDefinition: string }) => {
      if (input.taskDefinition === OLD) phase = 'rollback';
      return {
        service: {
          deployments: [
            {
              id: input.taskDefinition === OLD ? 'ecs-svc/rb' : 'ecs-svc/new',
              status: 'PRIMARY',
              taskDefinition: input.taskDefinition,
            },
          ],
        },
      };
    });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    setInputs({ ...base, timeout: '1s' });
    await assert.rejects(
      run(createCaptureLogger()),
      /TIMED_OUT: timed out after 1s .*running 1\/2, pending 1.*rolled back to web:7 \(COMPLETED\)/,
    );
    assert.equal((await outputs())['rollout-state'], 'TIMED_OUT');
  });

  test('rollback-on-failure false leaves the service and still fails (SDK mock)', async () => {
    const script = [
      steadyOld,
      service(NEW, [
        {
          id: 'ecs-svc/other',
          status: 'PRIMARY',
          taskDefinition: NEW,
          desiredCount: 2,
          rolloutState: 'IN_PROGRESS',
        },
      ]),
    ];
    ecsMock.on(DescribeServicesCommand).callsFake(() => script.shift() ?? script.at(-1));
    ecsMock.on(UpdateServiceCommand).resolves({
      service: { deployments: [{ id: 'ecs-svc/new', status: 'PRIMARY', taskDefinition: NEW }] },
    });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    setInputs({ ...base, 'rollback-on-failure': 'false' });
    await assert.rejects(
      run(createCaptureLogger()),
      /REPLACED: deployment ecs-svc\/new is gone.*not rolled back/,
    );
    assert.equal(ecsMock.commandCalls(UpdateServiceCommand).length, 1);
    assert.equal((await outputs())['rollout-state'], 'REPLACED');
  });

  test('dry run prints the diff and changes nothing (SDK mock)', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(steadyOld);
    setInputs({ ...base, 'dry-run': 'true', environment: 'A=1' });
    const logger = createCaptureLogger();
    await run(logger);
    assert.equal(mutatingCalls(), 0);
    assert.match(logger.text(), /~ containerDefinitions\[web\]\.image: "web:1" → "123456789012/);
    assert.equal((await outputs())['rollout-state'], 'DRY_RUN');
  });
});
