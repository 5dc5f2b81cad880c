/**
 * The S3 side of a release: list what is there, upload (one request, or multipart above 8 MiB as
 * `aws s3` does), delete in batches, read and write the release manifests, restore object versions.
 * Every call goes through the SDK's standard retry mode (throttling and 5xx retried with backoff).
 */
import { open, readFile } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  UploadPartCommand,
  AbortMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { contentEncoding } from './content.ts';
import { PART_SIZE } from './etag.ts';
import type { RemoteObject } from './plan.ts';

/** Folder (under the prefix) where Gantry keeps its release manifests; never synced nor deleted. */
export const RESERVED = '.gantry/';
export const MANIFEST = `${RESERVED}release.json`;
export const PREVIOUS_MANIFEST = `${RESERVED}previous-release.json`;
/** Upper bound on a manifest's size (bytes) when read back: 64 MiB (≈ 300 000 objects). */
const MANIFEST_LIMIT = 64 * 1024 * 1024;

/** One object of a release, as recorded in its manifest. */
export interface ReleaseObject {
  etag: string;
  size: number;
  /** The object version holding this content, when the bucket is versioned. */
  versionId?: string;
}

/** What a release manifest holds: enough to put the bucket back as it was. */
export interface ReleaseManifest {
  schema: 'gantry.deploy-static.release/1';
  /** ISO 8601 time of the release. */
  releasedAt: string;
  /** Commit and run that made it (GITHUB_SHA, GITHUB_RUN_ID), when known. */
  sha?: string;
  runId?: string;
  prefix: string;
  /** Whether every object has a `versionId` (bucket versioning was on). */
  versioned: boolean;
  /** key → object */
  objects: Record<string, ReleaseObject>;
}

/**
 * Lists the objects under `prefix` (ListObjectsV2, 1000 a page).
 * @param skip keys for which this returns true are left out (the manifest folder, excludes)
 * @returns key → ETag and size
 */
export async function listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
  skip: (key: string) => boolean,
): Promise<Map<string, RemoteObject>> {
  const objects = new Map<string, RemoteObject>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined || skip(item.Key)) continue;
      objects.set(item.Key, { etag: item.ETag ?? '', size: item.Size ?? 0 });
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/** Whether the bucket keeps object versions (GetBucketVersioning says `Enabled`). */
export async function versioningEnabled(s3: S3Client, bucket: string): Promise<boolean> {
  const answer = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  return answer.Status === 'Enabled';
}

/** The latest version id and ETag of each key under `prefix` (ListObjectVersions, all pages). */
export async function latestVersions(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<Map<string, { versionId: string; etag: string }>> {
  const latest = new Map<string, { versionId: string; etag: string }>();
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix || undefined,
        KeyMarker: keyMarker,
        VersionIdMarker: versionMarker,
      }),
    );
    for (const version of page.Versions ?? []) {
      if (version.IsLatest === true && version.Key !== undefined && version.VersionId !== undefined)
        latest.set(version.Key, { versionId: version.VersionId, etag: version.ETag ?? '' });
    }
    if (page.IsTruncated !== true) return latest;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
}

/** Headers an object is stored with. */
export interface ObjectHeaders {
  contentType: string;
  cacheControl?: string;
}

/**
 * Uploads one file: PutObject below {@link PART_SIZE}, else a multipart upload of PART_SIZE parts
 * (aborted if a part fails, so no orphaned parts are billed). `Content-Encoding: gzip` is set when the
 * file is gzip data (see {@link contentEncoding}).
 * @returns the new object's ETag and version id (when the bucket is versioned)
 */
export async function uploadFile(
  s3: S3Client,
  bucket: string,
  key: string,
  file: string,
  size: number,
  headers: ObjectHeaders,
): Promise<{ etag: string; versionId?: string; contentEncoding?: string }> {
  if (size < PART_SIZE) {
    const body = await readFile(file);
    const encoding = contentEncoding(key, body.subarray(0, 2));
    const answer = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: headers.contentType,
        CacheControl: headers.cacheControl,
        ContentEncoding: encoding,
      }),
    );
    return { etag: answer.ETag ?? '', versionId: answer.VersionId, contentEncoding: encoding };
  }
  const handle = await open(file, 'r');
  let uploadId: string | undefined;
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    const encoding = contentEncoding(key, head);
    const created = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ContentType: headers.contentType,
        CacheControl: headers.cacheControl,
        ContentEncoding: encoding,
      }),
    );
    uploadId = created.UploadId;
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let offset = 0, number = 1; offset < size; offset += PART_SIZE, number++) {
      const length = Math.min(PART_SIZE, size - offset);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      if (bytesRead !== length) throw new Error(`${file} changed size while being uploaded`);
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: number,
          Body: buffer,
          ContentLength: length,
        }),
      );
      parts.push({ ETag: part.ETag ?? '', PartNumber: number });
    }
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    uploadId = undefined;
    return { etag: done.ETag ?? '', versionId: done.VersionId, contentEncoding: encoding };
  } finally {
    await handle.close();
    if (uploadId !== undefined)
      await s3
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
        .catch(() => undefined);
  }
}

/**
 * Deletes keys with DeleteObjects, 1000 a request (the API's maximum).
 * @throws Error listing the first keys S3 refused to delete
 */
export async function deleteKeys(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000);
    const answer = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    const errors = answer.Errors ?? [];
    if (errors.length > 0) {
      const first = errors
        .slice(0, 5)
        .map((error) => `${error.Key ?? '?'} (${error.Code ?? 'error'})`)
        .join(', ');
      throw new Error(`S3 refused to delete ${errors.length} object(s): ${first}`);
    }
  }
}

/**
 * Reads a release manifest.
 * @returns the manifest, or undefined when there is none (NoSuchKey)
 * @throws Error when it exists but is not a manifest, or is larger than 64 MiB
 */
export async function readManifest(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<ReleaseManifest | undefined> {
  let text: string;
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if ((answer.ContentLength ?? 0) > MANIFEST_LIMIT)
      throw new Error(`s3://${bucket}/${key} is larger than ${MANIFEST_LIMIT} bytes`);
    text = (await answer.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    throw error;
  }
  const manifest = JSON.parse(text) as ReleaseManifest;
  if (manifest.schema !== 'gantry.deploy-static.release/1' || typeof manifest.objects !== 'object')
    throw new Error(`s3://${bucket}/${key} is not a Gantry release manifest`);
  return manifest;
}

/** Writes a release manifest (JSON, `Cache-Control: no-store`). */
export async function writeManifest(
  s3: S3Client,
  bucket: string,
  key: string,
  manifest: ReleaseManifest,
): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(manifest),
      ContentType: 'application/json',
      CacheControl: 'no-store',
    }),
  );
}

/**
 * Makes a past version of `key` its current content again: CopyObject from `key?versionId=…` onto
 * itself (the copy keeps that version's headers), as AWS documents for restoring previous versions
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RestoringPreviousVersions.html).
 * Objects over 5 GiB cannot be copied in one request; static sites do not have them.
 * @returns the new ETag and version id
 */
export async function restoreVersion(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<{ etag: string; versionId?: string }> {
  const source = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}?versionId=${encodeURIComponent(versionId)}`;
  const answer = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: source }));
  return { etag: answer.CopyObjectResult?.ETag ?? '', versionId: answer.VersionId };
}
