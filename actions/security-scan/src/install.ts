/**
 * Installing a pinned scanner release with @actions/tool-cache, verifying its SHA-256 before it can run.
 * A checksum mismatch is a hard failure (the file is deleted, nothing is cached, nothing runs).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from '../../../shared/src/errors.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import type { ToolOverride } from './inputs.ts';
import { recordedChecksum, TOOLS } from './tool-versions.ts';

const MARKER = '.gantry-asset.sha256';

/** The downloaded file's SHA-256 is not the pinned one: possibly a tampered release. */
export class ChecksumMismatchError extends Error {
  constructor(asset: string, expected: string, actual: string) {
    super(
      `SHA-256 mismatch for ${asset}: expected ${expected}, got ${actual}. The download was deleted and ` +
        'nothing was run. A release asset must never change: check the tool-versions input and the mirror.',
    );
    this.name = 'ChecksumMismatchError';
  }
}

/**
 * The SHA-256 of a file, streamed.
 * @returns lower-case hex
 */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Options of {@link installTool}. */
export interface InstallOptions {
  override?: ToolOverride;
  /** Base URL standing in for https://github.com (same paths). */
  mirror?: string;
  logger: Logger;
  platform?: NodeJS.Platform;
  arch?: string;
}

/**
 * Installs (or finds in the tool cache) a pinned scanner and returns its executable.
 *
 * Downloads `<mirror or https://github.com>/<repo>/releases/download/v<version>/<asset>`, checks its
 * SHA-256 against `override.sha256` or the table in tool-versions.ts, extracts it (tar.gz) or takes it as
 * is (bare binary), and caches it as `<tool>/<version>`. A cached copy is used only when it was cached for
 * the same checksum.
 * @param name a key of `TOOLS`: trivy, gitleaks, trufflehog, osv-scanner
 * @returns the absolute path of the executable
 * @throws ConfigurationError for an unknown tool, a platform without an asset, or a version without a
 *   recorded checksum; ChecksumMismatchError when the download's SHA-256 differs; Error when the download
 *   fails (after tool-cache's retries)
 */
export async function installTool(name: string, options: InstallOptions): Promise<string> {
  const spec = TOOLS[name];
  if (spec === undefined) throw new ConfigurationError(`No pinned release is known for ${name}`);
  const version = options.override?.version ?? spec.version;
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const asset = spec.asset(version, platform, arch);
  if (asset === undefined)
    throw new ConfigurationError(`${name} ${version} publishes no release asset for ${platform}/${arch}`);
  const expected = options.override?.sha256 ?? recordedChecksum(spec, version, asset);
  if (expected === undefined)
    throw new ConfigurationError(
      `No SHA-256 is recorded for ${asset}; pin it with the tool-versions input: ` +
        `${name}=${version}@sha256:<the value from the release's checksums file>`,
    );
  const tc = await import('@actions/tool-cache');
  const cached = tc.find(name, version);
  if (cached !== '') {
    const marker = await readFile(path.join(cached, MARKER), 'utf8').catch(() => '');
    if (marker.trim() === expected) {
      options.logger.info(`${name} ${version} found in the tool cache (SHA-256 ${expected})`);
      return path.join(cached, spec.executable);
    }
  }
  const base = options.mirror !== undefined && options.mirror !== '' ? options.mirror : 'https://github.com';
  const url = `${base}/${spec.repository}/releases/download/v${version}/${asset}`;
  options.logger.info(`Downloading ${name} ${version}: ${url}`);
  const downloaded = await tc.downloadTool(url);
  const actual = await sha256File(downloaded);
  if (actual !== expected) {
    await rm(downloaded, { force: true });
    throw new ChecksumMismatchError(asset, expected, actual);
  }
  options.logger.info(`SHA-256 verified: ${actual}`);
  let folder: string;
  if (spec.kind === 'tar.gz') {
    folder = await tc.extractTar(downloaded);
  } else {
    folder = `${downloaded}.d`;
    await mkdir(folder, { recursive: true });
    await copyFile(downloaded, path.join(folder, spec.executable));
  }
  await chmod(path.join(folder, spec.executable), 0o755);
  await writeFile(path.join(folder, MARKER), expected);
  const cachedDir = await tc.cacheDir(folder, name, version);
  await rm(downloaded, { force: true });
  await rm(folder, { recursive: true, force: true });
  return path.join(cachedDir, spec.executable);
}
