/**
 * Secrets never reach notify's outputs, summary or log.
 *
 * URL-shaped secrets (issue 14): a Slack webhook URL is secret in its path. When the webhook answers 404
 * with a body quoting that path, neither the log (as the runner masks it) nor the job summary nor an
 * output may show it. Against the dist/ before the fix (GANTRY_TEST_DIST) only the whole URL was masked,
 * and the quoted path reached the warning and the summary.
 *
 * Outputs: a secret a remote answer echoes back into an output value is redacted by the `@actions/core`
 * wrapper (shared/src/core.ts), the one choke point for outputs, not by notify itself.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { runBundle } from '../../../testkit/bundle-runner.ts';

const SECRET = 'WebhookSecretPart0123';
const HOOK_PATH = `/services/T0AAAAAAA/B0BBBBBBB/${SECRET}`;
let server: Server;
let url = '';
let echo: Server;
let echoUrl = '';

beforeAll(async () => {
  // A webhook endpoint that no longer exists: 404 with a body echoing the path, as some proxies do.
  server = createServer((request, response) => {
    request.resume();
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end(`no_service: ${request.url ?? ''} was not found`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A PagerDuty Events API v2 endpoint that answers 202 with a dedup_key echoing the routing key it was
  // sent (a misbehaving proxy): the answer becomes notify's `pagerduty-dedup-key` output.
  echo = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const event = JSON.parse(body) as { routing_key?: string };
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          status: 'success',
          message: 'Event processed',
          dedup_key: `echo/${event.routing_key ?? ''}/end`,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/v2/enqueue`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

test('a webhook path quoted by an error body is masked in the log, the summary and the outputs', async () => {
  const run = await runBundle('notify', {
    inputs: {
      status: 'success',
      environment: 'staging',
      'slack-webhook': `${url}${HOOK_PATH}`,
      'commit-status': 'false',
      deployment: 'false',
      'github-token': '',
    },
    env: { GANTRY_RETRY_DELAY_SCALE: '0.001' },
    ...(process.env['GANTRY_TEST_DIST']
      ? { bundlePath: path.join(process.env['GANTRY_TEST_DIST'], 'notify', 'index.js') }
      : {}),
  });
  expect(run.outputs['failed']).toBe('slack-webhook');
  // The failure was reported (so the body was printed somewhere) …
  expect(run.log).toMatch(/answered HTTP 404/);
  // … with the secret part masked everywhere a reader could see it.
  expect(run.log).not.toContain(SECRET);
  expect(run.summary).not.toContain(SECRET);
  expect(JSON.stringify(run.outputs)).not.toContain(SECRET);
});

test('a secret input echoed back by the remote into an output value is *** in GITHUB_OUTPUT', async () => {
  const routingKey = 'R0UT1NGKEYechoedBack00000000042';
  const run = await runBundle('notify', {
    inputs: {
      status: 'failure',
      environment: 'production',
      'pagerduty-routing-key': routingKey,
      'pagerduty-api-url': echoUrl,
      'commit-status': 'false',
      deployment: 'false',
      'github-token': '',
    },
    env: { GANTRY_RETRY_DELAY_SCALE: '0.001' },
    ...(process.env['GANTRY_TEST_DIST']
      ? { bundlePath: path.join(process.env['GANTRY_TEST_DIST'], 'notify', 'index.js') }
      : {}),
  });
  expect(run.exitCode, run.log).toBe(0);
  expect(run.outputs['notified']).toBe('pagerduty');
  // The answer did become the output, with the echoed routing key redacted on its way to GITHUB_OUTPUT.
  expect(run.outputs['pagerduty-dedup-key']).toBe('echo/***/end');
  expect(JSON.stringify(run.outputs)).not.toContain(routingKey);
  expect(run.summary).not.toContain(routingKey);
  expect(run.log).not.toContain(routingKey);
});
