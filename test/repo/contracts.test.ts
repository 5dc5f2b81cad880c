/**
 * Repository-wide contracts: every action declares node24 and points at a bundle that exists, names are
 * kebab-case, and the catalog is what the action.yml files generate.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'vitest';
import { parse } from 'yaml';
import { renderCatalog } from '../../tools/catalog.ts';
import { repoRoot } from '../../testkit/bundle-runner.ts';

const EXPECTED = [
  'approval-gate',
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
];
const actions = readdirSync(path.join(repoRoot, 'actions'))
  .filter((name) => existsSync(path.join(repoRoot, 'actions', name, 'action.yml')))
  .sort();

interface ActionYaml {
  name?: string;
  description?: string;
  branding?: { icon?: string; color?: string };
  inputs?: Record<string, { description?: string; required?: boolean; default?: unknown }>;
  outputs?: Record<string, { description?: string }>;
  runs?: { using?: string; main?: string; post?: string };
}
const load = (name: string): ActionYaml =>
  parse(readFileSync(path.join(repoRoot, 'actions', name, 'action.yml'), 'utf8')) as ActionYaml;

describe('action contracts', () => {
  test('all ten actions exist', () => {
    assert.deepEqual(actions, EXPECTED);
  });
  for (const name of actions) {
    test(`${name}: node24, bundle present, kebab-case, described, branded`, () => {
      const action = load(name);
      assert.equal(action.runs?.using, 'node24');
      assert.equal(action.runs?.main, `../../dist/${name}/index.js`);
      assert.ok(
        existsSync(path.resolve(repoRoot, 'actions', name, action.runs.main)),
        `missing bundle for ${name}`,
      );
      if (action.runs.post !== undefined)
        assert.equal(action.runs.post, action.runs.main, 'post shares the main bundle');
      assert.ok(action.description && action.description.length > 20);
      assert.ok(action.branding?.icon && action.branding.color);
      for (const [input, spec] of Object.entries(action.inputs ?? {})) {
        assert.match(input, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, `input ${input} is not kebab-case`);
        assert.ok(spec.description, `input ${input} has no description`);
      }
      for (const [output, spec] of Object.entries(action.outputs ?? {})) {
        assert.match(output, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, `output ${output} is not kebab-case`);
        assert.ok(spec.description, `output ${output} has no description`);
      }
    });
  }
  test('the catalog matches the action.yml files', async () => {
    assert.equal(
      readFileSync(path.join(repoRoot, 'action-catalog.md'), 'utf8'),
      await renderCatalog(),
      'run `npm run catalog`',
    );
  });
});
