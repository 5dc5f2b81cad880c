/**
 * The "secure by default" rules, each checked on every workflow and template, and each shown to fail on a
 * violation planted in an in-memory copy (the repository's files are never changed).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { plant } from './plant.ts';
import {
  RULES,
  awsThroughOidc,
  deployConcurrency,
  jobPermissionsLeastAndCommented,
  noExpressionsInRun,
  noSecretsInherit,
  thirdPartyPinned,
  topLevelPermissionsEmpty,
} from './security-rules.ts';
import { reusableWorkflows, templates } from './validate.ts';

const workflows = reusableWorkflows();
const starters = templates();
const files = [...workflows, ...starters];
const get = (suffix: string): string => {
  const found = files.find((f) => f.file.endsWith(suffix));
  assert.ok(found, `${suffix} exists`);
  return found.text;
};

describe('every workflow and template follows every rule', () => {
  for (const { file, text } of files)
    for (const [rule, check] of Object.entries(RULES))
      test(`${file}: ${rule}`, () => {
        assert.deepEqual(check(text), []);
      });
});

describe('each rule fails on a planted violation', () => {
  test('top-level permissions: a grant, or none at all', () => {
    for (const { file, text } of files) {
      const granted = plant(text, /\npermissions: \{\}\n/, '\npermissions:\n  contents: write\n');
      assert.notDeepEqual(topLevelPermissionsEmpty(granted), [], file);
      const missing = plant(text, /\npermissions: \{\}\n/, '\n');
      assert.notDeepEqual(topLevelPermissionsEmpty(missing), [], file);
    }
  });

  test('per-job permissions: a grant without its comment, write-all, a job without permissions', () => {
    for (const { file, text } of files) {
      const uncommented = plant(text, /(contents: read) #[^\n]*/, '$1');
      assert.ok(
        jobPermissionsLeastAndCommented(uncommented).some((p) => p.includes('no comment')),
        file,
      );
    }
    const deploy = get('gantry-deploy-ecs.yml');
    const writeAll = plant(
      deploy,
      / {4}permissions:\n( {6}[\w-]+: \w+ #[^\n]*\n)+/,
      '    permissions: write-all\n',
    );
    assert.ok(jobPermissionsLeastAndCommented(writeAll).some((p) => p.includes('not write-all')));
    const none = plant(deploy, / {4}permissions:\n( {6}[\w-]+: \w+ #[^\n]*\n)+/, '');
    assert.ok(jobPermissionsLeastAndCommented(none).some((p) => p.includes('no permissions')));
  });

  test('pinning: a tag instead of a SHA, a short SHA, a SHA without its version comment', () => {
    for (const { file, text } of workflows) {
      const tag = plant(text, /actions\/checkout@[0-9a-f]{40} # v[\d.]+/, 'actions/checkout@v5');
      assert.ok(
        thirdPartyPinned(tag).some((p) => p.includes('actions/checkout@v5 is not pinned')),
        file,
      );
      const short = plant(text, /actions\/checkout@([0-9a-f]{7})[0-9a-f]{33}/, 'actions/checkout@$1');
      assert.notDeepEqual(thirdPartyPinned(short), [], file);
      const noComment = plant(text, /(actions\/checkout@[0-9a-f]{40}) # v[\d.]+/, '$1');
      assert.ok(
        thirdPartyPinned(noComment).some((p) => p.includes('no # vX.Y.Z comment')),
        file,
      );
    }
    const reusableByBranch = plant(
      get('pipeline.yml'),
      'uses: your-org/gantry/.github/workflows/gantry-ci.yml@v1',
      'uses: someone/else/.github/workflows/ci.yml@main',
    );
    assert.ok(thirdPartyPinned(reusableByBranch).some((p) => p.includes('someone/else')));
  });

  test('an expression inside a run: script', () => {
    for (const { file, text } of workflows) {
      const injected = plant(
        text,
        'then ln -s . .gantry-src; fi',
        'then ln -s . .gantry-src; fi\n          echo "${{ github.head_ref }}"',
      );
      assert.ok(
        noExpressionsInRun(injected).some((p) => p.includes('inside run:')),
        file,
      );
    }
  });

  test('secrets: inherit', () => {
    for (const { file, text } of starters) {
      const inherit = plant(text, /\n {4}secrets:\n( {6}[^\n]+\n?)+/, '\n    secrets: inherit\n');
      assert.ok(
        noSecretsInherit(inherit).some((p) => p.includes('inherit')),
        file,
      );
    }
  });

  test('concurrency: cancel-in-progress, a group without the environment, no group', () => {
    const deploy = get('gantry-deploy-ecs.yml');
    assert.ok(
      deployConcurrency(plant(deploy, 'cancel-in-progress: false', 'cancel-in-progress: true')).some((p) =>
        p.includes('cancel'),
      ),
    );
    assert.ok(
      deployConcurrency(plant(deploy, '-${{ inputs.environment }}-', '-')).some((p) =>
        p.includes('does not name the environment'),
      ),
    );
    assert.ok(
      deployConcurrency(plant(deploy, /\n {4}concurrency:\n( {6}[^\n]+\n)+/, '\n')).some((p) =>
        p.includes('without a concurrency group'),
      ),
    );
    const pipeline = get('pipeline.yml');
    assert.ok(
      deployConcurrency(plant(pipeline, 'group: deploy-staging', 'group: deploy')).some((p) =>
        p.includes('deploy-staging'),
      ),
    );
    assert.ok(
      deployConcurrency(
        plant(
          pipeline,
          /(group: deploy-production[\w-]*\n\s+)cancel-in-progress: false/,
          '$1cancel-in-progress: true',
        ),
      ).some((p) => p.includes('cancel')),
    );
    const health = get('gantry-health.yml');
    assert.ok(
      deployConcurrency(plant(health, 'cancel-in-progress: false', 'cancel-in-progress: ${{ true }}')).some(
        (p) => p.includes('cancel'),
      ),
    );
    assert.ok(
      deployConcurrency(plant(health, '-${{ matrix.target.environment }}-', '-')).some((p) =>
        p.includes('does not name the environment'),
      ),
    );
  });

  test('AWS: without id-token: write, with long-lived keys, without a role', () => {
    const deploy = get('gantry-deploy-ecs.yml');
    assert.ok(
      awsThroughOidc(plant(deploy, /id-token: write #[^\n]*/, 'id-token: none')).some((p) =>
        p.includes('id-token'),
      ),
    );
    const keys = plant(
      deploy,
      'role-session-name: gantry-deploy-${{ github.run_id }}',
      'aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}',
    );
    assert.ok(awsThroughOidc(keys).some((p) => p.includes('long-lived AWS key aws-access-key-id')));
    assert.ok(
      awsThroughOidc(
        plant(deploy, 'role-to-assume: ${{ inputs.role-to-assume }}', 'role-to-assume: ""'),
      ).some((p) => p.includes('without role-to-assume')),
    );
    const envKey = plant(
      deploy,
      'VAULT_ADDR: ${{ inputs.vault-addr }}',
      'AWS_SECRET_ACCESS_KEY: ${{ secrets.aws-key }}',
    );
    assert.ok(awsThroughOidc(envKey).some((p) => p.includes('AWS_SECRET_ACCESS_KEY')));
    const pipeline = get('pipeline.yml');
    assert.ok(
      awsThroughOidc(plant(pipeline, /(group: deploy-dev[\s\S]*?)id-token: write #[^\n]*/, '$1')).some((p) =>
        p.includes('deploy-dev: AWS without id-token'),
      ),
    );
    const health = get('gantry-health.yml');
    assert.ok(
      awsThroughOidc(plant(health, /id-token: write #[^\n]*/, 'id-token: read # x')).some((p) =>
        p.includes('check: AWS without id-token'),
      ),
    );
  });
});
