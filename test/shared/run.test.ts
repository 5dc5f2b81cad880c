import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'vitest';
import { repoRoot, runBundle } from '../../testkit/bundle-runner.ts';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'shared', 'throw.ts');
const run = (env: Record<string, string>, postWithState?: Record<string, string>) =>
  runBundle('smoke-test', {
    bundlePath: fixture,
    applyDefaults: false,
    env,
    ...(postWithState ? { postWithState } : {}),
  });

describe('runAction', () => {
  test('a successful main exits 0 and saves the post marker', async () => {
    const result = await run({ THROW: 'none' });
    assert.equal(result.exitCode, 0);
    assert.equal(result.state['isPost'], 'true');
    assert.equal(result.annotations.length, 0);
  });
  for (const [kind, message] of [
    ['string', 'plain string thrown'],
    ['object', '{"code":42,"why":"object thrown"}'],
    ['error', 'boom from main'],
    ['input', 'Input \'timeout\': "soon" is not a duration. Example of a good value: 10m'],
  ] as const) {
    test(`a thrown ${kind} fails the step once with its message`, async () => {
      const result = await run({ THROW: kind });
      assert.equal(result.exitCode, 1);
      const errors = result.annotations.filter((a) => a.level === 'error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.message, message);
    });
  }
  test('stacks print only under debug, and never for input errors', async () => {
    const quiet = await run({ THROW: 'error' });
    assert.doesNotMatch(quiet.log, /at .*throw\.ts/);
    const debug = await run({ THROW: 'error', RUNNER_DEBUG: '1' });
    assert.match(debug.log, /debug: Error: boom from main/);
    const input = await run({ THROW: 'input', RUNNER_DEBUG: '1' });
    assert.doesNotMatch(input.log, /debug: InputError/);
  });
  test('the post step runs post (not main), and its failure is a warning', async () => {
    const ok = await run({ THROW: 'error' }, { isPost: 'true' });
    assert.equal(ok.exitCode, 0);
    assert.match(ok.log, /post ran/);
    assert.doesNotMatch(ok.log, /main ran/);
    const failing = await run({ POST_THROW: 'yes' }, { isPost: 'true' });
    assert.equal(failing.exitCode, 0);
    assert.deepEqual(
      failing.annotations.map((a) => [a.level, a.message]),
      [['warning', 'Post step failed: cleanup failed']],
    );
  });
});
