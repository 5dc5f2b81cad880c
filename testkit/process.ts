/**
 * Process helpers for every part of the local world (tests, demo, offline runner, benchmarks, `npm run
 * local`): free loopback ports, waiting until something answers, and child processes that are always
 * stopped (SIGTERM, then SIGKILL after a grace period).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import net from 'node:net';

/** A free loopback port (listen on 127.0.0.1:0, read the port the OS chose, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `probe` every 50 ms until it returns true (a probe that throws counts as false).
 * @param timeoutMs milliseconds before giving up
 * @param details called for the error message, e.g. the process's output
 * @throws Error naming `what` after `timeoutMs` milliseconds, with `details()` when given
 */
export async function waitUntil(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  details?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what} did not come up within ${timeoutMs} ms${details ? `: ${details()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A started child process with its combined output kept (last 64 KiB) and a stop that always ends it. */
export interface Managed {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a process with stdout/stderr captured (the last 64 KiB, through `output()`); `stop()` sends
 * SIGTERM, then SIGKILL after 3 s, and resolves when it has exited.
 */
export function startProcess(command: string, args: string[], options: SpawnOptions = {}): Managed {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (error) => keep(Buffer.from(`\n${error.message}\n`)));
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Whether something accepts TCP connections on a loopback port. */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether an HTTP GET on `url` answers with a status below 500. */
export async function answers(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await response.arrayBuffer();
  return response.status < 500;
}
