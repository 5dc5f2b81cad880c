/**
 * What the starter templates promise (triggers, which branch deploys where and how, schedules, their
 * .properties.json), the one-sentence description each workflow gives the catalog, the caller examples in
 * docs/workflows.md (parsed, linted and cross-checked like the workflows), and the step that makes
 * `.gantry-src` point at Gantry's actions, run with bash in temporary workspaces.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { renderCatalog } from '../../tools/catalog.ts';
import {
  actionlintFindings,
  crossCheck,
  githubParserErrors,
  load,
  repoRoot,
  reusableWorkflows,
  templates,
} from './validate.ts';
import { RULES } from './security-rules.ts';

const template = (name: string): string => {
  const found = templates().find((t) => t.file === `workflows-templates/${name}`);
  assert.ok(found, `${name} exists`);
  return found.text;
};

describe('starter templates', () => {
  for (const { file } of templates()) {
    test(`${file}: .properties.json names it, describes it, gives an icon, categories and valid file patterns`, () => {
      const propertiesFile = path.join(repoRoot, file.replace(/\.ya?ml$/, '.properties.json'));
      assert.ok(existsSync(propertiesFile), `${propertiesFile} exists`);
      const properties = JSON.parse(readFileSync(propertiesFile, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(properties).sort(), [
        'categories',
        'description',
        'filePatterns',
        'iconName',
        'name',
      ]);
      assert.ok(typeof properties['name'] === 'string' && properties['name'].length > 3);
      assert.ok(typeof properties['description'] === 'string' && properties['description'].length > 20);
      assert.match(String(properties['iconName']), /^(octicon [a-z-]+|[\w-]+)$/);
      for (const key of ['categories', 'filePatterns']) {
        const list = properties[key];
        assert.ok(Array.isArray(list) && list.length > 0 && list.every((x) => typeof x === 'string'), key);
      }
      for (const pattern of properties['filePatterns'] as string[])
        assert.doesNotThrow(() => new RegExp(pattern));
    });
  }

  test('pipeline.yml: pull requests run CI only; a push builds once in dev and promotes the digest to staging and production behind 2 and 3 approvals', () => {
    const text = template('pipeline.yml');
    const workflow = load(text);
    const on = workflow.on as { push?: { branches?: string[] }; pull_request?: unknown };
    assert.deepEqual(on.push?.branches, ['$default-branch']);
    assert.ok(on.pull_request !== undefined);
    assert.match(workflow.jobs['ci']?.uses ?? '', /\/gantry-ci\.yml@/);
    assert.equal(
      workflow.jobs['ci']?.if,
      "github.event_name != 'workflow_dispatch'",
      'CI runs on every push and pull request (a canary promote/abort run changes no code)',
    );
    assert.equal(
      workflow.jobs['ci']?.with?.['coverage-file'],
      'coverage/lcov.info',
      'the coverage gate is on',
    );
    const deploys = Object.entries(workflow.jobs).filter(([, job]) =>
      job.uses?.includes('gantry-deploy-ecs.yml'),
    );
    assert.deepEqual(
      deploys.map(([id]) => id),
      ['deploy-dev', 'deploy-staging', 'deploy-production'],
    );
    const [dev, staging, production] = deploys.map(([, job]) => job);
    assert.match(String(dev?.if), /github\.event_name == 'push'/, 'deploys never run on a pull request');
    assert.equal(dev?.needs, 'ci');
    assert.deepEqual([dev?.with?.['environment'], dev?.with?.['strategy']], ['dev', 'rolling']);
    assert.equal(dev?.with?.['image-digest'], undefined, 'dev builds the image: the only build');
    // Staging and production deploy the digest that passed the environment below, after their approval job.
    const approvals: [string, string, number, unknown][] = [
      ['deploy-staging', 'approve-staging', 2, staging],
      ['deploy-production', 'approve-production', 3, production],
    ];
    for (const [id, gate, required, job] of approvals) {
      const deploy = job as (typeof deploys)[number][1];
      const from = id === 'deploy-staging' ? 'dev' : 'staging';
      assert.deepEqual(
        deploy.needs,
        [`deploy-${from}`, gate],
        `${id} needs the environment below and ${gate}`,
      );
      assert.equal(deploy.with?.['promote-from'], from);
      assert.equal(deploy.with?.['image-digest'], `\${{ needs.deploy-${from}.outputs.image-digest }}`);
      const approval = workflow.jobs[gate];
      const step = approval?.steps?.find((s) => /\/gantry\/actions\/approval-gate@/.test(s.uses ?? ''));
      assert.ok(step, `${gate} runs approval-gate`);
      assert.equal(Number(step.with?.['required-approvals']), required);
    }
    assert.deepEqual([staging?.with?.['environment'], staging?.with?.['strategy']], ['staging', 'rolling']);
    assert.deepEqual(
      [production?.with?.['environment'], production?.with?.['strategy']],
      ['production', "${{ vars.PRODUCTION_STRATEGY || 'blue-green' }}"],
    );
    // The environments still gate the deploy job (secrets, OIDC subject, optional reviewer).
    const deployJob = reusableWorkflows().find((w) => w.file.endsWith('gantry-deploy-ecs.yml'));
    assert.deepEqual(
      (load(deployJob?.text ?? '').jobs['deploy']?.environment as { name?: string }).name,
      '${{ inputs.environment }}',
    );
  });

  test('pipeline.yml: production offers the canary (metrics on), and a manual run promotes or aborts the paused canary without building', () => {
    const workflow = load(template('pipeline.yml'));
    const dispatch = (
      workflow.on as {
        workflow_dispatch?: { inputs?: Record<string, { type?: string; options?: string[] }> };
      }
    ).workflow_dispatch;
    assert.deepEqual(dispatch?.inputs?.['action']?.type, 'choice');
    assert.deepEqual(dispatch?.inputs?.['action']?.options, ['promote', 'abort']);
    const production = workflow.jobs['deploy-production'];
    const given = production?.with ?? {};
    // The four rollback triggers are the default of any metrics-provider (no analysis-checks given).
    assert.equal(given['metrics-provider'], 'cloudwatch');
    assert.equal(given['analysis-checks'], undefined);
    for (const input of ['listener-arn', 'blue-service', 'green-service', 'blue-target-group-arn'])
      assert.ok(String(given[input] ?? '') !== '', input);
    assert.equal(given['canary-action'], "${{ inputs.action || 'deploy' }}");
    assert.equal(given['canary-pause-at'], '${{ vars.CANARY_PAUSE_AT }}');
    // A dispatch skips CI and the lower environments; production runs at once, in the deploy's group.
    assert.match(String(production?.if), /github\.event_name == 'workflow_dispatch'/);
    assert.match(String(production?.if), /needs\.deploy-staging\.result == 'success'/);
    assert.match(String(production?.if), /^!cancelled\(\)/);
    for (const id of ['deploy-dev', 'approve-staging'])
      assert.match(String(workflow.jobs[id]?.if), /github\.event_name == 'push'/, id);
    assert.equal((production?.concurrency as { group?: string } | undefined)?.group, 'deploy-production-app');
    // The reusable workflow knows both inputs.
    const deploy = reusableWorkflows().find((w) => w.file.endsWith('gantry-deploy-ecs.yml'));
    const inputs = (load(deploy?.text ?? '').on as { workflow_call?: { inputs?: Record<string, unknown> } })
      .workflow_call?.inputs;
    for (const name of ['canary-action', 'canary-pause-at']) assert.ok(inputs?.[name], name);
  });

  test('health.yml runs every 15 minutes, security.yml once a day and its summary once a week', () => {
    const cron = (name: string): string[] =>
      ((load(template(name)).on as { schedule?: { cron: string }[] }).schedule ?? []).map((s) => s.cron);
    assert.deepEqual(cron('health.yml'), ['*/15 * * * *']);
    const [daily, weekly, ...more] = cron('security.yml');
    assert.equal(more.length, 0);
    assert.match(daily ?? '', /^\d{1,2} \d{1,2} \* \* \*$/);
    assert.match(weekly ?? '', /^\d{1,2} \d{1,2} \* \* [0-6]$/);
    // The weekly schedule, and only it, turns the call into the summary.
    const security = load(template('security.yml')).jobs['security'];
    assert.equal(security?.with?.['weekly-summary'], `\${{ github.event.schedule == '${weekly ?? ''}' }}`);
  });
});

