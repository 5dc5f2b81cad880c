/**
 * The demo's AWS: a moto server (`python3 -m moto.server`) on a loopback port with
 * `MOTO_ECS_SERVICE_RUNNING` (services report running tasks, so rollouts complete), and the ECS cluster
 * and service seeded with the real SDK (@aws-sdk/client-ecs).
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { readFile } from 'node:fs/promises';
import { freePort, startProcess, waitUntil, answers, type Managed } from './processes.ts';

export const REGION = 'us-east-1';

export interface LocalAws {
  endpoint: string;
  ecs: ECSClient;
  /** Environment for the SDK and the actions: endpoint, fake credentials, region. */
  env: Record<string, string>;
  process: Managed;
  stop(): Promise<void>;
}

/** Starts moto and waits until it answers (up to 60 s: the first import of moto is slow on a busy machine). */
export async function startMoto(): Promise<LocalAws> {
  const port = await freePort();
  const moto = startProcess('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_ECS_SERVICE_RUNNING: '1' },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntil(() => answers(`${endpoint}/moto-api/`), 'moto server', 60_000, moto.output);
  const ecs = new ECSClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  return {
    endpoint,
    ecs,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    process: moto,
    stop: async () => {
      ecs.destroy();
      await moto.stop();
    },
  };
}

/**
 * Creates the cluster, registers the service's first task definition from the template with `image`, and
 * creates the service running it.
 * @returns the first task definition's ARN
 */
export async function seedService(
  aws: LocalAws,
  names: { cluster: string; service: string },
  templateFile: string,
  image: string,
): Promise<string> {
  await aws.ecs.send(new CreateClusterCommand({ clusterName: names.cluster }));
  const template = JSON.parse(await readFile(templateFile, 'utf8')) as RegisterTaskDefinitionCommandInput;
  for (const container of template.containerDefinitions ?? []) container.image = image;
  const registered = await aws.ecs.send(new RegisterTaskDefinitionCommand(template));
  const arn = registered.taskDefinition?.taskDefinitionArn ?? '';
  await aws.ecs.send(
    new CreateServiceCommand({
      cluster: names.cluster,
      serviceName: names.service,
      taskDefinition: arn,
      desiredCount: 1,
    }),
  );
  return arn;
}

/** The service's current task definition ARN. */
export async function serviceTaskDefinition(
  aws: LocalAws,
  cluster: string,
  service: string,
): Promise<string> {
  const described = await aws.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  return described.services?.[0]?.taskDefinition ?? '';
}

/** The first container of a task definition: image and environment. */
export async function taskContainer(
  aws: LocalAws,
  taskDefinition: string,
): Promise<{ image: string; environment: Record<string, string> }> {
  const described = await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
  const container = described.taskDefinition?.containerDefinitions?.find((c) => c.essential !== false);
  const environment: Record<string, string> = {};
  for (const pair of container?.environment ?? []) if (pair.name) environment[pair.name] = pair.value ?? '';
  return { image: container?.image ?? '', environment };
}
