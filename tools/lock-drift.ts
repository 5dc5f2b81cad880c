/**
 * Finds the requests in a package-lock.json that let the lock drift: a dependency asked for by a dist-tag
 * (`latest`, `next`, `beta`…) or by `*`/`x`/an empty range, which `npm ci` re-resolves against the registry
 * on the day it runs. When the tag moves (jschardet 4.0.0 → 4.1.0 under
 * `@microsoft/eslint-formatter-sarif`'s `"jschardet": "latest"`), the committed lock stops satisfying the
 * tree and `npm ci` fails on a clean clone although nothing in the repository changed.
 *
 * A request is safe when package.json's `overrides` pins it: a top-level key for the package, or a key
 * under the package that asks for it (npm's override syntax:
 * https://docs.npmjs.com/cli/v11/configuring-npm/package-json#overrides).
 *
 * Peer dependencies are read too: a peer asked for by a dist-tag drifts the same way; a peer asked for by
 * `*` is satisfied by whatever version the tree holds, so it cannot drift and is not reported, and an
 * optional peer the lock does not hold is never installed.
 *
 * Run as a script (`node tools/lock-drift.ts`) it prints each finding and exits 1 when there is one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One entry of `packages` in a lockfileVersion 3 package-lock.json (the fields read here). */
export interface LockPackage {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
/** The parts of package-lock.json read here. */
export interface Lockfile {
  packages: Record<string, LockPackage>;
}
/** package.json `overrides`: a package name → a version, or → nested overrides for its subtree. */
export interface Overrides {
  [name: string]: string | Overrides;
}

/** A request that can drift: `name` asked for as `spec` by the package at `requestedBy` (its lock path). */
export interface DriftingRequest {
  name: string;
  spec: string;
  requestedBy: string;
  kind: 'dependencies' | 'optionalDependencies' | 'peerDependencies';
}

const KINDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

/**
 * True when `spec` names no fixed set of versions: a dist-tag or a wildcard. Versions, ranges, aliases
 * (`npm:`), git, file and URL specs are fixed by the lock's `resolved`/`version` and are not reported.
 */
export function isFloatingSpec(spec: string): boolean {
  const s = spec.trim();
  if (s === '' || s === '*' || s === 'x' || s === 'X') return true;
  if (/^(npm:|git\+|git:|github:|file:|link:|https?:|workspace:)/.test(s) || s.includes('/')) return false;
  // A semver range starts with a digit, an operator, `v`, or contains `||` / ` - `; a dist-tag is a bare word.
  return /^[A-Za-z][\w.-]*$/.test(s) && !/^v?\d/.test(s);
}

/** The package name of a lock path: `node_modules/a/node_modules/@s/b` → `@s/b`; the root → `(root)`. */
export function packageNameOf(lockPath: string): string {
  if (lockPath === '') return '(root)';
  const at = lockPath.lastIndexOf('node_modules/');
  return at < 0 ? lockPath : lockPath.slice(at + 'node_modules/'.length);
}

function overridden(overrides: Overrides, requester: string, name: string): boolean {
  if (name in overrides) return true;
  const scoped = overrides[requester];
  return typeof scoped === 'object' && name in scoped;
}

/**
 * Every request in `lock` that can drift and that `overrides` does not pin, sorted by package then
 * requester. `lock` is a parsed lockfileVersion 2/3 package-lock.json; `overrides` is package.json's
 * `overrides` (or `{}`). Throws nothing; an entry without dependency maps is skipped.
 */
export function findDriftingRequests(lock: Lockfile, overrides: Overrides = {}): DriftingRequest[] {
  const found: DriftingRequest[] = [];
  for (const [lockPath, pkg] of Object.entries(lock.packages)) {
    const requester = packageNameOf(lockPath);
    for (const kind of KINDS) {
      for (const [name, spec] of Object.entries(pkg[kind] ?? {})) {
        if (!isFloatingSpec(spec) || overridden(overrides, requester, name)) continue;
        if (kind === 'peerDependencies') {
          if (spec.trim() === '*' || spec.trim() === '') continue;
          const held = Object.keys(lock.packages).some((p) => packageNameOf(p) === name);
          if (pkg.peerDependenciesMeta?.[name]?.optional && !held) continue;
        }
        found.push({ name, spec, requestedBy: requester, kind });
      }
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name) || a.requestedBy.localeCompare(b.requestedBy));
}

/** One line per finding: `jschardet@"latest" asked for by @microsoft/eslint-formatter-sarif (dependencies)`. */
export function describeDrift(found: DriftingRequest[]): string[] {
  return found.map(
    (f) =>
      `${f.name}@"${f.spec}" asked for by ${f.requestedBy} (${f.kind}): pin it in package.json "overrides", ` +
      `e.g. "overrides": { "${f.name}": "<the version in package-lock.json>" }`,
  );
}

if (import.meta.main) {
  const root = path.resolve(import.meta.dirname, '..');
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as Lockfile;
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    overrides?: Overrides;
  };
  const lines = describeDrift(findDriftingRequests(lock, manifest.overrides ?? {}));
  for (const line of lines) console.log(line);
  if (lines.length > 0) process.exit(1);
  console.log('package-lock.json: no dependency is asked for by a dist-tag or * without an override');
}
