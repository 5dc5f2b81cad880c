/**
 * The three builders and how to call them: which one `auto` picks, and the argument arrays for build and
 * push (always arrays, handed to `@actions/exec` — never a shell string built from inputs).
 *
 * Flags follow each tool's manual: docker-buildx-build(1) (https://docs.docker.com/reference/cli/docker/buildx/build/),
 * buildah-build(1)/buildah-push(1)/buildah-manifest(1) (https://github.com/containers/buildah/tree/main/docs),
 * podman-build(1)/podman-push(1) (https://docs.podman.io/en/latest/Commands.html).
 */
import * as exec from '@actions/exec';
import * as io from '@actions/io';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import type { BuilderChoice } from './inputs.ts';

export type BuilderName = 'docker' | 'buildah' | 'podman';

/** A builder found on this machine. */
export interface Builder {
  name: BuilderName;
  /** Absolute path of the executable. */
  path: string;
}

/** How `detectBuilder` looks at the machine (replaceable in tests). */
export interface BuilderProbe {
  /** Absolute path of a command on PATH, or '' when there is none. */
  which(tool: string): Promise<string>;
  /** Whether a Docker engine answers `docker version` and buildx is installed. */
  dockerEngineAnswers(dockerPath: string): Promise<boolean>;
}

/** The probe used on a runner: `io.which` and two quiet docker commands. */
export const systemProbe: BuilderProbe = {
  which: (tool) => io.which(tool, false),
  async dockerEngineAnswers(dockerPath) {
    const quiet = { silent: true, ignoreReturnCode: true };
    const server = await exec.getExecOutput(
      dockerPath,
      ['version', '--format', '{{.Server.Version}}'],
      quiet,
    );
    if (server.exitCode !== 0 || server.stdout.trim() === '') return false;
    const buildx = await exec.getExecOutput(dockerPath, ['buildx', 'version'], quiet);
    return buildx.exitCode === 0;
  },
};

/**
 * Picks the builder. `auto`: docker buildx when a Docker engine answers, else buildah, else podman.
 * An explicit choice must be installed (and for docker, its engine must answer).
 * @throws ConfigurationError naming what was looked for and not found
 */
export async function detectBuilder(
  choice: BuilderChoice,
  probe: BuilderProbe = systemProbe,
): Promise<Builder & { looked: string[] }> {
  const looked: string[] = [];
  const candidates: BuilderName[] = choice === 'auto' ? ['docker', 'buildah', 'podman'] : [choice];
  for (const name of candidates) {
    const path = await probe.which(name);
    if (path === '') {
      looked.push(`${name}: not on PATH`);
      continue;
    }
    if (name === 'docker' && !(await probe.dockerEngineAnswers(path))) {
      looked.push(`docker: ${path} found, but no Docker engine (with buildx) answers`);
      continue;
    }
    return { name, path, looked };
  }
  throw new ConfigurationError(
    `No image builder available for builder '${choice}'. Looked for ${candidates
      .map((name) => (name === 'docker' ? 'docker buildx with a running engine' : name))
      .join(', ')}: ${looked.join('; ')}. Install one (e.g. apt-get install buildah) or start Docker.`,
  );
}

/** Everything a build needs, already validated. */
export interface BuildRequest {
  /** The context folder (absolute), or a remote context URL. */
  context: string;
  /** The Dockerfile/Containerfile (absolute; for a remote context a path inside it, or '' for the default). */
  file: string;
  /** Full references to tag the result with: `<image>:<tag>`. */
  references: string[];
  labels: ReadonlyMap<string, string>;
  buildArgs: ReadonlyMap<string, string>;
  /** Secret files: id and a private file holding the value. */
  secretFiles: readonly { id: string; path: string }[];
  target: string;
  platforms: readonly string[];
  cacheFrom: readonly string[];
  cacheTo: readonly string[];
  provenance: string;
  sbom: string;
  /** buildah/podman: `false` adds `--tls-verify=false` (pulls and cache pushes to an insecure registry). */
  tlsVerify: boolean;
  /** docker only: push as part of the build (`--push`). */
  push: boolean;
  /** Where the builder writes the image id (`--iidfile`). */
  iidFile: string;
  /** docker only: where buildx writes its metadata (`--metadata-file`). */
  metadataFile: string;
}

