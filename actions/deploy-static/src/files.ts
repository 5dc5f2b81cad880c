/**
 * The build folder as a list of files to publish: walked recursively, symbolic links followed only when
 * they stay inside the folder, paths with `/` separators.
 */
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from '../../../shared/src/errors.ts';

/** One file of the build. */
export interface LocalFile {
  /** Absolute path on disk. */
  file: string;
  /** Path relative to `source`, `/`-separated, e.g. `assets/app-3f2a1b9c.js`. */
  relative: string;
  /** Size in bytes. */
  size: number;
}

/**
 * Lists every regular file under `root`, sorted by relative path.
 * @param root absolute path of the build folder (already checked to be inside the workspace)
 * @param skip relative paths for which this returns true are left out (excludes, reserved names)
 * @returns the files, at most `limit`
 * @throws ConfigurationError when `root` is not a folder, a link points outside it, or there are more
 *   than `limit` files (default 100 000: a bound on memory, far above any site)
 */
export async function listBuild(
  root: string,
  skip: (relative: string) => boolean = () => false,
  limit = 100_000,
): Promise<LocalFile[]> {
  const info = await stat(root).catch(() => undefined);
  if (info === undefined || !info.isDirectory())
    throw new ConfigurationError(
      `The source folder ${root} does not exist or is not a folder: run the build first.`,
    );
  const realRoot = await realpath(root);
  const files: LocalFile[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      if (skip(relative)) continue;
      let kind = await lstat(full);
      if (kind.isSymbolicLink()) {
        const target = await realpath(full).catch(() => undefined);
        if (target === undefined) continue; // a dangling link publishes nothing, as aws s3 sync skips it
        if (target !== realRoot && !target.startsWith(realRoot + path.sep))
          throw new ConfigurationError(
            `${relative} is a symbolic link to ${target}, outside the source folder: refusing to publish it.`,
          );
        kind = await stat(full);
      }
      if (kind.isDirectory()) await walk(full);
      else if (kind.isFile()) {
        files.push({ file: full, relative, size: kind.size });
        if (files.length > limit)
          throw new ConfigurationError(`The source folder holds more than ${limit} files.`);
      }
    }
  };
  await walk(root);
  return files.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
}
