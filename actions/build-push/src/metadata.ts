/**
 * Image references, tags and OCI labels, computed from the GitHub context the way docker/metadata-action
 * does with its usual configuration:
 *
 *   tags: type=sha (sha-<7>), type=ref,event=branch, type=ref,event=pr (pr-<n>), type=ref,event=tag,
 *         type=semver {{version}} / {{major}}.{{minor}} / {{major}},
 *         type=raw,value=latest,enable={{is_default_branch}}   (+ flavor latest=auto on release tags)
 *   labels: org.opencontainers.image.{title,description,url,source,version,created,revision,licenses}
 *
 * Sources: https://github.com/docker/metadata-action (README "tags input", "semver", "latest tag",
 * src/meta.ts `sanitizeTag`), the OCI distribution spec's tag grammar
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests) and the
 * distribution/reference name grammar (https://github.com/distribution/reference/blob/main/regexp.go).
 */
import cleanVersion from 'semver/functions/clean.js';
import parseVersion from 'semver/functions/parse.js';
import { InputError } from '../../../shared/src/errors.ts';
import type { GitHubContext } from './github-context.ts';
import { quote } from '../../../shared/src/output.ts';

/** The OCI distribution spec's tag grammar. */
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;

/** An image repository split as a registry client needs it. */
export interface ImageReference {
  /** The repository as the user wrote it (normalised only for Docker Hub), e.g. `ghcr.io/org/app`. */
  name: string;
  /** The registry host and port as written: `ghcr.io`, `localhost:5000`, `docker.io` for Docker Hub. */
  registry: string;
  /** The repository path inside the registry: `org/app`, `library/nginx`. */
  repository: string;
}

/**
 * Parses and validates an image repository (no tag, no digest) by the distribution/reference grammar: a
 * first component with a `.` or `:`, or `localhost`, is the registry host; otherwise Docker Hub.
 * @param image e.g. `ghcr.io/org/app`, `localhost:5000/app`, `org/app`
 * @throws InputError (input `image`) for a tag or digest in the value, upper-case or invalid components
 */
export function parseImage(image: string): ImageReference {
  const example = 'ghcr.io/org/app';
  if (image.includes('@'))
    throw new InputError('image', `${quote(image)} includes a digest; give the repository only`, example);
  const parts = image.split('/');
  const first = parts[0] ?? '';
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasDomain ? first : 'docker.io';
  const path = hasDomain ? parts.slice(1) : parts;
  if (hasDomain && !DOMAIN.test(registry))
    throw new InputError('image', `${quote(registry)} is not a valid registry host`, example);
  const last = path[path.length - 1] ?? '';
  if (last.includes(':'))
    throw new InputError(
      'image',
      `${quote(image)} includes a tag; give the repository only and put tags in 'tags'`,
      example,
    );
  for (const component of path) {
    if (!PATH_COMPONENT.test(component)) {
      const hint = component.toLowerCase() !== component ? ' (repository names are lower-case)' : '';
      throw new InputError(
        'image',
        `${quote(component)} is not a valid repository path component${hint}`,
        example,
      );
    }
  }
  const repository = registry === 'docker.io' && path.length === 1 ? `library/${last}` : path.join('/');
  if (repository.length + registry.length + 1 > 255)
    throw new InputError('image', `${quote(image)} is longer than 255 characters`, example);
  return { name: image, registry, repository };
}

/**
 * Checks one tag against the OCI tag grammar `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
 * @param input the input to blame in the error (`tags`)
 * @throws InputError naming the offending tag and what is wrong with it
 */
export function validateTag(tag: string, input = 'tags'): void {
  if (TAG_PATTERN.test(tag)) return;
  let problem: string;
  if (tag.length > 128) problem = `is ${tag.length} characters long (at most 128)`;
  else if (/^[.-]/.test(tag))
    problem = `starts with ${quote(tag[0] ?? '')} (a tag starts with a letter, digit or _)`;
  else {
    const bad = [...new Set(tag.replace(/[a-zA-Z0-9._-]/g, ''))].join('');
    problem = `contains ${JSON.stringify(bad)}, which a tag may not (allowed: letters, digits, _ . -)`;
  }
  throw new InputError(
    input,
    `tag ${quote(tag)} is not a valid OCI tag: it ${problem}; the grammar is [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`,
    'v1.2.3',
  );
}

/**
 * Turns a branch or git tag name into a valid tag as metadata-action's `sanitizeTag` does (every run of
 * characters outside `[a-zA-Z0-9._-]` becomes `-`), then drops leading `.`/`-` and cuts to 128 characters,
 * so `feature/Login#2` becomes `feature-Login-2`.
 * @returns the tag, or '' when nothing valid is left
 */
