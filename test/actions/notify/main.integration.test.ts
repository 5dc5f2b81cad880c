import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Receivers, GITHUB_TOKEN, ROUTING_KEY, SLACK_TOKEN } from '../../../testkit/receivers.ts';
import { notify, SHA, type NotifyRun } from './helpers.ts';

let services: Receivers;
const scale = process.env['GANTRY_RETRY_DELAY_SCALE'];

beforeAll(() => {
  process.env['GANTRY_RETRY_DELAY_SCALE'] = '0.001';
});
afterAll(() => {
  if (scale === undefined) delete process.env['GANTRY_RETRY_DELAY_SCALE'];
  else process.env['GANTRY_RETRY_DELAY_SCALE'] = scale;
});
beforeEach(async () => {
  await services?.stop();
  services = await new Receivers().start();
});
afterAll(async () => services?.stop());

function allChannels(extra: Record<string, string> = {}): Record<string, string> {
  return {
    environment: 'production',
    'environment-url': 'https://app.example.com',
    version: 'v1.4.2',
    ...services.notifyInputs(),
    ...extra,
  };
}

function assertNoSecrets(result: NotifyRun): void {
  const text = [...result.logger.raw, JSON.stringify(result.outputs), String(result.error ?? '')].join('\n');
  for (const secret of [SLACK_TOKEN, ROUTING_KEY, GITHUB_TOKEN, services.webhookUrl, 'WebhookSecretPart0123'])
    assert.ok(!text.includes(secret), `a secret was printed: ${secret.slice(0, 8)}…`);
  for (const secret of [SLACK_TOKEN, ROUTING_KEY, GITHUB_TOKEN])
    assert.ok(result.logger.masks.includes(secret), 'secret not masked');
}

