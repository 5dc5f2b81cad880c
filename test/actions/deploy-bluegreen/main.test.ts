/**
 * deploy-bluegreen timelines with scripted AWS answers (aws-sdk-client-mock). moto has no service
 * deployments, lifecycle stages or PAUSE hooks (ListServiceDeployments, DescribeServiceDeployments,
 * ContinueServiceDeployment are not implemented there), so the ecs-native flow is covered here; the smoke
 * checks are real HTTP requests to a server on loopback. A traffic shift that turns unhealthy half-way is
 * also scripted here (moto's target health cannot change on cue); the happy alb-weighted path runs against
 * moto in test/actions/deploy-bluegreen/deploy-bluegreen.bundle.test.ts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import {
  AddTagsCommand,
  DescribeListenersCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigurationError, InputError } from '../../../shared/src/errors.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { parseFileCommands } from '../../../testkit/bundle-runner.ts';
import { run } from '../../../actions/deploy-bluegreen/src/main.ts';

const ecsMock = mockClient(ECSClient);
const elbMock = mockClient(ElasticLoadBalancingV2Client);
const OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8';
const SD = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/abc';
const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/0123456789abcdef/0123456789abcdef';
const BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/0123456789abcdef';
const GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green/0123456789abcdef';

let temp: string;
let server: Server;
let url: string;
let status = 200;
const saved = { ...process.env };

function setInputs(inputs: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

async function outputs(): Promise<Record<string, string>> {
  return parseFileCommands(await readFile(path.join(temp, 'output'), 'utf8'));
}

/**
 * A scripted BLUE_GREEN service deployment: walks the lifecycle stages one per DescribeServiceDeployments
 * call, waits at POST_TEST_TRAFFIC_SHIFT with a PAUSE hook until ContinueServiceDeployment answers.
 */
function scriptNativeDeployment(): { answers: string[] } {
  const forward = [
    'RECONCILE_SERVICE',
    'PRE_SCALE_UP',
    'SCALE_UP',
    'POST_SCALE_UP',
    'TEST_TRAFFIC_SHIFT',
    'POST_TEST_TRAFFIC_SHIFT',
  ];
  const after = [
    'PRODUCTION_TRAFFIC_SHIFT',
    'POST_PRODUCTION_TRAFFIC_SHIFT',
    'BAKE_TIME',
    'BAKE_TIME',
    'CLEAN_UP',
  ];
  const answers: string[] = [];
  let index = 0;
  let phase: 'forward' | 'continued' | 'rolling-back' = 'forward';
  let afterIndex = 0;
  ecsMock.on(ContinueServiceDeploymentCommand).callsFake((input: { action: string }) => {
    answers.push(input.action);
    phase = input.action === 'CONTINUE' ? 'continued' : 'rolling-back';
    return { serviceDeploymentArn: SD };
  });
  ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(() => {
    let deployment: ServiceDeployment;
    const target = {
      arn: 'rev/2',
      requestedTaskCount: 2,
      runningTaskCount: 2,
      requestedTestTrafficWeight: 100,
      requestedProductionTrafficWeight: 0,
    };
    if (phase === 'forward') {
      const stage = forward[Math.min(index++, forward.length - 1)] ?? 'POST_TEST_TRAFFIC_SHIFT';
      deployment = {
        serviceDeploymentArn: SD,
        status: 'IN_PROGRESS',
        lifecycleStage: stage as ServiceDeployment['lifecycleStage'],
        targetServiceRevision: target,
      };
      if (stage === 'POST_TEST_TRAFFIC_SHIFT')
        deployment.lifecycleHookDetails = [
          {
            hookId: 'ecs-pause-1',
            targetType: 'PAUSE',
            status: 'AWAITING_ACTION',
            expiresAt: new Date(Date.now() + 3_600_000),
          },
        ];
    } else if (phase === 'continued') {
      const stage = after[afterIndex++];
      deployment =
        stage === undefined
          ? { serviceDeploymentArn: SD, status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }
          : {
              serviceDeploymentArn: SD,
              status: 'IN_PROGRESS',
              lifecycleStage: stage as ServiceDeployment['lifecycleStage'],
              targetServiceRevision: { ...target, requestedProductionTrafficWeight: 100 },
            };
    } else {
      deployment =
        afterIndex++ < 1
          ? { serviceDeploymentArn: SD, status: 'ROLLBACK_IN_PROGRESS', lifecycleStage: 'TEST_TRAFFIC_SHIFT' }
          : {
              serviceDeploymentArn: SD,
              status: 'ROLLBACK_SUCCESSFUL',
              statusReason: 'Rolled back by ContinueServiceDeployment ROLLBACK',
              lifecycleStage: 'CLEAN_UP',
            };
    }
    return { serviceDeployments: [deployment] };
  });
  return { answers };
}

