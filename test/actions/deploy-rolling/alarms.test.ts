/**
 * deploy-rolling's `alarms` input: the ECS deployment alarms (deploymentConfiguration.alarms with enable
 * and rollback on) are sent with UpdateService, merged into the service's current deployment
 * configuration. moto keeps no deployment configuration, so the request is checked on an SDK mock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { InputError } from '../../../shared/src/errors.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { run } from '../../../actions/deploy-rolling/src/main.ts';

const ecsMock = mockClient(ECSClient);
const OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';
const NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8';
const saved = { ...process.env };
let temp: string;

function setInputs(inputs: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

describe('deploy-rolling alarms', () => {
  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-rolling-alarms-'));
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
    process.env = saved;
  });
  beforeEach(async () => {
    ecsMock.reset();
    await writeFile(path.join(temp, 'output'), '');
    Object.assign(process.env, {
      GITHUB_OUTPUT: path.join(temp, 'output'),
      GITHUB_WORKSPACE: temp,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    delete process.env['GITHUB_STEP_SUMMARY'];
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'web',
          status: 'ACTIVE',
          taskDefinition: OLD,
          desiredCount: 2,
          deploymentConfiguration: {
            maximumPercent: 200,
            minimumHealthyPercent: 100,
            deploymentCircuitBreaker: { enable: true, rollback: true },
          },
          deployments: [
            { id: 'ecs-svc/old', status: 'PRIMARY', taskDefinition: OLD, rolloutState: 'COMPLETED' },
          ],
        },
      ],
    });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: OLD,
        family: 'web',
        containerDefinitions: [{ name: 'web', image: 'web:1', essential: true }],
      },
      tags: [],
    });
    ecsMock
      .on(RegisterTaskDefinitionCommand)
      .resolves({ taskDefinition: { taskDefinitionArn: NEW, revision: 8 } });
    ecsMock.on(TagResourceCommand).resolves({});
    ecsMock.on(UpdateServiceCommand).resolves({
      service: {
        serviceName: 'web',
        taskDefinition: NEW,
        deployments: [{ id: 'ecs-svc/new', status: 'PRIMARY', taskDefinition: NEW }],
      },
    });
  });

  const base = { cluster: 'prod', service: 'web', image: 'registry.example/web:2', wait: 'false' };

  test('alarm names become deploymentConfiguration.alarms, enable and rollback on, the rest kept', async () => {
    setInputs({ ...base, alarms: 'web-5xx-high\nweb-p95-slow' });
    await run(createCaptureLogger());
    const update = ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input;
    expect(update?.deploymentConfiguration).toEqual({
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: ['web-5xx-high', 'web-p95-slow'], enable: true, rollback: true },
    });
  });

  test('without alarms the deployment configuration is not sent', async () => {
    setInputs(base);
    await run(createCaptureLogger());
    expect(
      ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input.deploymentConfiguration,
    ).toBeUndefined();
  });

  test('a name with a control character fails before any AWS call', async () => {
    setInputs({ ...base, alarms: 'bad\u0007name' });
    await expect(run(createCaptureLogger())).rejects.toThrow(InputError);
    expect(ecsMock.calls()).toHaveLength(0);
  });
});