export function sanitizeTag(name: string): string {
  return name
    .replace(/[^a-zA-Z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
}

export interface TagOptions {
  /** Compute tags from the context (`auto-tags`). */
  auto: boolean;
  /** Explicit tags, appended after the computed ones (`tags`). */
  explicit: readonly string[];
  /** Overrides the payload's default branch (`default-branch`); `main` when neither gives one. */
  defaultBranch?: string;
}

/** The tags for one build, and the version the `org.opencontainers.image.version` label carries. */
export interface ComputedTags {
  /** Tags in order: version tags first, then `latest`, `sha-<7>`, then explicit tags; no duplicates. */
  tags: string[];
  /** The first, most specific tag: the semver version, git tag, branch or `pr-<n>`. */
  version: string;
}

/**
 * Computes the tags for a build.
 *
 * - branch ref `refs/heads/<b>`: `<sanitised b>`, `latest` when `<b>` is the default branch;
 * - tag ref `refs/tags/<t>`: when `<t>` is semver (`v1.2.3`, `1.2.3`): `1.2.3`, `1.2`, `1` and `latest`;
 *   a pre-release (`v1.2.3-rc.1`) gets only `1.2.3-rc.1`; major `0` gets no bare major tag (`0.4.1` → `0.4.1`,
 *   `0.4`, `latest`); a tag that is not semver gets `<sanitised t>`;
 * - pull requests (`pull_request`, `pull_request_target`): `pr-<n>`;
 * - always (when the SHA is known): `sha-<first 7 of the SHA>`.
 *
 * @throws InputError naming the first explicit tag that breaks the OCI grammar, or (input `tags`) when
 *   no tag results at all
 */
export function computeTags(context: GitHubContext, options: TagOptions): ComputedTags {
  const computed: string[] = [];
  if (options.auto) {
    const defaultBranch = options.defaultBranch || context.defaultBranch || 'main';
    const isPullRequest = context.eventName.startsWith('pull_request');
    if (isPullRequest && context.pullRequestNumber !== undefined) {
      computed.push(`pr-${context.pullRequestNumber}`);
    } else if (context.ref.startsWith('refs/heads/')) {
      const branch = context.ref.slice('refs/heads/'.length);
      const tag = sanitizeTag(branch);
      if (tag !== '') computed.push(tag);
      if (branch === defaultBranch) computed.push('latest');
    } else if (context.ref.startsWith('refs/tags/')) {
      const name = context.ref.slice('refs/tags/'.length);
      const version = parseVersion(cleanVersion(name) ?? '');
      if (version === null) {
        const tag = sanitizeTag(name);
        if (tag !== '') computed.push(tag);
      } else if (version.prerelease.length > 0) {
        computed.push(sanitizeTag(version.version));
      } else {
        computed.push(version.version, `${version.major}.${version.minor}`);
        if (version.major > 0) computed.push(String(version.major));
        computed.push('latest');
      }
    }
    if (/^[0-9a-f]{7,}$/i.test(context.sha)) computed.push(`sha-${context.sha.slice(0, 7).toLowerCase()}`);
  }
  for (const tag of options.explicit) validateTag(tag, 'tags');
  const tags = [...new Set([...computed, ...options.explicit])];
  if (tags.length === 0) {
    throw new InputError(
      'tags',
      'no tag to push: auto-tags is false (or the GitHub context gives none) and no tags were given',
      'v1.2.3',
    );
  }
  for (const tag of tags) validateTag(tag, 'tags');
  const version = tags.find((tag) => tag !== 'latest') ?? tags[0] ?? '';
  return { tags, version };
}

/**
 * The OCI annotation labels metadata-action sets, from the context (pre-defined annotation keys:
 * https://github.com/opencontainers/image-spec/blob/main/annotations.md), with `extra` applied over them.
 * @param created the build time (ISO 8601 via `toISOString()`)
 * @returns label name → value, in a stable order
 */
export function computeLabels(
  context: GitHubContext,
  version: string,
  created: Date,
  extra: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const labels = new Map<string, string>();
  const repoName = context.repository.split('/').pop() ?? '';
  const url = context.repository === '' ? '' : `${context.serverUrl}/${context.repository}`;
  const set = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') labels.set(`org.opencontainers.image.${key}`, value);
  };
  set('title', repoName);
  set('description', context.description);
  set('url', url);
  set('source', url);
  set('version', version);
  set('created', created.toISOString());
  set('revision', context.sha);
  set('licenses', context.license);
  for (const [key, value] of extra) labels.set(key, value);
  return labels;
}
