/**
 * deploy-static: publish a built frontend to S3 and CloudFront.
 *
 * read inputs → list the build → read the bucket → plan (upload what changed) → upload assets → upload
 * pages → delete stale objects → record the release → invalidate and wait → summary. With `rollback`,
 * the previous release's manifest is restored instead (needs bucket versioning). With `dry-run`, the
 * plan is reported and nothing is written.
 */
import path from 'node:path';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import { resolveRegion } from '../../../shared/src/aws.ts';
import { createCloudFrontClient, createS3Client } from '../../../shared/src/aws-storage.ts';
import { formatDuration } from '../../../shared/src/duration.ts';
import { oneLine } from '../../../shared/src/output.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import { cacheControl, contentType, matches } from './content.ts';
import { mapConcurrent } from './concurrency.ts';
import { sameContent, normalizeEtag } from './etag.ts';
import { listBuild, type LocalFile } from './files.ts';
import { getInputs, type Inputs } from './inputs.ts';
import { writeOutputs, type Outputs } from './outputs.ts';
import { invalidationPaths, planRelease, uploadPhases, type Plan, type RemoteObject } from './plan.ts';

import type { ReleaseManifest, ReleaseObject } from './bucket.ts';

type Bucket = typeof import('./bucket.ts');
type Distribution = typeof import('./distribution.ts');

/** The AWS side of one run: clients and the modules that use them (loaded after the inputs are good). */
interface Remote {
  s3: S3Client;
  cloudfront?: CloudFrontClient;
  bucket: Bucket;
  distribution: Distribution;
}

/** Runs deploy-static; throws on failure after writing the outputs of what was done. */
export async function run(logger: Logger = coreLogger): Promise<void> {
  const inputs = getInputs();
  const started = Date.now();
  const remote = await connect(inputs);
  const outputs: Outputs = { uploaded: 0, deleted: 0, unchanged: 0, 'invalidation-id': '', url: '' };
  try {
    const served = await describeSite(inputs, remote, outputs, logger);
    const changed = inputs.rollback
      ? await rollBack(inputs, remote, outputs, logger)
      : await deploy(inputs, remote, outputs, logger);
    if (changed !== undefined) await invalidate(inputs, remote, served.originPath, changed, outputs, logger);
    await summarize(inputs, outputs, Date.now() - started);
  } finally {
    writeOutputs(outputs);
    remote.s3.destroy();
    remote.cloudfront?.destroy();
  }
}

async function connect(inputs: Inputs): Promise<Remote> {
  const s3 = await createS3Client({ region: inputs['aws-region'], maxAttempts: 5 });
  const cloudfront =
    inputs['distribution-id'] === ''
      ? undefined
      : await createCloudFrontClient({ region: inputs['aws-region'], maxAttempts: 5 });
  return {
    s3,
    cloudfront,
    bucket: await import('./bucket.ts'),
    distribution: await import('./distribution.ts'),
  };
}

/** Fills the `url` output and returns the origin path the distribution serves the bucket under. */
async function describeSite(
  inputs: Inputs,
  remote: Remote,
  outputs: Outputs,
  logger: Logger,
): Promise<{ originPath: string }> {
  if (remote.cloudfront === undefined) {
    const region = resolveRegion(inputs['aws-region']);
    outputs.url = `https://${inputs.bucket}.s3.${region}.amazonaws.com/${inputs.prefix}`;
    return { originPath: '' };
  }
  const info = await remote.distribution.describeDistribution(
    remote.cloudfront,
    inputs['distribution-id'],
    inputs.bucket,
  );
  outputs.url = `https://${info.domain}/`;
  if (!info.servesBucket)
    logger.warning(
      `Distribution ${inputs['distribution-id']} has no S3 origin for bucket ${inputs.bucket}: paths are invalidated as keys from the bucket root.`,
    );
  return { originPath: info.originPath };
}

/** The keys the run must never touch: the manifest folder and the `exclude` globs. */
function skipper(
  inputs: Inputs,
  bucket: Bucket,
): { relative: (rel: string) => boolean; key: (key: string) => boolean } {
  const relative = (rel: string): boolean =>
    rel.startsWith(bucket.RESERVED) || inputs.exclude.some((glob) => matches(rel, glob));
  return { relative, key: (key) => relative(key.slice(inputs.prefix.length)) };
}

/**
 * A deploy: plan, upload assets then pages, delete, record the release.
 * @returns the keys that changed (for the invalidation), or undefined for a dry run
 */
