/**
 * smoke-test's `pushgateway-url` against the REAL Prometheus Pushgateway (Debian's prometheus-pushgateway,
 * testkit/pushgateway.ts): the flow runs in process (testkit runFlow) against loopback targets, and what it
 * pushed is read back from the Pushgateway's `/metrics` (what Prometheus scrapes) and `/api/v1/metrics`.
 * Covers label escaping (quotes, backslashes, newlines), grouping values with `/` and empty values, PUT
 * replacing the group's previous push, basic auth, and a push that fails without failing the step.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFlow } from '../../../testkit/bundle-runner.ts';
import { startScenarioServer, type TestServer } from '../../../testkit/http-scenarios.ts';
import { freePort } from '../../../testkit/process.ts';
import {
  PUSHGATEWAY_PASSWORD,
  PUSHGATEWAY_USER,
  startPushgateway,
  type RunningPushgateway,
} from '../../../testkit/pushgateway.ts';

let server: TestServer;
let gateway: RunningPushgateway;
beforeAll(async () => {
  server = await startScenarioServer();
  gateway = await startPushgateway();
});
afterAll(async () => {
  await gateway?.stop();
  await server?.close();
});

const fast = { timeout: '3s', 'retry-delay': '20ms', 'request-timeout': '1s' };

/** The samples of one family in `/metrics` text, as `labels → value` lines (labels as printed). */
function samples(text: string, family: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${family}{`) || line.startsWith(`${family} `));
}

describe('smoke-test → Pushgateway (real)', () => {
  test('results pushed with escaped labels, grouping from the input, read back from /metrics and /api/v1/metrics', async () => {
    const checks = [
      '- name: "say \\"hi\\" \\\\ there\\nsecond line"',
      `  url: ${server.url}/healthy`,
      '- name: broken',
      `  url: ${server.url}/fail`,
      '  expect-status: 200',
      `- tcp: 127.0.0.1:${await freePort()}`,
      '  name: database',
    ].join('\n');
    const run = await runFlow('smoke-test', {
      inputs: {
        ...fast,
        checks,
        'pushgateway-url': gateway.url,
        'pushgateway-grouping': 'environment=prod/eu\nservice=',
      },
    });
    expect(run.exitCode, run.log).toBe(1); // two checks failed: the step fails, the push still happened
    expect(run.outputs['pushed'], run.log).toBe('true');

    const text = await gateway.metricsText();
    // The Pushgateway prints labels sorted by name; the grouping labels are added to every sample.
    const group = 'environment="prod/eu",instance="",job="gantry_health"';
    expect(samples(text, 'gantry_health_up').sort()).toEqual(
      [
        `gantry_health_up{check="broken",${group},kind="http",service=""} 0`,
        `gantry_health_up{check="database",${group},kind="tcp",service=""} 0`,
        `gantry_health_up{check="say \\"hi\\" \\\\ there\\nsecond line",${group},kind="http",service=""} 1`,
      ].sort(),
    );
    expect(samples(text, 'gantry_health_checks_failed')).toEqual([
      `gantry_health_checks_failed{${group},service=""} 2`,
    ]);
    const [timestamp] = samples(text, 'gantry_health_last_run_timestamp_seconds');
    const seconds = Number(timestamp?.split(' ').at(-1));
    expect(Math.abs(seconds - Date.now() / 1_000)).toBeLessThan(120);
    expect(samples(text, 'gantry_health_check_duration_seconds').join('\n')).toMatch(
      /gantry_health_check_duration_seconds\{check="broken",.*kind="http".*\} \d/,
    );

    const groups = await gateway.groups();
    const pushed = groups.find((item) => item.labels['environment'] === 'prod/eu');
    expect(pushed?.labels).toEqual({ environment: 'prod/eu', job: 'gantry_health', service: '' });
    const up = pushed?.['gantry_health_up'] as {
      metrics: { labels: Record<string, string>; value: string }[];
    };
    const byCheck = Object.fromEntries(up.metrics.map((m) => [m.labels['check'], m.value]));
    // The JSON API gives the label value back unescaped: the quotes, backslash and newline survived.
    expect(byCheck).toEqual({ 'say "hi" \\ there\nsecond line': '1', broken: '0', database: '0' });
  });

  test('a second push replaces the first (PUT): a check no longer run disappears from the group', async () => {
    const grouping = 'environment=staging\nservice=api';
    const first = await runFlow('smoke-test', {
      inputs: {
        ...fast,
        checks: `- name: a\n  url: ${server.url}/healthy\n- name: b\n  url: ${server.url}/healthy`,
        'pushgateway-url': gateway.url,
        'pushgateway-job': 'health/checks',
        'pushgateway-grouping': grouping,
      },
    });
    expect(first.exitCode, first.log).toBe(0);
    const staging = (text: string): string[] =>
      samples(text, 'gantry_health_up').filter((line) => line.includes('environment="staging"'));
    expect(staging(await gateway.metricsText())).toHaveLength(2);

    const second = await runFlow('smoke-test', {
      inputs: {
        ...fast,
        checks: `- name: a\n  url: ${server.url}/fail\n  expect-status: 200`,
        'pushgateway-url': gateway.url,
        'pushgateway-job': 'health/checks',
        'pushgateway-grouping': grouping,
      },
    });
    expect(second.exitCode).toBe(1);
    expect(second.outputs['pushed']).toBe('true');
    expect(staging(await gateway.metricsText())).toEqual([
      'gantry_health_up{check="a",environment="staging",instance="",job="health/checks",kind="http",service="api"} 0',
    ]);
  });

  test('a check named by a URL with credentials is labelled without them', async () => {
    const url = new URL(`${server.url}/healthy?token=s3cr3t-query-token`);
    url.username = 'user';
    url.password = 'hunter2-secret';
    const run = await runFlow('smoke-test', {
      inputs: {
        ...fast,
        timeout: '1s',
        url: url.toString(),
        'pushgateway-url': gateway.url,
        'pushgateway-grouping': 'environment=credentials',
      },
    });
    expect(run.outputs['pushed'], run.log).toBe('true');
    const text = await gateway.metricsText();
    const line = samples(text, 'gantry_health_up').find((l) => l.includes('environment="credentials"'));
    expect(line).toContain(`check="${server.url}/healthy"`);
    expect(text).not.toContain('hunter2-secret');
    expect(text).not.toContain('s3cr3t-query-token');
  });

  test('an unreachable Pushgateway is a warning: the passing checks still pass', async () => {
    const run = await runFlow('smoke-test', {
      inputs: {
        ...fast,
        url: `${server.url}/healthy`,
        'pushgateway-url': `http://127.0.0.1:${await freePort()}`,
        'pushgateway-timeout': '2s',
      },
      env: { GANTRY_RETRY_DELAY_SCALE: '0.1' },
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs['passed']).toBe('true');
    expect(run.outputs['pushed']).toBe('false');
    expect(run.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      expect.stringMatching(/not pushed to the Pushgateway/),
    ]);
  });

  test('a bad pushgateway input fails before any check or push', async () => {
    const run = await runFlow('smoke-test', {
      inputs: {
        ...fast,
        url: `${server.url}/healthy`,
        'pushgateway-url': gateway.url,
        'pushgateway-grouping': 'job=other',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/pushgateway-grouping/);
    expect(run.outputs['passed']).toBeUndefined();
  });
});

