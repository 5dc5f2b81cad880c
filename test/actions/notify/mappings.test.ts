import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { describeStatus, githubRetryDecision } from '../../../actions/notify/src/github.ts';
import { dedupKeyFor, pagerDutyEvent, type PagerDutyInput } from '../../../actions/notify/src/pagerduty.ts';
import { readRunContext } from '../../../actions/notify/src/run-context.ts';
import { slackRetryDecision } from '../../../actions/notify/src/slack.ts';
import { httpRetryDecision, HttpStatusError } from '../../../actions/notify/src/delivery.ts';

const run = readRunContext({ GITHUB_REPOSITORY: 'acme/app', GITHUB_SHA: 'a'.repeat(40), GITHUB_RUN_ID: '9' });

describe('PagerDuty events', () => {
  const base: PagerDutyInput = {
    status: 'failure',
    run,
    environment: 'production',
    environmentUrl: '',
    version: '',
    image: '',
    message: '',
    details: new Map(),
    routingKey: 'key',
    severity: 'critical',
    dedupKey: '',
    production: true,
    now: new Date('2026-01-02T03:04:05Z'),
  };
  const cases: [Partial<PagerDutyInput>, string][] = [
    [{ status: 'failure' }, 'trigger'],
    [{ status: 'rolled-back' }, 'trigger'],
    [{ status: 'success' }, 'resolve'],
    [{ status: 'started' }, 'skip: started is not paged'],
    [{ status: 'cancelled' }, 'skip: cancelled is not paged'],
    [{ production: false, environment: 'staging' }, 'skip: staging is not a production environment'],
    [{ production: false, environment: '' }, 'skip: no environment given'],
  ];
  for (const [overrides, expected] of cases)
    test(`${JSON.stringify(overrides)} → ${expected}`, () => {
      const event = pagerDutyEvent({ ...base, ...overrides });
      if ('skip' in event) assert.ok(`skip: ${event.skip}`.startsWith(expected), event.skip);
      else assert.equal(event.event_action, expected);
    });
  test('dedup_key is stable per repository and environment, or the given one', () => {
    assert.equal(dedupKeyFor('acme/app', 'production'), 'gantry/acme/app/production');
    const event = pagerDutyEvent({ ...base, dedupKey: 'custom' });
    assert.ok(!('skip' in event) && event.dedup_key === 'custom');
    assert.equal(dedupKeyFor('a'.repeat(300), 'p').length, 255);
  });
  test('a trigger carries the documented payload fields', () => {
    const event = pagerDutyEvent({ ...base, version: 'v2', details: new Map([['Check', '503']]) });
    assert.ok(!('skip' in event));
    assert.deepEqual(event.payload, {
      summary: 'acme/app v2: deploy failed in production',
      source: 'acme/app/production',
      severity: 'critical',
      timestamp: '2026-01-02T03:04:05.000Z',
      component: 'app',
      group: 'production',
      class: 'deploy',
      custom_details: {
        status: 'failure',
        repository: 'acme/app',
        environment: 'production',
        version: 'v2',
        commit: 'a'.repeat(40),
        run_url: 'https://github.com/acme/app/actions/runs/9',
        Check: '503',
      },
    });
  });
});

describe('retry decisions', () => {
  const github: [unknown, { retry: boolean; retryAfterMs?: number }][] = [
    [{ status: 500 }, { retry: true }],
    [{ status: 502 }, { retry: true }],
    [{ status: 404 }, { retry: false }],
    [{ status: 422 }, { retry: false }],
    [{ status: 403, response: { headers: {} } }, { retry: false }],
    [
      { status: 403, response: { headers: { 'retry-after': '3' } } },
      { retry: true, retryAfterMs: 3000 },
    ],
    [
      { status: 429, response: { headers: { 'retry-after': '1' } } },
      { retry: true, retryAfterMs: 1000 },
    ],
    [{ status: 0 }, { retry: true }],
  ];
  for (const [error, expected] of github)
    test(`GitHub ${JSON.stringify(error)} → ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(githubRetryDecision(error), expected));
  test('GitHub primary rate limit waits until x-ratelimit-reset', () => {
    const reset = Math.floor(Date.now() / 1000) + 60;
    const decision = githubRetryDecision({
      status: 403,
      response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } },
    });
    assert.equal(decision.retry, true);
    assert.ok((decision.retryAfterMs ?? 0) > 50_000 && (decision.retryAfterMs ?? 0) <= 60_000);
  });

  const slack: [unknown, { retry: boolean; retryAfterMs?: number }][] = [
    [
      { code: 'slack_webapi_rate_limited_error', retryAfter: 7 },
      { retry: true, retryAfterMs: 7000 },
    ],
    [{ code: 'slack_webapi_http_error', statusCode: 503 }, { retry: true }],
    [{ code: 'slack_webapi_http_error', statusCode: 400 }, { retry: false }],
    [{ code: 'slack_webapi_request_error' }, { retry: true }],
    [{ code: 'slack_webapi_platform_error', data: { error: 'channel_not_found' } }, { retry: false }],
    [{ code: 'slack_webapi_platform_error', data: { error: 'internal_error' } }, { retry: true }],
  ];
  for (const [error, expected] of slack)
    test(`Slack ${JSON.stringify(error)} → ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(slackRetryDecision(error), expected));

  test('HTTP: 429 with Retry-After, 500 retried; 400 not', () => {
    assert.deepEqual(httpRetryDecision(new HttpStatusError('x', 429, '', 2000)), {
      retry: true,
      retryAfterMs: 2000,
    });
    assert.deepEqual(httpRetryDecision(new HttpStatusError('x', 500, '')), { retry: true });
    assert.deepEqual(httpRetryDecision(new HttpStatusError('x', 400, '')), { retry: false });
    assert.deepEqual(httpRetryDecision(new TypeError('fetch failed')), { retry: true });
  });
});

test('status descriptions fit GitHub’s 140 characters', () => {
  assert.equal(describeStatus('success', 'production', 'v1'), 'Deployed v1 to production');
  assert.equal(describeStatus('rolled-back', 'production', ''), 'Rolled back in production');
  const long = describeStatus('failure', 'p'.repeat(200), 'v1');
  assert.equal(long.length, 140);
  assert.ok(long.endsWith('…'));
});

test('run context: run URL with attempt, PR head ref, GHES server', () => {
  const context = readRunContext(
    {
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_SERVER_URL: 'https://ghe.example.com/',
      GITHUB_RUN_ID: '5',
      GITHUB_RUN_ATTEMPT: '3',
      GITHUB_HEAD_REF: 'feature/x',
      GITHUB_REF: 'refs/pull/4/merge',
      GITHUB_SHA: 'b'.repeat(40),
    },
    'c'.repeat(40),
  );
  assert.equal(context.runUrl, 'https://ghe.example.com/acme/app/actions/runs/5/attempts/3');
  assert.equal(context.refName, 'feature/x');
  assert.equal(context.sha, 'c'.repeat(40));
  assert.equal(context.commitUrl, `https://ghe.example.com/acme/app/commit/${'c'.repeat(40)}`);
});