async function deploy(
  inputs: Inputs,
  remote: Remote,
  outputs: Outputs,
  logger: Logger,
): Promise<string[] | undefined> {
  const skip = skipper(inputs, remote.bucket);
  const files = await listBuild(inputs.source, skip.relative);
  logger.info(
    `${files.length} file(s) in ${oneLine(path.relative(process.env['GITHUB_WORKSPACE'] || process.cwd(), inputs.source) || '.')}`,
  );
  const { plan, listed } = await logger.group(
    `Comparing with s3://${inputs.bucket}/${oneLine(inputs.prefix)}`,
    () => planAgainstBucket(inputs, remote, files, skip.key, logger),
  );
  outputs.unchanged = plan.unchanged.length;
  if (inputs['dry-run']) {
    outputs.uploaded = plan.uploads.length;
    outputs.deleted = plan.deletes.length;
    for (const upload of plan.uploads) logger.info(`would upload ${oneLine(upload.key)} (${upload.reason})`);
    for (const key of plan.deletes) logger.info(`would delete ${oneLine(key)}`);
    logger.notice(
      `Dry run: ${plan.uploads.length} to upload, ${plan.deletes.length} to delete, ${plan.unchanged.length} unchanged; nothing written.`,
    );
    return undefined;
  }
  const versioned = await remote.bucket.versioningEnabled(remote.s3, inputs.bucket);
  if (!versioned)
    logger.warning(
      `Bucket ${inputs.bucket} has no versioning: a later rollback cannot restore overwritten files (enable versioning to keep that option).`,
    );
  const current = await remote.bucket.readManifest(
    remote.s3,
    inputs.bucket,
    inputs.prefix + remote.bucket.MANIFEST,
  );
  const uploaded = await uploadAll(inputs, remote, plan, outputs, logger);
  await deleteStale(inputs, remote, plan.deletes, outputs, logger);
  // A deploy that changed nothing keeps the manifests as they are, so the previous release stays reachable.
  if (plan.uploads.length > 0 || plan.deletes.length > 0 || current === undefined)
    await recordRelease(inputs, remote, { files, listed, uploaded, current, versioned }, logger);
  return [...plan.uploads.map((u) => u.key), ...plan.deletes];
}

async function planAgainstBucket(
  inputs: Inputs,
  remote: Remote,
  files: LocalFile[],
  skipKey: (key: string) => boolean,
  logger: Logger,
): Promise<{ plan: Plan; listed: Map<string, RemoteObject> }> {
  const objects = await remote.bucket.listObjects(remote.s3, inputs.bucket, inputs.prefix, skipKey);
  const plan = await planRelease(files, objects, {
    prefix: inputs.prefix,
    deleteStale: inputs.delete,
    concurrency: inputs.concurrency,
    compare: async (file, object) => (await sameContent(file.file, file.size, object)).same,
  });
  logger.info(
    `${objects.size} object(s) in the bucket: ${plan.uploads.length} to upload, ${plan.deletes.length} to delete, ${plan.unchanged.length} unchanged`,
  );
  return { plan, listed: objects };
}

/** Uploads every asset, then every page, `concurrency` at a time; returns key → new ETag/version. */
async function uploadAll(
  inputs: Inputs,
  remote: Remote,
  plan: Plan,
  outputs: Outputs,
  logger: Logger,
): Promise<Map<string, { etag: string; versionId?: string }>> {
  const done = new Map<string, { etag: string; versionId?: string }>();
  const phases = uploadPhases(plan.uploads);
  for (const [index, phase] of phases.entries()) {
    if (phase.length === 0) continue;
    const what = index === 0 ? 'assets' : 'HTML pages';
    await logger.group(`Uploading ${phase.length} ${what}`, async () => {
      await mapConcurrent(phase, inputs.concurrency, async (upload) => {
        const headers = {
          contentType: contentType(upload.key),
          cacheControl: cacheControl(upload.relative, inputs['cache-control']),
        };
        const result = await remote.bucket.uploadFile(
          remote.s3,
          inputs.bucket,
          upload.key,
          upload.file,
          upload.size,
          headers,
        );
        done.set(upload.key, { etag: result.etag, versionId: result.versionId });
        outputs.uploaded++;
        logger.info(
          `${upload.reason === 'new' ? 'added' : 'updated'} ${oneLine(upload.key)} (${headers.contentType}${result.contentEncoding ? `, ${result.contentEncoding}` : ''}; ${headers.cacheControl ?? 'no Cache-Control'})`,
        );
      });
    });
  }
  return done;
}

