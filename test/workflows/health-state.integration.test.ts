/**
 * gantry-health.yml remembers each target's last state and notifies only on a change, run for real through
 * the offline runner (tools/pipeline) with the built smoke-test and notify bundles, the Actions-cache
 * substitute (a local folder), a target on loopback that fails or passes, and the local Slack and PagerDuty
 * receivers: two failing runs then a passing one give exactly one incident, one resolve and two Slack posts.
 */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Receivers } from '../../testkit/receivers.ts';
import { loadConfig } from '../../tools/pipeline/config.ts';
import { runWorkflow, type RunReport } from '../../tools/pipeline/runner.ts';
import { repoRoot } from '../../testkit/bundle-runner.ts';

describe('gantry-health.yml: notifications on state changes only', () => {
  let temp: string;
  let workspace: string;
  let receivers: Receivers;
  let target: Server;
  let targetUrl = '';
  let healthy = false;
  const lines: string[] = [];

  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-health-state-'));
    workspace = path.join(temp, 'workspace');
    await mkdir(workspace);
    for (const entry of ['.github', 'actions', 'dist'])
      await symlink(path.join(repoRoot, entry), path.join(workspace, entry));
    receivers = await new Receivers().start();
    target = createServer((_request, response) => {
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: healthy ? 'ok' : 'down' }));
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/health`;
  });
  afterAll(async () => {
    await receivers.stop();
    target.closeAllConnections();
    await new Promise<void>((resolve) => target.close(() => resolve()));
    await rm(temp, { recursive: true, force: true });
  });

  const run = async (): Promise<RunReport> =>
    runWorkflow({
      workflow: '.github/workflows/gantry-health.yml',
      workspace,
      event: 'workflow_dispatch',
      inputs: {
        targets: JSON.stringify([{ environment: 'production', url: targetUrl }]),
        timeout: '2s',
        'slack-channel': '#alerts',
        'gantry-checkout': 'false',
      },
      secrets: { 'slack-token': 'xoxb-health-test', 'pagerduty-routing-key': 'R0UTINGKEYHEALTH' },
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? temp,
        GITHUB_REPOSITORY: 'acme/app',
        GANTRY_LOCAL_SLACK_API_URL: receivers.slackApiUrl,
        GANTRY_LOCAL_PAGERDUTY_API_URL: receivers.pagerDutyUrl,
        GANTRY_LOCAL_CACHE_DIR: path.join(temp, 'cache'),
        GANTRY_RETRY_DELAY_SCALE: '0',
      },
      config: await loadConfig(),
      print: (line) => lines.push(line),
      quiet: true,
    });
  const slackPosts = (): string[] =>
    receivers.requests
      .filter((r) => r.path.endsWith('/chat.postMessage'))
      .map((r) => JSON.stringify(r.body['blocks'] ?? r.body['text'] ?? ''));
  const pagerDuty = (): string[] =>
    receivers.pagerDutyEvents.map((e) => `${String(e['event_action'])} ${String(e['dedup_key'])}`);

  test('fail, fail, pass, pass: one incident, one resolve, two Slack posts', async () => {
    const first = await run();
    expect(first.result, lines.join('\n')).toBe('failure');
    expect(pagerDuty()).toEqual(['trigger gantry-health/acme/app/production/url']);
    expect(slackPosts()).toHaveLength(1);

    const second = await run();
    expect(second.result).toBe('failure');
    expect(pagerDuty()).toHaveLength(1);
    expect(slackPosts()).toHaveLength(1);

    healthy = true;
    const third = await run();
    expect(third.result, lines.join('\n')).toBe('success');
    expect(pagerDuty()).toEqual([
      'trigger gantry-health/acme/app/production/url',
      'resolve gantry-health/acme/app/production/url',
    ]);
    const posts = slackPosts();
    expect(posts).toHaveLength(2);
    expect(posts[0]).toMatch(/Scheduled health check failed/);
    expect(posts[1]).toMatch(/Recovered: production passes its health checks again/);
    // notify's title: a health post, not a deploy headline
    expect(posts[0]).toContain('Health: production failing');
    expect(posts[1]).toContain('Health: production recovered');
    for (const post of posts) expect(post).not.toMatch(/Deploy(ed| failed)/);

    const fourth = await run();
    expect(fourth.result).toBe('success');
    expect(pagerDuty()).toHaveLength(2);
    expect(slackPosts()).toHaveLength(2);
  });
});
