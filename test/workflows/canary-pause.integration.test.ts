/**
 * gantry-deploy-ecs.yml's canary pause, promote and abort, run for real through the offline runner
 * (tools/pipeline) with the built deploy-bluegreen, smoke-test and notify bundles against moto (ECS, ELBv2:
 * two colour services behind two weighted target groups of one listener), a hello-service as the smoke
 * target and the local Slack and GitHub receivers. A first run with canary-pause-at 25 stops with 25 % on
 * the canary and result `paused`; a second run with canary-action promote ends with 100 % on the new colour,
 * another with abort with 100 % on the stable one; promote and abort build, scan and migrate nothing. The
 * starter pipeline's Run workflow (action promote) skips CI and the lower environments and goes straight to
 * the production canary step.
 */
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateServiceCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../testkit/bundle-runner.ts';
import { startHelloService, type HelloService } from '../../testkit/hello-service.ts';
import { listenerWeights, seedAlb, seedService, startMoto, type Moto } from '../../testkit/moto.ts';
import { startPostgres, type PostgresServer } from '../../testkit/postgres.ts';
import { GITHUB_TOKEN, Receivers, SLACK_TOKEN } from '../../testkit/receivers.ts';
import { loadConfig } from '../../tools/pipeline/config.ts';
import { runWorkflow, type RunReport } from '../../tools/pipeline/runner.ts';

const DIGEST = `sha256:${'c'.repeat(64)}`;
/** Steps a promote or abort must not run (they belong to a new deploy). */
const DEPLOY_ONLY = [
  'Build and push the image',
  'The image to deploy',
  'Scan the image (trivy-image)',
  'Run the migrations (before the new code ships)',
  'Check the promoted digest passed the environment below',
  'Record the digest that passed (gantry/image/<environment> status)',
];