describe('what each status sends to each channel', () => {
  const cases = [
    { status: 'started', commit: 'pending', deployment: 'in_progress', pagerduty: undefined },
    { status: 'success', commit: 'success', deployment: 'success', pagerduty: 'resolve' },
    { status: 'failure', commit: 'failure', deployment: 'failure', pagerduty: 'trigger' },
    { status: 'cancelled', commit: 'error', deployment: 'error', pagerduty: undefined },
    { status: 'rolled-back', commit: 'failure', deployment: 'failure', pagerduty: 'trigger' },
  ] as const;
  for (const { status, commit, deployment, pagerduty } of cases) {
    test(`${status}: Slack post, commit status ${commit}, deployment ${deployment}, PagerDuty ${pagerduty ?? 'nothing'}`, async () => {
      const result = await notify(services, allChannels({ status, details: 'Smoke test=/health 200' }));
      assert.equal(result.error, undefined);
      assertNoSecrets(result);

      const [post, ...morePosts] = services.to('POST /slack/api/chat.postMessage');
      assert.equal(morePosts.length, 0);
      assert.equal(post?.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(post?.body['channel'], '#deploys');
      const blocks = post?.body['blocks'] as { type: string; text?: { text: string } }[];
      assert.equal(blocks[0]?.type, 'header');
      assert.match(String(post?.body['text']), /acme\/app v1\.4\.2/);

      const [commitStatus, ...moreStatuses] = services.to(`POST /github/repos/acme/app/statuses/${SHA}`);
      assert.equal(moreStatuses.length, 0);
      assert.deepEqual(commitStatus?.body, {
        state: commit,
        context: 'deploy/production',
        target_url: 'https://github.com/acme/app/actions/runs/1001',
        description: commitStatus?.body['description'],
      });
      assert.ok(String(commitStatus?.body['description']).length <= 140);

      const [create] = services.to('POST /github/repos/acme/app/deployments');
      assert.equal(create?.body['ref'], SHA);
      assert.equal(create?.body['environment'], 'production');
      assert.equal(create?.body['production_environment'], true);
      assert.equal(create?.body['auto_merge'], false);
      assert.deepEqual(create?.body['required_contexts'], []);
      const id = services.deployments[0]?.id;
      const [deploymentStatus] = services.to(`POST /github/repos/acme/app/deployments/${id}/statuses`);
      assert.equal(deploymentStatus?.body['state'], deployment);
      assert.equal(deploymentStatus?.body['environment_url'], 'https://app.example.com');
      assert.equal(deploymentStatus?.body['log_url'], 'https://github.com/acme/app/actions/runs/1001');
      assert.equal(result.outputs['deployment-id'], String(id));

      const events = services.to('POST /pagerduty/v2/enqueue');
      if (pagerduty === undefined) {
        assert.equal(events.length, 0);
        assert.equal(result.outputs['pagerduty-dedup-key'], '');
      } else {
        assert.equal(events.length, 1);
        assert.equal(events[0]?.body['event_action'], pagerduty);
        assert.equal(events[0]?.body['dedup_key'], 'gantry/acme/app/production');
        assert.equal(events[0]?.body['routing_key'], ROUTING_KEY);
        assert.equal(result.outputs['pagerduty-dedup-key'], 'gantry/acme/app/production');
      }
      assert.equal(result.outputs['status'], status);
      assert.equal(result.outputs['slack-channel'], 'C0DEPLOYS');
      assert.match(result.outputs['slack-ts'] ?? '', /^\d+\.\d+$/);
      assert.equal(result.outputs['failed'], '');
      assert.equal(
        result.outputs['notified'],
        ['slack', ...(pagerduty ? ['pagerduty'] : []), 'commit-status', 'deployment'].join(','),
      );
    });
  }
});

test('a failure triggers PagerDuty with the documented trigger fields', async () => {
  const result = await notify(
    services,
    allChannels({
      status: 'failure',
      'pagerduty-severity': 'error',
      details: 'Failed check=/health returned 503',
    }),
  );
  assert.equal(result.error, undefined);
  const [event] = services.to('POST /pagerduty/v2/enqueue');
  const payload = event?.body['payload'] as Record<string, unknown>;
  assert.equal(payload['summary'], 'acme/app v1.4.2: deploy failed in production');
  assert.equal(payload['source'], 'app.example.com');
  assert.equal(payload['severity'], 'error');
  assert.equal(payload['group'], 'production');
  assert.equal(payload['class'], 'deploy');
  assert.ok(!Number.isNaN(Date.parse(String(payload['timestamp']))));
  assert.deepEqual(
    (payload['custom_details'] as Record<string, string>)['Failed check'],
    '/health returned 503',
  );
  assert.deepEqual(event?.body['links'], [
    { href: 'https://github.com/acme/app/actions/runs/1001', text: 'Workflow run' },
    { href: 'https://app.example.com', text: 'production' },
    { href: `https://github.com/acme/app/commit/${SHA}`, text: 'Commit 0123456' },
  ]);
});

test('start → update in place → page: one Slack message, one deployment, a thread reply and an incident', async () => {
  const start = await notify(services, allChannels({ status: 'started' }));
  assert.equal(start.error, undefined);
  const ts = start.outputs['slack-ts'] ?? '';
  const channel = start.outputs['slack-channel'] ?? '';
  const deploymentId = start.outputs['deployment-id'] ?? '';

  const end = await notify(
    services,
    allChannels({
      status: 'rolled-back',
      'slack-ts': ts,
      'slack-channel': channel,
      'deployment-id': deploymentId,
      message: 'Smoke test failed; traffic is back on v1.4.1.',
      details: 'Failed check=/health returned 503',
    }),
  );
  assert.equal(end.error, undefined);
  assertNoSecrets(end);
  const [update, ...moreUpdates] = services.to('POST /slack/api/chat.update');
  assert.equal(moreUpdates.length, 0);
  assert.equal(update?.body['channel'], 'C0DEPLOYS');
  assert.equal(update?.body['ts'], ts);
  assert.match(String(update?.body['text']), /^:rewind: Rolled back: acme\/app v1\.4\.2 in production$/);
  const posts = services.to('POST /slack/api/chat.postMessage');
  assert.equal(posts.length, 2, 'the started message and the thread reply');
  assert.equal(posts[1]?.body['thread_ts'], ts);
  assert.match(
    JSON.stringify(posts[1]?.body['blocks']),
    /Rollback details.*Failed check.*returned 503.*traffic is back/s,
  );
  assert.equal(end.outputs['slack-ts'], ts);

  assert.equal(services.to('POST /github/repos/acme/app/deployments').length, 1, 'no second deployment');
  assert.deepEqual(
    services.deployments[0]?.statuses.map((s) => s.state),
    ['in_progress', 'failure'],
  );
  assert.equal(end.outputs['deployment-id'], deploymentId);
  const [trigger] = services.to('POST /pagerduty/v2/enqueue');
  assert.equal(trigger?.body['event_action'], 'trigger');
});

test('a later success resolves the incident and marks superseded production deployments inactive', async () => {
  const older = services.seedDeployment('production', 'success', true);
  const failedEarlier = services.seedDeployment('production', 'failure', true);
  const result = await notify(services, allChannels({ status: 'success' }));
  assert.equal(result.error, undefined);
  const [resolve] = services.to('POST /pagerduty/v2/enqueue');
  assert.deepEqual(resolve?.body, {
    routing_key: ROUTING_KEY,
    event_action: 'resolve',
    dedup_key: 'gantry/acme/app/production',
  });
  const [list] = services.to('GET /github/repos/acme/app/deployments');
  assert.equal(list?.query.get('environment'), 'production');
  const inactive = services.to(`POST /github/repos/acme/app/deployments/${older}/statuses`);
  assert.equal(inactive.length, 1);
  assert.equal(inactive[0]?.body['state'], 'inactive');
  assert.equal(services.to(`POST /github/repos/acme/app/deployments/${failedEarlier}/statuses`).length, 0);
});

test('outside production: no page, deployment not marked production, no superseding (GitHub does it)', async () => {
  const result = await notify(services, allChannels({ status: 'failure', environment: 'staging' }));
  assert.equal(result.error, undefined);
  assert.equal(services.to('POST /pagerduty/v2/enqueue').length, 0);
  assert.match(result.logger.raw.join('\n'), /staging is not a production environment/);
  const [create] = services.to('POST /github/repos/acme/app/deployments');
  assert.equal(create?.body['production_environment'], false);
  assert.equal(services.to('GET /github/repos/acme/app/deployments').length, 0);
});

test('a webhook gets the same Block Kit message as JSON', async () => {
  const result = await notify(services, {
    status: 'success',
    environment: 'staging',
    'slack-webhook': services.webhookUrl,
    'github-token': '',
  });
  assert.equal(result.error, undefined);
  assertNoSecrets({
    ...result,
    logger: { ...result.logger, masks: [SLACK_TOKEN, ROUTING_KEY, GITHUB_TOKEN] },
  });
  const [hook] = services.to('POST /hooks/*');
  assert.match(String(hook?.headers['content-type']), /^application\/json/);
  assert.equal(hook?.body['text'], ':white_check_mark: Deployed acme/app to staging');
  assert.ok(Array.isArray(hook?.body['blocks']));
  assert.equal(result.outputs['notified'], 'slack-webhook');
  assert.ok(result.logger.masks.includes(services.webhookUrl));
});

describe('retries', () => {
  test('Slack 429 with Retry-After, then success', async () => {
    services.script('POST /slack/api/chat.postMessage', [
      { status: 429, headers: { 'retry-after': '2' }, body: { ok: false } },
    ]);
    const result = await notify(services, allChannels({ status: 'started', 'github-token': '' }));
    assert.equal(result.error, undefined);
    assert.equal(services.to('POST /slack/api/chat.postMessage').length, 2);
    // Retry-After 2 s, scaled by GANTRY_RETRY_DELAY_SCALE=0.001 → 2ms
    assert.match(
      result.logger.raw.join('\n'),
      /Slack chat\.postMessage failed \(attempt 1 of 4\).*retrying in 2ms/,
    );
    assert.equal(result.outputs['notified'], 'slack');
  });

  test('PagerDuty 429 then 500, then accepted', async () => {
    services.script('POST /pagerduty/v2/enqueue', [
      {
        status: 429,
        body: { status: 'throttle event', message: 'Requests for this service are arriving too quickly' },
      },
      { status: 500, body: 'Internal Server Error' },
    ]);
    const result = await notify(
      services,
      allChannels({ status: 'failure', 'slack-token': '', 'github-token': '' }),
    );
    assert.equal(result.error, undefined);
    assert.equal(services.to('POST /pagerduty/v2/enqueue').length, 3);
    assert.equal(result.outputs['notified'], 'pagerduty');
  });

  test('GitHub 502 and a secondary rate limit (403 + Retry-After), then created', async () => {
    services.script(`POST /github/repos/acme/app/statuses/${SHA}`, [
      { status: 502, body: { message: 'Bad Gateway' } },
      {
        status: 403,
        headers: { 'retry-after': '1' },
        body: { message: 'You have exceeded a secondary rate limit' },
      },
    ]);
    const result = await notify(
      services,
      allChannels({ status: 'success', 'slack-token': '', 'pagerduty-routing-key': '' }),
    );
    assert.equal(result.error, undefined);
    assert.equal(services.to(`POST /github/repos/acme/app/statuses/${SHA}`).length, 3);
    assert.equal(result.outputs['notified'], 'commit-status,deployment');
  });

  const dropped: [string, () => string, Record<string, string>, string][] = [
    [
      'Slack',
      () => 'POST /slack/api/chat.postMessage',
      { 'github-token': '', 'pagerduty-routing-key': '' },
      'slack',
    ],
    ['PagerDuty', () => 'POST /pagerduty/v2/enqueue', { 'github-token': '', 'slack-token': '' }, 'pagerduty'],
    [
      'GitHub',
      () => `POST /github/repos/acme/app/statuses/${SHA}`,
      { 'slack-token': '', 'pagerduty-routing-key': '', deployment: 'false' },
      'commit-status',
    ],
  ];
  for (const [name, route, inputs, channel] of dropped)
    test(`${name}: a dropped connection is retried`, async () => {
      services.script(route(), [{ status: 0 }]);
      const result = await notify(services, allChannels({ status: 'failure', ...inputs }));
      assert.equal(result.error, undefined);
      assert.equal(services.to(route()).length, 2);
      assert.equal(result.outputs['notified'], channel);
    });

  test('a 403 that is not a rate limit is not retried', async () => {
    services.script(`POST /github/repos/acme/app/statuses/${SHA}`, [
      { status: 403, body: { message: 'Resource not accessible by integration' } },
    ]);
    const result = await notify(
      services,
      allChannels({ status: 'success', 'slack-token': '', 'pagerduty-routing-key': '' }),
    );
    assert.equal(services.to(`POST /github/repos/acme/app/statuses/${SHA}`).length, 1);
    assert.equal(result.outputs['failed'], 'commit-status');
    assert.match(
      result.logger.warnings.join('\n'),
      /Commit status was not notified: Resource not accessible by integration/,
    );
  });
});

describe('a channel that keeps failing', () => {
  test('Slack 500 forever → warning, other channels notified, step green', async () => {
    services.script('POST /slack/api/chat.postMessage', [{ status: 500, body: 'oops' }], { forever: true });
    const result = await notify(services, allChannels({ status: 'failure' }));
    assert.equal(result.error, undefined);
    assertNoSecrets(result);
    assert.equal(services.to('POST /slack/api/chat.postMessage').length, 4, 'four attempts');
    assert.equal(result.outputs['failed'], 'slack');
    assert.equal(result.outputs['notified'], 'pagerduty,commit-status,deployment');
    assert.match(result.logger.warnings.join('\n'), /Slack was not notified: .*500/);
  });

  test('with fail-on-error the step fails, after the other channels were notified and outputs set', async () => {
    services.script('POST /pagerduty/v2/enqueue', [{ status: 500, body: 'oops' }], { forever: true });
    const result = await notify(services, allChannels({ status: 'failure', 'fail-on-error': 'true' }));
    assert.ok(result.error instanceof Error);
    assert.match(result.error.message, /Not notified after retries: PagerDuty/);
    assertNoSecrets(result);
    assert.equal(services.to('POST /pagerduty/v2/enqueue').length, 4);
    assert.equal(result.outputs['failed'], 'pagerduty');
    assert.equal(result.outputs['notified'], 'slack,commit-status,deployment');
  });

  test('a refused event (400) is not retried', async () => {
    const result = await notify(
      services,
      allChannels({ status: 'failure', 'pagerduty-routing-key': 'wrong-key-wrong-key' }),
    );
    assert.equal(services.to('POST /pagerduty/v2/enqueue').length, 1);
    assert.match(
      result.logger.warnings.join('\n'),
      /PagerDuty was not notified: PagerDuty Events API answered HTTP 400/,
    );
    assert.ok(!result.logger.raw.join('\n').includes('wrong-key-wrong-key'));
  });

  test('an update of a message that is gone posts a new one', async () => {
    const result = await notify(
      services,
      allChannels({
        status: 'success',
        'slack-channel': 'C0DEPLOYS',
        'slack-ts': '1600000000.000001',
        'github-token': '',
      }),
    );
    assert.equal(result.error, undefined);
    assert.equal(services.to('POST /slack/api/chat.update').length, 1);
    assert.equal(services.to('POST /slack/api/chat.postMessage').length, 1);
    assert.match(result.logger.warnings.join('\n'), /message_not_found.*posting a new message/);
    assert.notEqual(result.outputs['slack-ts'], '1600000000.000001');
  });
});

test('a thread reply that keeps failing is a warning; the updated message counts as notified', async () => {
  const start = await notify(services, allChannels({ status: 'started', 'github-token': '' }));
  services.script('POST /slack/api/chat.postMessage', [{ status: 500, body: 'oops' }], { forever: true });
  const result = await notify(
    services,
    allChannels({
      status: 'failure',
      'slack-channel': start.outputs['slack-channel'] ?? '',
      'slack-ts': start.outputs['slack-ts'] ?? '',
      'github-token': '',
      'pagerduty-routing-key': '',
    }),
  );
  assert.equal(result.error, undefined);
  assert.equal(services.to('POST /slack/api/chat.update').length, 1);
  assert.equal(
    services.to('POST /slack/api/chat.postMessage').length,
    1 + 4,
    'started message + 4 reply attempts',
  );
  assert.match(result.logger.warnings.join('\n'), /was updated, but the thread reply failed/);
  assert.equal(result.outputs['notified'], 'slack');
  assert.equal(result.outputs['slack-ts'], start.outputs['slack-ts']);
});

test('a deployment whose status cannot be added still reports its deployment-id', async () => {
  services.script('POST /github/repos/acme/app/deployments/100/statuses', [{ status: 500, body: {} }], {
    forever: true,
  });
  const result = await notify(
    services,
    allChannels({ status: 'started', 'slack-token': '', 'commit-status': 'false' }), // the first ID is the deployment's
  );
  assert.equal(result.error, undefined);
  assert.equal(services.deployments[0]?.id, 100);
  assert.equal(result.outputs['deployment-id'], '100');
  assert.equal(result.outputs['failed'], 'deployment');
});

test('dry-run prints every payload, secrets masked, and sends nothing', async () => {
  const result = await notify(
    services,
    allChannels({ status: 'failure', 'dry-run': 'true', 'slack-webhook': services.webhookUrl }),
  );
  assert.equal(result.error, undefined);
  assert.equal(services.requests.length, 0);
  assertNoSecrets(result);
  const log = result.logger.raw.join('\n');
  assert.match(log, /POST http:\/\/127\.0\.0\.1:\d+\/slack\/api\/chat\.postMessage/);
  assert.match(log, /"routing_key": "\*\*\*"/);
  assert.match(log, /^POST \*\*\*$/m, 'the webhook URL is printed masked');
  assert.match(log, /POST http:\/\/127\.0\.0\.1:\d+\/github\/repos\/acme\/app\/deployments\n/);
  assert.equal(result.outputs['pagerduty-dedup-key'], 'gantry/acme/app/production');
});

test('bad input fails before anything is sent', async () => {
  const result = await notify(services, allChannels({ status: 'deployed' }));
  assert.ok(result.error instanceof Error);
  assert.match(
    result.error.message,
    /Input 'status': "deployed" is not one of started, success, failure, cancelled, rolled-back/,
  );
  assert.equal(services.requests.length, 0);
});

describe('title: a headline for posts that are not deploys', () => {
  const title = 'Health: production <!channel> & <@U123> failing';
  test('replaces the deploy headline in the Web API post and the PagerDuty summary, inert', async () => {
    const result = await notify(services, allChannels({ status: 'failure', title, 'github-token': '' }));
    assert.equal(result.error, undefined);
    const [post] = services.to('POST /slack/api/chat.postMessage');
    const blocks = post?.body['blocks'] as { type: string; text?: { type: string; text: string } }[];
    // plain_text header: Slack renders it literally, no mention is formed
    assert.deepEqual(blocks[0], {
      type: 'header',
      text: { type: 'plain_text', text: `:x: ${title}`, emoji: true },
    });
    // the notification text is mrkdwn: escaped, so <!channel> cannot ping anyone
    assert.equal(post?.body['text'], ':x: Health: production &lt;!channel&gt; &amp; &lt;@U123&gt; failing');
    assert.ok(!JSON.stringify(post?.body).includes('Deploy failed'));
    const [event] = services.pagerDutyEvents;
    assert.equal((event?.['payload'] as { summary: string }).summary, title);
    assert.ok(result.logger.raw.some((line) => line.includes(title)));
  });

  test('replaces the deploy headline in a webhook post', async () => {
    const result = await notify(services, {
      status: 'success',
      title: 'Weekly security summary: acme/app',
      'slack-webhook': services.webhookUrl,
      'github-token': '',
    });
    assert.equal(result.error, undefined);
    const [hook] = services.to('POST /hooks/*');
    assert.equal(hook?.body['text'], ':white_check_mark: Weekly security summary: acme/app');
    const blocks = hook?.body['blocks'] as { type: string; text?: { text: string } }[];
    assert.equal(blocks[0]?.text?.text, ':white_check_mark: Weekly security summary: acme/app');
  });

  test('a title over 150 characters fails before any channel is contacted', async () => {
    const result = await notify(services, allChannels({ status: 'success', title: 'z'.repeat(151) }));
    assert.match(String(result.error), /Input 'title': is 151 characters/);
    assert.equal(services.requests.length, 0);
  });
});
