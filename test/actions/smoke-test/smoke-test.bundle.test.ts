/**
 * The smoke-test bundle, run as the runner runs it, against test-owned HTTP servers on loopback.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { SmokeResult } from '../../../shared/src/smoke.ts';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { freePort } from '../../../testkit/process.ts';
import { startLate, startScenarioServer, type TestServer } from '../../../testkit/http-scenarios.ts';

const fast = { 'retry-delay': '100ms', 'request-timeout': '2s' };

describe('smoke-test bundle', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startScenarioServer({ slowMs: 400, flapFailures: 2 });
  });
  afterAll(() => server.close());

  test('a healthy URL passes: outputs, summary table, exit 0', async () => {
    const run = await runBundle('smoke-test', {
      inputs: { url: `${server.url}/healthy`, 'expected-body': '"ok"', ...fast },
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs['passed'], 'true');
    assert.equal(run.outputs['failed-checks'], '');
    const [result] = JSON.parse(run.outputs['results'] ?? '[]') as SmokeResult[];
    assert.deepEqual([result?.passed, result?.status, result?.attempts], [true, 200, 1]);
    assert.match(run.summary, /<h3>Smoke test<\/h3>/);
    assert.match(run.summary, /1 of 1 passed/);
  });

  test('each scenario ends as expected with the expected attempt count', async () => {
    const port = await freePort();
    // Starts listening only once the action has seen its connection refused: no race with a slow machine.
    const late = startLate(port);
    let seen = '';
    const checks = [
      { name: 'healthy', url: `${server.url}/healthy`, 'expect-json': { '$.status': 'ok' } },
      { name: 'slow-ok', url: `${server.url}/slow` },
      { name: 'slow-too-slow', url: `${server.url}/slow`, 'max-latency': '150ms' },
      { name: 'flapping', url: `${server.url}/flap` },
      { name: 'late-start', url: `http://127.0.0.1:${port}/`, 'expect-body': 'late but ok' },
      { name: 'wrong-body', url: `${server.url}/wrong-body`, 'expect-body': 'ok' },
      { name: 'fails-forever', url: `${server.url}/fail` },
    ];
    try {
      const run = await runBundle('smoke-test', {
        inputs: { checks: JSON.stringify(checks), timeout: '6s', concurrency: '7', ...fast },
        onStdout: (chunk) => {
          seen += chunk;
          if (seen.includes('late-start: attempt 1 failed (connection refused)')) late.start();
        },
      });
      assert.equal(run.exitCode, 1);
      const results = new Map(
        (JSON.parse(run.outputs['results'] ?? '[]') as SmokeResult[]).map((r) => [r.name, r]),
      );
      const expect = (
        name: string,
        passed: boolean,
        attempts: (n: number) => boolean,
        reason?: RegExp,
      ): void => {
        const result = results.get(name);
        assert.ok(result, `no result for ${name}`);
        assert.equal(result.passed, passed, `${name}: ${result.reason}\n${run.log}`);
        assert.ok(attempts(result.attempts), `${name}: ${result.attempts} attempts`);
        if (reason !== undefined) assert.match(result.reason ?? '', reason, name);
      };
      expect('healthy', true, (n) => n === 1);
      expect('slow-ok', true, (n) => n === 1);
      expect('slow-too-slow', false, (n) => n === 1, /latency \d+ ms is over the maximum of 150 ms/);
      expect('flapping', true, (n) => n === 3);
      expect('late-start', true, (n) => n >= 2);
      expect('wrong-body', false, (n) => n === 1, /body does not contain "ok"/);
      expect(
        'fails-forever',
        false,
        (n) => n >= 3,
        /status 500, expected 2xx \(gave up at the deadline after \d+ attempts\)/,
      );
      assert.equal(run.outputs['passed'], 'false');
      assert.deepEqual(run.outputs['failed-checks']?.split(','), [
        'slow-too-slow',
        'wrong-body',
        'fails-forever',
      ]);
      const errors = run.annotations.filter((a) => a.level === 'error');
      assert.equal(errors.length, 1);
      assert.match(errors[0]?.message ?? '', /^3 of 7 smoke check\(s\) failed: slow-too-slow \(latency/);
      assert.match(run.summary, /fails-forever/);
      assert.match(run.summary, /4 of 7 passed/);
      assert.match(run.log, /flapping: attempt 1 failed \(status 500, expected 2xx\); retrying in/);
      assert.match(run.log, /late-start: attempt 1 failed \(connection refused\)/);
    } finally {
      late.start();
      await (await late.started).close();
    }
  });

  test('a bad checks document fails before any request, naming line and field', async () => {
    const before = server.hits.get('/healthy') ?? 0;
    const run = await runBundle('smoke-test', {
      inputs: { checks: `- url: ${server.url}/healthy\n- url: ${server.url}/healthy\n  expect-staus: 200\n` },
    });
    assert.equal(run.exitCode, 1);
    assert.match(
      run.annotations[0]?.message ?? '',
      /^Input 'checks': line 3: check 2 has an unknown field "expect-staus"/,
    );
    assert.equal(server.hits.get('/healthy') ?? 0, before);
  });

  test('bad inputs fail with the input named and exit 1', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /^Input 'url': one of `url`, `checks` or `kubernetes-service` is required/],
      [
        { url: 'staging.example.com/health' },
        /^Input 'url': "staging.example.com\/health" is not an absolute URL/,
      ],
      [
        { url: `${server.url}/healthy`, timeout: '30' },
        /^Input 'timeout': "30" is not a duration \(add a unit/,
      ],
      [
        { url: `${server.url}/healthy`, concurrency: '0' },
        /^Input 'concurrency': 0 is below the minimum of 1/,
      ],
      [{ url: `${server.url}/healthy`, 'expected-status': 'ok' }, /^Input 'expected-status'/],
    ];
    for (const [inputs, pattern] of cases) {
      const run = await runBundle('smoke-test', { inputs });
      assert.equal(run.exitCode, 1, JSON.stringify(inputs));
      assert.match(run.annotations[0]?.message ?? '', pattern);
    }
  });
});