async function deleteStale(
  inputs: Inputs,
  remote: Remote,
  keys: string[],
  outputs: Outputs,
  logger: Logger,
): Promise<void> {
  if (keys.length === 0) return;
  await logger.group(`Deleting ${keys.length} object(s) no longer in the build`, async () => {
    await remote.bucket.deleteKeys(remote.s3, inputs.bucket, keys);
    outputs.deleted = keys.length;
    for (const key of keys.slice(0, 200)) logger.info(`deleted ${oneLine(key)}`);
    if (keys.length > 200) logger.info(`… and ${keys.length - 200} more`);
  });
}

/**
 * Writes the release manifest (every key, ETag, size and version id) and keeps the one it replaces as
 * the previous release, which `rollback: true` restores. Version ids come from the uploads, else from
 * the last manifest when the ETag is the same, else from one ListObjectVersions pass.
 */
async function recordRelease(
  inputs: Inputs,
  remote: Remote,
  release: {
    files: LocalFile[];
    listed: Map<string, RemoteObject>;
    uploaded: Map<string, { etag: string; versionId?: string }>;
    current: ReleaseManifest | undefined;
    versioned: boolean;
  },
  logger: Logger,
): Promise<void> {
  const objects: Record<string, ReleaseObject> = {};
  const needVersion: string[] = [];
  for (const file of release.files) {
    const key = inputs.prefix + file.relative;
    const fresh = release.uploaded.get(key);
    const etag = normalizeEtag(fresh?.etag ?? release.listed.get(key)?.etag ?? '');
    const known = release.current?.objects[key];
    const versionId =
      fresh !== undefined ? fresh.versionId : known?.etag === etag ? known.versionId : undefined;
    objects[key] = versionId === undefined ? { etag, size: file.size } : { etag, size: file.size, versionId };
    if (release.versioned && versionId === undefined) needVersion.push(key);
  }
  if (needVersion.length > 0) {
    const versions = await remote.bucket.latestVersions(remote.s3, inputs.bucket, inputs.prefix);
    for (const key of needVersion) {
      const version = versions.get(key);
      const entry = objects[key];
      if (entry !== undefined && version !== undefined && normalizeEtag(version.etag) === entry.etag)
        entry.versionId = version.versionId;
    }
  }
  const manifest: ReleaseManifest = {
    schema: 'gantry.deploy-static.release/1',
    releasedAt: new Date().toISOString(),
    sha: process.env['GITHUB_SHA'] || undefined,
    runId: process.env['GITHUB_RUN_ID'] || undefined,
    prefix: inputs.prefix,
    versioned: release.versioned && Object.values(objects).every((object) => object.versionId !== undefined),
    objects,
  };
  if (release.current !== undefined)
    await remote.bucket.writeManifest(
      remote.s3,
      inputs.bucket,
      inputs.prefix + remote.bucket.PREVIOUS_MANIFEST,
      release.current,
    );
  await remote.bucket.writeManifest(
    remote.s3,
    inputs.bucket,
    inputs.prefix + remote.bucket.MANIFEST,
    manifest,
  );
  logger.info(
    `Recorded the release in s3://${inputs.bucket}/${oneLine(inputs.prefix + remote.bucket.MANIFEST)} (${Object.keys(objects).length} objects${manifest.versioned ? ', with version ids' : ''})`,
  );
}

/**
 * A rollback: puts back the previous release recorded by the last deploy (its objects' versions copied
 * over the current ones, objects it did not have deleted), assets first, pages next, deletes last; the
 * two manifests swap, so a second rollback rolls forward again.
 * @returns the keys that changed
 * @throws ConfigurationError-like Error when there is no previous release, or it has no version ids
 */
