/**
 * The non-HTTP smoke checks against real things: TCP on loopback (a listening port, a closed one) and an
 * ECS service in moto (running = desired, running < desired, a missing service), retried to the deadline.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCaptureLogger } from '../../shared/src/logger.ts';
import { runProbeChecks, type ProbeCheck } from '../../shared/src/smoke-probes.ts';
import { seedService, startMoto, type Moto } from '../../testkit/moto.ts';
import { freePort } from '../../testkit/process.ts';

const fast = { timeoutMs: 1_500, requestTimeoutMs: 500, retryDelayMs: 50, maxRetryDelayMs: 100 };

describe('tcp checks', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a listening port passes at once; a closed one fails with the reason after retries', async () => {
    const closed = await freePort();
    const probes: ProbeCheck[] = [
      { kind: 'tcp', name: 'db', host: '127.0.0.1', port },
      { kind: 'tcp', name: 'cache', host: '127.0.0.1', port: closed },
    ];
    const [db, cache] = await runProbeChecks(probes, { ...fast, logger: createCaptureLogger() });
    expect(db).toMatchObject({ name: 'db', url: `tcp://127.0.0.1:${port}`, passed: true, attempts: 1 });
    expect(cache).toMatchObject({ name: 'cache', passed: false, reason: 'connection failed: ECONNREFUSED' });
    expect(cache?.attempts).toBeGreaterThan(1);
  });
});

describe('ecs-service checks (moto)', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto({ runningTasks: 2 });
    await seedService(moto, { cluster: 'app', service: 'steady', family: 'steady' }, undefined, 2);
    await seedService(moto, { cluster: 'app', service: 'short', family: 'short' }, undefined, 3);
  });
  afterAll(() => moto.stop());

  test('running = desired passes; fewer running and a missing service fail saying why', async () => {
    const probes: ProbeCheck[] = [
      { kind: 'ecs-service', name: 'steady', cluster: 'app', service: 'steady' },
      { kind: 'ecs-service', name: 'short', cluster: 'app', service: 'short' },
      { kind: 'ecs-service', name: 'gone', cluster: 'app', service: 'gone' },
    ];
    const results = await runProbeChecks(probes, {
      ...fast,
      ecsClient: async () => moto.ecs,
      logger: createCaptureLogger(),
    });
    expect(results.map((r) => [r.name, r.url, r.passed])).toEqual([
      ['steady', 'ecs://app/steady', true],
      ['short', 'ecs://app/short', false],
      ['gone', 'ecs://app/gone', false],
    ]);
    expect(results[1]?.reason).toBe('2 of 3 task(s) running');
    expect(results[2]?.reason).toMatch(/service gone: MISSING/i);
  });
});
