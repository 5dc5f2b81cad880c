/**
 * A moto server for the ECS/ELBv2 tests: `python3 -m moto.server -p <free port>` on loopback with
 * `MOTO_ECS_SERVICE_RUNNING` set (services report that many running tasks), and seeding helpers that use
 * the real SDK against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';
import { freePort } from '../../support/http-servers.ts';

export interface Moto {
  endpoint: string;
  /** Environment for the SDK and the bundles: endpoint, fake credentials, region. */
  env: Record<string, string>;
  ecs: ECSClient;
  stop(): Promise<void>;
}

/**
 * Starts moto and waits until it answers (up to 30 s).
 * @param runningTasks the MOTO_ECS_SERVICE_RUNNING value (default 2)
 */
export async function startMoto(runningTasks = 2): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_ECS_SERVICE_RUNNING: String(runningTasks) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok || response.status < 500) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`moto exited: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto did not start within 30 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const ecs = new ECSClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  return {
    endpoint,
    env,
    ecs,
    stop: async () => {
      ecs.destroy();
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

/** Creates a cluster, registers `family:1` with the given containers, and a service running it. */
export async function seedService(
  moto: Moto,
  names: { cluster: string; service: string; family: string },
  containers: ContainerDefinition[] = [
    { name: 'web', image: 'registry.example/web:1', memory: 256, essential: true },
  ],
  desiredCount = 2,
): Promise<string> {
  await moto.ecs.send(new CreateClusterCommand({ clusterName: names.cluster }));
  const registered = await moto.ecs.send(
    new RegisterTaskDefinitionCommand({ family: names.family, containerDefinitions: containers }),
  );
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

/** An ALB with a blue and a green target group (each with one healthy `ip` target) and a listener. */
export interface SeededAlb {
  loadBalancerArn: string;
  listenerArn: string;
  /** A rule (path `/api/*`, priority 10) forwarding with the same weights. */
  ruleArn: string;
  blue: string;
  green: string;
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
 * Creates an ALB in moto's default VPC, `blue` and `green` target groups with a registered ip target each,
 * and an HTTP listener forwarding with the given weights.
 */
export async function seedAlb(moto: Moto, weights: { blue: number; green: number }): Promise<SeededAlb> {
  const elb = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const client = new elb.ElasticLoadBalancingV2Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    const vpc = (await ec2Ids(moto, 'DescribeVpcs', 'vpcId'))[0] ?? '';
    const subnets = [...new Set(await ec2Ids(moto, 'DescribeSubnets', 'subnetId'))].slice(0, 2);
    const lb = await client.send(
      new elb.CreateLoadBalancerCommand({ Name: `alb-${Date.now()}`, Subnets: subnets }),
    );
    const loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const groups: Record<'blue' | 'green', string> = { blue: '', green: '' };
    for (const color of ['blue', 'green'] as const) {
      const created = await client.send(
        new elb.CreateTargetGroupCommand({
          Name: `${color}-${Date.now()}`,
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
    const listener = await client.send(
      new elb.CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: groups.blue, Weight: weights.blue },
                { TargetGroupArn: groups.green, Weight: weights.green },
              ],
            },
          },
        ],
      }),
    );
    const listenerArn = listener.Listeners?.[0]?.ListenerArn ?? '';
    const rule = await client.send(
      new elb.CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: groups.blue, Weight: weights.blue },
                { TargetGroupArn: groups.green, Weight: weights.green },
              ],
            },
          },
        ],
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
  const client = new elb.ElasticLoadBalancingV2Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
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
