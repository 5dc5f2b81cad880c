/**
 * smoke-test's load mode (autocannon) against a server on loopback: percentiles, the error ratio and the
 * gate; and the nearest-rank percentile itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { percentile, runLoad, type LoadSettings } from '../../../actions/smoke-test/src/load.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';

describe('percentile (nearest rank)', () => {
  test.each([
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10, 1],
    [Array.from({ length: 100 }, (_, i) => i + 1), 95, 95],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
    [Array.from({ length: 1000 }, (_, i) => i + 1), 97.5, 975],
    // 0.999 × 1000 is 999.0000000000001 in floating point: still rank 999, as HdrHistogram ranks
    [Array.from({ length: 1000 }, (_, i) => i + 1), 99.9, 999],
    [Array.from({ length: 3000 }, (_, i) => i + 1), 99.9, 2997],
    [[7], 0.001, 7],
    [[], 95, 0],
  ])('%j p%d = %d', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});

describe('runLoad', () => {
  let server: Server;
  let base = '';
  let hits = 0;
  beforeAll(async () => {
    server = createServer((request, response) => {
      hits += 1;
      const path = request.url ?? '/';
      if (path === '/slow') {
        setTimeout(() => response.end('slow'), 60);
        return;
      }
      if (path === '/flaky' && hits % 4 === 0) {
        response.writeHead(503);
        response.end('busy');
        return;
      }
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const settings = (overrides: Partial<LoadSettings>): LoadSettings => ({
    url: `${base}/ok`,
    method: 'GET',
    headers: {},
    requests: 200,
    concurrency: 10,
    requestTimeoutMs: 10_000,
    timeoutMs: 60_000,
    maxP95Ms: 500,
    maxErrorRatio: 0.01,
    ...overrides,
  });

  test('N requests at concurrency C: exactly N sent, percentiles ordered, gate passed', async () => {
    hits = 0;
    const report = await runLoad(settings({}), createCaptureLogger());
    expect(report.requests).toBe(200);
    expect(hits).toBe(200);
    expect(report.errors).toBe(0);
    expect(report.p50Ms).toBeLessThanOrEqual(report.p95Ms);
    expect(report.p95Ms).toBeLessThanOrEqual(report.p99Ms);
    expect(report.p99Ms).toBeLessThanOrEqual(report.maxMs);
    // req/s counts up to the last answer, not autocannon's wait for its next sample tick
    expect(report.requestsPerSecond).toBeGreaterThanOrEqual(Math.floor((200 / report.durationMs) * 1_000));
    expect(report.passed).toBe(true);
  });

  test('a p95 above the gate fails, naming it', async () => {
    const report = await runLoad(
      settings({ url: `${base}/slow`, requests: 40, maxP95Ms: 20 }),
      createCaptureLogger(),
    );
    expect(report.p95Ms).toBeGreaterThanOrEqual(60);
    expect(report.passed).toBe(false);
    expect(report.reasons).toEqual([`p95 ${report.p95Ms} ms is above 20 ms`]);
  });

  test('non-2xx answers count as errors against the error ratio', async () => {
    hits = 0;
    const report = await runLoad(settings({ url: `${base}/flaky`, requests: 100 }), createCaptureLogger());
    expect(report.errors).toBe(25);
    expect(report.errorRatio).toBe(0.25);
    expect(report.succeeded).toBe(75);
    expect(report.reasons).toEqual(['25.00 % of requests failed (at most 1.00 % allowed)']);
  });

  test('refused connections are errors, not latencies', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const report = await runLoad(
      settings({ url: `http://127.0.0.1:${port}/`, requests: 20, concurrency: 2 }),
      createCaptureLogger(),
    );
    expect(report.succeeded).toBe(0);
    expect(report.errors).toBeGreaterThan(0);
    expect(report.passed).toBe(false);
  });
});