describe('deploy-bluegreen (SDK mock)', () => {
  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-bluegreen-'));
    server = createServer((request, response) => {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status === 200 ? 'ok' : 'broken');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(temp, { recursive: true, force: true });
    process.env = saved;
  });
  beforeEach(async () => {
    ecsMock.reset();
    elbMock.reset();
    status = 200;
    await writeFile(path.join(temp, 'output'), '');
    Object.assign(process.env, {
      GITHUB_OUTPUT: path.join(temp, 'output'),
      GITHUB_WORKSPACE: temp,
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      GANTRY_ECS_POLL_INTERVAL: '5ms',
      GANTRY_RETRY_DELAY_SCALE: '0.01',
    });
    delete process.env['GITHUB_STEP_SUMMARY'];
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: OLD,
        family: 'web',
        revision: 7,
        containerDefinitions: [{ name: 'web', image: 'web:1' }],
      },
      tags: [],
    });
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEW } });
    ecsMock.on(TagResourceCommand).resolves({});
  });
  afterEach(() => setInputs({}));

  const nativeService = (hooks = true): object => ({
    services: [
      {
        serviceName: 'web',
        status: 'ACTIVE',
        taskDefinition: OLD,
        deploymentConfiguration: {
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 5,
          lifecycleHooks: hooks
            ? [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }]
            : [],
        },
      },
    ],
  });

  test('ecs-native: stages followed, PAUSE hook continued after passing smoke checks (SDK mock)', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(nativeService());
    ecsMock.on(UpdateServiceCommand).resolves({ service: {} });
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: SD, createdAt: new Date() }] });
    const script = scriptNativeDeployment();
    setInputs({
      strategy: 'ecs-native',
      cluster: 'prod',
      service: 'web',
      image: 'web:2',
      'test-url': url,
      'bake-time': '2m',
    });
    const logger = createCaptureLogger();
    await run(logger);
    assert.deepEqual(script.answers, ['CONTINUE']);
    const answer = ecsMock.commandCalls(ContinueServiceDeploymentCommand)[0]?.args[0].input;
    assert.deepEqual(answer, { serviceDeploymentArn: SD, hookId: 'ecs-pause-1', action: 'CONTINUE' });
    const update = ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input;
    assert.equal(update?.taskDefinition, NEW);
    assert.equal(update?.deploymentConfiguration?.bakeTimeInMinutes, 2);
    assert.equal(update?.deploymentConfiguration?.strategy, 'BLUE_GREEN');
    const stages = logger.lines
      .map((l) => /^stage (\S+)/.exec(l.message)?.[1])
      .filter((s) => s !== undefined);
    assert.deepEqual(
      [...new Set(stages)],
      [
        'RECONCILE_SERVICE',
        'PRE_SCALE_UP',
        'SCALE_UP',
        'POST_SCALE_UP',
        'TEST_TRAFFIC_SHIFT',
        'POST_TEST_TRAFFIC_SHIFT',
        'PRODUCTION_TRAFFIC_SHIFT',
        'POST_PRODUCTION_TRAFFIC_SHIFT',
        'BAKE_TIME',
        'CLEAN_UP',
      ],
    );
    assert.match(logger.text(), /smoke check passed http:\/\/127\.0\.0\.1:\d+\/health → 200/);
    const out = await outputs();
    assert.equal(out['active-color'], 'green');
    assert.equal(out['deployment-arn'], SD);
    assert.equal(out['task-definition-arn'], NEW);
  });

  test('ecs-native: failing smoke checks answer ROLLBACK and the step fails with the reason (SDK mock)', async () => {
    status = 503;
    ecsMock.on(DescribeServicesCommand).resolves(nativeService());
    ecsMock.on(UpdateServiceCommand).resolves({ service: {} });
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: SD, createdAt: new Date() }] });
    const script = scriptNativeDeployment();
    setInputs({
      strategy: 'ecs-native',
      cluster: 'prod',
      service: 'web',
      image: 'web:2',
      'test-url': url,
      'smoke-timeout': '1s',
    });
    await assert.rejects(
      run(createCaptureLogger()),
      /ended ROLLBACK_SUCCESSFUL.*smoke checks failed at POST_TEST_TRAFFIC_SHIFT \(FAILED http:\/\/127\.0\.0\.1:\d+\/health → 503/,
    );
    assert.deepEqual(script.answers, ['ROLLBACK']);
    assert.equal((await outputs())['active-color'], 'blue');
    const tag = ecsMock
      .commandCalls(TagResourceCommand)
      .find((call) => call.args[0].input.resourceArn === NEW);
    assert.equal(tag?.args[0].input.tags?.[0]?.value, 'FAILED');
  });

  test('ecs-native: on timeout the deployment is stopped with a ROLLBACK (SDK mock)', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(nativeService(false));
    ecsMock.on(UpdateServiceCommand).resolves({ service: {} });
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: SD, createdAt: new Date() }] });
    let stopped = false;
    ecsMock.on(StopServiceDeploymentCommand).callsFake(() => {
      stopped = true;
      return { serviceDeploymentArn: SD };
    });
    ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(() => ({
      serviceDeployments: [
        stopped
          ? { serviceDeploymentArn: SD, status: 'ROLLBACK_SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }
          : { serviceDeploymentArn: SD, status: 'IN_PROGRESS', lifecycleStage: 'SCALE_UP' },
      ],
    }));
    setInputs({ strategy: 'ecs-native', cluster: 'prod', service: 'web', image: 'web:2', timeout: '1s' });
    await assert.rejects(
      run(createCaptureLogger()),
      /timed out; Gantry stopped the deployment with a ROLLBACK, which ended ROLLBACK_SUCCESSFUL/,
    );
    assert.equal(ecsMock.commandCalls(StopServiceDeploymentCommand)[0]?.args[0].input.stopType, 'ROLLBACK');
  });

  test('ecs-native refuses a service that is not BLUE_GREEN, or pauses with no test-url, before any change (SDK mock)', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [{ serviceName: 'web', status: 'ACTIVE', taskDefinition: OLD, deploymentConfiguration: {} }],
    });
    setInputs({ strategy: 'ecs-native', cluster: 'prod', service: 'web', image: 'web:2' });
    await assert.rejects(
      run(createCaptureLogger()),
      (e: unknown) =>
        e instanceof ConfigurationError && /uses the ROLLING deployment strategy/.test(e.message),
    );
    ecsMock.on(DescribeServicesCommand).resolves(nativeService());
    await assert.rejects(
      run(createCaptureLogger()),
      /pauses at POST_TEST_TRAFFIC_SHIFT for checks, but no test-url/,
    );
    assert.equal(
      ecsMock.commandCalls(RegisterTaskDefinitionCommand).length +
        ecsMock.commandCalls(UpdateServiceCommand).length,
      0,
    );
  });

  for (const [name, inputs, input] of [
    ['traffic steps that do not increase', { 'traffic-steps': '50,10,100' }, 'traffic-steps'],
    ['traffic steps not ending at 100', { 'traffic-steps': '10,50' }, 'traffic-steps'],
    ['a missing green service', { 'green-service': '' }, 'green-service'],
    ['a listener that is not an ARN', { 'listener-arn': 'my-listener' }, 'listener-arn'],
    ['a test-url that is not a URL', { 'test-url': 'not a url' }, 'test-url'],
  ] as const)
    test(`alb-weighted: ${name} fails before any AWS call (SDK mock)`, async () => {
      setInputs({
        strategy: 'alb-weighted',
        cluster: 'prod',
        image: 'web:2',
        'listener-arn': LISTENER,
        'blue-service': 'web-blue',
        'green-service': 'web-green',
        'blue-target-group-arn': BLUE,
        'green-target-group-arn': GREEN,
        ...inputs,
      });
      await assert.rejects(
        run(createCaptureLogger()),
        (e: unknown) => e instanceof InputError && e.input === input,
      );
      assert.equal(ecsMock.calls().length + elbMock.calls().length, 0);
    });

  test('alb-weighted: unhealthy at 50% returns all weight to blue, never left split (SDK mock)', async () => {
    let actions: Action[] = [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: BLUE, Weight: 100 },
            { TargetGroupArn: GREEN, Weight: 0 },
          ],
        },
      },
    ];
    elbMock
      .on(DescribeListenersCommand)
      .callsFake(() => ({ Listeners: [{ ListenerArn: LISTENER, DefaultActions: actions }] }));
    elbMock.on(ModifyListenerCommand).callsFake((input: { DefaultActions: Action[] }) => {
      actions = input.DefaultActions;
      return {};
    });
    elbMock.on(AddTagsCommand).resolves({});
    let healthLooks = 0;
    elbMock.on(DescribeTargetHealthCommand).callsFake(() => {
      const green =
        actions[0]?.ForwardConfig?.TargetGroups?.find((g) => g.TargetGroupArn === GREEN)?.Weight ?? 0;
      healthLooks++;
      return {
        TargetHealthDescriptions: [
          {
            Target: { Id: '10.0.0.20' },
            TargetHealth:
              green >= 50
                ? { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch' }
                : { State: 'healthy' },
          },
        ],
      };
    });
    ecsMock.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
      services: [
        {
          serviceName: input.services[0],
          status: 'ACTIVE',
          taskDefinition:
            input.services[0] === 'web-blue'
              ? OLD
              : 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:6',
          desiredCount: 2,
          runningCount: 2,
          deployments: [
            {
              id: 'ecs-svc/g',
              status: 'PRIMARY',
              taskDefinition: NEW,
              rolloutState: 'COMPLETED',
              desiredCount: 2,
              runningCount: 2,
            },
          ],
        },
      ],
    }));
    ecsMock
      .on(UpdateServiceCommand)
      .resolves({ service: { deployments: [{ id: 'ecs-svc/g', status: 'PRIMARY', taskDefinition: NEW }] } });
    setInputs({
      strategy: 'alb-weighted',
      cluster: 'prod',
      image: 'web:2',
      'listener-arn': LISTENER,
      'test-url': url,
      'blue-service': 'web-blue',
      'green-service': 'web-green',
      'blue-target-group-arn': BLUE,
      'green-target-group-arn': GREEN,
      'traffic-steps': '10,50,100',
      'step-interval': '20ms',
    });
    await assert.rejects(
      run(createCaptureLogger()),
      /green became unhealthy at 50%: 0\/1 targets healthy: 10\.0\.0\.20: unhealthy \(Target\.ResponseCodeMismatch\).*all production traffic is back on blue/,
    );
    const shifts = elbMock.commandCalls(ModifyListenerCommand).map((call) =>
      (call.args[0].input.DefaultActions?.[0]?.ForwardConfig?.TargetGroups ?? [])
        .map((g) => `${g.TargetGroupArn === BLUE ? 'blue' : 'green'}=${g.Weight}`)
        .sort()
        .join(' '),
    );
    assert.deepEqual(shifts, ['blue=90 green=10', 'blue=50 green=50', 'blue=100 green=0']);
    assert.ok(healthLooks >= 3);
    const out = await outputs();
    assert.equal(out['active-color'], 'blue');
    // the green service is set back to what it ran before
    assert.deepEqual(
      ecsMock
        .commandCalls(UpdateServiceCommand)
        .map((call) => [call.args[0].input.service, call.args[0].input.taskDefinition]),
      [
        ['web-green', NEW],
        ['web-green', 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:6'],
      ],
    );
  });
});
