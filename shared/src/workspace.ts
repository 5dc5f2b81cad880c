/**
 * Paths given by the user, resolved against the workspace and kept inside it: an action reads and writes
 * only under `GITHUB_WORKSPACE` (or the working directory when that is not set, e.g. a local run).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { InputError } from './errors.ts';

/**
 * Resolves a path input against GITHUB_WORKSPACE and checks it stays inside, symbolic links resolved
 * when the path (or the workspace) exists, so `dist -> /etc` is caught as well as `../../etc`.
 * @param name the input's name, for the error
 * @param value the input's value, relative to the workspace or absolute
 * @param example a good value, for the error
 * @returns the absolute path (not link-resolved)
 * @throws InputError naming `name` when the path leaves the workspace
 */
export function workspacePath(name: string, value: string, example: string): string {
  const workspace = path.resolve(process.env['GITHUB_WORKSPACE'] || process.cwd());
  const resolved = path.resolve(workspace, value);
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  const root = real(workspace);
  const target = real(resolved);
  if (target !== root && !target.startsWith(root + path.sep))
    throw new InputError(name, `"${value}" is outside the workspace (${workspace})`, example);
  return resolved;
}
