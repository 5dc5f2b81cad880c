/**
 * The build-push inputs, as declared in action.yml. Nothing else in the action reads inputs.
 */
import {
  getBoolean,
  getEnum,
  getInteger,
  getList,
  getMap,
  getString,
  containPath,
  rawInput,
} from '../../../shared/src/inputs.ts';
import { getSecret, resolveSecret } from '../../../shared/src/secret-inputs.ts';
import { InputError } from '../../../shared/src/errors.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { maskSecret } from '../../../shared/src/secrets.ts';
import { parseImage, validateTag, type ImageReference } from './metadata.ts';
import { quote } from '../../../shared/src/output.ts';

export const BUILDERS = ['auto', 'docker', 'buildah', 'podman'] as const;
export type BuilderChoice = (typeof BUILDERS)[number];
export const LOGINS = ['auto', 'ecr', 'ghcr', 'password', 'none'] as const;
export type LoginChoice = (typeof LOGINS)[number];

/** Contexts that are not folders: `https://…`, `http://…`, `git://…`, `git@host:…` (docker and buildah fetch them). */
export const REMOTE_CONTEXT = /^(?:https?:\/\/|git:\/\/|git@)/;

/**
 * `context` and `file`: a local context and its Dockerfile must stay inside the workspace (symlinks
 * followed); a remote context goes to the builder as is and `file` is then a path inside it.
 * @throws InputError naming `context` or `file` when it resolves outside GITHUB_WORKSPACE
 */
function sourcePaths(): { context: string; file: string } {
  const context = getString('context', { default: '.', singleLine: true });
  const file = getString('file', { singleLine: true });
  if (REMOTE_CONTEXT.test(context)) return { context, file };
  containPath('context', context, { example: '.' });
  if (file !== '') containPath('file', file, { example: 'docker/Dockerfile' });
  return { context, file };
}

/** Every input, keyed by its action.yml name, typed and validated. */
export interface Inputs {
  image: ImageReference;
  builder: BuilderChoice;
  context: string;
  file: string;
  tags: string[];
  'auto-tags': boolean;
  'default-branch': string;
  labels: Map<string, string>;
  'build-args': Map<string, string>;
  /** Secret id → value (masked, `vault:` references resolved). */
  secrets: Map<string, string>;
  target: string;
  platforms: string[];
  push: boolean;
  'cache-from': string[];
  'cache-to': string[];
  provenance: string;
  sbom: string;
  'dry-run': boolean;
  login: LoginChoice;
  username: string;
  password: string;
  'github-token': string;
  'aws-region': string;
  'tls-verify': boolean;
  'push-attempts': number;
}

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;

/**
 * Reads the `secrets` input without ever putting a value in an error message: every line and every value
 * is masked first, then lines are split at the first `=`.
 * @returns id → value, vault references resolved (and masked)
 * @throws InputError naming the line number (not its content) for a bad line or a repeated id
 */
export async function readSecretsInput(logger: Logger = coreLogger): Promise<Map<string, string>> {
  const raw = rawInput('secrets');
  const lines = raw.split(/\r?\n/);
  for (const line of lines) {
    const equals = line.indexOf('=');
    maskSecret(line.trim(), logger);
    if (equals > 0) maskSecret(line.slice(equals + 1).trim(), logger);
  }
  const secrets = new Map<string, string>();
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    const id = equals > 0 ? line.slice(0, equals).trim() : '';
    if (!SECRET_ID.test(id))
      throw new InputError(
        'secrets',
        `line ${index + 1} is not ID=VALUE with an id of [A-Za-z0-9_.-]`,
        'npm_token=${{ secrets.NPM_TOKEN }}',
      );
    if (secrets.has(id))
      throw new InputError('secrets', `line ${index + 1}: secret id ${quote(id)} is given twice`);
    secrets.set(id, await resolveSecret(line.slice(equals + 1).trim(), 'secrets', logger));
  }
  return secrets;
}

/** A value left as an unexpanded `${{ … }}` expression (a local run with action.yml defaults) counts as empty. */
function isUnexpanded(value: string): boolean {
  return /^\$\{\{.*\}\}$/.test(value);
}

/**
 * Reads and validates every input. Secrets are masked before anything else can print them.
 * @throws InputError for the first bad input, naming it
 */
export async function getInputs(logger: Logger = coreLogger): Promise<Inputs> {
  const image = parseImage(getString('image', { required: true, example: 'ghcr.io/org/app' }));
  const password = await getSecret('password', { logger });
  const githubToken = isUnexpanded(rawInput('github-token'))
    ? ''
    : await getSecret('github-token', { logger });
  const secrets = await readSecretsInput(logger);
  const tags = getList('tags');
  for (const tag of tags) validateTag(tag, 'tags');
  const platforms = getList('platforms');
  for (const platform of platforms) {
    if (!PLATFORM.test(platform))
      throw new InputError(
        'platforms',
        `${quote(platform)} is not os/arch[/variant]`,
        'linux/amd64,linux/arm64',
      );
  }
  const provenance = getString('provenance');
  if (provenance !== '' && !/^(true|false|mode=(min|max))$/.test(provenance))
    throw new InputError(
      'provenance',
      `${quote(provenance)} is not true, false, mode=min or mode=max`,
      'mode=max',
    );
  const sbom = getString('sbom');
  if (sbom !== '' && !/^(true|false)$/.test(sbom))
    throw new InputError('sbom', `${quote(sbom)} is not true or false`, 'true');
  const inputs: Inputs = {
    image,
    builder: getEnum('builder', BUILDERS, { default: 'auto' }),
    ...sourcePaths(),
    tags,
    'auto-tags': getBoolean('auto-tags', { default: true }),
    'default-branch': getString('default-branch'),
    labels: getMap('labels', { example: 'org.opencontainers.image.vendor=Acme' }),
    'build-args': getMap('build-args', { example: 'APP_VERSION=1.2.3' }),
    secrets,
    target: getString('target', { singleLine: true }),
    platforms,
    push: getBoolean('push', { default: true }),
    'cache-from': getList('cache-from', { separator: 'newline' }),
    'cache-to': getList('cache-to', { separator: 'newline' }),
    provenance,
    sbom,
    'dry-run': getBoolean('dry-run', { default: false }),
    login: getEnum('login', LOGINS, { default: 'auto' }),
    username: getString('username'),
    password,
    'github-token': githubToken,
    'aws-region': getString('aws-region'),
    'tls-verify': getBoolean('tls-verify', { default: true }),
    'push-attempts': getInteger('push-attempts', { default: 4, min: 1, max: 10 }) ?? 4,
  };
  if (inputs.login === 'password' && (inputs.username === '' || inputs.password === ''))
    throw new InputError('username', "login: password needs both 'username' and 'password'", 'ci-bot');
  if (inputs.password !== '' && inputs.username === '' && inputs.login !== 'ecr' && inputs.login !== 'ghcr')
    throw new InputError('username', "'password' is given without 'username'", 'ci-bot');
  return inputs;
}
