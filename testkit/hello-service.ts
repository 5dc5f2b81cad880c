/**
 * Runs examples/hello-service/app/server.mjs on a free loopback port (with the host's Node), for tests,
 * the demo's canary and benchmarks; `traffic()` sends a steady stream of `GET /` so its metrics move.
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'examples',
  'hello-service',
  'app',
  'server.mjs',
);

export interface HelloService {
  /** `127.0.0.1:<port>` (a Prometheus target). */
  address: string;
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts hello-service with `env` (APP_VERSION, APP_ERROR_RATE…) and waits until `/health` answers.
 * @throws Error when it does not answer within 10 s
 */
export async function startHelloService(env: Record<string, string> = {}): Promise<HelloService> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('hello-service did not start');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    address: `127.0.0.1:${port}`,
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Sends `GET /` to each service every `everyMs` until stopped (answers are read and dropped).
 * @returns a stop function
 */
export function traffic(services: HelloService[], everyMs = 20): () => void {
  const timer = setInterval(() => {
    for (const service of services)
      fetch(`${service.url}/`)
        .then((response) => response.arrayBuffer())
        .catch(() => undefined);
  }, everyMs);
  return () => clearInterval(timer);
}
