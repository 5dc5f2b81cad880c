/**
 * The action's private temporary folder: the registry auth file and the build-secret files live here,
 * never in the user's `~/.docker/config.json` or `${XDG_RUNTIME_DIR}/containers/auth.json`. The main
 * step removes it when done; the post step removes it again in case the main step was cancelled.
 *
 * The auth file uses the format both Docker (`config.json`, found through `DOCKER_CONFIG=<dir>`) and
 * containers/image (`--authfile`, `REGISTRY_AUTH_FILE`) read: `{"auths": {"<registry>": {"auth":
 * base64("user:password")}}}` (https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md).
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RegistryCredentials } from './registry-client.ts';

/** The folder and the files the action writes into it. */
export interface WorkDir {
  /** Absolute path of the private folder (mode 0700). */
  dir: string;
  /** `<dir>/docker/config.json`: the auth file (`DOCKER_CONFIG=<dir>/docker`). */
  authFile: string;
  dockerConfigDir: string;
}

/**
 * Creates the private folder under `RUNNER_TEMP` (else the system temp folder), with an empty auth file so
 * that builders never fall back to the user's global credentials.
 */
export async function createWorkDir(env: NodeJS.ProcessEnv = process.env): Promise<WorkDir> {
  const parent =
    env['RUNNER_TEMP'] !== undefined && env['RUNNER_TEMP'] !== '' ? env['RUNNER_TEMP'] : tmpdir();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(path.join(parent, 'gantry-build-push-'));
  await chmod(dir, 0o700);
  const dockerConfigDir = path.join(dir, 'docker');
  await mkdir(dockerConfigDir, { mode: 0o700 });
  const authFile = path.join(dockerConfigDir, 'config.json');
  await writeFile(authFile, JSON.stringify({ auths: {} }), { mode: 0o600 });
  return { dir, authFile, dockerConfigDir };
}

/** The keys an auth entry is stored under for a registry (Docker Hub has a legacy key too). */
export function authKeys(registry: string): string[] {
  return registry === 'docker.io' ? ['docker.io', 'https://index.docker.io/v1/'] : [registry];
}

/**
 * Writes the credentials for `registry` into the auth file (mode 0600), replacing what was there.
 * @param registry host[:port] as in the image name
 */
export async function writeAuthFile(
  work: WorkDir,
  registry: string,
  credentials: RegistryCredentials,
): Promise<void> {
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  const auths: Record<string, { auth: string }> = {};
  for (const key of authKeys(registry)) auths[key] = { auth };
  await writeFile(work.authFile, JSON.stringify({ auths }), { mode: 0o600 });
}

/**
 * Writes each build secret to its own file (mode 0600) in the work folder.
 * @returns id and path per secret, in input order
 */
export async function writeSecretFiles(
  work: WorkDir,
  secrets: ReadonlyMap<string, string>,
): Promise<{ id: string; path: string }[]> {
  if (secrets.size === 0) return [];
  const secretDir = path.join(work.dir, 'secrets');
  await mkdir(secretDir, { mode: 0o700 });
  const files: { id: string; path: string }[] = [];
  for (const [index, [id, value]] of [...secrets].entries()) {
    const file = path.join(secretDir, `secret-${index}`);
    await writeFile(file, value, { mode: 0o600 });
    files.push({ id, path: file });
  }
  return files;
}

/** Removes the work folder and everything in it (auth file, secret files); no error when it is gone. */
export async function removeWorkDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