describe('gantry-deploy-ecs.yml: a canary paused, then promoted or aborted by a later run', () => {
  let temp: string;
  let workspace: string;
  let moto: Moto;
  let receivers: Receivers;
  let hello: HelloService;
  let postgres: PostgresServer;
  const lines: string[] = [];

  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'gantry-canary-pause-'));
    workspace = path.join(temp, 'workspace');
    await mkdir(workspace);
    for (const entry of ['.github', 'actions', 'dist', 'workflows-templates'])
      await symlink(path.join(repoRoot, entry), path.join(workspace, entry));
    // a copy, not a link: run-migrations keeps its locations inside the workspace (real paths)
    await cp(path.join(repoRoot, 'examples/hello-service/migrations'), path.join(workspace, 'db/migration'), {
      recursive: true,
    });
    moto = await startMoto({ runningTasks: 2 });
    // any credentials: the workflow's curl steps send `Bearer`, notify sends `token` (GitHub takes both)
    receivers = await new Receivers({ anyCredentials: true }).start();
    hello = await startHelloService({ APP_VERSION: '1.1.0' });
    postgres = await startPostgres();
  }, 90_000);
  afterAll(async () => {
    await postgres?.stop();
    await hello?.stop();
    await receivers?.stop();
    await moto?.stop();
    await rm(temp, { recursive: true, force: true });
  });

  async function seedColours(cluster: string): Promise<{ listenerArn: string; blue: string; green: string }> {
    const blueArn = await seedService(moto, { cluster, service: 'web-blue', family: `${cluster}-web` });
    await moto.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web-green',
        taskDefinition: blueArn,
        desiredCount: 2,
      }),
    );
    return seedAlb(moto, { blue: 100, green: 0 });
  }

  const databases = new Map<string, string>();
  const run = async (
    cluster: string,
    alb: { listenerArn: string; blue: string; green: string },
    canary: Record<string, string>,
  ): Promise<RunReport> => {
    const database = databases.get(cluster) ?? (await postgres.createDatabase());
    databases.set(cluster, database);
    return runWorkflow({
      workflow: '.github/workflows/gantry-deploy-ecs.yml',
      workspace,
      event: 'workflow_dispatch',
      approve: true,
      inputs: {
        environment: 'production',
        'aws-region': 'us-east-1',
        'role-to-assume': 'arn:aws:iam::123456789012:role/gantry-deploy-production',
        cluster,
        service: 'web-blue',
        image: 'registry.example/web',
        'image-digest': DIGEST,
        'image-scan': 'false',
        strategy: 'canary',
        'listener-arn': alb.listenerArn,
        'blue-service': 'web-blue',
        'green-service': 'web-green',
        'blue-target-group-arn': alb.blue,
        'green-target-group-arn': alb.green,
        'analysis-window': '2s',
        'analysis-interval': '1s',
        'migrations-locations': 'db/migration',
        'smoke-url': `${hello.url}/health`,
        'smoke-timeout': '10s',
        'slack-channel': '#deploys',
        'security-gate': 'false',
        'gantry-checkout': 'false',
        ...canary,
      },
      secrets: { 'slack-token': SLACK_TOKEN, 'database-url': database, GITHUB_TOKEN },
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? temp,
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_API_URL: receivers.githubApiUrl,
        LOCAL_AWS_ENDPOINT_URL: moto.endpoint,
        AWS_EC2_METADATA_DISABLED: 'true',
        GANTRY_LOCAL_SLACK_API_URL: receivers.slackApiUrl,
        GANTRY_ECS_POLL_INTERVAL: '50ms',
        GANTRY_RETRY_DELAY_SCALE: '0.01',
      },
      config: await loadConfig(),
      print: (line) => lines.push(line),
      quiet: true,
    });
  };

  const steps = (report: RunReport): Map<string, string> =>
    new Map(report.jobs.flatMap((job) => job.steps.map((step) => [step.name, step.conclusion] as const)));
  const weights = async (alb: { listenerArn: string; blue: string; green: string }): Promise<number[]> => {
    const read = await listenerWeights(moto, alb.listenerArn);
    return [read.get(alb.blue) ?? -1, read.get(alb.green) ?? -1];
  };
  /** The blocks of the last Slack post or update (the result message). */
  const lastSlackText = (): string =>
    JSON.stringify(
      receivers.requests.filter((r) => /\/chat\.(postMessage|update)$/.test(r.path)).at(-1)?.body['blocks'] ??
        '',
    );

  test('pause at 25 %, then promote in a second run: 100 % on green, result success', async () => {
    const alb = await seedColours('pause-promote');
    const paused = await run('pause-promote', alb, { 'canary-pause-at': '25' });
    expect(paused.result, lines.join('\n')).toBe('success');
    expect(paused.outputs['result']).toBe('paused');
    expect(await weights(alb)).toEqual([75, 25]);
    expect(steps(paused).get('Run the migrations (before the new code ships)')).toBe('success');
    expect(steps(paused).get('Record the digest that passed (gantry/image/<environment> status)')).toBe(
      'skipped',
    );
    expect(lastSlackText()).toMatch(/Canary paused at 25 %/);

    const promoted = await run('pause-promote', alb, { 'canary-action': 'promote' });
    expect(promoted.result, lines.join('\n')).toBe('success');
    expect(promoted.outputs['result']).toBe('success');
    expect(await weights(alb)).toEqual([0, 100]);
    const ran = steps(promoted);
    for (const name of DEPLOY_ONLY) expect(ran.get(name), name).toBe('skipped');
    for (const name of ['Roll out (blue/green or canary)', 'Smoke-test the new version', 'Notify the result'])
      expect(ran.get(name), name).toBe('success');
    expect(lastSlackText()).toMatch(/Canary promoted: all production traffic is on green/);
  }, 180_000);

  test('pause at 25 %, then abort in a second run: 100 % on blue, the canary scaled to zero, result aborted', async () => {
    const alb = await seedColours('pause-abort');
    const paused = await run('pause-abort', alb, { 'canary-pause-at': '25' });
    expect(paused.outputs['result'], lines.join('\n')).toBe('paused');
    expect(await weights(alb)).toEqual([75, 25]);

    const aborted = await run('pause-abort', alb, { 'canary-action': 'abort' });
    expect(aborted.result, lines.join('\n')).toBe('success');
    expect(aborted.outputs['result']).toBe('aborted');
    expect(await weights(alb)).toEqual([100, 0]);
    const described = await moto.ecs.send(
      new DescribeServicesCommand({ cluster: 'pause-abort', services: ['web-green'] }),
    );
    expect(described.services?.[0]?.desiredCount).toBe(0);
    const ran = steps(aborted);
    for (const name of DEPLOY_ONLY) expect(ran.get(name), name).toBe('skipped');
    expect(ran.get('Roll back (the new version is unhealthy)')).toBe('skipped');
    expect(lastSlackText()).toMatch(/Canary aborted on request: all production traffic is back on blue/);
  }, 180_000);

  test("the starter pipeline's Run workflow (action promote): CI and the lower environments skipped, production goes straight to the canary step", async () => {
    const report = await runWorkflow({
      workflow: 'workflows-templates/pipeline.yml',
      workspace,
      event: 'workflow_dispatch',
      inputs: { action: 'promote' },
      vars: { PRODUCTION_STRATEGY: 'canary' },
      approve: true,
      secrets: { GITHUB_TOKEN },
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? temp,
        GITHUB_API_URL: receivers.githubApiUrl,
        LOCAL_AWS_ENDPOINT_URL: moto.endpoint,
        AWS_EC2_METADATA_DISABLED: 'true',
        GANTRY_RETRY_DELAY_SCALE: '0.01',
      },
      github: { repository: 'acme/app', repository_owner: 'acme' },
      config: await loadConfig(),
      print: (line) => lines.push(line),
      quiet: true,
    });
    const result = (id: string): string | undefined => report.jobs.find((job) => job.id === id)?.result;
    for (const id of ['ci', 'deploy-dev', 'approve-staging', 'deploy-staging', 'approve-production'])
      expect(result(id), id).toBe('skipped');
    const production = report.jobs.find((job) => job.id === 'deploy-production / deploy');
    expect(production?.result, lines.join('\n')).toBe('failure');
    const ran = steps({ ...report, jobs: production === undefined ? [] : [production] });
    for (const name of DEPLOY_ONLY) expect(ran.get(name), name).toBe('skipped');
    // The template's example listener does not exist in moto: the promote reaches the canary step and stops
    // there, with traffic untouched, and the failure is reported.
    expect(ran.get('Roll out (blue/green or canary)'), lines.join('\n')).toBe('failure');
    expect(ran.get('Notify the result')).toBe('success');
    // a promote is a deploy: it passes the security gate (an abort skips it)
    expect(ran.get('Check the security gate (gantry/security commit status)')).toBe('success');
    const rollOut = production?.steps.find((step) => step.name === 'Roll out (blue/green or canary)');
    expect(rollOut?.annotations.map((a) => a.message).join('\n')).toMatch(/listener|Listener/);
  }, 120_000);

  test('canary-action promote with strategy rolling stops before anything runs', async () => {
    const alb = await seedColours('promote-rolling');
    const report = await run('promote-rolling', alb, { strategy: 'rolling', 'canary-action': 'promote' });
    expect(report.result).toBe('failure');
    const ran = steps(report);
    expect(ran.get('Check the canary inputs')).toBe('failure');
    expect(ran.get('Roll out (rolling update)')).toBe('skipped');
    expect(await weights(alb)).toEqual([100, 0]);
  }, 120_000);
});
