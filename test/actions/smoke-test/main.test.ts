/**
 * smoke-test's flow (actions/smoke-test/src/main.ts and inputs.ts) run in process with the runner's
 * environment (testkit runFlow), against real HTTP servers on loopback: outputs, summary, the failure
 * message, and inputs refused before any request. test/actions/smoke-test/smoke-test.bundle.test.ts runs the built bundle.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFlow } from '../../../testkit/bundle-runner.ts';
import { startScenarioServer, type TestServer } from '../../../testkit/http-scenarios.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startScenarioServer({ flapFailures: 1 });
});
afterAll(() => server.close());

const fast = { timeout: '5s', 'retry-delay': '20ms', 'request-timeout': '2s' };

describe('smoke-test flow', () => {
  test('url with expected-status, expected-body, headers and max-latency: passes, outputs and summary', async () => {
    const run = await runFlow('smoke-test', {
      inputs: {
        ...fast,
        url: `${server.url}/echo`,
        'expected-status': '200,204',
        'expected-body': '"auth":"Bearer t0ken"',
        headers: 'Authorization: Bearer t0ken',
        'max-latency': '5s',
      },
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs['passed']).toBe('true');
    expect(run.outputs['failed-checks']).toBe('');
    const [result] = JSON.parse(run.outputs['results'] ?? '[]') as { passed: boolean; status: number }[];
    expect(result).toMatchObject({ passed: true, status: 200 });
    expect(run.summary).toContain('<h3>Smoke test</h3>');
    expect(run.summary).toContain('1 of 1 passed');
    expect(run.log).toMatch(/All 1 smoke check\(s\) passed\./);
  });

  test('checks document: a flapping check passes after a retry, a failing one fails the step by name', async () => {
    const checks = [
      `- name: flap`,
      `  url: ${server.url}/flap`,
      `  expect-json: { "$.status": ok }`,
      `- name: broken`,
      `  url: ${server.url}/fail`,
      `  expect-status: [200]`,
      `- name: body`,
      `  url: ${server.url}/wrong-body`,
      `  expect-body-regex: "^ok$"`,
      `  method: get`,
      `  headers: { Accept: text/plain }`,
      `  max-latency: 2s`,
    ].join('\n');
    const run = await runFlow('smoke-test', { inputs: { ...fast, timeout: '2s', checks } });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['passed']).toBe('false');
    expect(run.outputs['failed-checks']).toBe('broken,body');
    const results = JSON.parse(run.outputs['results'] ?? '[]') as { name: string; attempts: number }[];
    expect(results.find((r) => r.name === 'flap')?.attempts).toBeGreaterThanOrEqual(2);
    const error = run.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toMatch(/^2 of 3 smoke check\(s\) failed: broken \(.+\); body \(.+\)/);
    expect(run.summary).toContain('❌ failed');
    expect(run.summary).toContain('1 of 3 passed');
  });

  test.each([
    [{}, 'url', /one of `url`, `checks` or `kubernetes-service` is required/],
    [{ url: 'http://x', checks: '- url: http://y' }, 'checks', /either `url` or `checks`, not both/],
    [{ url: 'ftp://example.com' }, 'url', /is not an http\(s\) URL/],
    [{ url: 'http://127.0.0.1:9', 'expected-status': 'ok' }, 'expected-status', /"ok" is not a status list/],
    [{ url: 'http://127.0.0.1:9', headers: '- a\n- b' }, 'headers', /must be a YAML map/],
    [
      { checks: '- url: http://127.0.0.1:9\n  colour: red' },
      'checks',
      /line 2: check 1 has an unknown field "colour"/,
    ],
    [
      { checks: '- url: http://127.0.0.1:9\n  max-latency: soon' },
      'checks',
      /"max-latency": "soon" is not a duration/,
    ],
  ])('bad inputs %j are refused naming %s, before any request', async (inputs, name, message) => {
    const before = [...server.hits.values()].reduce((a, b) => a + b, 0);
    const run = await runFlow('smoke-test', { inputs: { ...fast, ...inputs } });
    expect(run.exitCode).toBe(1);
    const error = run.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toContain(`'${name}'`);
    expect(error).toMatch(message);
    expect(run.outputs).toEqual({});
    expect([...server.hits.values()].reduce((a, b) => a + b, 0)).toBe(before);
  });
});