describe('descriptions for the catalog', () => {
  for (const { file, text } of [...reusableWorkflows(), ...templates()])
    test(`${file}: the first line is a one-sentence "# " description`, () => {
      const first = text.split('\n')[0] ?? '';
      assert.match(first, /^# [A-Z].{30,}\.$/);
      assert.equal(first.slice(2, -1).includes('. '), false, 'one sentence');
    });

  test('the catalog lists every reusable workflow with its description', async () => {
    const catalog = await renderCatalog();
    for (const { file, text } of reusableWorkflows()) {
      const description = (text.split('\n')[0] ?? '').slice(2);
      assert.ok(
        catalog.includes(
          `| [${path.basename(file)}](#${path.basename(file).replace(/\./g, '')}) | ${description} |`,
        ),
        file,
      );
    }
  });
});

describe('docs/workflows.md', () => {
  const docs = readFileSync(path.join(repoRoot, 'docs', 'workflows.md'), 'utf8');
  const examples = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) =>
    (m[1] ?? '').replaceAll('<owner>/', 'your-org/'),
  );

  test('has a caller example for each reusable workflow', () => {
    for (const { file } of reusableWorkflows())
      assert.ok(
        examples.some((e) => e.includes(`/.github/workflows/${path.basename(file)}@v1`)),
        file,
      );
  });
  examples.forEach((example, index) => {
    test(`example ${index + 1}: parses, lints, matches the contracts and follows the security rules`, async () => {
      const name = `docs-example-${index + 1}.yml`;
      assert.deepEqual(await githubParserErrors(name, example), []);
      assert.deepEqual(await actionlintFindings(name, example), []);
      assert.deepEqual(crossCheck(example), []);
      for (const [rule, check] of Object.entries(RULES)) assert.deepEqual(check(example), [], rule);
    });
  });
});

