import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'vitest';
import { fetch, ProxyAgent } from '../../../shared/stubs/undici.ts';

test('the undici stub: ProxyAgent constructs (libraries build one eagerly) but refuses to dispatch', () => {
  const agent = new ProxyAgent({ uri: 'http://proxy.internal:3128' });
  assert.deepEqual(agent.options, { uri: 'http://proxy.internal:3128' });
  assert.throws(() => agent.dispatch(), /bundled without undici.*NODE_USE_ENV_PROXY=1/);
});

test("the undici stub's fetch is Node's fetch and reaches a real server", async () => {
  const server = createServer((_request, response) => response.end('pong'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    assert.equal(await response.text(), 'pong');
  } finally {
    server.close();
  }
});

test("a request naming the stub's Agent as dispatcher is sent by the real undici (Agent and fetch modules)", async () => {
  const { Agent, registerRealUndici } = await import('../../../shared/stubs/undici.ts');
  const { loadRealUndici } = await import('../../../shared/stubs/undici-real.ts');
  const agent0 = new Agent({});
  await assert.rejects(agent0.dispatcher(), /only available to the Kubernetes client/);
  registerRealUndici(loadRealUndici);
  const server = createServer((request, response) =>
    response.end(`pong ${request.headers['user-agent'] ?? ''}`),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
      dispatcher: agent,
    } as unknown as RequestInit);
    // Node's own fetch identifies as `node`; the real undici's fetch as `undici`.
    assert.equal(await response.text(), 'pong undici');
    assert.ok((await agent.dispatcher()) !== undefined);
  } finally {
    await agent.close();
    server.close();
  }
});