async function rollBack(
  inputs: Inputs,
  remote: Remote,
  outputs: Outputs,
  logger: Logger,
): Promise<string[] | undefined> {
  const { bucket, s3 } = remote;
  const current = await bucket.readManifest(s3, inputs.bucket, inputs.prefix + bucket.MANIFEST);
  const previous = await bucket.readManifest(s3, inputs.bucket, inputs.prefix + bucket.PREVIOUS_MANIFEST);
  if (previous === undefined)
    throw new Error(
      `No previous release recorded in s3://${inputs.bucket}/${inputs.prefix}${bucket.PREVIOUS_MANIFEST}: nothing to roll back to (a rollback needs two deploys by deploy-static).`,
    );
  if (!previous.versioned)
    throw new Error(
      `The previous release (${previous.releasedAt}) was recorded without object versions (bucket versioning was off), so its files cannot be restored.`,
    );
  const skip = skipper(inputs, bucket);
  const objects = await bucket.listObjects(s3, inputs.bucket, inputs.prefix, skip.key);
  const restore = Object.entries(previous.objects)
    .filter(([key, object]) => !skip.key(key) && normalizeEtag(objects.get(key)?.etag ?? '') !== object.etag)
    .map(([key, object]) => ({ key, versionId: object.versionId ?? '' }));
  const deletes = [...objects.keys()].filter((key) => previous.objects[key] === undefined).sort();
  const unchanged = Object.keys(previous.objects).length - restore.length;
  outputs.unchanged = unchanged;
  logger.info(
    `Rolling back to the release of ${previous.releasedAt}${previous.sha ? ` (${oneLine(previous.sha)})` : ''}: ${restore.length} to restore, ${deletes.length} to delete, ${unchanged} unchanged`,
  );
  if (inputs['dry-run']) {
    outputs.uploaded = restore.length;
    outputs.deleted = deletes.length;
    return undefined;
  }
  const restored: Record<string, ReleaseObject> = { ...previous.objects };
  for (const phase of uploadPhases(restore)) {
    await mapConcurrent(phase, inputs.concurrency, async ({ key, versionId }) => {
      const result = await bucket.restoreVersion(s3, inputs.bucket, key, versionId);
      const entry = restored[key];
      if (entry !== undefined && result.versionId !== undefined) entry.versionId = result.versionId;
      outputs.uploaded++;
      logger.info(`restored ${oneLine(key)} (version ${oneLine(versionId)})`);
    });
  }
  await deleteStale(inputs, remote, deletes, outputs, logger);
  await bucket.writeManifest(s3, inputs.bucket, inputs.prefix + bucket.MANIFEST, {
    ...previous,
    objects: restored,
  });
  if (current !== undefined)
    await bucket.writeManifest(s3, inputs.bucket, inputs.prefix + bucket.PREVIOUS_MANIFEST, current);
  return [...restore.map((r) => r.key), ...deletes];
}

/** Creates the CloudFront invalidation (`changed` paths or `/*`) and waits for it within `timeout`. */
async function invalidate(
  inputs: Inputs,
  remote: Remote,
  originPath: string,
  changed: string[],
  outputs: Outputs,
  logger: Logger,
): Promise<void> {
  if (remote.cloudfront === undefined || inputs.invalidate === 'none') return;
  const paths = inputs.invalidate === 'all' ? ['/*'] : invalidationPaths(changed, originPath);
  if (paths.length === 0) {
    logger.info('Nothing changed: no invalidation needed.');
    return;
  }
  const cloudfront = remote.cloudfront;
  await logger.group(
    `Invalidating ${paths.length === 1 ? paths[0] : `${paths.length} paths`} on ${inputs['distribution-id']}`,
    async () => {
      outputs['invalidation-id'] = await remote.distribution.createInvalidation(
        cloudfront,
        inputs['distribution-id'],
        paths,
      );
      logger.info(`Invalidation ${oneLine(outputs['invalidation-id'])} created`);
      if (!inputs.wait) return;
      const elapsed = await remote.distribution.waitForInvalidation(
        cloudfront,
        inputs['distribution-id'],
        outputs['invalidation-id'],
        inputs.timeout,
        logger,
      );
      logger.info(`Invalidation completed in ${formatDuration(elapsed)}`);
    },
  );
}

async function summarize(inputs: Inputs, outputs: Outputs, elapsedMs: number): Promise<void> {
  const title = `Static deploy to s3://${inputs.bucket}/${inputs.prefix}${inputs['dry-run'] ? ' (dry run)' : ''}${inputs.rollback ? ' (rollback)' : ''}`;
  await writeSummaryTable(
    title,
    ['Uploaded', 'Deleted', 'Unchanged', 'Invalidation', 'URL'],
    [
      [
        String(outputs.uploaded),
        String(outputs.deleted),
        String(outputs.unchanged),
        outputs['invalidation-id'] || '—',
        outputs.url,
      ],
    ],
    `Done in ${formatDuration(elapsedMs)}.`,
  );
}