describe('the step that points .gantry-src at Gantry (run with bash)', () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'gantry-wf-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  /** The link step of every job that calls Gantry's actions (each job has its own workspace). */
  const scriptsOf = (text: string): string[] => {
    const steps = Object.values(load(text).jobs).flatMap((job) => job.steps ?? []);
    const scripts = steps
      .filter((s) => s.name === 'Use the workspace as Gantry when it is Gantry')
      .map((s) => s.run ?? '');
    assert.ok(scripts.length > 0 && scripts.every((s) => s !== ''), 'the step exists');
    return scripts;
  };
  const run = (script: string, cwd: string) =>
    spawnSync('bash', ['-e', '-c', script], { cwd, encoding: 'utf8' });

  for (const { file, text } of reusableWorkflows())
    for (const [index, script] of scriptsOf(text).entries()) {
      const tag = `${path.basename(file)}-${index}`;
      test(`${path.basename(file)} (link step ${index + 1}): in a Gantry workspace, .gantry-src becomes a link and the actions resolve`, () => {
        const workspace = path.join(temp, `gantry-${tag}`);
        mkdirSync(workspace);
        execFileSync('cp', ['-r', path.join(repoRoot, 'actions'), path.join(workspace, 'actions')]);
        mkdirSync(path.join(workspace, 'dist'));
        const result = run(script, workspace);
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.equal(realpathSync(path.join(workspace, '.gantry-src')), realpathSync(workspace));
        assert.ok(existsSync(path.join(workspace, '.gantry-src', 'actions', 'notify', 'action.yml')));
        assert.equal(run(script, workspace).status, 0, 'running it twice is fine');
      });
      test(`${path.basename(file)} (link step ${index + 1}): in another repository without the Gantry checkout, it fails and says why`, () => {
        const workspace = path.join(temp, `other-${tag}`);
        mkdirSync(workspace);
        writeFileSync(path.join(workspace, 'README.md'), 'not Gantry\n');
        const result = run(script, workspace);
        assert.equal(result.status, 1);
        assert.match(result.stdout, /::error::Gantry's actions are not in \.gantry-src/);
      });
      test(`${path.basename(file)} (link step ${index + 1}): after the Gantry checkout, the checked-out copy is used as it is`, () => {
        const workspace = path.join(temp, `checkout-${tag}`);
        mkdirSync(path.join(workspace, '.gantry-src'), { recursive: true });
        execFileSync('cp', [
          '-r',
          path.join(repoRoot, 'actions'),
          path.join(workspace, '.gantry-src', 'actions'),
        ]);
        mkdirSync(path.join(workspace, '.gantry-src', 'dist'));
        const result = run(script, workspace);
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.equal(
          realpathSync(path.join(workspace, '.gantry-src')),
          path.join(realpathSync(workspace), '.gantry-src'),
        );
      });
    }
});
