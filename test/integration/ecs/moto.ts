/**
 * A moto server for the ECS/ELBv2 tests: `python3 -m moto.server -p <free port>` on loopback with
 * `MOTO_ECS_SERVICE_RUNNING` set (services report that many running tasks), and seeding helpers that use
 * the real SDK against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';

export interface Moto {
  endpoint: string;
  /** Environment for the SDK and the bundles: endpoint, fake credentials, region. */
  env: Record<string, string>;
  ecs: ECSClient;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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
