/**
 * moto (https://docs.getmoto.org/en/latest/docs/server_mode.html): the AWS APIs Gantry uses (ECS, ECR,
 * ELBv2, STS, S3, CloudFront, CloudWatch) as `python3 -m moto.server` on a free loopback port, with
 * `MOTO_ECS_SERVICE_RUNNING` set (services report that many running tasks, so rollouts complete), and
 * seeding helpers that use the real SDK against it. One start for the tests, the demo, the benchmarks and
 * `npm run local -- up moto`.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { randomUUID } from 'node:crypto';
import { answers, freePort, startProcess, waitUntil } from './process.ts';

export const REGION = 'us-east-1';

export interface Moto {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Environment for the SDK and the bundles: AWS_ENDPOINT_URL, fake credentials, AWS_REGION. */
  env: Record<string, string>;
  ecs: ECSClient;
  /** moto's own output (last 64 KiB). */
  output(): string;
  stop(): Promise<void>;
}

/** Fake AWS credentials, the region and the moto endpoint for the SDK's default chain. */
export function awsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * Starts moto and waits until it answers (up to 60 s: the first import of moto is slow on a busy machine).
 * @param options.runningTasks the MOTO_ECS_SERVICE_RUNNING value (default 2)
 * @throws Error with moto's output when it does not come up
 */
export async function startMoto(options: { runningTasks?: number } = {}): Promise<Moto> {
  const port = await freePort();
  const moto = startProcess('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_ECS_SERVICE_RUNNING: String(options.runningTasks ?? 2) },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(() => answers(`${endpoint}/moto-api/`), 'moto server', 60_000, moto.output);
  } catch (error) {
    await moto.stop();
    throw error;
  }
  return motoHandle(endpoint, moto.output, () => moto.stop());
}

/**
 * A {@link Moto} for a server at `endpoint`: its environment and an ECS client with moto's test credentials;
 * `stop()` destroys the client, then calls `stopServer` (a shared server's handle passes a no-op).
 */
export function motoHandle(endpoint: string, output: () => string, stopServer: () => Promise<void>): Moto {
  const ecs = new ECSClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  return {
    endpoint,
    env: awsEnv(endpoint),
    ecs,
    output,
    stop: async () => {
      ecs.destroy();
      await stopServer();
    },
  };
}

/**
 * Creates a cluster, registers a task definition and creates a service running it.
 * @param definition the containers (registered as family `names.family`), or a whole task definition
 *   (e.g. read from a task-definition.json template)
 * @param desiredCount tasks the service asks for (default 2)
 * @returns the registered task definition's ARN
 */
export async function seedService(
  moto: Pick<Moto, 'ecs'>,
  names: { cluster: string; service: string; family?: string },
  definition: ContainerDefinition[] | RegisterTaskDefinitionCommandInput = [
    { name: 'web', image: 'registry.example/web:1', memory: 256, essential: true },
  ],
  desiredCount = 2,
): Promise<string> {
  await moto.ecs.send(new CreateClusterCommand({ clusterName: names.cluster }));
  const input: RegisterTaskDefinitionCommandInput = Array.isArray(definition)
    ? { family: names.family ?? names.service, containerDefinitions: definition }
    : definition;
  const registered = await moto.ecs.send(new RegisterTaskDefinitionCommand(input));
  const arn = registered.taskDefinition?.taskDefinitionArn ?? '';
  await moto.ecs.send(
    new CreateServiceCommand({
      cluster: names.cluster,
      serviceName: names.service,
      taskDefinition: arn,
      desiredCount,
    }),
  );
  return arn;
}

/** The service's current task definition ARN ('' when the service is not there). */
export async function serviceTaskDefinition(
  moto: Pick<Moto, 'ecs'>,
  cluster: string,
  service: string,
): Promise<string> {
  const described = await moto.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  return described.services?.[0]?.taskDefinition ?? '';
}

/** The first essential container of a task definition: its image and environment (name → value). */
export async function taskContainer(
  moto: Pick<Moto, 'ecs'>,
  taskDefinition: string,
): Promise<{ image: string; environment: Record<string, string> }> {
  const described = await moto.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
  const container = described.taskDefinition?.containerDefinitions?.find((c) => c.essential !== false);
  const environment: Record<string, string> = {};
  for (const pair of container?.environment ?? []) if (pair.name) environment[pair.name] = pair.value ?? '';
  return { image: container?.image ?? '', environment };
}

