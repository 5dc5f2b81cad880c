/**
 * Every call of a Gantry action (`uses: ./.gantry-src/actions/<name>`) and of a Gantry reusable workflow is
 * checked against the contract it calls: inputs/secrets declared, required ones present, and every
 * `steps.<id>.outputs.<name>`, `needs.<job>.outputs.<name>` and `jobs.<job>.outputs.<name>` reference
 * naming an output that exists. The contracts are the repository's own action.yml files, so this test
 * follows them as they land on main.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { plant } from './plant.ts';
import {
  actionContract,
  type ActionContract,
  crossCheck,
  load,
  reusableWorkflows,
  templates,
} from './validate.ts';

const files = [...reusableWorkflows(), ...templates()];
const text = (suffix: string): string => {
  const found = files.find((f) => f.file.endsWith(suffix));
  assert.ok(found, `${suffix} exists`);
  return found.text;
};

describe('calls match the contracts they call', () => {
  for (const { file, text: source } of files) {
    test(`${file}: every Gantry action and workflow call matches its contract`, () => {
      assert.deepEqual(crossCheck(source), []);
    });
  }

  test('the workflows call every action of the pipeline', () => {
    const called = new Set(
      reusableWorkflows().flatMap(({ text: t }) =>
        [...t.matchAll(/uses: \.\/\.gantry-src\/actions\/([a-z-]+)/g)].map((m) => m[1]),
      ),
    );
    assert.deepEqual([...called].sort(), [
      'build-push',
      'deploy-bluegreen',
      'deploy-rolling',
      'deploy-static',
      'lighthouse-gate',
      'lint-gate',
      'notify',
      'rollback',
      'run-migrations',
      'security-scan',
      'smoke-test',
    ]);
  });
});

describe("Gantry's actions are in place before a job uses them", () => {
  /** Problems: a `./.gantry-src/actions/…` step before the step that checks out or links `.gantry-src`. */
  const order = (source: string): string[] => {
    const problems: string[] = [];
    for (const [jobId, job] of Object.entries(load(source).jobs)) {
      const link = (job.steps ?? []).findIndex(
        (s) => s.name === 'Use the workspace as Gantry when it is Gantry',
      );
      (job.steps ?? []).forEach((step, index) => {
        if (step.uses?.startsWith('./.gantry-src/') === true && (link === -1 || index < link))
          problems.push(`${jobId}.steps[${index}] uses ${step.uses} before .gantry-src exists`);
      });
    }
    return problems;
  };
  for (const { file, text: source } of reusableWorkflows())
    test(`${file}: every job links or checks out .gantry-src before its first Gantry action`, () => {
      assert.deepEqual(order(source), []);
    });
  test('a planted step before the link step is caught', () => {
    const deploy = text('gantry-deploy-ecs.yml');
    const early = plant(
      deploy,
      '      - name: Check out the code to deploy\n',
      '      - uses: ./.gantry-src/actions/smoke-test\n        with:\n          url: https://example.com\n      - name: Check out the code to deploy\n',
    );
    assert.ok(order(early).some((p) => p.includes('before .gantry-src exists')));
  });
});

describe('the cross-check fails on planted mismatches', () => {
  const deploy = text('gantry-deploy-ecs.yml');
  const pipeline = text('workflows-templates/pipeline.yml');

  test('an input the action does not declare', () => {
    const bad = plant(
      deploy,
      'timeout: ${{ inputs.deploy-timeout }}',
      'rollout-timeout: ${{ inputs.deploy-timeout }}',
    );
    assert.ok(
      crossCheck(bad).some((p) => p.includes('input "rollout-timeout" is not declared')),
      String(crossCheck(bad)),
    );
  });
  test('a required input left out', () => {
    // build-push's `image` is required (run-migrations' database-url is not since its in-cluster mode).
    const bad = plant(deploy, /\n {10}image: \$\{\{ inputs\.image \}\}/, '');
    assert.ok(
      crossCheck(bad).some((p) => p.includes('required input "image" is missing')),
      String(crossCheck(bad)),
    );
  });
  test('a steps.<id>.outputs reference to an output the action does not have', () => {
    const bad = plant(deploy, 'steps.build.outputs.digest', 'steps.build.outputs.image-digest');
    assert.ok(crossCheck(bad).some((p) => p.includes('steps.build.outputs.image-digest does not exist')));
  });
  test('a steps reference to a step that does not exist', () => {
    const bad = plant(deploy, 'steps.started.outputs.slack-ts', 'steps.start.outputs.slack-ts');
    assert.ok(crossCheck(bad).some((p) => p.includes('steps.start is not a step')));
  });
  test('a workflow output that names a job output that does not exist', () => {
    const bad = plant(deploy, 'jobs.deploy.outputs.result', 'jobs.deploy.outputs.results');
    assert.ok(crossCheck(bad).some((p) => p.includes('jobs.deploy.outputs.results does not exist')));
  });
  test('a contract change lands: an output the workflow reads disappears from the action', () => {
    const notify = actionContract('notify');
    assert.ok(notify);
    const withoutSlackTs: ActionContract = {
      inputs: notify.inputs,
      outputs: Object.fromEntries(Object.entries(notify.outputs).filter(([name]) => name !== 'slack-ts')),
    };
    const lookup = (name: string) => (name === 'notify' ? withoutSlackTs : actionContract(name));
    assert.ok(
      crossCheck(deploy, lookup).some((p) => p.includes('steps.started.outputs.slack-ts does not exist')),
    );
  });
  test('a reusable-workflow call with an undeclared input, a missing required one, an undeclared secret', () => {
    const undeclared = plant(pipeline, 'strategy: rolling', 'rollout: rolling');
    assert.ok(crossCheck(undeclared).some((p) => p.includes('input "rollout" is not declared')));
    const missing = plant(pipeline, /\n {6}service: app/, '');
    assert.ok(crossCheck(missing).some((p) => p.includes('required input "service" is missing')));
    const secret = plant(
      pipeline,
      'slack-token: ${{ secrets.SLACK_BOT_TOKEN }}',
      'slack-bot-token: ${{ secrets.SLACK_BOT_TOKEN }}',
    );
    assert.ok(crossCheck(secret).some((p) => p.includes('secret "slack-bot-token" is not declared')));
  });
  test('needs.<job>.outputs: an output of the called workflow passes, a misspelt one fails', () => {
    const job = (output: string): string =>
      `\n  after-dev:\n    needs: deploy-dev\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - run: echo "$DIGEST"\n        env:\n          DIGEST: \${{ needs.deploy-dev.outputs.${output} }}\n`;
    assert.deepEqual(crossCheck(pipeline + job('image-digest')), []);
    assert.ok(
      crossCheck(pipeline + job('digest')).some((p) =>
        p.includes('needs.deploy-dev.outputs.digest does not exist'),
      ),
    );
  });
  test('a call of a Gantry workflow that does not exist', () => {
    const bad = plant(pipeline, 'gantry-ci.yml@v1', 'gantry-lint.yml@v1');
    assert.ok(crossCheck(bad).some((p) => p.includes('not a Gantry reusable workflow')));
  });
});
