import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { mkdir, mkdtemp, realpath, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getDuration, getPath, getPathList, getString, rawInput } from '../../shared/src/inputs.ts';
import { InputError } from '../../shared/src/errors.ts';

let workspace = '';
let runnerTemp = '';
const saved = { ...process.env };

beforeEach(async () => {
  const root = await realpath(await mkdtemp(path.join(tmpdir(), 'gantry-inputs-')));
  workspace = path.join(root, 'workspace');
  runnerTemp = path.join(root, 'runner-temp');
  await mkdir(path.join(workspace, 'db'), { recursive: true });
  await mkdir(runnerTemp);
  await symlink('/etc', path.join(workspace, 'etc-link'));
  process.env['GITHUB_WORKSPACE'] = workspace;
  process.env['RUNNER_TEMP'] = runnerTemp;
});
afterEach(() => {
  process.env = { ...saved };
});

function set(name: string, value: string): void {
  process.env[`INPUT_${name.toUpperCase()}`] = value;
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('no InputError thrown');
}

describe('getPath', () => {
  test.each([
    ['a relative path', 'db/V1__init.sql', 'db/V1__init.sql'],
    ['a missing file in the workspace', 'new/dir/file.txt', 'new/dir/file.txt'],
    ['the workspace itself', '.', ''],
  ])('accepts %s', (_, value, relative) => {
    set('file', value);
    expect(getPath('file')).toBe(path.join(workspace, relative));
  });
  test.each([
    ['..', '../outside'],
    ['an absolute path', '/etc/passwd'],
    ['a symlink out', 'etc-link/passwd'],
    ['a missing file under a symlink out', 'etc-link/new/file'],
  ])('refuses %s, naming the input', (_, value) => {
    set('file', value);
    const error = errorOf(() => getPath('file'));
    expect(error.input).toBe('file');
    expect(error.message).toMatch(/outside the workspace/);
  });
  test('an output may go to RUNNER_TEMP, an input may not', () => {
    set('report', path.join(runnerTemp, 'r.json'));
    expect(getPath('report', { kind: 'output' })).toBe(path.join(runnerTemp, 'r.json'));
    expect(errorOf(() => getPath('report')).input).toBe('report');
  });
  test('a list is checked item by item', () => {
    set('locations', 'db, ../../etc');
    expect(errorOf(() => getPathList('locations')).message).toContain('"../../etc"');
  });
});

describe('getDuration bounds', () => {
  test('30d is refused with the default maximum of 5 days', () => {
    set('timeout', '30d');
    expect(errorOf(() => getDuration('timeout')).message).toContain('longer than the maximum of 5d');
  });
  test('an explicit maximum is named as a duration', () => {
    set('timeout', '2h');
    expect(errorOf(() => getDuration('timeout', { max: 3_600_000 })).message).toContain('maximum of 1h');
  });
});

describe('strings', () => {
  test('control characters are refused', () => {
    set('name', 'a\u0007b');
    expect(errorOf(() => rawInput('name')).message).toContain('U+0007');
  });
  test('singleLine refuses a line break, quoting it escaped', () => {
    set('cluster', 'web\n::warning::x');
    expect(errorOf(() => getString('cluster', { singleLine: true })).message).toContain(
      '"web\\n::warning::x"',
    );
  });
  test('a 100 KB bad value is quoted to 200 characters', () => {
    set('cluster', 'x'.repeat(100_000));
    const message = errorOf(() => getString('cluster', { pattern: /^[a-z]{1,5}$/ })).message;
    expect(message.length).toBeLessThan(400);
    expect(message).toContain('more characters');
  });
});
