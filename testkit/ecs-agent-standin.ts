/**
 * A stand-in for the ECS container agent (the demo's, and `npm run local`'s): moto accepts the ECS API but runs no containers, so
 * this agent watches the service (DescribeServices every 200 ms) and, whenever its task definition
 * changes, does what a task launch does: pulls the container's image by its reference from the registry
 * (manifest, config, layer blobs), unpacks the layers into a root folder, and starts the image's
 * entrypoint with the image's and the task definition's environment on the service's port.
 * The hello-service image is FROM scratch and holds no runtime: an entrypoint `node …` runs with the
 * host's Node 24 (the runtime layer a real base image would bring), its absolute paths inside the unpacked
 * root folder.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { serviceTaskDefinition, taskContainer, type Moto } from './moto.ts';
import { startProcess, type Managed } from './process.ts';
import { imageManifest, readBlob, splitReference } from './registry.ts';

/** What the agent did, in order. */
export interface AgentEvent {
  at: Date;
  taskDefinition: string;
  image: string;
  /** The image config's APP_VERSION, when it has one. */
  version?: string;
  error?: string;
}

interface ImageConfig {
  config?: { Env?: string[]; Entrypoint?: string[] | null; Cmd?: string[] | null; WorkingDir?: string };
}

async function untar(archive: Buffer, into: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-x', '-C', into, '--no-same-owner'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}: ${stderr}`))));
    tar.stdin.end(archive);
  });
}

/**
 * The ECS agent stand-in for one service: `start()` launches the service's current task definition and
 * then follows it (every 200 ms); `stop()` stops watching and the task. The task's port is `options.port`.
 */
export class EcsAgent {
  readonly events: AgentEvent[] = [];
  private current = '';
  private task: Managed | undefined;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly aws: Pick<Moto, 'ecs'>;
  private readonly cluster: string;
  private readonly service: string;
  private readonly port: number;
  private readonly workDir: string;

  constructor(
    aws: Pick<Moto, 'ecs'>,
    options: { cluster: string; service: string; port: number; workDir: string },
  ) {
    this.aws = aws;
    this.cluster = options.cluster;
    this.service = options.service;
    this.port = options.port;
    this.workDir = options.workDir;
  }

  /** The service's URL on loopback. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The running task's output (the service's log). */
  taskOutput(): string {
    return this.task?.output() ?? '';
  }

  /** Starts watching; resolves after the first check (the current task definition is launched). */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), 200);
  }

  /** Waits until the agent has launched `taskDefinition` (or `timeoutMs` passes). */
  async waitFor(taskDefinition: string, timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.current === taskDefinition && !this.busy) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  }

  /** Stops watching and stops the running task. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    while (this.busy) await new Promise((resolve) => setTimeout(resolve, 20));
    await this.task?.stop();
    this.task = undefined;
  }

  private async check(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const taskDefinition = await serviceTaskDefinition(this.aws, this.cluster, this.service);
      if (taskDefinition !== '' && taskDefinition !== this.current) await this.launch(taskDefinition);
    } catch {
      // moto busy or stopping: the next tick tries again
    } finally {
      this.busy = false;
    }
  }

  private async launch(taskDefinition: string): Promise<void> {
    this.current = taskDefinition;
    const event: AgentEvent = { at: new Date(), taskDefinition, image: '' };
    this.events.push(event);
    try {
      const container = await taskContainer(this.aws, taskDefinition);
      event.image = container.image;
      const { host, repository, reference } = splitReference(container.image);
      const manifest = await imageManifest(host, repository, reference);
      const root = path.join(this.workDir, manifest.digest.replace(':', '-'));
      const config = JSON.parse(
        (await readBlob(host, repository, manifest.config.digest)).toString('utf8'),
      ) as ImageConfig;
      if (!existsSync(root)) {
        await mkdir(root, { recursive: true });
        for (const layer of manifest.layers) {
          const blob = await readBlob(host, repository, layer.digest);
          await untar(layer.mediaType.includes('gzip') ? gunzipSync(blob) : blob, root);
        }
      }
      const env: Record<string, string> = {};
      for (const pair of config.config?.Env ?? []) {
        const eq = pair.indexOf('=');
        if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      Object.assign(env, container.environment, { PORT: String(this.port), HOST: '127.0.0.1' });
      if (env['APP_VERSION'] !== undefined) event.version = env['APP_VERSION'];
      const argv = [...(config.config?.Entrypoint ?? []), ...(config.config?.Cmd ?? [])];
      const [command = '', ...args] = argv.map((arg) =>
        arg.startsWith('/') && existsSync(path.join(root, arg)) ? path.join(root, arg) : arg,
      );
      if (command === '') throw new Error(`${container.image} has no entrypoint`);
      await this.task?.stop();
      this.task = startProcess(command === 'node' ? process.execPath : command, args, {
        cwd: path.join(root, config.config?.WorkingDir ?? '/'),
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
      });
    } catch (error) {
      event.error = error instanceof Error ? error.message : String(error);
    }
  }
}
