/**
 * HTTP servers on loopback for smoke checks (tests and benchmarks): healthy, slow, flapping, wrong body, failing
 * forever, and one that starts listening late.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  port: number;
  /** Requests served per path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** Starts the scenario server on 127.0.0.1 with a free port. `delayMs` sets how long `/slow` takes. */
export async function startScenarioServer(
  options: { slowMs?: number; flapFailures?: number } = {},
): Promise<TestServer> {
  const hits = new Map<string, number>();
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const count = (hits.get(path) ?? 0) + 1;
    hits.set(path, count);
    const json = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    switch (path) {
      case '/healthy':
        return json(200, { status: 'ok', version: '1.2.3', checks: { db: 'up' } });
      case '/slow':
        setTimeout(() => json(200, { status: 'ok' }), options.slowMs ?? 300);
        return;
      case '/flap':
        return count <= (options.flapFailures ?? 2)
          ? json(500, { status: 'starting' })
          : json(200, { status: 'ok' });
      case '/wrong-body':
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('maintenance mode');
        return;
      case '/fail':
        return json(500, { status: 'broken' });
      case '/not-found':
        return json(404, { error: 'no such page' });
      case '/echo':
        return json(200, { method: request.method, auth: request.headers['authorization'] ?? null });
      default:
        return json(404, { error: 'unknown scenario' });
    }
  });
  return listen(server, hits, 0);
}

async function listen(server: Server, hits: Map<string, number>, port: number): Promise<TestServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A server answering 200 on every path on `port` that starts listening only when `start()` is called
 * (or after `delayMs`, if given): until then connections are refused.
 */
export function startLate(
  port: number,
  delayMs?: number,
): { started: Promise<TestServer>; start(): void; cancel(): void } {
  const hits = new Map<string, number>();
  const server = createServer((request, response) => {
    hits.set(request.url ?? '/', (hits.get(request.url ?? '/') ?? 0) + 1);
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('late but ok');
  });
  let timer: NodeJS.Timeout | undefined;
  let begin: () => void = () => undefined;
  let begun = false;
  const started = new Promise<TestServer>((resolve, reject) => {
    begin = () => {
      if (begun) return;
      begun = true;
      listen(server, hits, port).then(resolve, reject);
    };
    if (delayMs !== undefined) timer = setTimeout(begin, delayMs);
  });
  return { started, start: () => begin(), cancel: () => clearTimeout(timer) };
}
