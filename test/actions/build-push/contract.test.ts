/**
 * The contract files agree with the code: every input in action.yml is read by getInputs (and nothing
 * else is), .env.example lists every input, outputs match what the flow sets, and the runtime is node24.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../../testkit/bundle-runner.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { getInputs } from '../../../actions/build-push/src/inputs.ts';

const folder = path.join(repoRoot, 'actions', 'build-push');
const action = parse(readFileSync(path.join(folder, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string; post: string; 'post-if': string };
};

describe('build-push contract', () => {
  test('action.yml inputs are exactly the keys of Inputs', async () => {
    const saved = { ...process.env };
    try {
      process.env['INPUT_IMAGE'] = 'ghcr.io/acme/app';
      const inputs = await getInputs(createCaptureLogger());
      assert.deepEqual(Object.keys(inputs).sort(), Object.keys(action.inputs).sort());
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    }
  });

  test('every input and output has a description; only image is required', () => {
    for (const [name, spec] of Object.entries({ ...action.inputs, ...action.outputs }))
      assert.ok(spec.description.length > 20, name);
    const required = Object.entries(action.inputs).filter(([, spec]) => spec.required === true);
    assert.deepEqual(
      required.map(([name]) => name),
      ['image'],
    );
  });

  test('.env.example lists every input as INPUT_<NAME>', () => {
    const names = readFileSync(path.join(folder, '.env.example'), 'utf8')
      .split('\n')
      .map((line) => /^INPUT_([A-Z0-9_-]+)=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    assert.deepEqual(
      names.sort(),
      Object.keys(action.inputs)
        .map((name) => name.toUpperCase())
        .sort(),
    );
  });

  test('outputs are the ones the flow sets', () => {
    const main = readFileSync(path.join(folder, 'src', 'main.ts'), 'utf8');
    const set = [...main.matchAll(/core\.setOutput\('([a-z-]+)'/g)].map((match) => match[1]);
    assert.deepEqual(set.sort(), Object.keys(action.outputs).sort());
  });

  test('node24 runtime, main and post from the shared bundle', () => {
    assert.deepEqual(action.runs, {
      using: 'node24',
      main: '../../dist/build-push/index.js',
      post: '../../dist/build-push/index.js',
      'post-if': 'always()',
    });
  });

  test('catalog.yml has a status and a YAML example using the action', () => {
    const catalog = parse(readFileSync(path.join(folder, 'catalog.yml'), 'utf8')) as {
      status: string;
      example: string;
    };
    assert.ok(['implemented', 'not-implemented'].includes(catalog.status));
    const steps = parse(catalog.example) as { uses?: string; with?: Record<string, string> }[];
    const step = steps.find((s) => s.uses?.includes('actions/build-push@'));
    assert.ok(step?.with?.['image']);
    for (const key of Object.keys(step.with ?? {})) assert.ok(key in action.inputs, key);
  });
});