describe('smoke-test → Pushgateway behind basic auth (real)', () => {
  let secured: RunningPushgateway;
  beforeAll(async () => {
    secured = await startPushgateway({ basicAuth: true });
  });
  afterAll(() => secured?.stop());

  test('pushgateway-auth (user:password) is sent and masked; without it the push is refused (a warning)', async () => {
    const inputs = {
      ...fast,
      url: `${server.url}/healthy`,
      'pushgateway-url': secured.url,
      'pushgateway-grouping': 'environment=secured',
    };
    const refused = await runFlow('smoke-test', { inputs });
    expect(refused.exitCode).toBe(0);
    expect(refused.outputs['pushed']).toBe('false');
    expect(refused.log).toMatch(/HTTP 401/);

    const auth = `${PUSHGATEWAY_USER}:${PUSHGATEWAY_PASSWORD}`;
    const run = await runFlow('smoke-test', { inputs: { ...inputs, 'pushgateway-auth': auth } });
    expect(run.outputs['pushed'], run.log).toBe('true');
    expect(run.masks).toContain(auth);
    expect(run.log).not.toContain(PUSHGATEWAY_PASSWORD);
    expect(samples(await secured.metricsText(), 'gantry_health_up')).toEqual([
      `gantry_health_up{check="${server.url}/healthy",environment="secured",instance="",job="gantry_health",kind="http"} 1`,
    ]);
  });
});
