/**
 * build-push: compute tags and labels, pick a builder, log in, build, push every tag, read the digest
 * back from the registry and report it. Each step is a log group.
 */
import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { readFile, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { ConfigurationError, InputError, describeThrown, markReported } from '../../../shared/src/errors.ts';
import { formatDuration } from '../../../shared/src/duration.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { delayScale, retry } from '../../../shared/src/retry.ts';
import { loadState, saveState } from '../../../shared/src/state.ts';
import {
  buildArguments,
  detectBuilder,
  pushArguments,
  systemProbe,
  usesManifestList,
  type Builder,
  type BuilderName,
  type BuilderProbe,
  type BuildRequest,
} from './builders.ts';
import { readGitHubContext } from './github-context.ts';
import { getInputs, REMOTE_CONTEXT, type Inputs } from './inputs.ts';
import { planLogin, resolveCredentials } from './login.ts';
import { computeLabels, computeTags } from './metadata.ts';
import { imageSize, RegistryClient, type RegistryCredentials } from './registry-client.ts';
import { BuildFailure, lastLine, PushFailure } from './failures.ts';
import { isTransientPushFailure, runTool } from './run-tool.ts';
import { formatBytes, writeSummary } from './summary.ts';
import { createWorkDir, removeWorkDir, writeAuthFile, writeSecretFiles, type WorkDir } from './work-dir.ts';
import { quote } from '../../../shared/src/output.ts';

const WORK_DIR_STATE = 'workDir';

/** What the action reports (outputs `metadata` is this as JSON). */
export interface BuildPushMetadata {
  image: string;
  digest: string;
  /** Full references `<image>:<tag>`. */
  tags: string[];
  labels: Record<string, string>;
  builder: BuilderName | '';
  platforms: string[];
  pushed: boolean;
  /** Builder time for the build, seconds. */
  buildSeconds: number;
  /** Builder time for all pushes, seconds. */
  pushSeconds: number;
  /** Compressed size of config and layers as pushed, bytes (0 when not pushed). */
  sizeBytes: number;
}

/** Seams for tests; the runner uses the defaults. */
export interface RunOptions {
  logger?: Logger;
  probe?: BuilderProbe;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
}

/** Resolves the context folder and the Dockerfile/Containerfile against the workspace. */
async function locateSources(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
): Promise<{ context: string; file: string }> {
  const workspace = env['GITHUB_WORKSPACE'] || process.cwd();
  // A remote context (a Git repository or tarball URL) goes to the builder as is; `file` is then a path
  // inside it, and empty means the builder's default (Dockerfile).
  if (REMOTE_CONTEXT.test(inputs.context)) return { context: inputs.context, file: inputs.file };
  const context = path.resolve(workspace, inputs.context);
  if (!existsSync(context))
    throw new InputError('context', `the folder ${quote(inputs.context)} does not exist`, '.');
  if (inputs.file !== '') {
    const file = path.resolve(workspace, inputs.file);
    if (!existsSync(file)) throw new InputError('file', `${quote(inputs.file)} does not exist`, 'Dockerfile');
    return { context, file };
  }
  for (const name of ['Dockerfile', 'Containerfile']) {
    const file = path.join(context, name);
    if (existsSync(file)) return { context, file };
  }
  throw new InputError(
    'file',
    `no Dockerfile or Containerfile in ${quote(inputs.context)}; name one with 'file'`,
    'docker/Dockerfile',
  );
}

/** Quotes an argument for display only (commands run as arrays, never through a shell). */
function displayCommand(tool: string, args: readonly string[]): string {
  return [tool, ...args]
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

/** Lets docker buildx keep its plugins, builders and contexts under a private DOCKER_CONFIG. */
async function linkDockerPlugins(work: WorkDir, env: NodeJS.ProcessEnv): Promise<void> {
  const original = env['DOCKER_CONFIG'] || path.join(homedir(), '.docker');
  for (const name of ['cli-plugins', 'buildx', 'contexts']) {
    const source = path.join(original, name);
    if (existsSync(source))
      await symlink(source, path.join(work.dockerConfigDir, name)).catch(() => undefined);
  }
}

/**
 * The action's main flow. Outputs `tags`, `labels`, `builder` are set before the build, so a failed build
 * or push still reports what it was building; `image` and `digest` only once the registry served them.
 * @throws InputError/ConfigurationError for what the user must fix, Error for build/push/registry failures
 *   (naming the tag that failed)
 */
export async function run(options: RunOptions = {}): Promise<void> {
  const logger = options.logger ?? coreLogger;
  const env = options.env ?? process.env;
  const started = performance.now();
  const inputs = await getInputs(logger);
  const image = inputs.image;
  const github = readGitHubContext(env);

  const { tags, labels } = await logger.group('Compute tags and labels', async () => {
    const computed = computeTags(github, {
      auto: inputs['auto-tags'],
      explicit: inputs.tags,
      ...(inputs['default-branch'] === '' ? {} : { defaultBranch: inputs['default-branch'] }),
    });
    const labelMap = computeLabels(
      github,
      computed.version,
      (options.now ?? (() => new Date()))(),
      inputs.labels,
    );
    for (const tag of computed.tags) logger.info(`tag   ${image.name}:${tag}`);
    for (const [key, value] of labelMap) logger.info(`label ${key}=${value}`);
    return { tags: computed.tags, labels: labelMap };
  });
  const references = tags.map((tag) => `${image.name}:${tag}`);
  const metadata: BuildPushMetadata = {
    image: '',
    digest: '',
    tags: references,
    labels: Object.fromEntries(labels),
    builder: '',
    platforms: inputs.platforms,
    pushed: false,
    buildSeconds: 0,
    pushSeconds: 0,
    sizeBytes: 0,
  };
  const setOutputs = (): void => {
    core.setOutput('image', metadata.image);
    core.setOutput('digest', metadata.digest);
    core.setOutput('tags', references.join('\n'));
    core.setOutput('labels', [...labels].map(([key, value]) => `${key}=${value}`).join('\n'));
    core.setOutput('builder', metadata.builder);
    core.setOutput('metadata', JSON.stringify(metadata));
  };

  const sources = await locateSources(inputs, env);
  const builder: Builder | undefined = await logger.group('Pick the builder', async () => {
    try {
      const found = await detectBuilder(inputs.builder, options.probe ?? systemProbe);
      for (const line of found.looked) logger.info(`skipped ${line}`);
      logger.info(`builder: ${found.name} (${found.path})`);
      return found;
    } catch (error) {
      if (!inputs['dry-run']) throw error;
      logger.warning(`${describeThrown(error)} (dry run: commands are shown for buildah)`);
      return undefined;
    }
  });
  metadata.builder = builder?.name ?? '';
  if (builder?.name === 'docker' && !inputs['tls-verify'])
    logger.warning(
      'tls-verify: false is not passed to docker buildx: list the registry as insecure in the buildkitd configuration (docker/setup-buildx-action config-inline)',
    );
  if (builder?.name !== 'docker' && (inputs.provenance !== '' || inputs.sbom !== ''))
    logger.warning(
      `provenance and sbom are docker buildx features; ${builder?.name ?? 'this builder'} ignores them`,
    );
  setOutputs();

  if (inputs['dry-run']) {
    const name = builder?.name ?? 'buildah';
    const request = buildRequest(inputs, sources, references, labels, name, [
      ...[...inputs.secrets.keys()].map((id) => ({ id, path: `<temp>/secrets/${id}` })),
    ]);
    await logger.group('Dry run: commands that would run', async () => {
      logger.info(displayCommand(name, buildArguments(name, request)));
      if (name !== 'docker' && inputs.push)
        for (const reference of references)
          logger.info(
            displayCommand(
              name,
              pushArguments(
                name,
                pushRequest(
                  inputs,
                  references,
                  reference,
                  '<temp>/docker/config.json',
                  '<temp>/digest',
                  name,
                  request,
                ),
              ),
            ),
          );
    });
    await writeSummary(metadata, inputs, 'dry run: nothing built or pushed');
    return;
  }
  if (builder === undefined) throw new ConfigurationError('no builder'); // unreachable: detection threw

  const work = await createWorkDir(env);
  saveState(WORK_DIR_STATE, work.dir);
  try {
    const credentials = inputs.push ? await logIn(inputs, work, logger, env) : undefined;
    if (builder.name === 'docker') await linkDockerPlugins(work, env);
    const secretFiles = await writeSecretFiles(work, inputs.secrets);
    const request = buildRequest(inputs, sources, references, labels, builder.name, secretFiles, work);
    const toolEnv: Record<string, string> =
      builder.name === 'docker'
        ? { DOCKER_CONFIG: work.dockerConfigDir }
        : { REGISTRY_AUTH_FILE: work.authFile };

    await logger.group(`Build with ${builder.name}`, async () => {
      const attempts = builder.name === 'docker' && inputs.push ? inputs['push-attempts'] : 1;
      const result = await retry(
        async (attempt) => {
          const outcome = await runTool(builder.path, buildArguments(builder.name, request), {
            env: toolEnv,
          });
          metadata.buildSeconds += outcome.durationMs / 1000;
          if (outcome.exitCode !== 0) {
            const error = new BuildFailure(builder.name, outcome.exitCode, outcome.tail, attempt);
            throw error;
          }
          return outcome;
        },
        {
          attempts,
          baseDelayMs: 1_000,
          shouldRetry: (error) => error instanceof BuildFailure && isTransientPushFailure(error.tail),
          onRetry: (error, attempt, delayMs) =>
            logger.warning(
              `build and push attempt ${attempt} of ${attempts} failed (${lastLine(error)}); retrying in ${formatDuration(delayMs)}`,
            ),
        },
      ).catch((error: unknown) => {
        if (error instanceof BuildFailure) {
          logger.error(
            `${builder.name} failed (exit code ${error.exitCode}). Last lines:\n${error.tail.join('\n')}`,
            {
              title: `Image build failed (${builder.name})`,
              ...(request.file === '' || REMOTE_CONTEXT.test(request.context)
                ? {}
                : {
                    file:
                      path.relative(env['GITHUB_WORKSPACE'] || process.cwd(), request.file) || request.file,
                  }),
            },
          );
          throw markReported(error);
        }
        throw error;
      });
      logger.info(`built in ${formatDuration(result.durationMs)}`);
    });

    if (!inputs.push) {
      logger.info('push: false — the image was built and not pushed');
      setOutputs();
      await writeSummary(
        metadata,
        inputs,
        `built in ${formatDuration(metadata.buildSeconds * 1000)}, not pushed`,
      );
      return;
    }

    const pushedDigests = new Map<string, string>();
    if (builder.name !== 'docker') {
      await logger.group(`Push ${references.length} tag(s)`, async () => {
        for (const reference of references) {
          const digestFile = path.join(work.dir, `digest-${pushedDigests.size}`);
          const args = pushArguments(
            builder.name as Exclude<BuilderName, 'docker'>,
            pushRequest(inputs, references, reference, work.authFile, digestFile, builder.name, request),
          );
          await retry(
            async (attempt) => {
              const outcome = await runTool(builder.path, args, { env: toolEnv });
              metadata.pushSeconds += outcome.durationMs / 1000;
              if (outcome.exitCode !== 0)
                throw new PushFailure(reference, outcome.exitCode, outcome.tail, attempt);
            },
            {
              attempts: inputs['push-attempts'],
              baseDelayMs: 1_000,
              maxDelayMs: 10_000,
              shouldRetry: (error) => error instanceof PushFailure && isTransientPushFailure(error.tail),
              onRetry: (error, attempt, delayMs) =>
                logger.warning(
                  `push of ${reference}: attempt ${attempt} of ${inputs['push-attempts']} failed (${lastLine(error)}); retrying in ${formatDuration(delayMs)}`,
                ),
            },
          ).catch((error: unknown) => {
            if (error instanceof PushFailure) {
              const hint = /unauthorized|authentication required|denied/i.test(error.tail.join('\n'))
                ? ' The registry refused the credentials: check username/password, the token’s permissions or the login input.'
                : '';
              logger.error(
                `Pushing ${reference} failed after ${error.attempt} attempt(s).${hint} Last lines:\n${error.tail.join('\n')}`,
                {
                  title: `Push of ${reference} failed`,
                },
              );
              throw markReported(error);
            }
            throw error;
          });
          const digest = (await readFile(digestFile, 'utf8').catch(() => '')).trim();
          pushedDigests.set(reference, digest);
          logger.info(`pushed ${reference}${digest === '' ? '' : ` (${digest})`}`);
        }
      });
    }

    await logger.group('Read the digest back from the registry', async () => {
      const client = new RegistryClient({
        registry: image.registry,
        repository: image.repository,
        ...(credentials === undefined ? {} : { credentials }),
        tlsVerify: inputs['tls-verify'],
        attempts: inputs['push-attempts'],
        logger,
      });
      let digest = '';
      for (const [index, tag] of tags.entries()) {
        const served = await client.getManifest(tag);
        logger.info(`${image.name}:${tag} → ${served.digest} (${served.mediaType})`);
        if (index === 0) {
          digest = served.digest;
          metadata.sizeBytes = await imageSize(client, served);
        } else if (served.digest !== digest) {
          throw new Error(
            `Tag ${image.name}:${tag} resolves to ${served.digest}, not ${digest} like ${image.name}:${tags[0] ?? ''}: another push raced this one`,
          );
        }
        const builderDigest = pushedDigests.get(`${image.name}:${tag}`);
        if (builderDigest !== undefined && builderDigest !== '' && builderDigest !== served.digest)
          logger.warning(
            `${builder.name} reported ${builderDigest} for ${tag}, the registry serves ${served.digest}; using the registry's`,
          );
      }
      metadata.digest = digest;
      metadata.image = `${image.name}@${digest}`;
      metadata.pushed = true;
    });
    logger.info(
      `${metadata.image} (${formatBytes(metadata.sizeBytes)}, ${tags.length} tag(s)) — deploy this immutable reference`,
    );
    setOutputs();
    await writeSummary(metadata, inputs, `total ${formatDuration(performance.now() - started)}`);
  } finally {
    await removeWorkDir(work.dir);
  }
}

/** Logs in as planned and writes the credentials to the private auth file. */
async function logIn(
  inputs: Inputs,
  work: WorkDir,
  logger: Logger,
  env: NodeJS.ProcessEnv,
): Promise<RegistryCredentials | undefined> {
  return logger.group(`Log in to ${inputs.image.registry}`, async () => {
    const plan = planLogin(inputs, inputs.image, env);
    if (plan.kind === 'none') {
      logger.info(`no login (${plan.reason})`);
      return undefined;
    }
    const credentials = await resolveCredentials(plan, logger);
    if (credentials === undefined) return undefined;
    logger.mask(credentials.password);
    await writeAuthFile(work, inputs.image.registry, credentials);
    logger.info(
      `logged in to ${inputs.image.registry} as ${credentials.username} (${plan.kind}); credentials in a temporary auth file`,
    );
    return credentials;
  });
}

function buildRequest(
  inputs: Inputs,
  sources: { context: string; file: string },
  references: string[],
  labels: Map<string, string>,
  builder: BuilderName,
  secretFiles: { id: string; path: string }[],
  work?: WorkDir,
): BuildRequest {
  const dir = work?.dir ?? '<temp>';
  return {
    context: sources.context,
    file: sources.file,
    references,
    labels,
    buildArgs: inputs['build-args'],
    secretFiles,
    target: inputs.target,
    platforms: inputs.platforms,
    cacheFrom: inputs['cache-from'],
    cacheTo: inputs['cache-to'],
    provenance: builder === 'docker' ? inputs.provenance : '',
    sbom: builder === 'docker' ? inputs.sbom : '',
    tlsVerify: inputs['tls-verify'],
    push: inputs.push,
    iidFile: path.join(dir, 'iid'),
    metadataFile: path.join(dir, 'metadata.json'),
  };
}

function pushRequest(
  inputs: Inputs,
  references: string[],
  destination: string,
  authFile: string,
  digestFile: string,
  builder: BuilderName,
  request: BuildRequest,
): Parameters<typeof pushArguments>[1] {
  const manifestList = usesManifestList(builder, request);
  return {
    source: manifestList ? (references[0] ?? destination) : destination,
    destination,
    authFile,
    tlsVerify: inputs['tls-verify'],
    digestFile,
    manifestList,
    retryDelay: `${Math.max(10, Math.round(1_000 * delayScale()))}ms`,
  };
}

/**
 * The post step: removes the private folder (auth file, secret files) if the main step could not.
 * Never throws for a folder that is already gone.
 */
export async function post(): Promise<void> {
  const dir = loadState<string>(WORK_DIR_STATE);
  if (dir === undefined || dir === '') return;
  await removeWorkDir(dir);
  coreLogger.info(`removed ${dir} (registry auth file and build secrets)`);
}
