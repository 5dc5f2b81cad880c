import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'vitest';
import { InputError } from '../../shared/src/errors.ts';
import {
  getBoolean,
  getDocument,
  getDuration,
  getEnum,
  getInteger,
  getList,
  getMap,
  getString,
} from '../../shared/src/inputs.ts';
import { getSecret } from '../../shared/src/secret-inputs.ts';
import { createCaptureLogger } from '../../shared/src/logger.ts';

const set: string[] = [];
function input(name: string, value: string): void {
  const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
  process.env[key] = value;
  set.push(key);
}
afterEach(() => {
  for (const key of set.splice(0)) delete process.env[key];
});

/** Asserts `fn` throws an InputError naming `name` whose message matches every pattern. */
function throwsInput(fn: () => unknown, name: string, ...patterns: RegExp[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.equal(error.input, name);
    assert.match(error.message, new RegExp(`^Input '${name}'`));
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

describe('getString', () => {
  test('trims and returns the value', () => {
    input('image', '  ghcr.io/acme/app  ');
    assert.equal(getString('image'), 'ghcr.io/acme/app');
  });
  test('falls back to the default, and fails when required and empty', () => {
    assert.equal(getString('context', { default: '.' }), '.');
    throwsInput(
      () => getString('cluster', { required: true, example: 'prod' }),
      'cluster',
      /required/,
      /prod/,
    );
  });
  test('reads names with spaces the way the runner mangles them', () => {
    input('my input', 'x');
    assert.equal(process.env['INPUT_MY_INPUT'], 'x');
    assert.equal(getString('my input'), 'x');
  });
});

describe('getBoolean (strict)', () => {
  for (const [raw, expected] of [
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
  ] as const) {
    test(`"${raw}" → ${expected}`, () => {
      input('push', raw);
      assert.equal(getBoolean('push'), expected);
    });
  }
  for (const raw of ['yes', '1', 'on', 'tru', 'no']) {
    test(`"${raw}" is rejected, naming the input`, () => {
      input('push', raw);
      throwsInput(() => getBoolean('push'), 'push', new RegExp(`"${raw}" is not a boolean`), /true/);
    });
  }
  test('empty takes the default', () => {
    assert.equal(getBoolean('push', { default: true }), true);
    assert.equal(getBoolean('push', { default: false }), false);
  });
});

describe('getInteger', () => {
  test('parses within range', () => {
    input('concurrency', '16');
    assert.equal(getInteger('concurrency', { min: 1, max: 100 }), 16);
  });
  test('empty gives the default', () => {
    assert.equal(getInteger('concurrency', { default: 10 }), 10);
  });
  test('rejects non-integers, naming the value', () => {
    for (const raw of ['1.5', 'ten', '1e3', '']) {
      if (raw === '') continue;
      input('concurrency', raw);
      throwsInput(() => getInteger('concurrency', { min: 1 }), 'concurrency', /is not a whole number/);
    }
  });
  test('rejects values out of range with the bound as the example', () => {
    input('concurrency', '0');
    throwsInput(
      () => getInteger('concurrency', { min: 1, max: 100 }),
      'concurrency',
      /below the minimum of 1/,
      /Example of a good value: 1/,
    );
    input('concurrency', '101');
    throwsInput(
      () => getInteger('concurrency', { min: 1, max: 100 }),
      'concurrency',
      /above the maximum of 100/,
    );
  });
});

describe('getDuration', () => {
  for (const [raw, ms] of [
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1_500],
    ['2d', 172_800_000],
  ] as const) {
    test(`"${raw}" → ${ms} ms`, () => {
      input('timeout', raw);
      assert.equal(getDuration('timeout'), ms);
    });
  }
  test('a bare number is rejected with a hint to add a unit', () => {
    input('timeout', '300');
    throwsInput(() => getDuration('timeout'), 'timeout', /"300" is not a duration \(add a unit/, /300s/);
  });
  test('words are rejected', () => {
    input('timeout', '10 minutes');
    throwsInput(() => getDuration('timeout'), 'timeout', /"10 minutes" is not a duration/, /10m/);
  });
  test('the default applies when empty and bounds are checked', () => {
    assert.equal(getDuration('timeout', { default: '15m' }), 900_000);
    input('timeout', '0s');
    throwsInput(() => getDuration('timeout', { min: 1 }), 'timeout', /shorter than the minimum/);
  });
});

describe('getList', () => {
  test('splits on newlines and commas, trims, drops blanks and comments', () => {
    input('linters', 'eslint, prettier\n\n# not this\n tsc \n');
    assert.deepEqual(getList('linters'), ['eslint', 'prettier', 'tsc']);
  });
  test('newline-only keeps commas inside items', () => {
    input('tags', 'a,b\nc');
    assert.deepEqual(getList('tags', { separator: 'newline' }), ['a,b', 'c']);
  });
  test('required and empty fails', () => {
    throwsInput(
      () => getList('scanners', { required: true, example: 'trivy-fs, gitleaks' }),
      'scanners',
      /required/,
      /trivy-fs/,
    );
  });
});

describe('getMap', () => {
  test('parses KEY=VALUE lines, values may contain =', () => {
    input('environment', 'LOG_LEVEL=info\n# comment\nDSN=postgres://u@h/db?sslmode=require\n\n');
    assert.deepEqual(
      [...getMap('environment')],
      [
        ['LOG_LEVEL', 'info'],
        ['DSN', 'postgres://u@h/db?sslmode=require'],
      ],
    );
  });
  test('a line without = names the line', () => {
    input('environment', 'A=1\nB 2');
    throwsInput(
      () => getMap('environment'),
      'environment',
      /line 2 \("B 2"\) is not KEY=VALUE/,
      /LOG_LEVEL=info/,
    );
  });
  test('a repeated key or bad key is rejected', () => {
    input('environment', 'A=1\nA=2');
    throwsInput(() => getMap('environment'), 'environment', /key "A" is given twice/);
    input('environment', 'BAD KEY=1');
    throwsInput(
      () => getMap('environment', { keyPattern: /^[A-Z_][A-Z0-9_]*$/ }),
      'environment',
      /"BAD KEY" is not a valid key/,
    );
  });
});

describe('getEnum', () => {
  test('accepts a listed value and the default', () => {
    input('builder', 'buildah');
    assert.equal(getEnum('builder', ['auto', 'docker', 'buildah', 'podman']), 'buildah');
    assert.equal(
      getEnum('strategy', ['ecs-native', 'alb-weighted'], { default: 'ecs-native' }),
      'ecs-native',
    );
  });
  test('rejects others listing the allowed values', () => {
    input('builder', 'kaniko');
    throwsInput(
      () => getEnum('builder', ['auto', 'docker', 'buildah', 'podman']),
      'builder',
      /"kaniko" is not one of auto, docker, buildah, podman/,
    );
  });
});

describe('getDocument', () => {
  test('parses YAML and JSON and locates values by path', () => {
    input('checks', '- url: http://a/health\n  name: a\n- url: http://b/\n');
    const doc = getDocument('checks');
    assert.deepEqual(doc?.value, [{ url: 'http://a/health', name: 'a' }, { url: 'http://b/' }]);
    assert.deepEqual(doc?.locate([1, 'url']), { line: 3, column: 8 });
    input('checks', '[{"url": "http://a/"}]');
    assert.deepEqual(getDocument('checks')?.value, [{ url: 'http://a/' }]);
  });
  test('a syntax error names the input, line and column', () => {
    input('checks', '- url: http://a/\n  name: [unclosed\n');
    throwsInput(() => getDocument('checks'), 'checks', /not valid YAML\/JSON at line \d+, column \d+/);
  });
  test('a duplicate key is an error', () => {
    input('checks', 'a: 1\na: 2\n');
    throwsInput(() => getDocument('checks'), 'checks', /line 2/);
  });
  test('empty and not required is undefined; required fails', () => {
    assert.equal(getDocument('checks'), undefined);
    throwsInput(() => getDocument('checks', { required: true }), 'checks', /required/);
  });
});

describe('getSecret', () => {
  test('masks the value before returning it', async () => {
    input('password', 'hunter2-long-secret');
    const logger = createCaptureLogger();
    assert.equal(await getSecret('password', { logger }), 'hunter2-long-secret');
    logger.info('connecting with hunter2-long-secret');
    assert.doesNotMatch(logger.text(), /hunter2/);
    assert.match(logger.text(), /connecting with \*\*\*/);
  });
  test('required and empty fails naming the input', async () => {
    await assert.rejects(
      getSecret('database-url', { required: true }),
      (error: unknown) => error instanceof InputError && error.input === 'database-url',
    );
  });
});