/** An ALB with a blue and a green target group (each with one healthy `ip` target) and a listener. */
export interface SeededAlb {
  loadBalancerArn: string;
  listenerArn: string;
  /** A rule (path `/api/*`, priority 10) forwarding with the same weights. */
  ruleArn: string;
  blue: string;
  green: string;
}

function elbClient(
  elb: typeof import('@aws-sdk/client-elastic-load-balancing-v2'),
  endpoint: string,
): InstanceType<typeof elb.ElasticLoadBalancingV2Client> {
  return new elb.ElasticLoadBalancingV2Client({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

/** Reads ids from moto's EC2 query API (moto does not check signatures; the default VPC exists). */
async function ec2Ids(moto: Moto, action: string, tag: string): Promise<string[]> {
  const response = await fetch(`${moto.endpoint}/?Action=${action}&Version=2016-11-15`, {
    headers: {
      Authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=x',
    },
  });
  const text = await response.text();
  return [...text.matchAll(new RegExp(`<${tag}>([^<]+)</${tag}>`, 'g'))].map((match) => match[1] ?? '');
}

/**
 * Creates an ALB in moto's default VPC (names unique per call: test files share one moto), `blue` and `green` target groups with a registered ip target each,
 * and an HTTP listener forwarding with the given weights.
 */
export async function seedAlb(moto: Moto, weights: { blue: number; green: number }): Promise<SeededAlb> {
  const elb = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const client = elbClient(elb, moto.endpoint);
  try {
    const vpc = (await ec2Ids(moto, 'DescribeVpcs', 'vpcId'))[0] ?? '';
    const subnets = [...new Set(await ec2Ids(moto, 'DescribeSubnets', 'subnetId'))].slice(0, 2);
    const lb = await client.send(
      new elb.CreateLoadBalancerCommand({ Name: `alb-${randomUUID().slice(0, 8)}`, Subnets: subnets }),
    );
    const loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const groups: Record<'blue' | 'green', string> = { blue: '', green: '' };
    for (const color of ['blue', 'green'] as const) {
      const created = await client.send(
        new elb.CreateTargetGroupCommand({
          Name: `${color}-${randomUUID().slice(0, 8)}`,
          Protocol: 'HTTP',
          Port: 80,
          VpcId: vpc,
          TargetType: 'ip',
        }),
      );
      groups[color] = created.TargetGroups?.[0]?.TargetGroupArn ?? '';
      await client.send(
        new elb.RegisterTargetsCommand({
          TargetGroupArn: groups[color],
          Targets: [{ Id: color === 'blue' ? '10.0.0.10' : '10.0.0.20', Port: 80 }],
        }),
      );
    }
    const forward = [
      {
        Type: 'forward' as const,
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: groups.blue, Weight: weights.blue },
            { TargetGroupArn: groups.green, Weight: weights.green },
          ],
        },
      },
    ];
    const listener = await client.send(
      new elb.CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: forward,
      }),
    );
    const listenerArn = listener.Listeners?.[0]?.ListenerArn ?? '';
    const rule = await client.send(
      new elb.CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
        Actions: forward,
      }),
    );
    return {
      loadBalancerArn,
      listenerArn,
      ruleArn: rule.Rules?.[0]?.RuleArn ?? '',
      blue: groups.blue,
      green: groups.green,
    };
  } finally {
    client.destroy();
  }
}

/** The forward weights of a listener's default action (or of a rule) as target group ARN → weight. */
export async function listenerWeights(
  moto: Moto,
  listenerArn: string,
  ruleArn?: string,
): Promise<Map<string, number>> {
  const elb = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const client = elbClient(elb, moto.endpoint);
  try {
    const actions =
      ruleArn === undefined
        ? (await client.send(new elb.DescribeListenersCommand({ ListenerArns: [listenerArn] })))
            .Listeners?.[0]?.DefaultActions
        : (await client.send(new elb.DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules?.[0]?.Actions;
    const forward = actions?.find((action) => action.Type === 'forward');
    return new Map(
      (forward?.ForwardConfig?.TargetGroups ?? []).map((group) => [
        group.TargetGroupArn ?? '',
        group.Weight ?? 0,
      ]),
    );
  } finally {
    client.destroy();
  }
}
