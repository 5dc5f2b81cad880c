/**
 * Release checks for a version tag: `node tools/release-notes.ts v0.2.0` prints the CHANGELOG.md entry of
 * 0.2.0 (the release notes) and exits 0 when the tag is `vX.Y.Z`, package.json's `version` is X.Y.Z and
 * CHANGELOG.md has an entry headed exactly `## X.Y.Z` (an entry still marked `(unreleased)` does not
 * count). Otherwise it prints what disagrees and exits 1. Used by .github/workflows/release.yml.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The body of CHANGELOG.md's entry `## <version>` (the lines up to the next `## ` heading, trimmed), or
 * undefined when there is no such entry. `changelog` is the file's text; `version` is `X.Y.Z`, no `v`.
 */
export function changelogEntry(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) => line.trimEnd() === `## ${version}`);
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
  return body === '' ? undefined : body;
}

/**
 * The problems that stop a release of `tag`: a tag that is not `vX.Y.Z`, a package.json version that
 * differs, no CHANGELOG entry for the version. Empty when the release may go ahead.
 */
export function releaseProblems(tag: string, packageVersion: string, changelog: string): string[] {
  const match = /^v(\d+\.\d+\.\d+)$/.exec(tag);
  if (match === null) return [`the tag ${JSON.stringify(tag)} is not a version tag such as v0.2.0`];
  const version = match[1] ?? '';
  const problems: string[] = [];
  if (packageVersion !== version) problems.push(`package.json says ${packageVersion}, the tag ${tag}`);
  if (changelogEntry(changelog, version) === undefined)
    problems.push(`CHANGELOG.md has no entry headed "## ${version}" (an "(unreleased)" entry is not one)`);
  return problems;
}

if (import.meta.main) {
  const root = path.resolve(import.meta.dirname, '..');
  const tag = process.argv[2] ?? '';
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const changelog = readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
  const problems = releaseProblems(tag, manifest.version, changelog);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`release ${tag}: ${problem}`);
    process.exit(1);
  }
  console.log(changelogEntry(changelog, tag.slice(1)));
}
