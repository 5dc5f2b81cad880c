import { mkdtemp, mkdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { workspacePath } from '../../shared/src/workspace.ts';

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
  expect(workspacePath('source', 'dist', 'dist')).toBe(path.join(workspace, 'dist'));
  expect(workspacePath('source', '.', 'dist')).toBe(workspace);
  expect(workspacePath('source', 'not/yet/there', 'dist')).toBe(path.join(workspace, 'not/yet/there'));
});
test.each(['../x', '/etc', 'dist/../../x', 'escape', 'escape/passwd'])('%s leaves the workspace', (value) => {
  expect(() => workspacePath('source', value, 'dist')).toThrow(/Input 'source'.*outside the workspace/);
});
