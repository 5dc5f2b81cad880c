import { mkdtemp, mkdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { containPath } from '../../shared/src/inputs.ts';

let workspace: string;
const saved = process.env['GITHUB_WORKSPACE'];
beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'ws-'));
  await mkdir(path.join(workspace, 'dist'));
  await symlink('/etc', path.join(workspace, 'escape'));
  process.env['GITHUB_WORKSPACE'] = workspace;
});
afterAll(async () => {
  if (saved === undefined) delete process.env['GITHUB_WORKSPACE'];
  else process.env['GITHUB_WORKSPACE'] = saved;
  await rm(workspace, { recursive: true, force: true });
});

test('paths inside the workspace resolve against it', () => {
  expect(containPath('source', 'dist', { example: 'dist' })).toBe(path.join(workspace, 'dist'));
  expect(containPath('source', '.', { example: 'dist' })).toBe(workspace);
  expect(containPath('source', 'not/yet/there', { example: 'dist' })).toBe(
    path.join(workspace, 'not/yet/there'),
  );
});
test.each(['../x', '/etc', 'dist/../../x', 'escape', 'escape/passwd'])('%s leaves the workspace', (value) => {
  expect(() => containPath('source', value, { example: 'dist' })).toThrow(
    /Input 'source'.*outside the workspace/,
  );
});
