/**
 * File URIs in SARIF results, made relative to the repository root — what code scanning and annotations
 * expect (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#specifying-the-location-for-source-files).
 * Tools write paths relative to where they ran, absolute paths, or `file://` URIs.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArtifactLocation, Log } from './types.ts';

/**
 * The repository-relative POSIX path of a tool's file reference.
 * @param uri     as the tool wrote it: relative (to `toolDir`), absolute, or a `file:` URI
 * @param toolDir the absolute folder the tool ran in
 * @param root    the absolute repository root (GITHUB_WORKSPACE)
 * @returns a relative path like `src/app.ts`; the absolute path when the file is outside `root`;
 *   other schemes (`https:`, `pkg:`) unchanged
 */
export function repoRelativePath(uri: string, toolDir: string, root: string): string {
  let file: string;
  if (uri.startsWith('file:')) {
    try {
      file = fileURLToPath(uri);
    } catch {
      return uri;
    }
  } else if (/^[a-z][a-z0-9+.-]+:/i.test(uri)) {
    return uri;
  } else {
    file = path.resolve(toolDir, decodeURIComponent(uri));
  }
  const relative = path.relative(root, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return file.split(path.sep).join('/');
  return relative.split(path.sep).join('/');
}

function fix(location: ArtifactLocation | undefined, toolDir: string, root: string): void {
  if (location?.uri === undefined) return;
  location.uri = repoRelativePath(location.uri, toolDir, root);
  delete location.uriBaseId;
}

/**
 * Rewrites every result location's file URI (and the run's artifact table) to be relative to `root`, in
 * place. A relative URI is taken as relative to the folder the tool ran in whatever its `uriBaseId`
 * (`%SRCROOT%`, trivy's `ROOTPATH`…), and the `uriBaseId` is dropped.
 * @param toolDir the absolute folder the tool ran in (relative URIs are resolved against it)
 * @param root    the absolute repository root
 */
export function relativizeUris(log: Log, toolDir: string, root: string): void {
  for (const run of log.runs) {
    for (const artifact of run.artifacts ?? []) fix(artifact.location, toolDir, root);
    for (const result of run.results ?? []) {
      for (const location of result.locations ?? [])
        fix(location.physicalLocation?.artifactLocation, toolDir, root);
      for (const location of result.relatedLocations ?? [])
        fix(location.physicalLocation?.artifactLocation, toolDir, root);
    }
  }
}
