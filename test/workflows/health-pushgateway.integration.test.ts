/**
 * gantry-health.yml with `pushgateway-url`, run for real through the offline runner (tools/pipeline) with the
 * built smoke-test and notify bundles, against a loopback target and the REAL Pushgateway
 * (testkit/pushgateway.ts): each target's results land in its own group (job, environment, service), a later
 * run replaces them, and an unreachable Pushgateway leaves a healthy run green.
 */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../testkit/bundle-runner.ts';
import { freePort } from '../../testkit/process.ts';
import { startPushgateway, type RunningPushgateway } from '../../testkit/pushgateway.ts';
import { loadConfig } from '../../tools/pipeline/config.ts';
import { runWorkflow, type RunReport } from '../../tools/pipeline/runner.ts';

describe('gantry-health.yml → Pushgateway (real)', () => {
  let temp: string;
  let workspace: string;
  let gateway: RunningPushgateway;
  let target: Server;
  let targetUrl = '';
  let healthy = true;
  const lines: string[] = [];

  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-health-push-'));
    workspace = path.join(temp, 'workspace');
    await mkdir(workspace);
    for (const entry of ['.github', 'actions', 'dist'])
      await symlink(path.join(repoRoot, entry), path.join(workspace, entry));
    gateway = await startPushgateway();
    target = createServer((_request, response) => {
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: healthy ? 'ok' : 'down' }));
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/health`;
  });
  afterAll(async () => {
    await gateway?.stop();
    target?.closeAllConnections();
    await new Promise<void>((resolve) => target?.close(() => resolve()));
    await rm(temp, { recursive: true, force: true });
  });

  const run = async (pushgatewayUrl: string): Promise<RunReport> =>
    runWorkflow({
      workflow: '.github/workflows/gantry-health.yml',
      workspace,
      event: 'workflow_dispatch',
      inputs: {
        targets: JSON.stringify([
          { environment: 'production', service: 'api', url: targetUrl },
          { environment: 'staging', url: targetUrl },
        ]),
        timeout: '2s',
        'gantry-checkout': 'false',
        'pushgateway-url': pushgatewayUrl,
      },
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? temp,
        GITHUB_REPOSITORY: 'acme/app',
        GANTRY_LOCAL_CACHE_DIR: path.join(temp, 'cache'),
        GANTRY_RETRY_DELAY_SCALE: '0',
      },
      config: await loadConfig(),
      print: (line) => lines.push(line),
      quiet: true,
    });
  const up = async (): Promise<string[]> =>
    (await gateway.metricsText())
      .split('\n')
      .filter((line) => line.startsWith('gantry_health_up{'))
      .sort();

  test('one group per target; a failing run replaces the passing one', async () => {
    const first = await run(gateway.url);
    expect(first.result, lines.join('\n')).toBe('success');
    const check = `check="${targetUrl}"`;
    expect(await up()).toEqual([
      `gantry_health_up{${check},environment="production",instance="",job="gantry_health",kind="http",service="api"} 1`,
      `gantry_health_up{${check},environment="staging",instance="",job="gantry_health",kind="http",service="url"} 1`,
    ]);

    healthy = false;
    const second = await run(gateway.url);
    expect(second.result).toBe('failure');
    expect(await up()).toEqual([
      `gantry_health_up{${check},environment="production",instance="",job="gantry_health",kind="http",service="api"} 0`,
      `gantry_health_up{${check},environment="staging",instance="",job="gantry_health",kind="http",service="url"} 0`,
    ]);
    healthy = true;
  });

  test('an unreachable Pushgateway does not fail a healthy run', async () => {
    lines.length = 0;
    const report = await run(`http://127.0.0.1:${await freePort()}`);
    expect(report.result, lines.join('\n')).toBe('success');
    const smoke = report.jobs.flatMap((job) => job.steps).filter((step) => step.id === 'smoke');
    expect(smoke.map((step) => step.outcome)).toEqual(['success', 'success']);
    expect(smoke.map((step) => step.outputs['pushed'])).toEqual(['false', 'false']);
    expect(smoke.flatMap((step) => step.annotations.map((a) => a.message)).join('\n')).toMatch(
      /not pushed to the Pushgateway/,
    );
  });
});
