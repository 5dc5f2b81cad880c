/**
 * Installs the Flyway or Liquibase CLI for `engine: flyway | liquibase` when it is not on PATH: a pinned
 * `engine-version` downloaded with `@actions/tool-cache`, its SHA-256 checked against `engine-sha256` before
 * anything is extracted, then cached in the runner's tool cache.
 *
 * Download URLs (Linux x64 archives), overridable for a mirror with `GANTRY_FLYWAY_DOWNLOAD_URL` /
 * `GANTRY_LIQUIBASE_DOWNLOAD_URL` (`{version}` is replaced):
 * - Flyway: https://download.red-gate.com/maven/release/com/redgate/flyway/flyway-commandline/{version}/flyway-commandline-{version}-linux-x64.tar.gz
 *   (archive holds `flyway-{version}/flyway`), per https://documentation.red-gate.com/fd/command-line-184127404.html
 * - Liquibase: https://github.com/liquibase/liquibase/releases/download/v{version}/liquibase-{version}.tar.gz
 *   (archive holds `liquibase` at its root)
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import type { Logger } from '../../../shared/src/logger.ts';

export type CliProgram = 'flyway' | 'liquibase';

const DEFAULT_URLS: Record<CliProgram, string> = {
  flyway:
    'https://download.red-gate.com/maven/release/com/redgate/flyway/flyway-commandline/{version}/flyway-commandline-{version}-linux-x64.tar.gz',
  liquibase: 'https://github.com/liquibase/liquibase/releases/download/v{version}/liquibase-{version}.tar.gz',
};

/**
 * The archive URL for a CLI version.
 * @param env the environment (mirror override)
 */
export function cliDownloadUrl(
  program: CliProgram,
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const template = env[`GANTRY_${program.toUpperCase()}_DOWNLOAD_URL`] || DEFAULT_URLS[program];
  return template.replace(/\{version\}/g, encodeURIComponent(version));
}

/**
 * SHA-256 of a file.
 * @returns lower-case hex
 */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Returns the path of the CLI executable for a pinned version, from the tool cache or downloaded.
 * @param sha256 the expected archive digest (64 hex digits)
 * @throws ConfigurationError when the downloaded archive's digest differs (naming both digests and the URL)
 *         or the archive holds no executable where expected
 */
export async function installCli(
  program: CliProgram,
  version: string,
  sha256: string,
  logger: Logger,
): Promise<string> {
  const tc = await import('@actions/tool-cache');
  const executable = (dir: string): string =>
    program === 'flyway' ? path.join(dir, `flyway-${version}`, 'flyway') : path.join(dir, 'liquibase');
  const cached = tc.find(program, version);
  if (cached !== '' && existsSync(executable(cached))) {
    logger.info(`Using ${program} ${version} from the tool cache`);
    return executable(cached);
  }
  const url = cliDownloadUrl(program, version);
  logger.info(`Downloading ${program} ${version} from ${url}`);
  const archive = await tc.downloadTool(url);
  const actual = await sha256File(archive);
  if (actual !== sha256.toLowerCase()) {
    await rm(archive, { force: true });
    throw new ConfigurationError(
      `The ${program} ${version} archive from ${url} has SHA-256 ${actual}, not the expected ${sha256.toLowerCase()} ` +
        "(input 'engine-sha256'); nothing was installed",
    );
  }
  const extracted = await tc.extractTar(archive);
  await rm(archive, { force: true });
  const dir = await tc.cacheDir(extracted, program, version);
  const program_ = executable(dir);
  if (!existsSync(program_)) {
    throw new ConfigurationError(
      `The ${program} ${version} archive holds no ${path.relative(dir, program_)}`,
    );
  }
  return program_;
}
