/**
 * notify's channels go out concurrently under one `timeout` (issue 14): a Slack that never answers must
 * not delay PagerDuty, and the step ends at its timeout. Against the dist/ before the fix
 * (GANTRY_TEST_DIST), channels ran one after another with 4 × 30 s per channel: PagerDuty was only tried
 * after Slack gave up, and the run did not end within the harness's limit.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import path from 'node:path';
import { runBundle } from '../../../testkit/bundle-runner.ts';
import { startBlackHole } from '../../../testkit/black-hole.ts';
import { FakeServices, ROUTING_KEY, SLACK_TOKEN } from '../../../testkit/receivers.ts';

let hole: Awaited<ReturnType<typeof startBlackHole>>;
let services: FakeServices;
beforeAll(async () => {
  hole = await startBlackHole();
  services = await new FakeServices().start();
});
afterAll(async () => {
  await hole?.stop();
  await services?.stop();
});

test('a Slack that never answers does not delay PagerDuty; the step ends at its timeout', async () => {
  const run = await runBundle('notify', {
    inputs: {
      status: 'failure',
      environment: 'production',
      'slack-token': SLACK_TOKEN,
      'slack-channel': '#deploys',
      'slack-api-url': `${hole.url}/api/`,
      'slack-webhook': `${hole.url}/services/T000/B000/WebhookSecretPart0123`,
      'pagerduty-routing-key': ROUTING_KEY,
      'pagerduty-api-url': services.pagerDutyUrl,
      'commit-status': 'false',
      deployment: 'false',
      'github-token': '',
      timeout: '3s',
    },
    // The harness's own limit: far below the 4 × 30 s one silent channel used to cost.
    timeoutMs: 45_000,
    ...(process.env['GANTRY_TEST_DIST']
      ? { bundlePath: path.join(process.env['GANTRY_TEST_DIST'], 'notify', 'index.js') }
      : {}),
  });
  expect(run.exitCode, run.log).toBe(0);
  expect(run.outputs['notified']).toBe('pagerduty');
  expect(run.outputs['failed']?.split(',').sort()).toEqual(['slack', 'slack-webhook']);
  expect(services.requests.filter((request) => request.path.includes('enqueue')).length).toBe(1);
  expect(hole.connections()).toBeGreaterThan(0);
  expect(run.log).toContain("no answer within the step's timeout of 3s");
});