/** Several platforms build one manifest list (buildah/podman `--manifest`), pushed with `manifest push --all`. */
export function usesManifestList(builder: BuilderName, request: Pick<BuildRequest, 'platforms'>): boolean {
  return builder !== 'docker' && request.platforms.length > 1;
}

/**
 * The build command's arguments (after the executable).
 * - docker: `buildx build … [--push|--load]` with `--provenance`/`--sbom` when set;
 * - buildah: `build …` (`bud`), podman: `build …`; `--layers` when a cache is used; `--manifest <first
 *   reference>` instead of `--tag` for several platforms.
 * @returns the argument array; the context folder is last
 */
export function buildArguments(builder: BuilderName, request: BuildRequest): string[] {
  const args = builder === 'docker' ? ['buildx', 'build'] : ['build'];
  if (request.file !== '') args.push('--file', request.file);
  if (usesManifestList(builder, request)) args.push('--manifest', request.references[0] ?? '');
  else for (const reference of request.references) args.push('--tag', reference);
  for (const [key, value] of request.labels) args.push('--label', `${key}=${value}`);
  for (const [key, value] of request.buildArgs) args.push('--build-arg', `${key}=${value}`);
  for (const secret of request.secretFiles) args.push('--secret', `id=${secret.id},src=${secret.path}`);
  if (request.target !== '') args.push('--target', request.target);
  if (request.platforms.length > 0) args.push('--platform', request.platforms.join(','));
  if (builder !== 'docker' && (request.cacheFrom.length > 0 || request.cacheTo.length > 0))
    args.push('--layers');
  if (builder !== 'docker' && !request.tlsVerify) args.push('--tls-verify=false');
  for (const cache of request.cacheFrom) args.push('--cache-from', cache);
  for (const cache of request.cacheTo) args.push('--cache-to', cache);
  // buildah/podman refuse --iidfile when one build makes several images (a manifest list)
  if (!usesManifestList(builder, request)) args.push('--iidfile', request.iidFile);
  if (builder === 'docker') {
    if (request.provenance !== '') args.push(`--provenance=${request.provenance}`);
    if (request.sbom !== '') args.push(`--sbom=${request.sbom}`);
    args.push('--metadata-file', request.metadataFile);
    if (request.push) args.push('--push');
    else if (request.platforms.length <= 1) args.push('--load');
  }
  args.push(request.context);
  return args;
}

/** What a buildah/podman push needs. */
export interface PushRequest {
  /** The local image (or manifest list) name. */
  source: string;
  /** The destination reference `<image>:<tag>`. */
  destination: string;
  authFile: string;
  tlsVerify: boolean;
  digestFile: string;
  manifestList: boolean;
  /** buildah's own delay between its internal retries (`--retry-delay`, plain push only), e.g. `1s`. */
  retryDelay: string;
}

/**
 * The push command's arguments for buildah/podman (docker pushes during the build):
 * `push` or `manifest push --all`, `--authfile`, `--tls-verify=`, `--digestfile`, source, `docker://dest`.
 */
export function pushArguments(builder: Exclude<BuilderName, 'docker'>, request: PushRequest): string[] {
  const args = request.manifestList ? ['manifest', 'push', '--all'] : ['push'];
  args.push('--authfile', request.authFile, `--tls-verify=${String(request.tlsVerify)}`);
  args.push('--digestfile', request.digestFile);
  if (builder === 'buildah' && !request.manifestList) args.push('--retry-delay', request.retryDelay);
  args.push(request.source, `docker://${request.destination}`);
  return args;
}
