/**
 * Secret masking: every secret value is registered with the runner before anything can print it —
 * the whole value, each line of a multi-line value (the runner matches masks line by line, so a
 * multi-line mask alone never matches), each leaf of a JSON value (a secret JSON document is often
 * printed field by field), and each secret part of a URL-shaped value (a webhook's path, query values,
 * the userinfo password: an error body quoting only the path must not print it).
 */
import { coreLogger, type Logger } from './logger.ts';

/** Lines made only of JSON punctuation (`{`, `],` …) are structure, not secret, and are not masked. */
const STRUCTURE_ONLY = /^[\s{}[\],:"']*$/;

/**
 * Lists the strings to mask for one secret value: the value, each non-blank line (trimmed), and for a
 * JSON value each string and number leaf. Structure-only lines (`{`, `}`) are left out.
 *
 * @param value the secret as received
 * @returns distinct, non-empty strings, longest first
 */
export function secretFragments(value: string): string[] {
  const fragments = new Set<string>();
  const add = (fragment: string): void => {
    if (fragment !== '' && !STRUCTURE_ONLY.test(fragment)) fragments.add(fragment);
  };
  add(value);
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n|\r/)) {
      add(line);
      add(line.trim());
    }
  }
  const trimmed = value.trim();
  for (const part of urlSecretParts(trimmed)) add(part);
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      collectLeaves(JSON.parse(trimmed) as unknown, add);
    } catch {
      // not JSON after all: the value and its lines are masked already
    }
  }
  return [...fragments].sort((a, b) => b.length - a.length);
}

/** A path segment that is a plain word (`services`, `hooks`, `v2`, `enqueue`) is structure, not secret. */
const PLAIN_SEGMENT = /^(?:[a-z]+(?:[-_.][a-z]+)*|v\d+)$/;

/**
 * The secret parts of a URL-shaped value (`scheme://…`): the userinfo password; every path segment that is
 * not a plain word and is at least 6 characters (a Slack webhook's `T…/B…/<secret>`, a token in a path),
 * and the path from the first such segment to the end; every query value of at least 6 characters. Each
 * also percent-decoded. A URL's host and plain path words stay readable.
 * @param value a whole secret value; anything that is not an absolute URL gives []
 * @returns the parts to mask (may repeat)
 */
export function urlSecretParts(value: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value)) return [];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  const parts: string[] = [];
  const both = (part: string): void => {
    parts.push(part);
    try {
      parts.push(decodeURIComponent(part));
    } catch {
      // not valid percent-encoding: the raw form is masked
    }
  };
  if (url.password !== '') both(url.password);
  const segments = url.pathname.split('/');
  const first = segments.findIndex((segment) => segment.length >= 6 && !PLAIN_SEGMENT.test(segment));
  if (first >= 0) {
    both(segments.slice(first).join('/'));
    for (const segment of segments.slice(first))
      if (segment.length >= 6 && !PLAIN_SEGMENT.test(segment)) both(segment);
  }
  for (const [, query] of url.searchParams)
    if (query.length >= 6) parts.push(query, encodeURIComponent(query));
  return parts.filter((part) => part !== '');
}

function collectLeaves(node: unknown, add: (fragment: string) => void): void {
  if (typeof node === 'string') {
    add(node);
    // A JSON string printed raw shows escaped characters the way JSON.stringify writes them.
    add(JSON.stringify(node).slice(1, -1));
    if (node.includes('\n')) for (const line of node.split('\n')) add(line.trim());
  } else if (typeof node === 'number') {
    add(String(node));
  } else if (Array.isArray(node)) {
    for (const item of node) collectLeaves(item, add);
  } else if (node !== null && typeof node === 'object') {
    for (const item of Object.values(node)) collectLeaves(item, add);
  }
}

/**
 * Masks a secret value (see {@link secretFragments}) through the logger before it can be printed.
 * @param value  the secret; empty values are ignored
 * @param logger where masks are registered (the runner via `@actions/core` by default)
 */
export function maskSecret(value: string, logger: Logger = coreLogger): void {
  if (value === '') return;
  for (const fragment of secretFragments(value)) logger.mask(fragment);
}

/**
 * Resolves a secret reference such as `vault:secret/data/app#password` to its value. Installed by the
 * module that implements the scheme (see `registerSecretResolver`), so actions that never see a reference
 * do not bundle its client.
 */
export type SecretResolver = (reference: string, input: string, logger: Logger) => Promise<string>;

const resolvers = new Map<string, SecretResolver>();

/**
 * Registers the resolver for references that start with `<scheme>:` (e.g. `vault`).
 * @param scheme   the prefix before the colon, lower-case
 * @param resolver resolves the whole reference; must throw an error naming the reference, never the value
 */
export function registerSecretResolver(scheme: string, resolver: SecretResolver): void {
  resolvers.set(scheme, resolver);
}

/**
 * Masks `value`, resolves it if it is a reference to a registered scheme (`vault:<path>#<key>`), masks
 * the resolved value too and returns it. The `vault` resolver is registered by `secret-inputs.ts`, which
 * actions with secret inputs import: actions without any never bundle a path to node-vault.
 *
 * @param value  the input's raw value
 * @param input  the input's name, for error messages
 * @throws Error when the value is a reference whose scheme has no resolver registered in this action
 */
export async function resolveSecret(
  value: string,
  input: string,
  logger: Logger = coreLogger,
): Promise<string> {
  maskSecret(value, logger);
  const match = /^([a-z][a-z0-9+.-]*):(?!\/\/)/.exec(value);
  const scheme = match?.[1];
  if (scheme !== 'vault') return value;
  const resolver = resolvers.get(scheme);
  if (resolver === undefined) {
    throw new Error(
      `Input '${input}' is a ${scheme}: reference, but this action has no ${scheme} resolver built in`,
    );
  }
  const resolved = await resolver(value, input, logger);
  maskSecret(resolved, logger);
  return resolved;
}
