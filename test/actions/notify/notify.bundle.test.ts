import { afterAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { runBundle, type BundleRun } from '../../../testkit/bundle-runner.ts';
import { Receivers, GITHUB_TOKEN, ROUTING_KEY, SLACK_TOKEN } from '../../../testkit/receivers.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567'; // the harness's GITHUB_SHA
let services: Receivers;

beforeEach(async () => {
  await services?.stop();
  services = await new Receivers().start();
});
afterAll(async () => services?.stop());

function env(): Record<string, string> {
  return { GITHUB_API_URL: services.githubApiUrl, GANTRY_RETRY_DELAY_SCALE: '0.001' };
}

function targets(extra: Record<string, string> = {}): Record<string, string> {
  return {
    environment: 'production',
    'environment-url': 'https://app.example.com',
    version: 'v1.4.2',
    ...services.notifyInputs(),
    ...extra,
  };
}

/** Secrets appear nowhere: not in the raw stdout (outside ::add-mask::), stderr, outputs, summary or state. */
function assertNoSecrets(result: BundleRun): void {
  const stdout = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  const places = [
    stdout,
    result.stderr,
    result.log,
    result.summary,
    JSON.stringify(result.outputs),
    JSON.stringify(result.state),
  ];
  for (const secret of [SLACK_TOKEN, ROUTING_KEY, GITHUB_TOKEN, 'WebhookSecretPart0123'])
    for (const place of places) assert.ok(!place.includes(secret), `secret ${secret.slice(0, 6)}… printed`);
  for (const secret of [SLACK_TOKEN, ROUTING_KEY, GITHUB_TOKEN]) assert.ok(result.masks.includes(secret));
}

test('the bundle notifies Slack, PagerDuty and GitHub: start, then update in place and page', async () => {
  const start = await runBundle('notify', { inputs: targets({ status: 'started' }), env: env() });
  assert.equal(start.exitCode, 0, start.log);
  assertNoSecrets(start);
  assert.equal(start.outputs['slack-channel'], 'C0DEPLOYS');
  assert.match(start.outputs['slack-ts'] ?? '', /^\d+\.\d+$/);
  assert.match(start.outputs['deployment-id'] ?? '', /^\d+$/);

  const end = await runBundle('notify', {
    inputs: targets({
      status: 'rolled-back',
      'slack-channel': start.outputs['slack-channel'] ?? '',
      'slack-ts': start.outputs['slack-ts'] ?? '',
      'deployment-id': start.outputs['deployment-id'] ?? '',
      details: 'Failed check=/health returned 503',
    }),
    env: env(),
  });
  assert.equal(end.exitCode, 0, end.log);
  assertNoSecrets(end);
  assert.equal(end.outputs['notified'], 'slack,pagerduty,commit-status,deployment');
  assert.equal(end.outputs['failed'], '');
  assert.equal(end.outputs['pagerduty-dedup-key'], 'gantry/acme/app/production');

  // Channels go out concurrently (issue 14): each run's requests are compared as a set, the runs in order.
  const requests = services.requests.map((r) => `${r.method} ${r.path}`);
  const started = [
    'POST /slack/api/chat.postMessage',
    'POST /slack/api/chat.getPermalink',
    `POST /github/repos/acme/app/statuses/${SHA}`,
    'POST /github/repos/acme/app/deployments',
    `POST /github/repos/acme/app/deployments/${start.outputs['deployment-id']}/statuses`,
  ];
  const rolledBack = [
    'POST /slack/api/chat.update',
    'POST /slack/api/chat.postMessage',
    'POST /slack/api/chat.getPermalink',
    'POST /pagerduty/v2/enqueue',
    `POST /github/repos/acme/app/statuses/${SHA}`,
    `POST /github/repos/acme/app/deployments/${start.outputs['deployment-id']}/statuses`,
  ];
  assert.deepEqual(requests.slice(0, started.length).sort(), [...started].sort());
  assert.deepEqual(requests.slice(started.length).sort(), [...rolledBack].sort());
  assert.equal(
    services.to('POST /slack/api/chat.postMessage')[1]?.body['thread_ts'],
    start.outputs['slack-ts'],
  );
  assert.equal(services.to('POST /pagerduty/v2/enqueue')[0]?.body['event_action'], 'trigger');
  assert.deepEqual(
    services.to(`POST /github/repos/acme/app/statuses/${SHA}`).map((r) => r.body['state']),
    ['pending', 'failure'],
  );
  assert.equal(services.to('POST /github/repos/acme/app/deployments/*')[1]?.body['state'], 'failure');

  // The summary names every channel with links.
  assert.match(end.summary, /<h3>Notify: Rolled back: acme\/app v1\.4\.2 in production<\/h3>/);
  assert.match(end.summary, /<a href="https:\/\/acme\.slack\.com\/archives\/C0DEPLOYS\/p\d+">message<\/a>/);
  assert.match(
    end.summary,
    /PagerDuty<\/td><td>✅ notified<\/td><td>triggered \(critical\) dedup_key gantry\/acme\/app\/production/,
  );
  assert.match(
    end.summary,
    new RegExp(`<a href="https://github.com/acme/app/commit/${SHA}">commit 0123456</a>`),
  );
  assert.match(
    end.summary,
    /<a href="https:\/\/github\.com\/acme\/app\/deployments\/production">production deployments<\/a>/,
  );
});

describe('a channel that fails after retries', () => {
  test('is a warning and the step stays green', async () => {
    services.script('POST /slack/api/chat.postMessage', [{ status: 500, body: 'oops' }], { forever: true });
    const result = await runBundle('notify', { inputs: targets({ status: 'failure' }), env: env() });
    assert.equal(result.exitCode, 0, result.log);
    assertNoSecrets(result);
    assert.equal(services.to('POST /slack/api/chat.postMessage').length, 4);
    assert.ok(
      result.annotations.some((a) => a.level === 'warning' && /Slack was not notified/.test(a.message)),
    );
    assert.ok(!result.annotations.some((a) => a.level === 'error'));
    assert.equal(result.outputs['failed'], 'slack');
    assert.match(result.summary, /Slack<\/td><td>⚠️ failed/);
  });

  test('fails the step with fail-on-error', async () => {
    services.script('POST /slack/api/chat.postMessage', [{ status: 500, body: 'oops' }], { forever: true });
    const result = await runBundle('notify', {
      inputs: targets({ status: 'failure', 'fail-on-error': 'true' }),
      env: env(),
    });
    assert.equal(result.exitCode, 1);
    assertNoSecrets(result);
    assert.ok(
      result.annotations.some(
        (a) => a.level === 'error' && /Not notified after retries: Slack/.test(a.message),
      ),
    );
    assert.equal(
      services.to('POST /pagerduty/v2/enqueue').length,
      1,
      'the other channels were still notified',
    );
    assert.equal(result.outputs['failed'], 'slack');
  });
});

test('a webhook through the bundle', async () => {
  const result = await runBundle('notify', {
    inputs: { status: 'success', environment: 'staging', 'slack-webhook': services.webhookUrl },
    env: env(),
  });
  assert.equal(result.exitCode, 0, result.log);
  assert.equal(services.to('POST /hooks/*').length, 1);
  assert.ok(
    !result.stdout
      .split('\n')
      .some((l) => !l.startsWith('::add-mask::') && l.includes('WebhookSecretPart0123')),
  );
  assert.equal(result.outputs['notified'], 'slack-webhook');
});

test('dry-run through the bundle prints payloads with secrets masked and sends nothing', async () => {
  const result = await runBundle('notify', {
    inputs: targets({ status: 'failure', 'dry-run': 'true' }),
    env: env(),
  });
  assert.equal(result.exitCode, 0, result.log);
  assert.equal(services.requests.length, 0);
  assertNoSecrets(result);
  assert.match(result.log, /"event_action": "trigger"/);
  assert.match(result.log, /"routing_key": "\*\*\*"/);
});

test('a bad input fails fast with a clear error and contacts nothing', async () => {
  const result = await runBundle('notify', {
    inputs: targets({ status: '', 'slack-ts': '1700000000.000100' }),
    env: env(),
  });
  assert.equal(result.exitCode, 1);
  assert.equal(services.requests.length, 0);
  assert.match(
    result.annotations.map((a) => a.message).join('\n'),
    /Input 'status': no status given and job-status is empty/,
  );
});
